"""Star levels (星级志愿者): an application per level a volunteer reaches by confirmed hours."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_SCORE, MAX_TOTAL_MINUTES, max_value

from .page_versions import PageVersionQuerySet
from .profiles import VolunteerProfile


class StarApplication(models.Model):
    """A volunteer's level (1-5 stars) applied for when her confirmed hours reached its
    threshold (settings.VOLUNTEERS_STAR_THRESHOLDS). The subdistrict reviews it, publishes it
    for public notice until `notice_until` (working days), then the scheduled grant step grants
    it, unless it was rejected meanwhile. The granted level with the highest number is the
    volunteer's level (services.stars.star_level_for)."""

    community_lookup = "community"
    owner_lookup = "profile__user"

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        PUBLISHED = "published", _("On public notice")
        GRANTED = "granted", _("Granted")
        REJECTED = "rejected", pgettext_lazy("star application", "Rejected")

    # pending -> published (reviewed by the subdistrict; notice_until set) -> granted (by the
    # scheduled step after notice_until) ; pending | published -> rejected (with a reason).
    LIVE = [Status.PENDING, Status.PUBLISHED, Status.GRANTED]

    profile = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.PROTECT,
        related_name="star_applications",
        verbose_name=_("volunteer"),
    )
    # The home community when the level was reached: who is shown as the issuing body.
    community = models.ForeignKey(
        "portal.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    level = models.PositiveSmallIntegerField(_("star level"), validators=[max_value(MAX_SCORE)])
    # Confirmed minutes when the threshold was reached (a snapshot for the notice).
    minutes = models.PositiveIntegerField(
        _("minutes served"), validators=[max_value(MAX_TOTAL_MINUTES)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    serial = models.CharField(
        pgettext_lazy("certificate", "serial number"), max_length=32, unique=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    notice_until = models.DateField(_("on notice until"), null=True, blank=True)
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    rejection_reason = models.CharField(
        pgettext_lazy("star application", "reason for rejection"), max_length=200, blank=True
    )

    # whose own page shows these rows (portal.fragments; volunteers/models/page_versions.py)
    volunteer_page_lookups = ("profile_id",)
    objects = PageVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("star level application")
        verbose_name_plural = _("star level applications")
        ordering = ["-created_at"]
        constraints = [
            # One live application per level: reaching a threshold twice applies once.
            models.UniqueConstraint(
                fields=["profile", "level"],
                condition=~Q(status="rejected"),
                name="one_live_star_application_per_level",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="star_level_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.profile} · {self.stars}"

    @property
    def stars(self):
        return "★" * self.level

    @property
    def hours(self):
        return round(self.minutes / 60, 1)
