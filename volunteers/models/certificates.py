"""Service-hours certificates as issued."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_TOTAL_MINUTES, max_value

from .profiles import VolunteerProfile
from .shifts import Task


class Certificate(models.Model):
    """A service-hours certificate as issued: its hours are a snapshot, so a later correction
    never changes a certificate already handed out (a new one is issued instead)."""

    community_lookup = "community"
    owner_lookup = "profile__user"

    serial = models.CharField(
        pgettext_lazy("certificate", "serial number"), max_length=32, unique=True
    )
    profile = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("volunteer"),
    )
    community = models.ForeignKey(
        "portal.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name on the certificate"), max_length=50)
    period_start = models.DateField(pgettext_lazy("period start", "from"))
    period_end = models.DateField(pgettext_lazy("period end", "until"))
    minutes = models.PositiveIntegerField(
        _("minutes served"), validators=[max_value(MAX_TOTAL_MINUTES)]
    )
    # {"gate_duty": 300, ...}: minutes by task kind at the time of issue.
    minutes_by_kind = models.JSONField(default=dict)
    # {"北门值守": 300, ...}: minutes by service project (the task) at the time of issue, for the
    # certificate of volunteer service (志愿服务证明, volunteers.records); empty on older ones.
    minutes_by_project = models.JSONField(default=dict, blank=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]

    def __str__(self):
        return self.serial

    @property
    def hours(self):
        return round(self.minutes / 60, 1)

    def hours_by_project(self):
        return [
            (project, round(m / 60, 1))
            for project, m in sorted(self.minutes_by_project.items())
            if m
        ]

    def hours_by_kind(self):
        labels = dict(Task.Kind.choices)
        return [
            (labels.get(kind, kind), round(m / 60, 1))
            for kind, m in sorted(self.minutes_by_kind.items())
            if m
        ]
