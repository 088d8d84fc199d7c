"""Hours count once the organiser confirms them (issue #14, item 3).

Attendance from a QR scan (or an import) is *recorded*; an organiser confirms it, one by one
(`confirm`) or a whole shift at once (`confirm_shift`, one UPDATE), and whatever nobody objected
to is confirmed automatically VOLUNTEERS_AUTO_CONFIRM_DAYS after check-out (`auto_confirm`, the
`auto_confirm_hours` command). An objection (`dispute`, by the volunteer or an organiser) stops
the automatic confirmation until an organiser confirms or corrects the times.

Every total of hours (the volunteer's page, certificates, star levels, reports, exports) goes
through `Attendance.objects.confirmed()` (models.attendance.AttendanceQuerySet) via
`counted_attendance` below.

Who may confirm: `confirmable_shifts(user)` is the one rule. Coordinators (holders of
`volunteers.change_attendance`) confirm on their communities' shifts, a subdistrict admin on
all; CONFIRMER_RULES is the hook for more organisers (a team leader on the team's shifts):
append a callable `rule(user) -> Q over Shift | None`.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit, roles
from portal.scoping import community_ids

from ..models import Attendance, Shift, VolunteerProfile
from .base import VolunteerError

# Callables (user) -> Q over Shift (or None): further organisers who may confirm hours on those
# shifts. The teams helper adds the team leaders' rule here.
CONFIRMER_RULES = []

OPEN = [Attendance.Status.RECORDED, Attendance.Status.DISPUTED]


def counted_attendance(start=None, end=None):
    """Attendance whose hours count, optionally of shifts starting between two dates."""
    qs = Attendance.objects.confirmed().filter(
        minutes__gt=0, signup__shift__cancelled_at__isnull=True
    )
    # Bounds as Beijing midnights rather than __date lookups: a range on the indexed column,
    # not a date conversion of every row (SQLite does that in Python).
    if start:
        qs = qs.filter(signup__shift__start__gte=_midnight(start))
    if end:
        qs = qs.filter(signup__shift__start__lt=_midnight(end + timedelta(days=1)))
    return qs


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def confirmable_shifts(user):
    """The shifts on which `user` may confirm (or dispute) attendance."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Shift.objects.none()
    condition = Q(pk__in=[])
    if user.has_perm("volunteers.change_attendance"):
        if roles.is_subdistrict_admin(user):
            return Shift.objects.all()
        condition |= Q(task__community__in=community_ids(user))
    for rule in CONFIRMER_RULES:
        extra = rule(user)
        if extra is not None:
            condition |= extra
    return Shift.objects.filter(condition)


def can_confirm(user, attendance):
    """Whether `user` may confirm this attendance (the organiser of its shift)."""
    return confirmable_shifts(user).filter(pk=attendance.signup.shift_id).exists()


def _confirmable(by):
    return Attendance.objects.filter(
        signup__shift__in=confirmable_shifts(by).values("pk"),
        check_in_at__isnull=False,
        check_out_at__isnull=False,
    )


