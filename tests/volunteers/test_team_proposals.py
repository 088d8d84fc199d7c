"""A volunteer proposes a new team (issue #14, teams): the community's coordinator (the
subdistrict for a subdistrict team) approves it, and the proposer leads it, or rejects it with a
reason; nothing of it is public until approved. Also: star levels on the leader's member list."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal import roles, sms
from portal.models import AuditEvent
from tests.factories import VolunteerProfileFactory, make_user
from volunteers.models import StarApplication, Team
from volunteers.services import VolunteerError
from volunteers.services import messages as message_service
from volunteers.services import teams as team_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposer(community):
    return VolunteerProfileFactory(
        community=community,
        real_name="钱提议",
        user=make_user(roles.VOLUNTEER, username="proposer", phone="13600000001"),
    )


@pytest.fixture
def proposal(proposer, community):
    return team_services.propose_team(
        proposer,
        name="民岳家园助老服务队",
        kind=Team.Kind.COMMUNITY,
        community=community,
        description="每周两次探访独居老人",
    )


def _someone(community, username):
    return VolunteerProfileFactory(
        community=community, user=make_user(roles.VOLUNTEER, username=username)
    )


def test_a_proposal_is_not_public_until_approved(client, proposal, proposer, community):
    assert proposal.status == Team.Status.PROPOSED and proposal.proposed_by == proposer
    page = reverse("volunteers:team", args=[proposal.code])
    assert client.get(page).status_code == 404
    assert client.get(reverse("volunteers:team_qr", args=[proposal.code])).status_code == 404
    client.force_login(_someone(community, "other").user)
    assert client.get(page).status_code == 404
    with pytest.raises(VolunteerError):
        team_services.request_to_join(_someone(community, "joiner"), proposal)
    # the proposer sees it waiting, with no way to ask to join
    client.force_login(proposer.user)
    text = client.get(page).content.decode()
    assert "民岳家园助老服务队" in text and "team_join" not in text
    assert reverse("volunteers:team_join", args=[proposal.code]) not in text
    # and nobody can write to it as a team
    coordinator = make_user(roles.COORDINATOR, [community], username="c1")
    assert f"team:{proposal.pk}" not in dict(message_service.audience_choices(coordinator))


def test_the_coordinator_approves_and_the_proposer_leads_it(proposal, proposer, coordinator):
    team = team_services.decide_team_proposal(proposal, by=coordinator, approve=True)
    assert team.status == Team.Status.ACTIVE and team.decided_by == coordinator
    membership = team.memberships.get(profile=proposer)
    assert membership.is_leader and membership.status == "approved"
    proposer.user.__dict__.pop("_role_names", None)
    assert roles.has_role(proposer.user, roles.TEAM_LEADER)
    assert AuditEvent.objects.filter(action="volunteers.team.proposal_approve").exists()
    assert "民岳家园助老服务队" in sms.outbox[-1].text
    with pytest.raises(VolunteerError):  # decided once
        team_services.decide_team_proposal(team, by=coordinator, approve=False, reason="重复")


def test_a_rejection_needs_a_reason_and_stays_private(client, proposal, proposer, coordinator):
    with pytest.raises(VolunteerError):
        team_services.decide_team_proposal(proposal, by=coordinator, approve=False, reason=" ")
    team = team_services.decide_team_proposal(
        proposal, by=coordinator, approve=False, reason="与现有助老队重复"
    )
    assert team.status == Team.Status.REJECTED and team.decision_reason == "与现有助老队重复"
    assert not team.memberships.exists()
    assert "与现有助老队重复" in sms.outbox[-1].text
    assert client.get(reverse("volunteers:team", args=[team.code])).status_code == 404
    client.force_login(proposer.user)
    assert (
        "与现有助老队重复"
        in client.get(reverse("volunteers:team", args=[team.code])).content.decode()
    )


def test_only_the_communitys_coordinator_or_the_subdistrict_decides(
    proposal, proposer, other_community, community, subdistrict_admin
):
    elsewhere = make_user(roles.COORDINATOR, [other_community], username="c-else")
    with pytest.raises(PermissionDenied):
        team_services.decide_team_proposal(proposal, by=elsewhere, approve=True)
    with pytest.raises(PermissionDenied):  # the proposer cannot approve their own
        team_services.decide_team_proposal(proposal, by=proposer.user, approve=True)
    proposal.refresh_from_db()
    assert proposal.status == Team.Status.PROPOSED
    # a subdistrict team is for the subdistrict's admins, not a community's coordinator
    wide = team_services.propose_team(proposer, name="街道青年突击队", kind=Team.Kind.SUBDISTRICT)
    assert wide.community is None and wide.subdistrict == community.subdistrict
    here = make_user(roles.COORDINATOR, [community], username="c-here")
    with pytest.raises(PermissionDenied):
        team_services.decide_team_proposal(wide, by=here, approve=True)
    assert list(team_services.proposals_for(here)) == [proposal]
    team_services.decide_team_proposal(wide, by=subdistrict_admin, approve=True)
    assert Team.objects.get(pk=wide.pk).status == Team.Status.ACTIVE


def test_a_proposal_is_not_made_active_by_editing_it(proposal, coordinator):
    with pytest.raises(VolunteerError):
        team_services.update_team(proposal, by=coordinator, status=Team.Status.ACTIVE)
    proposal.refresh_from_db()
    assert proposal.status == Team.Status.PROPOSED


def test_an_unconfirmed_volunteer_cannot_propose(community):
    pending = VolunteerProfileFactory(
        community=community, status="pending", user=make_user(username="pending")
    )
    with pytest.raises(VolunteerError):
        team_services.propose_team(pending, name="x", community=community)
    assert not Team.objects.exists()


def test_the_public_proposal_form(client, proposer, community):
    url = reverse("volunteers:team_propose")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(proposer.user)
    assert client.get(url).status_code == 200
    missing = client.post(
        url, {"name": "党员队", "kind": "party_branch", "community": community.pk}
    )
    assert missing.status_code == 200 and not Team.objects.exists()  # names no work unit
    response = client.post(
        url, {"name": "楼门长服务队", "kind": "community", "community": community.pk}
    )
    team = Team.objects.get()
    assert response["Location"] == reverse("volunteers:team", args=[team.code])
    assert team.status == Team.Status.PROPOSED and team.proposed_by == proposer


def test_the_proposals_screen_is_the_communitys(client, proposal, coordinator, other_community):
    url = reverse("volunteers_admin:team_proposals")
    elsewhere = make_user(roles.COORDINATOR, [other_community], username="c-else", is_staff=True)
    client.force_login(elsewhere)
    assert "民岳家园助老服务队" not in client.get(url).content.decode()
    client.post(url, {"t": proposal.pk, "action": "approve"})
    proposal.refresh_from_db()
    assert proposal.status == Team.Status.PROPOSED
    client.force_login(coordinator)
    assert "民岳家园助老服务队" in client.get(url).content.decode()
    client.post(url, {"t": proposal.pk, "action": "reject", "reason": ""})
    proposal.refresh_from_db()
    assert proposal.status == Team.Status.PROPOSED  # no reason, no rejection
    client.post(url, {"t": proposal.pk, "action": "approve"})
    proposal.refresh_from_db()
    assert proposal.status == Team.Status.ACTIVE


def test_the_leaders_member_list_shows_granted_star_levels(client, proposal, proposer, community):
    team = team_services.decide_team_proposal(
        proposal, by=make_user(roles.SUBDISTRICT_ADMIN, username="admin"), approve=True
    )
    starred = _someone(community, "starred")
    plain = _someone(community, "plain")
    for profile in (starred, plain):
        team_services.approve_membership(
            team_services.request_to_join(profile, team), by=proposer.user
        )
    StarApplication.objects.create(
        profile=starred,
        community=community,
        level=3,
        minutes=3 * 6000,
        serial="XJTEAM1",
        status=StarApplication.Status.GRANTED,
        granted_at=timezone.now(),
    )
    StarApplication.objects.create(  # not granted: not shown
        profile=plain,
        community=community,
        level=2,
        minutes=2 * 6000,
        serial="XJTEAM2",
        status=StarApplication.Status.PUBLISHED,
    )
    client.force_login(proposer.user)
    page = client.get(reverse("volunteers_admin:team_members", args=[team.pk]))
    assert page.status_code == 200
    rows = {
        row.split("</td>")[0]: row
        for row in page.content.decode().split("<tr><td>")[1:]
        if "</td>" in row
    }
    starred_row = next(row for name, row in rows.items() if starred.real_name in name)
    plain_row = next(row for name, row in rows.items() if plain.real_name in name)
    assert "3" in starred_row.split("v-stars")[1].split("</td>")[0]
    assert "—" in plain_row.split("v-stars")[1].split("</td>")[0]


def test_a_persons_data_download_lists_the_teams_they_proposed(proposal, proposer, coordinator):
    from volunteers.personal_data import sections

    team_services.decide_team_proposal(proposal, by=coordinator, approve=False, reason="重复")
    found = {section.key: section for section in sections(proposer.user)}
    assert found["team_proposals"].rows[0][:3] == ["民岳家园助老服务队", "未通过", "重复"]
