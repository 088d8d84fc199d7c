"""Teams plugged into the older rules (volunteers.team_hooks): a leader confirms the hours of
the team's project shifts and no others; the records filter by team and project; a coordinator
writes to a team's members."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal import roles
from tests.factories import (
    ShiftFactory,
    SignupFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)
from tests.factories.teams import ProjectFactory
from volunteers import records
from volunteers.models import Attendance, Team
from volunteers.services import hours, messages
from volunteers.services import teams as team_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(community, coordinator):
    return team_services.create_team(
        by=coordinator, name="公交集团在职党员服务队", kind=Team.Kind.COMMUNITY, community=community
    )


def _person(community, username):
    return VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username=username), community=community
    )


def _served(shift, profile):
    signup = SignupFactory(shift=shift, profile=profile)
    return Attendance.objects.create(signup=signup, check_in_at=shift.start, check_out_at=shift.end)


def test_a_leader_confirms_the_hours_of_the_teams_project_shifts_only(team, community):
    leader = _person(community, "leader")
    team_services.set_leader(team, leader)
    start = timezone.now() - timedelta(days=1)
    project = ProjectFactory(community=community, team=team)
    ours = ShiftFactory(task=TaskFactory(community=community, project=project), start=start)
    theirs = ShiftFactory(task=TaskFactory(community=community), start=start)
    member = _person(community, "member")
    _served(ours, member)
    _served(theirs, member)
    leader.user.refresh_from_db()
    assert hours.confirm_shift(ours, by=leader.user) == 1
    with pytest.raises(PermissionDenied):
        hours.confirm_shift(theirs, by=leader.user)
    hours.confirm_shift(theirs, by=make_user(roles.SUBDISTRICT_ADMIN, username="admin"))
    # the team's and the project's records: the project's hours, not the other shift's
    admin = make_user(roles.SUBDISTRICT_ADMIN, username="admin2")
    for narrowed in (records.records(admin, team=team), records.records(admin, project=project)):
        assert {a.signup.shift_id for a in narrowed} == {ours.pk}


def test_a_coordinator_can_write_to_a_teams_members(team, community, coordinator):
    member = _person(community, "member")
    outsider = _person(community, "outsider")
    membership = team_services.request_to_join(member, team)
    team_services.approve_membership(membership, by=coordinator)
    team_services.request_to_join(outsider, team)  # asked, not approved
    assert (f"team:{team.pk}", f"志愿队伍: {team.name}") in [
        (value, str(label)) for value, label in messages.audience_choices(coordinator)
    ]
    assert messages.preview(coordinator, f"team:{team.pk}")["count"] == 1