def confirm(attendance_ids, by, *, now=None):
    """Confirm the named attendance (recorded or disputed, with both times) on shifts `by`
    organises; the others are left as they are. Returns how many were confirmed."""
    now = now or timezone.now()
    ids = [int(pk) for pk in attendance_ids]
    if not ids:
        raise VolunteerError(_("Please choose the attendance to confirm."), code="empty")
    with transaction.atomic():
        chosen = list(
            _confirmable(by)
            .filter(pk__in=ids, status__in=OPEN)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        if not chosen:
            if not Attendance.objects.filter(
                pk__in=ids, signup__shift__in=confirmable_shifts(by).values("pk")
            ).exists():
                raise PermissionDenied
            raise VolunteerError(
                _("There is no recorded attendance to confirm among these."), code="none"
            )
        count = Attendance.objects.filter(pk__in=chosen, status__in=OPEN).update(
            **Attendance.confirmation(by, now)
        )
        communities = (
            Attendance.objects.filter(pk__in=chosen)
            .values_list("signup__shift__task__community", flat=True)
            .distinct()
        )
        audit.record(
            "volunteers.hours.confirm",
            user=by,
            communities=list(communities),
            attendance=chosen,
            count=count,
        )
    _after_confirmation(Attendance.objects.filter(pk__in=chosen))
    return count


def confirm_shift(shift, by, *, now=None):
    """Confirm every recorded attendance of the shift in one UPDATE (disputed ones wait for a
    decision one by one). Returns how many were confirmed."""
    now = now or timezone.now()
    if not confirmable_shifts(by).filter(pk=shift.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        count = Attendance.objects.filter(
            signup__shift=shift,
            status=Attendance.Status.RECORDED,
            check_in_at__isnull=False,
            check_out_at__isnull=False,
        ).update(**Attendance.confirmation(by, now))
        audit.record("volunteers.hours.confirm_shift", user=by, obj=shift, count=count)
    if count:
        _after_confirmation(Attendance.objects.filter(signup__shift=shift))
    return count


def dispute(attendance, by, reason):
    """The volunteer (her own attendance) or an organiser objects to recorded hours: they are
    not confirmed automatically until an organiser confirms or corrects them."""
    reason = (reason or "").strip()
    if not reason:
        raise VolunteerError(_("Please say what is wrong with these hours."), code="reason")
    own = attendance.signup.profile.user_id is not None and attendance.signup.profile.user_id == (
        by.pk if by else None
    )
    if not own and not can_confirm(by, attendance):
        raise PermissionDenied
    with transaction.atomic():
        changed = Attendance.objects.filter(
            pk=attendance.pk, status=Attendance.Status.RECORDED
        ).update(status=Attendance.Status.DISPUTED, dispute_reason=reason[:200])
        if not changed:
            raise VolunteerError(
                _("Only hours awaiting confirmation can be disputed."), code="state"
            )
        audit.record(
            "volunteers.hours.dispute", user=by, obj=attendance, reason=reason[:200], own=own
        )
    attendance.refresh_from_db()
    return attendance


def auto_confirm(*, now=None, days=None):
    """Confirm recorded attendance that ended more than VOLUNTEERS_AUTO_CONFIRM_DAYS ago and
    nobody disputed (confirmed_by stays empty: nobody in particular). Safe to run twice."""
    now = now or timezone.now()
    days = settings.VOLUNTEERS_AUTO_CONFIRM_DAYS if days is None else days
    with transaction.atomic():
        count = Attendance.objects.filter(
            status=Attendance.Status.RECORDED,
            check_in_at__isnull=False,
            check_out_at__isnull=False,
            check_out_at__lte=now - timedelta(days=days),
        ).update(**Attendance.confirmation(None, now))
        if count:
            audit.record("volunteers.hours.auto_confirm", user=None, count=count, days=days)
    return count


def _after_confirmation(attendance):
    """Reaching a star threshold applies for the level (services.stars)."""
    from .stars import apply_for_reached_levels

    profile_ids = attendance.values("signup__profile_id")
    apply_for_reached_levels(VolunteerProfile.objects.filter(pk__in=profile_ids))


def hours_summary(profile):
    """What the volunteer sees: confirmed hours (which count) and hours awaiting confirmation."""
    base = Attendance.objects.filter(
        signup__profile=profile, minutes__gt=0, signup__shift__cancelled_at__isnull=True
    )
    rows = dict(base.values_list("status").annotate(total=Sum("minutes")))
    pending = rows.get(Attendance.Status.RECORDED, 0) + rows.get(Attendance.Status.DISPUTED, 0)
    return {
        "confirmed_hours": round(rows.get(Attendance.Status.CONFIRMED, 0) / 60, 1),
        "pending_hours": round(pending / 60, 1),
    }
