"""Check-in and check-out at the post, attendance confirmed or corrected by a coordinator,
no-shows, and the minutes served that certificates and reports add up."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit

from ..models import (
    Attendance,
    AttendanceCorrection,
    Signup,
    VolunteerProfile,
)
from .base import VolunteerError, _ensure_staff


def _minutes(name):
    return timedelta(minutes=getattr(settings, name))


def _local_time(moment):
    return timezone.localtime(moment).strftime("%H:%M")


def _shift_name(shift):
    """北门值守（12月4日 07:00-12:00）: the shift as the volunteer knows it."""
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    return f"{shift.task.title}（{start.month}月{start.day}日 {start:%H:%M}-{end:%H:%M}）"


def _profile_of(user):
    profile = VolunteerProfile.objects.filter(user=user).first() if user else None
    if profile is None:
        raise VolunteerError(_("You are not registered as a volunteer."), code="no_profile")
    return profile


def _signups_at_post(profile, post, now):
    """Her confirmed places on this post's shifts whose check-in or check-out time is now."""
    early = _minutes("VOLUNTEERS_CHECK_IN_EARLY_MINUTES")
    late_out = _minutes("VOLUNTEERS_CHECK_OUT_LATE_MINUTES")
    return (
        Signup.objects.filter(
            profile=profile,
            status=Signup.Status.CONFIRMED,
            shift__task__post=post,
            shift__cancelled_at__isnull=True,
            shift__start__lte=now + early,
            shift__end__gte=now - late_out,
        )
        .select_related("shift__task", "attendance")
        .order_by("shift__start", "pk")
    )


def _attendance(signup):
    try:
        return signup.attendance
    except Attendance.DoesNotExist:
        return None


def check_in_open(shift, now):
    """Whether `now` is inside the shift's check-in window (settings)."""
    opens = shift.start - _minutes("VOLUNTEERS_CHECK_IN_EARLY_MINUTES")
    closes = min(shift.start + _minutes("VOLUNTEERS_CHECK_IN_LATE_MINUTES"), shift.end)
    return opens <= now <= closes


def undo_possible(attendance, now):
    """ "in" or "out" when the volunteer may still undo that scan herself, else None."""
    if attendance is None or attendance.confirmed_by_id:
        return None
    window = _minutes("VOLUNTEERS_SCAN_UNDO_MINUTES")
    if attendance.check_out_at:
        return "out" if now - attendance.check_out_at <= window else None
    if attendance.check_in_at:
        return "in" if now - attendance.check_in_at <= window else None
    return None


def post_state(user, post, *, now=None):
    """What the post's page shows her: each shift she holds there now, with its attendance
    and what she may do ("check_in", "check_out", undo "in"/"out")."""
    now = now or timezone.now()
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return []
    rows = []
    for signup in _signups_at_post(profile, post, now):
        attendance = _attendance(signup)
        checked_in = bool(attendance and attendance.check_in_at)
        checked_out = bool(attendance and attendance.check_out_at)
        rows.append(
            {
                "signup": signup,
                "shift": signup.shift,
                "attendance": attendance,
                "can_check_in": not checked_in and check_in_open(signup.shift, now),
                "opens_at": signup.shift.start - _minutes("VOLUNTEERS_CHECK_IN_EARLY_MINUTES"),
                "can_check_out": checked_in and not checked_out,
                "undo": undo_possible(attendance, now),
            }
        )
    return rows


def _pick(profile, post, now, signup_id, keep):
    """The sign-up the scan is for: the one named, else the first that `keep` accepts."""
    signups = [s for s in _signups_at_post(profile, post, now) if keep(s)]
    if signup_id is not None:
        signups = [s for s in signups if str(s.pk) == str(signup_id)]
    return signups[0] if signups else None


def check_in(user, post, *, signup=None, now=None):
    """Check in at the post for a shift she holds there, inside its check-in window
    (VOLUNTEERS_CHECK_IN_EARLY_MINUTES before its start to VOLUNTEERS_CHECK_IN_LATE_MINUTES
    after). Returns the attendance."""
    now = now or timezone.now()
    profile = _profile_of(user)
    with transaction.atomic():
        chosen = _pick(
            profile,
            post,
            now,
            signup,
            lambda s: not (_attendance(s) and _attendance(s).check_in_at),
        )
        if chosen is None:
            state = post_state(user, post, now=now)
            if any(row["can_check_out"] for row in state):
                row = next(row for row in state if row["can_check_out"])
                raise VolunteerError(
                    _("You already checked in at %(time)s for %(shift)s.")
                    % {
                        "time": _local_time(row["attendance"].check_in_at),
                        "shift": _shift_name(row["shift"]),
                    },
                    code="already_in",
                )
            raise VolunteerError(_("You have no shift at this post now."), code="no_shift")
        chosen = Signup.objects.select_for_update().select_related("shift__task").get(pk=chosen.pk)
        if not check_in_open(chosen.shift, now):
            if now < chosen.shift.start:
                raise VolunteerError(
                    _("Check-in for %(shift)s opens at %(time)s.")
                    % {
                        "shift": _shift_name(chosen.shift),
                        "time": _local_time(
                            chosen.shift.start - _minutes("VOLUNTEERS_CHECK_IN_EARLY_MINUTES")
                        ),
                    },
                    code="too_early",
                )
            raise VolunteerError(
                _(
                    "Check-in for %(shift)s has closed. Please ask your coordinator to "
                    "confirm your attendance."
                )
                % {"shift": _shift_name(chosen.shift)},
                code="too_late",
            )
        attendance, _created = Attendance.objects.get_or_create(
            signup=chosen, defaults={"source": Attendance.Source.QR}
        )
        if attendance.check_in_at:
            raise VolunteerError(
                _("You already checked in at %(time)s for %(shift)s.")
                % {"time": _local_time(attendance.check_in_at), "shift": _shift_name(chosen.shift)},
                code="already_in",
            )
        attendance.check_in_at = now
        attendance.save(update_fields=["check_in_at"])
    return attendance


