"""Team-only projects and project membership in matching (issue #14, projects): a team's
project limited to its members is seen by others, who cannot join it (and are told why); its
shifts refuse non-members through the one eligibility check; suggestions put a project's
volunteers first, and auto-assign picks only members for a team-only project."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import roles
from tests.factories import (
    ProjectFactory,
    ShiftFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)
from volunteers import services
from volunteers.matching import Candidate, ShiftSpec, eligibility, propose, rank_for_shift
from volunteers.matching.ranking import recommend_for_profile
from volunteers.models import Shift, Signup
from volunteers.services import SignupError, VolunteerError
from volunteers.services import projects as project_services
from volunteers.services import teams as team_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(community, coordinator):
    return team_services.create_team(by=coordinator, name="北门突击队", community=community)


def _volunteer(community, username, compound=None):
    return VolunteerProfileFactory(
        community=community,
        compound=compound,
        user=make_user(roles.VOLUNTEER, username=username),
    )


def _member(team, profile, coordinator):
    team_services.approve_membership(team_services.request_to_join(profile, team), by=coordinator)
    return profile


@pytest.fixture
def team_project(team, community):
    return ProjectFactory(community=community, team=team, team_only=True, title="队内值守")


@pytest.fixture
def team_shift(team_project, community, post):
    start = (timezone.now() + timedelta(days=2)).replace(hour=7, minute=0, second=0, microsecond=0)
    task = TaskFactory(community=community, post=post, project=team_project, title="北门值守")
    return ShiftFactory(task=task, start=start, end=start + timedelta(hours=4), places=3)


def test_only_a_teams_project_can_be_team_only(community, coordinator, team):
    with pytest.raises(VolunteerError) as refused:
        project_services.create_project(
            by=coordinator,
            title="社区项目",
            community=community,
            team_only=True,
            start_date=timezone.localdate(),
            end_date=timezone.localdate() + timedelta(days=7),
            places=5,
        )
    assert "team_only" in refused.value.error_dict
    made = project_services.create_project(
        by=coordinator,
        title="队内项目",
        team=team,
        team_only=True,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=7),
        places=5,
    )
    assert made.team_only and made.community == community


def test_a_non_member_sees_the_project_but_cannot_join_and_is_told_why(
    client, team, team_project, community, coordinator
):
    outsider = _volunteer(community, "outsider")
    with pytest.raises(VolunteerError) as refused:
        project_services.join_project(outsider, team_project)
    assert refused.value.code == "team_only"
    assert not team_project.memberships.exists()
    client.force_login(outsider.user)
    page = client.get(reverse("volunteers:project", args=[team_project.code])).content.decode()
    assert "北门突击队" in page
    assert reverse("volunteers:project_join", args=[team_project.code]) not in page
    client.post(reverse("volunteers:project_join", args=[team_project.code]))
    assert not team_project.memberships.exists()
    # a member joins
    member = _member(team, _volunteer(community, "member"), coordinator)
    project_services.join_project(member, team_project)
    assert project_services.is_project_member(member, team_project.pk)


def test_a_non_member_cannot_take_a_team_only_shift(
    team, team_project, team_shift, community, coordinator
):
    member = _member(team, _volunteer(community, "member"), coordinator)
    project_services.join_project(member, team_project)
    # a project member who has since left the team is refused by the eligibility check
    team_services.leave_team(member, team)
    with pytest.raises(SignupError) as refused:
        services.sign_up(member, team_shift)
    assert refused.value.code == "not_in_team"
    with pytest.raises(SignupError):
        services.invite(team_shift, member, coordinator)
    team_shift.refresh_from_db()
    assert team_shift.taken == 0 and not Signup.objects.exists()
    # an outsider too
    with pytest.raises(SignupError) as refused:
        services.sign_up(_volunteer(community, "outsider"), team_shift)
    assert refused.value.code == "not_in_team"
    # a member in both takes it
    again = _member(team, _volunteer(community, "again"), coordinator)
    project_services.join_project(again, team_project)
    services.sign_up(again, team_shift)
    team_shift.refresh_from_db()
    assert team_shift.taken == 1


def test_the_core_refuses_a_candidate_outside_the_members():
    start = timezone.now() + timedelta(days=1)
    spec = ShiftSpec(id=1, community_id=1, start=start, end=start + timedelta(hours=2))
    person = Candidate(id=7, community_id=1)
    assert eligibility(person, spec)[0]
    spec.member_ids = frozenset({8})
    ok, reasons = eligibility(person, spec)
    assert not ok and reasons == ["not_a_member"]


def test_suggestions_and_auto_assign_pick_only_members_for_a_team_only_shift(
    team, team_project, team_shift, community, coordinator, compound
):
    member = _member(team, _volunteer(community, "member"), coordinator)
    project_services.join_project(member, team_project)
    _member(team, _volunteer(community, "teamonly"), coordinator)  # in the team, not the project
    # the best placed otherwise: lives in the shift's compound
    outsider = _volunteer(community, "outsider", compound=compound)
    suggested = [s.profile.pk for s in rank_for_shift(team_shift, top=10)]
    assert suggested == [member.pk] and outsider.pk not in suggested
    proposals, _result = propose(Shift.objects.filter(pk=team_shift.pk))
    assert [p.profile.pk for p in proposals] == [member.pk]
    assert recommend_for_profile(outsider) == []


def test_a_projects_volunteers_are_suggested_first(community, post, compound):
    project = ProjectFactory(community=community, title="开放项目")
    start = (timezone.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    shift = ShiftFactory(
        task=TaskFactory(community=community, post=post, project=project),
        start=start,
        end=start + timedelta(hours=3),
        places=2,
    )
    # the outsiders are closer (same compound) and would rank first without the rule
    outsiders = [_volunteer(community, f"near{i}", compound=compound) for i in range(2)]
    member = _volunteer(community, "far")
    project_services.join_project(member, project)
    ranked = rank_for_shift(shift, top=3)
    assert ranked[0].profile == member and not ranked[0].outside_project
    assert {s.profile for s in ranked[1:]} == set(outsiders)
    assert all(s.outside_project for s in ranked[1:])
    # without the project, the closer ones lead
    plain = ShiftFactory(
        task=TaskFactory(community=community, post=post),
        start=start,
        end=start + timedelta(hours=3),
    )
    assert rank_for_shift(plain, top=3)[0].profile in outsiders
