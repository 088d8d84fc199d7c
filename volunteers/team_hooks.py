"""Teams and projects plugged into the rules that were written before them (issue 14): a team
leader confirms the hours of the team's project shifts, the service records filter by project and
team, and a coordinator can write to a team's members. Connected once, in VolunteersConfig.ready.
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

    teams = scope(Team.objects.filter(community__isnull=False), user).order_by("name")
    return [(team.pk, team.name) for team in teams]


def _team_members(key):
    from .models import TeamMembership, VolunteerProfile

    members = TeamMembership.objects.approved().filter(team_id=key).values("profile_id")
    return VolunteerProfile.objects.filter(pk__in=members)


def _team_community(key):
    from .models import Team

    return Team.objects.select_related("community").get(pk=key).community


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
    )
