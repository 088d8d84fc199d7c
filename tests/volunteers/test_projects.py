"""Volunteer projects (issue #14, item 2): joining, places, leaving; a project's shifts are
for its members only, in the one eligibility check; a team leader adds a task with its shifts;
the project's page and the community page list what is open."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
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
from volunteers.models import Project, ProjectMembership, Signup, Task
from volunteers.services import SignupError, VolunteerError
from volunteers.services import projects as project_services
from volunteers.services import teams as team_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(community):
    return ProjectFactory(title="民岳家园卡口值守 2月", community=community, places=2)


@pytest.fixture
def project_shift(project, community, post):
    task = TaskFactory(community=community, post=post, project=project, title="北门值守")
    return ShiftFactory(task=task)


def _volunteer(community, username, **fields):
    return VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username=username), community=community, **fields
    )


def test_a_projects_shift_needs_the_projects_membership(volunteer, project, project_shift):
    with pytest.raises(SignupError) as refused:
        services.sign_up(volunteer, project_shift)
    assert refused.value.code == "not_in_project"
    project_shift.refresh_from_db()
    assert project_shift.taken == 0
    project_services.join_project(volunteer, project)
    services.sign_up(volunteer, project_shift)
    project_shift.refresh_from_db()
    assert project_shift.taken == 1


def test_an_invitation_to_a_projects_shift_obeys_the_same_rule(
    volunteer, project_shift, coordinator
):
    with pytest.raises(SignupError):
        services.invite(project_shift, volunteer, coordinator)
    assert not Signup.objects.exists()


def test_a_project_takes_no_more_volunteers_than_it_wants(project, community):
    first, second, third = (_volunteer(community, f"v{i}") for i in range(3))
    project_services.join_project(first, project)
    project_services.join_project(second, project)
    project_services.join_project(second, project)  # again: harmless
    with pytest.raises(VolunteerError) as full:
        project_services.join_project(third, project)
    assert full.value.code == "full"
    assert project_services.places_left(project) == 0
    assert ProjectMembership.objects.filter(project=project).count() == 2


def test_only_confirmed_volunteers_join_a_published_running_project(project, community):
    pending = _volunteer(community, "p", status="pending")
    with pytest.raises(VolunteerError):
        project_services.join_project(pending, project)
    volunteer = _volunteer(community, "v")
    project.status = Project.Status.DRAFT
    project.save()
    with pytest.raises(VolunteerError):
        project_services.join_project(volunteer, project)
    project.status = Project.Status.PUBLISHED
    project.start_date = project.end_date = timezone.localdate() - timedelta(days=1)
    project.save()
    with pytest.raises(VolunteerError):
        project_services.join_project(volunteer, project)
    assert not ProjectMembership.objects.exists()


def test_leaving_needs_the_shifts_to_come_given_back_first(volunteer, project, project_shift):
    project_services.join_project(volunteer, project)
    signup = services.sign_up(volunteer, project_shift)
    with pytest.raises(VolunteerError):
        project_services.leave_project(volunteer, project)
    services.withdraw(volunteer, signup)
    project_services.leave_project(volunteer, project)
    assert not project_services.is_project_member(volunteer, project.pk)


def test_a_team_leader_runs_their_teams_project_and_no_other(community, coordinator, post):
    team = team_services.create_team(by=coordinator, name="服务队", community=community)
    leader = _volunteer(community, "leader")
    team_services.set_leader(team, leader)
    project = project_services.create_project(
        by=leader.user,
        title="民岳家园卡口值守 2月",
        team=team,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=27),
        places=40,
        status=Project.Status.PUBLISHED,
    )
    assert project.community == community  # the team's community
    with pytest.raises(PermissionDenied):  # a community project is for its staff
        project_services.create_project(
            by=leader.user,
            title="别的项目",
            community=community,
            start_date=timezone.localdate(),
            end_date=timezone.localdate(),
            places=3,
        )
    task = project_services.add_project_task(project, by=leader.user, title="北门值守", post=post)
    template = services.create_template(
        by=leader.user,
        task=task,
        weekdays=list(range(7)),
        time_ranges=[["07:00", "12:00"]],
        places=2,
        start_date=project.start_date,
        end_date=project.end_date,
    )
    assert template.shifts.exists()
    assert task.community == community and task.project == project


def test_the_leader_adds_a_task_and_its_shifts_in_the_back_office(client, community, post):
    team = team_services.create_team(name="服务队", community=community)
    leader = _volunteer(community, "leader")
    team_services.set_leader(team, leader)
    project = ProjectFactory(team=team, community=community)
    client.force_login(leader.user)
    url = reverse("volunteers_admin:project_task", args=[project.pk])
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "title": "南门值守",
            "kind": "gate_duty",
            "post": post.pk,
            "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
            "time_ranges_text": "07:00-12:00\n12:00-19:00",
            "places": "2",
        },
    )
    task = Task.objects.get(project=project)
    assert task.shifts.count() >= 2
    other = ProjectFactory(community=community)  # the community's own: not theirs
    assert client.get(reverse("volunteers_admin:project_task", args=[other.pk])).status_code == 404


def test_the_project_page_lists_open_places_and_joins(client, volunteer, project, project_shift):
    page = client.get(reverse("volunteers:project", args=[project.code]))
    assert page.status_code == 200
    assert "民岳家园卡口值守 2月" in page.content.decode()
    assert page.context["places_left"] == 2 and page.context["open_shift_places"] == 2
    client.force_login(volunteer.user)
    client.post(reverse("volunteers:project_join", args=[project.code]))
    assert project_services.is_project_member(volunteer, project.pk)
    assert client.get(reverse("volunteers:project", args=[project.code])).context["member"]


def test_a_draft_project_is_not_found_by_the_public(client, community):
    draft = ProjectFactory(community=community, status=Project.Status.DRAFT)
    assert client.get(reverse("volunteers:project", args=[draft.code])).status_code == 404


def test_the_community_lists_its_running_projects(project, community):
    from django.template import Context, Template

    ended = ProjectFactory(
        community=community,
        title="已结束的项目",
        start_date=timezone.localdate() - timedelta(days=30),
        end_date=timezone.localdate() - timedelta(days=1),
    )
    html = Template("{% load volunteer_projects %}{% community_projects c %}").render(
        Context({"c": community})
    )
    assert "民岳家园卡口值守 2月" in html and ended.title not in html
    assert reverse("volunteers:project", args=[project.code]) in html
