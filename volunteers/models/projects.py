"""Volunteer projects (志愿项目): a community or a team publishes a Project ("民岳家园卡口值守
2月") with a period, a description and the places it wants; its Tasks (Task.project) and their
Shifts are the work. Volunteers join the project (ProjectMembership) and then take its shifts:
volunteers.matching.check_eligibility refuses a project's shift to anyone not in it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_PLACES, max_value

from .profiles import VolunteerProfile
from .teams import Team, new_team_code


class ProjectQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Project.Status.PUBLISHED)


class Project(models.Model):
    """A piece of volunteering with a period: published by a community or by a Team (then in
    the team's community), joined by volunteers, made of Tasks."""

    community_lookup = "community"
    team_lookup = "team"

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("project status", "Draft")
        PUBLISHED = "published", pgettext_lazy("project status", "Published")
        CLOSED = "closed", pgettext_lazy("project status", "Closed")

    title = models.CharField(pgettext_lazy("project", "title"), max_length=100)
    code = models.SlugField(
        _("page code"), max_length=20, unique=True, default=new_team_code, editable=False
    )
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("community"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("team"),
        help_text=_("Leave empty for a project of the community itself."),
    )
    # Only for a team's project: its members alone may join it and take its shifts (the rule
    # lives in services.projects.join_project and matching.check_eligibility); others see it.
    team_only = models.BooleanField(
        _("for the team's members only"),
        default=False,
        help_text=_("Others see the project but cannot join it or take its shifts."),
    )
    description = models.TextField(_("description"), blank=True, max_length=4000)
    start_date = models.DateField(pgettext_lazy("period start", "from"))
    end_date = models.DateField(pgettext_lazy("period end", "until"))
    places = models.PositiveSmallIntegerField(
        _("volunteers wanted"), default=10, validators=[max_value(MAX_PLACES)]
    )
    # draft: only its organisers see it; published: on its page and the community's page,
    # joinable while it has places; closed: kept, no longer joinable.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer project")
        verbose_name_plural = _("volunteer projects")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="project_dates_in_order"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


class ProjectMembership(models.Model):
    """A volunteer in a project: joined (may take its shifts) or left."""

    community_lookup = "project__community"
    team_lookup = "project__team"
    owner_lookup = "profile__user"

    class Status(models.TextChoices):
        JOINED = "joined", pgettext_lazy("project membership", "Joined")
        LEFT = "left", pgettext_lazy("project membership", "Left")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("project")
    )
    profile = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.CASCADE,
        related_name="project_memberships",
        verbose_name=_("volunteer"),
    )
    # joined -> left (by the volunteer) -> joined again while there is a place.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.JOINED, db_index=True
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        ordering = ["project", "-joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "profile"], name="one_membership_per_project"
            ),
        ]

    def __str__(self):
        return f"{self.project} · {self.profile}"
