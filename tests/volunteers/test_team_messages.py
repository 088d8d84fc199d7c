"""Messages to the people one leads, from a team leader (issue #14: messages, items 1-2): a
leader writes to their own teams and those teams' projects only, never to a community or
another team; a project's organisers write to the volunteers who joined it; the same daily
limit, preview, opt-out and record apply, and the record is seen by the team's leaders."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal import roles, sms
from portal.scoping import scope
from tests.factories import ProjectFactory, VolunteerProfileFactory, make_user
from volunteers.models import MessageBatch, MessageRecipient, Team
from volunteers.services import messages as service
from volunteers.services import projects as project_services
from volunteers.services import teams as team_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deliver_at_once(monkeypatch):
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, using=None: fn())


def _person(community, username, phone):
    return VolunteerProfileFactory(
        community=community,
        real_name=f"队员{username}",
        user=make_user(roles.VOLUNTEER, username=username, phone=phone),
    )


def _team_with_leader(community, coordinator, name, username, phone):
    team = team_services.create_team(by=coordinator, name=name, community=community)
    leader = _person(community, username, phone)
    team_services.set_leader(team, leader, by=coordinator)
    return team, leader


def _add_member(team, profile, by):
    team_services.approve_membership(team_services.request_to_join(profile, team), by=by)


@pytest.fixture
def setup(community, coordinator):
    team_a, leader_a = _team_with_leader(community, coordinator, "北门突击队", "la", "13500000001")
    team_b, leader_b = _team_with_leader(community, coordinator, "南门服务队", "lb", "13500000002")
    a1 = _person(community, "a1", "13500000011")
    b1 = _person(community, "b1", "13500000021")
    _add_member(team_a, a1, coordinator)
    _add_member(team_b, b1, coordinator)
    project_a = ProjectFactory(community=community, team=team_a, title="北门卡口值守")
    project_b = ProjectFactory(community=community, team=team_b, title="南门卡口值守")
    joined = _person(community, "pj", "13500000031")
    project_services.join_project(joined, project_a)
    return {
        "team_a": team_a,
        "team_b": team_b,
        "leader_a": leader_a.user,
        "leader_b": leader_b.user,
        "a1": a1,
        "b1": b1,
        "project_a": project_a,
        "project_b": project_b,
        "joined": joined,
    }


def test_a_leader_is_offered_their_teams_and_projects_and_nothing_else(setup, community):
    choices = dict(service.audience_choices(setup["leader_a"]))
    assert set(choices) == {f"team:{setup['team_a'].pk}", f"project:{setup['project_a'].pk}"}
    assert f"community:{community.pk}" not in choices


def test_a_leader_of_team_a_cannot_message_team_b_its_projects_or_the_community(setup, community):
    leader = setup["leader_a"]
    for audience in (
        f"team:{setup['team_b'].pk}",
        f"project:{setup['project_b'].pk}",
        f"community:{community.pk}",
    ):
        with pytest.raises(service.MessageError):
            service.preview(leader, audience)
        with pytest.raises(service.MessageError):
            service.send_message(leader, audience, "越权消息")
    assert not MessageBatch.objects.exists() and not sms.outbox


def test_a_leader_writes_to_their_team_and_the_record_is_their_teams(setup, community):
    leader = setup["leader_a"]
    audience = f"team:{setup['team_a'].pk}"
    assert service.preview(leader, audience)["count"] == 2  # the leader and a1
    batch = service.send_message(leader, audience, "周六早7点集合")
    assert batch.team == setup["team_a"] and batch.community == community
    assert {m.phone for m in sms.outbox} == {"13500000001", "13500000011"}
    # the SMS says which team it is from
    assert all("北门突击队：周六早7点集合" in m.text for m in sms.outbox)
    # who got what: seen by this team's leader, not by the other team's
    assert batch in scope(MessageBatch.objects.all(), leader)
    assert batch not in scope(MessageBatch.objects.all(), setup["leader_b"])
    assert not scope(MessageRecipient.objects.all(), setup["leader_b"]).filter(batch=batch)
    assert scope(MessageRecipient.objects.all(), leader).filter(batch=batch).count() == 2


def test_a_projects_audience_is_the_volunteers_who_joined_it(setup, coordinator):
    project = setup["project_a"]
    leaver = _person(project.community, "lv", "13500000041")
    project_services.join_project(leaver, project)
    project_services.leave_project(leaver, project)
    audience = f"project:{project.pk}"
    # the team's leader and the community's coordinator both organise it
    assert service.preview(setup["leader_a"], audience)["count"] == 1
    assert audience in dict(service.audience_choices(coordinator))
    batch = service.send_message(coordinator, audience, "项目通知")
    assert [m.phone for m in sms.outbox] == ["13500000031"]
    assert batch.audience == "project" and batch.team == setup["team_a"]


def test_a_leaders_messages_obey_the_daily_limit_and_the_opt_out(setup, settings):
    settings.VOLUNTEERS_MESSAGE_RECIPIENTS_PER_DAY = 3
    leader = setup["leader_a"]
    service.set_opt_out(setup["a1"], True)
    audience = f"team:{setup['team_a'].pk}"
    assert service.preview(leader, audience)["count"] == 1
    assert service.preview(leader, audience, urgent=True)["count"] == 2
    service.send_message(leader, audience, "紧急", urgent=True)
    assert service.preview(leader, audience)["left_today"] == 1
    with pytest.raises(service.MessageError) as refused:
        service.send_message(leader, audience, "再来一条", urgent=True)
    assert refused.value.code == "limit"


def test_a_subdistrict_teams_leader_writes_to_it(community, subdistrict_admin):
    team = team_services.create_team(
        by=subdistrict_admin,
        name="街道应急服务队",
        kind=Team.Kind.SUBDISTRICT,
        subdistrict=community.subdistrict,
    )
    leader = _person(community, "sl", "13500000051")
    team_services.set_leader(team, leader, by=subdistrict_admin)
    batch = service.send_message(leader.user, f"team:{team.pk}", "街道通知")
    assert batch.community is None and batch.team == team
    assert "街道应急服务队：街道通知" in sms.outbox[0].text
    other_coordinator = make_user(roles.COORDINATOR, [community], username="c2")
    assert batch not in scope(MessageBatch.objects.all(), other_coordinator)


def test_the_leaders_compose_screen_offers_and_sends_only_their_audiences(client, setup):
    client.force_login(setup["leader_a"])
    url = reverse("volunteers_messages:compose")
    page = client.get(url).content.decode()
    assert "北门突击队" in page and "南门服务队" not in page
    data = {"channel": "sms", "text": "后台消息"}
    client.post(url, {**data, "audience": f"team:{setup['team_b'].pk}", "action": "send"})
    assert not MessageBatch.objects.exists()
    preview = client.post(url, {**data, "audience": f"team:{setup['team_a'].pk}"})
    assert preview.status_code == 200 and not MessageBatch.objects.exists()
    sent = client.post(url, {**data, "audience": f"team:{setup['team_a'].pk}", "action": "send"})
    batch = MessageBatch.objects.get()
    assert sent["Location"] == reverse("volunteers_messages:detail", args=[batch.pk])
    assert client.get(sent["Location"]).status_code == 200
    assert "北门突击队" in client.get(reverse("volunteers_messages:list")).content.decode()
    # the other team's leader: not found
    client.force_login(setup["leader_b"])
    assert client.get(sent["Location"]).status_code == 404


def test_a_leader_does_not_push_urgent_notices(client, setup):
    client.force_login(setup["leader_a"])
    # refused (Wagtail turns the refusal into a redirect to the dashboard)
    response = client.get(reverse("volunteers_messages:push_notice", args=[1]))
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"

    class Notice:
        live = urgent = True

    with pytest.raises(PermissionDenied):
        service.push_urgent_notice(Notice(), setup["leader_a"])


def test_a_leader_of_team_a_does_not_see_team_bs_members(client, setup):
    client.force_login(setup["leader_a"])
    url = reverse("volunteers_admin:team_members", args=[setup["team_b"].pk])
    assert client.get(url).status_code == 404


def test_the_team_list_links_to_a_message_with_the_team_chosen(client, setup):
    client.force_login(setup["leader_a"])
    team = setup["team_a"]
    page = client.get(reverse("volunteers_admin:team_members", args=[team.pk])).content.decode()
    link = f"{reverse('volunteers_messages:compose')}?audience=team:{team.pk}"
    assert link in page
    compose = client.get(link).content.decode()
    assert f'value="team:{team.pk}" selected' in compose