def check_out(user, post, *, signup=None, now=None, confirmed=False):
    """Check out of the shift she checked in to at this post. Within
    VOLUNTEERS_CHECK_OUT_CONFIRM_MINUTES of checking in it is refused (code "too_soon")
    unless `confirmed`: a second scan a minute later is usually a mistake."""
    now = now or timezone.now()
    profile = _profile_of(user)
    with transaction.atomic():
        chosen = _pick(
            profile,
            post,
            now,
            signup,
            lambda s: bool(
                _attendance(s) and _attendance(s).check_in_at and not _attendance(s).check_out_at
            ),
        )
        if chosen is None:
            raise VolunteerError(
                _("You have not checked in at this post; check in first."), code="not_in"
            )
        attendance = Attendance.objects.select_for_update().get(signup=chosen)
        if attendance.check_out_at or not attendance.check_in_at:
            raise VolunteerError(_("You have already checked out of this shift."), code="done")
        if not confirmed and now - attendance.check_in_at < _minutes(
            "VOLUNTEERS_CHECK_OUT_CONFIRM_MINUTES"
        ):
            raise VolunteerError(
                _(
                    "You checked in only at %(time)s. Check out of %(shift)s now? Only if "
                    "you are really leaving."
                )
                % {"time": _local_time(attendance.check_in_at), "shift": _shift_name(chosen.shift)},
                code="too_soon",
            )
        attendance.check_out_at = max(now, attendance.check_in_at)
        attendance.save(update_fields=["check_out_at"])
    return attendance


def undo_scan(user, post, *, signup=None, now=None):
    """The volunteer takes back her last scan at this post (a check-out made by mistake, or a
    check-in) within VOLUNTEERS_SCAN_UNDO_MINUTES, before a coordinator confirmed it. Kept as
    a correction (who, when, the old and new times) and in the audit log. Returns
    ("in" | "out", attendance): which scan was undone."""
    now = now or timezone.now()
    profile = _profile_of(user)
    with transaction.atomic():
        chosen = _pick(
            profile, post, now, signup, lambda s: undo_possible(_attendance(s), now) is not None
        )
        if chosen is None:
            raise VolunteerError(
                _(
                    "This scan can no longer be undone here. Please ask your coordinator to "
                    "correct the times."
                ),
                code="undo_closed",
            )
        attendance = Attendance.objects.select_for_update().get(signup=chosen)
        which = undo_possible(attendance, now)
        if which is None:
            raise VolunteerError(
                _(
                    "This scan can no longer be undone here. Please ask your coordinator to "
                    "correct the times."
                ),
                code="undo_closed",
            )
        old_in, old_out = attendance.check_in_at, attendance.check_out_at
        if which == "out":
            attendance.check_out_at = None
        else:
            attendance.check_in_at = None
        reason = (
            _("Check-out undone by the volunteer")
            if which == "out"
            else _("Check-in undone by the volunteer")
        )
        correction = AttendanceCorrection.objects.create(
            attendance=attendance,
            changed_by=user,
            reason=str(reason),
            old_check_in_at=old_in,
            old_check_out_at=old_out,
            new_check_in_at=attendance.check_in_at,
            new_check_out_at=attendance.check_out_at,
        )
        attendance.save(update_fields=["check_in_at", "check_out_at"])
        audit.record(
            "volunteers.attendance.undo",
            user=user,
            obj=attendance,
            correction=correction.pk,
            undone=which,
            old_check_in_at=old_in,
            old_check_out_at=old_out,
        )
    return which, attendance


def _ensure_confirmer(user, shift):
    """Only the shift's organiser confirms or corrects hours (services.hours.can_confirm); an
    import or a command passes no user."""
    from .hours import confirmable_shifts

    if user is not None and not confirmable_shifts(user).filter(pk=shift.pk).exists():
        raise PermissionDenied


def confirm_attendance(signup, by, check_in_at=None, check_out_at=None):
    """The coordinator confirms someone served (times default to the shift's)."""
    _ensure_staff(by, signup)
    _ensure_confirmer(by, signup.shift)
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
        attendance.mark_confirmed(by, timezone.now())
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
    _ensure_confirmer(by, attendance.signup.shift)
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
        # A correction by the organiser is a confirmation of the new times.
        attendance.mark_confirmed(by, timezone.now())
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
    from .hours import counted_attendance

    return counted_attendance(start, end)


def minutes_served(profile, start=None, end=None):
    return (
        _attendance_in_period(start, end)
        .filter(signup__profile=profile)
        .aggregate(total=Sum("minutes"))["total"]
        or 0
    )


def minutes_served_in_all_and_in(profile, start, end):
    """(minutes served in all, minutes served from `start` to `end`): minutes_served twice,
    from one query (the volunteer's page shows both)."""
    found = (
        _attendance_in_period()
        .filter(signup__profile=profile)
        .aggregate(
            total=Sum("minutes"),
            period=Sum(
                "minutes",
                filter=Q(
                    signup__shift__start__date__gte=start, signup__shift__start__date__lte=end
                ),
            ),
        )
    )
    return found["total"] or 0, found["period"] or 0


def minutes_by_kind(profile, start=None, end=None):
    rows = (
        _attendance_in_period(start, end)
        .filter(signup__profile=profile)
        .values("signup__shift__task__kind")
        .annotate(total=Sum("minutes"))
    )
    return {row["signup__shift__task__kind"]: row["total"] for row in rows}
