"""Check-in and check-out at the post, attendance confirmed or corrected by a coordinator,
no-shows, and the minutes served that certificates and reports add up."""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit

from ..models import (
    Attendance,
    AttendanceCorrection,
    Signup,
    VolunteerProfile,
)
from .base import CHECK_IN_EARLY, CHECK_OUT_LATE, VolunteerError, _ensure_staff


def check_in_or_out(user, post, *, now=None):
    """Scan at a post: checks in on the shift there now, or out if already in.
    Returns ("in" | "out", attendance)."""
    now = now or timezone.now()
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        raise VolunteerError(_("You are not registered as a volunteer."), code="no_profile")
    with transaction.atomic():
        candidates = (
            Signup.objects.select_for_update()
            .filter(
                profile=profile,
                status=Signup.Status.CONFIRMED,
                shift__task__post=post,
                shift__cancelled_at__isnull=True,
                shift__start__lte=now + CHECK_IN_EARLY,
                shift__end__gte=now - CHECK_OUT_LATE,
            )
            .order_by("shift__start")
        )
        signups = list(candidates)
        if not signups:
            raise VolunteerError(_("You have no shift at this post now."), code="no_shift")
        attendance_by_signup = {
            a.signup_id: a for a in Attendance.objects.filter(signup__in=signups)
        }
        # An open check-in is closed first; otherwise the earliest shift not yet started.
        for signup in signups:
            attendance = attendance_by_signup.get(signup.pk)
            if attendance and attendance.check_in_at and not attendance.check_out_at:
                attendance.check_out_at = max(now, attendance.check_in_at)
                attendance.save(update_fields=["check_out_at"])
                return "out", attendance
        for signup in signups:
            if signup.pk not in attendance_by_signup and now <= signup.shift.end:
                attendance = Attendance.objects.create(
                    signup=signup, check_in_at=now, source=Attendance.Source.QR
                )
                return "in", attendance
        raise VolunteerError(_("You have already checked out of this shift."), code="done")


def confirm_attendance(signup, by, check_in_at=None, check_out_at=None):
    """The coordinator confirms someone served (times default to the shift's)."""
    _ensure_staff(by, signup)
    with transaction.atomic():
        signup = Signup.objects.select_for_update().select_related("shift").get(pk=signup.pk)
        if not signup.holds_place:
            raise VolunteerError(_("This person is not on the shift."), code="state")
        if signup.shift.start > timezone.now():
            raise VolunteerError(_("This shift has not started yet."), code="future")
        if signup.status == Signup.Status.NO_SHOW:
            Signup.objects.filter(pk=signup.pk).update(status=Signup.Status.CONFIRMED)
        attendance, _created = Attendance.objects.get_or_create(signup=signup)
        attendance.check_in_at = check_in_at or attendance.check_in_at or signup.shift.start
        attendance.check_out_at = check_out_at or attendance.check_out_at or signup.shift.end
        if attendance.check_out_at < attendance.check_in_at:
            raise VolunteerError(_("Check-out must be after check-in."), code="times")
        attendance.source = attendance.source if not _created else Attendance.Source.COORDINATOR
        attendance.confirmed_by = by
        attendance.confirmed_at = timezone.now()
        attendance.save()
        audit.record(
            "volunteers.attendance.confirm",
            user=by,
            obj=attendance,
            check_in_at=attendance.check_in_at,
            check_out_at=attendance.check_out_at,
            minutes=attendance.minutes,
        )
    return attendance


def mark_no_show(signup, by):
    _ensure_staff(by, signup)
    with transaction.atomic():
        signup = Signup.objects.select_for_update().select_related("shift").get(pk=signup.pk)
        if signup.status != Signup.Status.CONFIRMED:
            raise VolunteerError(_("This person is not on the shift."), code="state")
        if signup.shift.start > timezone.now():
            raise VolunteerError(_("This shift has not started yet."), code="future")
        if Attendance.objects.filter(signup=signup, check_in_at__isnull=False).exists():
            raise VolunteerError(
                _("This person checked in; correct the times instead."), code="attended"
            )
        Signup.objects.filter(pk=signup.pk).update(status=Signup.Status.NO_SHOW)
        signup.status = Signup.Status.NO_SHOW
        audit.record(
            "volunteers.attendance.no_show",
            user=by,
            obj=signup,
        )
    return signup


def correct_attendance(attendance, by, check_in_at, check_out_at, reason):
    """Change recorded times; the old and new times, who and why are kept."""
    _ensure_staff(by, attendance)
    reason = (reason or "").strip()
    if not reason:
        raise VolunteerError(_("Please say why the times are corrected."), code="reason")
    if check_in_at and check_out_at and check_out_at < check_in_at:
        raise VolunteerError(_("Check-out must be after check-in."), code="times")
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
        correction = AttendanceCorrection.objects.create(
            attendance=attendance,
            changed_by=by,
            reason=reason,
            old_check_in_at=attendance.check_in_at,
            old_check_out_at=attendance.check_out_at,
            new_check_in_at=check_in_at,
            new_check_out_at=check_out_at,
        )
        attendance.check_in_at = check_in_at
        attendance.check_out_at = check_out_at
        attendance.confirmed_by = by
        attendance.confirmed_at = timezone.now()
        attendance.save()
        audit.record(
            "volunteers.attendance.correct",
            user=by,
            obj=attendance,
            correction=correction.pk,
            reason=reason,
            old_check_in_at=correction.old_check_in_at,
            old_check_out_at=correction.old_check_out_at,
            new_check_in_at=check_in_at,
            new_check_out_at=check_out_at,
        )
    return attendance


def _attendance_in_period(start=None, end=None):
    qs = Attendance.objects.filter(minutes__gt=0, signup__shift__cancelled_at__isnull=True)
    if start:
        qs = qs.filter(signup__shift__start__date__gte=start)
    if end:
        qs = qs.filter(signup__shift__start__date__lte=end)
    return qs


def minutes_served(profile, start=None, end=None):
    return (
        _attendance_in_period(start, end)
        .filter(signup__profile=profile)
        .aggregate(total=Sum("minutes"))["total"]
        or 0
    )


def minutes_by_kind(profile, start=None, end=None):
    rows = (
        _attendance_in_period(start, end)
        .filter(signup__profile=profile)
        .values("signup__shift__task__kind")
        .annotate(total=Sum("minutes"))
    )
    return {row["signup__shift__task__kind"]: row["total"] for row in rows}
