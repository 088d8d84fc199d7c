"""Volunteer projects: publishing them, joining and leaving, and the tasks that make them.
Taking a project's shift needs its membership, and a team-only project's the team's too: those
rules live in the one eligibility check, volunteers.matching.check_eligibility
(is_project_member and team_only_refusal below)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.scoping import can_access

from ..models import Project, ProjectMembership, Signup, Task, TeamMembership, VolunteerProfile
from .base import VolunteerError

PROJECT_FIELDS = (
    "title",
    "community",
    "team",
    "description",
    "start_date",
    "end_date",
    "places",
    "status",
    "team_only",
)


def _check_project_fields(fields):
    team = fields.get("team")
    if team is not None and team.community_id:
        # a team's project serves the team's community
        fields["community"] = team.community
    if fields.get("community") is None:
        raise VolunteerError(
            {"community": _("Choose the community the project serves.")}, code="community"
        )
    if fields.get("team_only") and team is None:
        raise VolunteerError(
            {"team_only": _("Only a team's project can be for the team's members only.")},
            code="team_only",
        )
    start, end = fields.get("start_date"), fields.get("end_date")
    if start and end and end < start:
        raise VolunteerError(
            {"end_date": _("The project must end on or after the day it starts.")}, code="dates"
        )
    if (fields.get("places") or 0) < 1:
        raise VolunteerError({"places": _("A project wants at least one volunteer.")})


def _ensure_may_run(user, fields):
    """The community's staff run its projects; a team's leaders run the team's projects."""
    if user is None:
        return
    team = fields.get("team")
    if team is not None and can_access(user, team):
        return
    if team is None and can_access(user, fields["community"]):
        return
    raise PermissionDenied


def create_project(*, by=None, **fields):
    fields = {name: fields.get(name) for name in PROJECT_FIELDS if name in fields}
    _check_project_fields(fields)
    _ensure_may_run(by, fields)
    return Project.objects.create(**{k: v for k, v in fields.items() if v is not None})


def update_project(project, *, by=None, **fields):
    if by is not None and not can_access(by, project):
        raise PermissionDenied
    merged = {name: getattr(project, name) for name in PROJECT_FIELDS}
    merged.update({k: v for k, v in fields.items() if k in PROJECT_FIELDS})
    _check_project_fields(merged)
    _ensure_may_run(by, merged)
    with transaction.atomic():
        for name in PROJECT_FIELDS:
            setattr(project, name, merged[name])
        project.save()
    return project


def members(project):
    return ProjectMembership.objects.filter(project=project, status=ProjectMembership.Status.JOINED)


def places_left(project):
    return max(project.places - members(project).count(), 0)


def is_project_member(profile, project_id):
    return ProjectMembership.objects.filter(
        project_id=project_id, profile=profile, status=ProjectMembership.Status.JOINED
    ).exists()


def team_member_ids(team_id):
    """The profiles of the team's approved members (a queryset of ids, for subqueries)."""
    return TeamMembership.objects.approved().filter(team_id=team_id).values("profile_id")


def is_team_member(profile, team_id):
    return TeamMembership.objects.approved().filter(team_id=team_id, profile=profile).exists()


def team_only_refusal(profile, project):
    """The message why `profile` may not join `project` (or take its shifts) because it is
    for its team's members only; None when that rule does not stop them."""
    if not project.team_only or project.team_id is None:
        return None
    if profile is not None and is_team_member(profile, project.team_id):
        return None
    return _(
        "This project is for the members of the team “%(team)s” only: ask to join the team "
        "first, then join the project."
    ) % {"team": project.team.name}


def join_project(profile, project):
    """`profile` joins `project` while it is published, not over and has a place; joining
    again is harmless. The project's row lock makes the last place go to one person."""
    if profile.status != VolunteerProfile.Status.VERIFIED:
        raise VolunteerError(
            _("Your community must confirm you before you can join a project."),
            code="not_verified",
        )
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if not project.is_published or project.end_date < timezone.localdate():
            raise VolunteerError(_("This project is not taking volunteers."), code="closed")
        refusal = team_only_refusal(profile, project)
        if refusal:
            raise VolunteerError(refusal, code="team_only")
        membership = ProjectMembership.objects.filter(project=project, profile=profile).first()
        if membership is not None and membership.status == ProjectMembership.Status.JOINED:
            return membership
        if members(project).count() >= project.places:
            raise VolunteerError(_("This project has all the volunteers it wants."), code="full")
        if membership is None:
            membership = ProjectMembership.objects.create(project=project, profile=profile)
        else:
            membership.status = ProjectMembership.Status.JOINED
            membership.save(update_fields=["status"])
        audit.record("volunteers.project.join", user=profile.user, obj=membership)
    return membership


def leave_project(profile, project):
    """Leave a project; first give back its shifts still to come (a place on them needs the
    membership)."""
    with transaction.atomic():
        membership = (
            ProjectMembership.objects.select_for_update()
            .filter(project=project, profile=profile, status=ProjectMembership.Status.JOINED)
            .first()
        )
        if membership is None:
            raise VolunteerError(_("You are not in this project."), code="not_member")
        upcoming = Signup.objects.expected().filter(
            profile=profile, shift__task__project=project, shift__end__gt=timezone.now()
        )
        if upcoming.exists():
            raise VolunteerError(
                _("Withdraw from this project's shifts still to come before leaving it."),
                code="has_shifts",
            )
        membership.status = ProjectMembership.Status.LEFT
        membership.save(update_fields=["status"])
        audit.record("volunteers.project.leave", user=profile.user, obj=membership)
    return membership


def add_project_task(project, *, by=None, **fields):
    """A task of the project, in the project's community (its shifts are made as any task's:
    services.create_shift, create_template)."""
    if by is not None and not can_access(by, project):
        raise PermissionDenied
    post = fields.get("post")
    if post is not None and post.compound.community_id != project.community_id:
        raise VolunteerError({"post": _("This place is not in the chosen community.")}, code="post")
    return Task.objects.create(
        community=project.community,
        project=project,
        compound=post.compound if post is not None else None,
        post=post,
        title=fields["title"],
        kind=fields.get("kind") or Task.Kind.GATE_DUTY,
        instructions=fields.get("instructions", ""),
    )
