"""Volunteer teams (issue #14, item 1): who creates them, asking to join, a leader's decision
(audited, one at a time or ticked together), leaders' scoped back office, the team's page and
QR code, and a newcomer's request that follows their sign-up."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal import roles
from portal.models import AuditEvent
from portal.scoping import scope
from tests.factories import (
    ProjectFactory,
    ShiftFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)
from volunteers.models import Shift, Team, TeamMembership, VolunteerProfile
from volunteers.services import VolunteerError
from volunteers.services import teams as team_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(community, coordinator):
    return team_services.create_team(
        by=coordinator,
        name="公交集团在职党员服务队",
        kind=Team.Kind.PARTY_BRANCH,
        community=community,
        work_unit="北京公交集团第一客运分公司",
    )


@pytest.fixture
def leader(team, community):
    profile = VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="leader"), community=community, real_name="王队长"
    )
    team_services.set_leader(team, profile)
    return profile


def _member(community, name, username):
    return VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username=username), community=community, real_name=name
    )


def test_a_coordinator_creates_her_communitys_team_and_not_anothers(
    community, other_community, coordinator
):
    team = team_services.create_team(by=coordinator, name="民岳家园服务队", community=community)
    assert team.subdistrict == community.subdistrict
    assert AuditEvent.objects.filter(action="volunteers.team.create", object_id=str(team.pk))
    with pytest.raises(PermissionDenied):
        team_services.create_team(by=coordinator, name="蔚园服务队", community=other_community)
    with pytest.raises(PermissionDenied):  # a subdistrict team is for the subdistrict's admins
        team_services.create_team(
            by=coordinator,
            name="街道服务队",
            kind=Team.Kind.SUBDISTRICT,
            subdistrict=community.subdistrict,
        )


def test_a_party_branch_team_names_its_work_unit(community, coordinator):
    with pytest.raises(VolunteerError) as error:
        team_services.create_team(
            by=coordinator, name="党员服务队", kind=Team.Kind.PARTY_BRANCH, community=community
        )
    assert "work_unit" in error.value.error_dict
    assert not Team.objects.exists()


def test_asking_to_join_waits_for_the_leader_and_is_audited(team, community):
    volunteer = _member(community, "李晓红", "xh")
    membership = team_services.request_to_join(volunteer, team)
    assert membership.status == TeamMembership.Status.PENDING
    # asking twice changes nothing
    assert team_services.request_to_join(volunteer, team).pk == membership.pk
    assert TeamMembership.objects.count() == 1
    assert AuditEvent.objects.filter(action="volunteers.team.request").count() == 1


def test_a_leader_approves_and_the_decision_is_final_and_audited(team, leader, community):
    volunteer = _member(community, "李晓红", "xh")
    membership = team_services.request_to_join(volunteer, team)
    team_services.approve_membership(membership, by=leader.user)
    membership.refresh_from_db()
    assert membership.status == TeamMembership.Status.APPROVED
    assert membership.decided_by == leader.user
    event = AuditEvent.objects.get(action="volunteers.team.approve")
    assert event.user == leader.user and "李晓红" not in str(event.details)
    with pytest.raises(VolunteerError):
        team_services.decline_membership(membership, by=leader.user)


def test_a_leader_of_another_team_cannot_decide(team, community, coordinator):
    other = team_services.create_team(by=coordinator, name="另一个服务队", community=community)
    other_leader = _member(community, "赵另队", "other-leader")
    team_services.set_leader(other, other_leader)
    membership = team_services.request_to_join(_member(community, "李晓红", "xh"), team)
    with pytest.raises(PermissionDenied):
        team_services.approve_membership(membership, by=other_leader.user)
    membership.refresh_from_db()
    assert membership.status == TeamMembership.Status.PENDING


def test_leading_gives_the_role_and_standing_down_takes_it_away(team, leader, coordinator):
    user = leader.user
    assert roles.has_role(user, roles.TEAM_LEADER)
    team_services.set_leader(team, leader, by=coordinator, leader=False)
    user.refresh_from_db()
    user.__dict__.pop("_role_names", None)
    assert not roles.has_role(user, roles.TEAM_LEADER)


def test_only_the_communitys_staff_appoint_leaders(team, leader, community):
    someone = _member(community, "李晓红", "xh")
    with pytest.raises(PermissionDenied):
        team_services.set_leader(team, someone, by=leader.user)


def test_a_leader_sees_only_their_teams_records(team, leader, community, coordinator):
    other = team_services.create_team(by=coordinator, name="另一个服务队", community=community)
    mine = team_services.request_to_join(_member(community, "李晓红", "xh"), team)
    theirs = team_services.request_to_join(_member(community, "周别队", "zb"), other)
    project = ProjectFactory(team=team, community=community)
    team_shift = ShiftFactory(task=TaskFactory(community=community, project=project))
    community_shift = ShiftFactory(task=TaskFactory(community=community))
    user = leader.user
    assert set(scope(TeamMembership.objects.all(), user)) >= {mine}
    assert theirs not in scope(TeamMembership.objects.all(), user)
    assert list(scope(Team.objects.all(), user)) == [team]
    assert list(scope(Shift.objects.all(), user)) == [team_shift]
    assert community_shift not in scope(Shift.objects.all(), user)
    # a leader is not a coordinator: no community's volunteer register
    assert not scope(VolunteerProfile.objects.exclude(user=user), user).exists()


def test_the_leader_approves_ticked_requests_in_one_list(client, team, leader, community):
    first = team_services.request_to_join(_member(community, "李晓红", "xh"), team)
    second = team_services.request_to_join(_member(community, "孙明", "sm"), team)
    third = team_services.request_to_join(_member(community, "周丽", "zl"), team)
    client.force_login(leader.user)
    url = reverse("volunteers_admin:team_members", args=[team.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "李晓红" in page.content.decode()
    response = client.post(url, {"action": "approve", "m": [first.pk, second.pk]})
    assert response.status_code == 302
    statuses = dict(TeamMembership.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == "approved"
    assert statuses[third.pk] == "pending"


def test_another_leader_gets_404_on_the_team_list(client, team, community, coordinator):
    other = team_services.create_team(by=coordinator, name="另一个服务队", community=community)
    other_leader = _member(community, "赵另队", "other-leader")
    team_services.set_leader(other, other_leader)
    client.force_login(other_leader.user)
    assert client.get(reverse("volunteers_admin:team_members", args=[team.pk])).status_code == 404
    # and the team listing shows theirs only
    listing = client.get(reverse("volunteers_teams:index")).content.decode()
    assert "另一个服务队" in listing and "公交集团在职党员服务队" not in listing


def test_the_team_page_and_its_qr_carry_no_personal_data(client, team, leader):
    page = client.get(reverse("volunteers:team", args=[team.code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "公交集团在职党员服务队" in text and "王队长" not in text
    poster = client.get(reverse("volunteers:team_qr", args=[team.code])).content.decode()
    assert f"/volunteers/teams/{team.code}/" in poster and "<svg" in poster
    assert str(team.pk) not in team.code or len(team.code) > 4


def test_scanning_asks_to_join_after_sign_in(client, team, community):
    volunteer = _member(community, "李晓红", "xh")
    url = reverse("volunteers:team_join", args=[team.code])
    anonymous = client.post(url)
    assert anonymous.status_code == 302 and "signup" in anonymous["Location"]
    client.force_login(volunteer.user)
    client.post(url)
    assert TeamMembership.objects.get(team=team, profile=volunteer).status == "pending"
    # the page now says the request waits, and offers no second one
    again = client.get(reverse("volunteers:team", args=[team.code])).content.decode()
    assert url not in again


def test_a_newcomers_request_follows_their_volunteer_sign_up(client, team, community, compound):
    user = make_user(username="newcomer", phone="13912345678")
    client.force_login(user)
    response = client.post(reverse("volunteers:team_join", args=[team.code]))
    assert response["Location"] == reverse("volunteers:join_form", args=[community.slug])
    client.post(
        response["Location"],
        {
            "real_name": "钱新人",
            "mobile": "13912345678",
            "community": community.pk,
            "compound": compound.pk,
            "consent": "on",
        },
    )
    profile = VolunteerProfile.objects.get(user=user)
    assert TeamMembership.objects.get(team=team, profile=profile).status == "pending"


def test_a_closed_team_takes_no_one(team, community):
    team.status = Team.Status.CLOSED
    team.save()
    with pytest.raises(VolunteerError):
        team_services.request_to_join(_member(community, "李晓红", "xh"), team)
    assert not TeamMembership.objects.exists()


def test_a_persons_data_download_lists_their_teams_and_projects(team, community):
    from volunteers.personal_data import sections
    from volunteers.services import projects as project_services

    volunteer = _member(community, "李晓红", "xh")
    team_services.request_to_join(volunteer, team)
    project = ProjectFactory(community=community, title="民岳家园卡口值守")
    project_services.join_project(volunteer, project)
    found = {section.key: section for section in sections(volunteer.user)}
    assert found["teams"].rows[0][0] == "公交集团在职党员服务队"
    assert found["projects"].rows[0][0] == "民岳家园卡口值守"


def test_a_leader_describes_the_team_but_does_not_move_it(client, team, leader, community):
    client.force_login(leader.user)
    url = reverse("volunteers_teams:edit", args=[team.pk])
    form = client.get(url).content.decode()
    assert 'name="description"' in form and 'name="community"' not in form
    response = client.post(url, {"name": team.name, "description": "每天两班", "status": "active"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.description == "每天两班" and team.community == community
    assert team.kind == Team.Kind.PARTY_BRANCH


def test_a_leader_enters_the_back_office_and_sees_their_screens(client, team, leader):
    client.force_login(leader.user)
    assert client.get("/admin/").status_code == 200
    for name in ("volunteers_teams:index", "volunteers_projects:index", "volunteers_shifts:index"):
        assert client.get(reverse(name)).status_code == 200, name
    # not the community's volunteer register
    assert client.get(reverse("volunteers_profiles:index")).status_code in (302, 403)
