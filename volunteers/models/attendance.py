"""When a volunteer arrived and left (Attendance), and the audited corrections of those times."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_ATTENDANCE_MINUTES, max_value

from .page_versions import PageVersionQuerySet
from .signups import Signup


class AttendanceQuerySet(PageVersionQuerySet):
    def confirmed(self):
        """The attendance whose hours count: certificates, star levels, reports, rankings and
        every total go through this (volunteers.services.hours)."""
        return self.filter(status=Attendance.Status.CONFIRMED)


class Attendance(models.Model):
    """When a volunteer on a shift arrived and left; hours come from these times only, and
    count once the organiser confirmed them (status)."""

    community_lookup = "signup__shift__task__community"
    team_lookup = "signup__shift__task__project__team"
    owner_lookup = "signup__profile__user"

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded, awaiting confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("attendance status", "Confirmed")
        DISPUTED = "disputed", _("Disputed")

    class Source(models.TextChoices):
        QR = "qr", _("QR code at the post")
        COORDINATOR = "coordinator", _("Confirmed by the coordinator")

    signup = models.OneToOneField(
        Signup, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("sign-up")
    )
    check_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.QR)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # recorded (a scan or an import) -> confirmed (by an organiser, or automatically after
    # VOLUNTEERS_AUTO_CONFIRM_DAYS) ; recorded -> disputed (the volunteer or an organiser
    # objects: no automatic confirmation) -> confirmed by an organiser, or corrected.
    # Only confirmed hours count (AttendanceQuerySet.confirmed).
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECORDED
    )
    dispute_reason = models.CharField(_("reason for the objection"), max_length=200, blank=True)
    # Derived from check_in_at/check_out_at on every save; never typed.
    minutes = models.PositiveIntegerField(
        _("minutes served"),
        default=0,
        editable=False,
        validators=[max_value(MAX_ATTENDANCE_MINUTES)],
    )

    # whose own page shows these rows (portal.fragments; volunteers/models/page_versions.py)
    volunteer_page_lookups = ("signup__profile_id",)
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-check_in_at"]
        indexes = [
            # For auto_confirm only. Partial, so that no plan for confirmed hours (every total)
            # starts from it: SQLite without statistics would take `status = 'confirmed'` for
            # a selective index and scan all confirmed attendance.
            models.Index(
                fields=["check_out_at"],
                condition=Q(status="recorded"),
                name="attendance_recorded_out",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(check_out_at__isnull=True)
                | Q(check_in_at__isnull=False, check_out_at__gte=models.F("check_in_at")),
                name="attendance_out_after_in",
            ),
        ]

    def __str__(self):
        return f"{self.signup}"

    def save(self, *args, **kwargs):
        self.minutes = self.compute_minutes()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "minutes"}
        super().save(*args, **kwargs)

    @classmethod
    def confirmation(cls, by, now):
        """The fields that make an attendance confirmed (its hours count from then on): who
        confirmed it (None: confirmed by itself after nobody disputed it), when, and no dispute
        left. For an UPDATE of many rows; mark_confirmed for one."""
        return {
            "status": cls.Status.CONFIRMED,
            "confirmed_by": by,
            "confirmed_at": now,
            "dispute_reason": "",
        }

    def mark_confirmed(self, by, now):
        """Sets the confirmation's fields on this row; the caller saves it."""
        for name, value in self.confirmation(by, now).items():
            setattr(self, name, value)

    def compute_minutes(self):
        if self.check_in_at and self.check_out_at:
            return int((self.check_out_at - self.check_in_at) / timedelta(minutes=1))
        return 0

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


class AttendanceCorrection(models.Model):
    """An audited change of attendance times: who changed what, when and why."""

    community_lookup = "attendance__signup__shift__task__community"

    attendance = models.ForeignKey(
        Attendance,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("attendance"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=200)
    old_check_in_at = models.DateTimeField(_("old check-in"), null=True, blank=True)
    old_check_out_at = models.DateTimeField(_("old check-out"), null=True, blank=True)
    new_check_in_at = models.DateTimeField(_("new check-in"), null=True, blank=True)
    new_check_out_at = models.DateTimeField(_("new check-out"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        ordering = ["-changed_at"]

    def __str__(self):
        return f"{self.attendance} · {self.reason}"
