"""Teams and projects plugged into the rules that were written before them (issue 14): a team
leader confirms the hours of the team's project shifts, the service records filter by project and
team, and a project's organisers (the community's staff, or the team's leaders) write to a team's
members or a project's volunteers. Connected once, in VolunteersConfig.ready.

Who may write to which team or project is portal.scoping's answer, nothing else: a coordinator
sees their community's teams and projects, a leader the teams they lead and those teams'
projects (never a community audience: communities_for gives a leader none).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import scope, team_ids


def _led_teams_shifts(user):
    """A team leader is the organiser of the shifts of their team's projects."""
    teams = team_ids(user)
    return Q(task__project__team_id__in=teams) if teams else None


def _team_choices(user):
    from .models import Team

    teams = scope(Team.objects.filter(status=Team.Status.ACTIVE), user).order_by("name", "pk")
    return [(team.pk, team.name) for team in teams]


def _team_members(key):
    from .models import TeamMembership, VolunteerProfile

    members = TeamMembership.objects.approved().filter(team_id=key).values("profile_id")
    return VolunteerProfile.objects.filter(pk__in=members)


def _team_community(key):
    from .models import Team

    return Team.objects.select_related("community").get(pk=key).community


def _team(key):
    from .models import Team

    return Team.objects.get(pk=key)


def _project_choices(user):
    """The projects `user` organises that have volunteers to write to (not drafts)."""
    from .models import Project

    projects = scope(Project.objects.exclude(status=Project.Status.DRAFT), user)
    return [(p.pk, p.title) for p in projects.order_by("-start_date", "title", "pk")]


def _project_members(key):
    from .models import ProjectMembership, VolunteerProfile

    joined = ProjectMembership.objects.filter(
        project_id=key, status=ProjectMembership.Status.JOINED
    ).values("profile_id")
    return VolunteerProfile.objects.filter(pk__in=joined)


def _project_community(key):
    from .models import Project

    return Project.objects.select_related("community").get(pk=key).community


def _project_team(key):
    from .models import Project

    return Project.objects.select_related("team").get(pk=key).team


def connect():
    from . import records
    from .services import hours, messages

    if _led_teams_shifts not in hours.CONFIRMER_RULES:
        hours.CONFIRMER_RULES.append(_led_teams_shifts)
    records.PROJECT_LOOKUP = "signup__shift__task__project"
    records.TEAM_LOOKUP = "signup__shift__task__project__team"
    messages.register_audience(
        "team",
        _("Volunteer team"),
        choices=_team_choices,
        members=_team_members,
        community=_team_community,
        team=_team,
    )
    messages.register_audience(
        "project",
        _("Volunteer project"),
        choices=_project_choices,
        members=_project_members,
        community=_project_community,
        team=_project_team,
    )
