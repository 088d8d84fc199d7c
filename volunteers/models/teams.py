"""Volunteer teams (志愿队伍 / 服务队): a Team belongs to a community, to the subdistrict, or
to a work unit's party branch; its TeamMemberships say who is in it, who asked to join and who
leads it. A volunteer may be in several teams; the home community (VolunteerProfile.community)
still verifies who they are.

A team's leaders get a back office scoped to their team (portal.scoping, `team_lookup`): its
members and join requests, its projects, their tasks, shifts and hours. A leader is not a
coordinator: they see nothing else of the community.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .profiles import VolunteerProfile


def new_team_code():
    # What the team's page and QR code carry: random, so a URL says nothing about anyone.
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y").lower()


class Team(models.Model):
    """A volunteer team: its leaders and members are TeamMemberships, its projects Projects."""

    community_lookup = "community"
    team_lookup = "pk"

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Community team")
        SUBDISTRICT = "subdistrict", _("Subdistrict team")
        PARTY_BRANCH = "party_branch", _("Party branch team")

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("team status", "Proposed")
        ACTIVE = "active", pgettext_lazy("team status", "Active")
        REJECTED = "rejected", pgettext_lazy("team status", "Rejected")
        CLOSED = "closed", pgettext_lazy("team status", "Closed")

    name = models.CharField(_("team name"), max_length=100)
    code = models.SlugField(
        _("page code"), max_length=20, unique=True, default=new_team_code, editable=False
    )
    kind = models.CharField(
        _("kind of team"), max_length=20, choices=Kind.choices, default=Kind.COMMUNITY
    )
    # Empty only for a subdistrict team; a party branch reports to the community it serves.
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("community"),
    )
    subdistrict = models.ForeignKey(
        "portal.Subdistrict",
        on_delete=models.PROTECT,
        related_name="teams",
        verbose_name=_("subdistrict"),
    )
    work_unit = models.CharField(
        _("work unit"),
        max_length=100,
        blank=True,
        help_text=_("For a party branch team: the employer whose party members form it."),
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    # proposed (by a volunteer, services.teams.propose_team): seen only by whoever decides it
    # -> active (approved; the proposer leads it) | rejected (with a reason, never public);
    # active: shown and joinable; closed: kept with its history, no longer joinable.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # A volunteer's proposal: who proposed it, and the decision on it (empty for a team made
    # by the community's staff).
    proposed_by = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_teams",
        verbose_name=_("proposed by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason"), blank=True, max_length=500)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="subdistrict") | Q(community__isnull=False),
                name="team_community_unless_subdistrict",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_public(self):
        """Approved teams only: a proposal or a rejected one is nobody's business but the
        proposer's and the deciders'."""
        return self.status in (self.Status.ACTIVE, self.Status.CLOSED)


class TeamMembershipQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=TeamMembership.Status.APPROVED)

    def pending(self):
        return self.filter(status=TeamMembership.Status.PENDING)

    def leading(self):
        return self.approved().filter(is_leader=True)


class TeamMembership(models.Model):
    """A volunteer's place in a team: asked to join, approved or declined by a leader, left."""

    community_lookup = "team__community"
    team_lookup = "team"
    owner_lookup = "profile__user"

    class Status(models.TextChoices):
        PENDING = "pending", _("Asked to join")
        APPROVED = "approved", pgettext_lazy("team membership", "Member")
        DECLINED = "declined", pgettext_lazy("team membership", "Declined")
        LEFT = "left", pgettext_lazy("team membership", "Left")

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("team")
    )
    profile = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("volunteer"),
    )
    # pending -> approved | declined (by a leader or the team's coordinator); approved -> left
    # (the member leaves or is removed); a declined or former member may ask again (pending).
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # Leaders are approved members with this flag; their accounts hold the team-leader role.
    is_leader = models.BooleanField(_("team leader"), default=False)
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team", "status", "-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["team", "profile"], name="one_membership_per_team"),
        ]

    def __str__(self):
        return f"{self.team} · {self.profile}"
