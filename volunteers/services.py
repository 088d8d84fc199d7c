"""Volunteering operations: the public pages, the back office, imports and commands all call
these. Each is atomic and raises a VolunteerError (SignupError for taking places) whose message
is translated and shown to the person as it is.

Counting rule: Shift.taken changes only through conditional UPDATEs (`taken < places`), and a
volunteer's overlapping-shift check runs while their profile row is locked (select_for_update),
so two sign-ups of the same person are serialised and the last place goes to exactly one.
"""

import logging
import secrets
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count, F, Q, Sum
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.notify import notify
from portal.scoping import can_access

from .availability import EMPTY_MASK
from .models import (
    ACTIVE_SIGNUP_STATUSES,
    Attendance,
    AttendanceCorrection,
    Certificate,
    Shift,
    Signup,
    Task,
    VolunteerProfile,
)

ANONYMOUS_NAME = "已注销志愿者"
# A volunteer may check in this long before the shift starts, and check out this long after.
CHECK_IN_EARLY = timedelta(minutes=60)
CHECK_OUT_LATE = timedelta(hours=3)


class VolunteerError(ValidationError):
    """A rule of volunteering was broken; the message is for the person who tried."""


class SignupError(VolunteerError):
    pass


def withdraw_cutoff():
    return timedelta(hours=getattr(settings, "VOLUNTEERS_WITHDRAW_CUTOFF_HOURS", 12))


def _site_link(name, *args):
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(name, args=args)
    return settings.SITE_URL.rstrip("/") + path


def _shift_context(shift):
    start = timezone.localtime(shift.start)
    end = timezone.localtime(shift.end)
    return {
        "task": shift.task.title,
        "place": shift.task.place_name,
        "community": shift.task.community.name,
        "date": start.strftime("%Y-%m-%d"),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "shift_id": shift.pk,
    }


def _ensure_staff(user, obj):
    if user is not None and not can_access(user, obj):
        raise PermissionDenied


# --- Profiles ---------------------------------------------------------------------------------

PROFILE_FIELDS = [
    "real_name", "mobile", "community", "compound", "availability", "is_party_member",
    "work_unit", "id_number", "emergency_contact_name", "emergency_contact_phone",
]


def _clean(profile):
    try:
        profile.full_clean(exclude=["user", "calendar_token"])
    except ValidationError as error:
        raise VolunteerError(error.message_dict) from error


def create_profile(user, data, skills=()):
    """Make `user` a volunteer of data["community"], pending verification. Needs consent."""
    if not data.get("consent"):
        raise VolunteerError(_("Please agree to the use of your personal data."), code="consent")
    if user is not None and VolunteerProfile.objects.filter(user=user).exists():
        raise VolunteerError(_("You have already signed up as a volunteer."), code="exists")
    profile = VolunteerProfile(user=user, consent=True, consent_at=timezone.now(),
                               **{f: data[f] for f in PROFILE_FIELDS if f in data})
    if not profile.is_party_member:
        profile.work_unit = ""
    _clean(profile)
    with transaction.atomic():
        profile.save()
        profile.skills.set(skills)
        if user is not None and profile.mobile and not user.phone:
            user.phone = profile.mobile
            user.save(update_fields=["phone"])
    return profile


def update_profile(profile, data, skills=None):
    """Change the volunteer's own details; a new home community sends them back to pending."""
    new_community = data.get("community")
    with transaction.atomic():
        for field in PROFILE_FIELDS:
            if field in data and field != "community":
                setattr(profile, field, data[field])
        if not profile.is_party_member:
            profile.work_unit = ""
        _clean(profile)
        profile.save()
        if skills is not None:
            profile.skills.set(skills)
        if new_community is not None and new_community.pk != profile.community_id:
            move_community(profile, new_community, data.get("compound"))
    return profile


def verify_profile(profile, by):
    _ensure_staff(by, profile)
    with transaction.atomic():
        updated = VolunteerProfile.objects.filter(
            pk=profile.pk, status__in=[VolunteerProfile.Status.PENDING,
                                       VolunteerProfile.Status.REJECTED],
        ).update(status=VolunteerProfile.Status.VERIFIED, verified_by=by,
                 verified_at=timezone.now(), rejection_reason="")
        if not updated:
            raise VolunteerError(_("This volunteer cannot be verified now."), code="state")
        profile.refresh_from_db()
        if profile.user_id:
            notify(profile.user, "volunteers/notify/verified", {
                "name": profile.real_name, "community": profile.community.name,
                "link": _site_link("volunteers:shifts"),
            })
    return profile


def reject_profile(profile, by, reason):
    _ensure_staff(by, profile)
    reason = (reason or "").strip()
    if not reason:
        raise VolunteerError(_("Please give a reason for the rejection."), code="reason")
    with transaction.atomic():
        updated = VolunteerProfile.objects.filter(
            pk=profile.pk, status__in=[VolunteerProfile.Status.PENDING,
                                       VolunteerProfile.Status.VERIFIED],
        ).update(status=VolunteerProfile.Status.REJECTED, verified_by=by,
                 verified_at=timezone.now(), rejection_reason=reason)
        if not updated:
            raise VolunteerError(_("This volunteer cannot be rejected now."), code="state")
        profile.refresh_from_db()
        if profile.user_id:
            notify(profile.user, "volunteers/notify/rejected", {
                "name": profile.real_name, "community": profile.community.name,
                "reason": reason, "link": _site_link("volunteers:profile"),
            })
    return profile


def move_community(profile, community, compound=None):
    """Move to another home community: the new community verifies them again."""
    if compound is not None and compound.community_id != community.pk:
        raise VolunteerError(_("This compound is not in the chosen community."), code="compound")
    VolunteerProfile.objects.filter(pk=profile.pk).update(
        community=community, compound=compound, status=VolunteerProfile.Status.PENDING,
        verified_by=None, verified_at=None, rejection_reason="",
    )
    profile.refresh_from_db()
    return profile


def delete_account(user):
    """Delete the account. The profile stays, stripped of everything personal, so the hours it
    served still count in the community's totals; future places are released."""
    with transaction.atomic():
        profile = VolunteerProfile.objects.select_for_update().filter(user=user).first()
        if profile is not None:
            future = Signup.objects.filter(profile=profile, shift__start__gt=timezone.now(),
                                           status__in=["confirmed", "invited"])
            for signup in future.select_related("shift"):
                _end_signup(signup, Signup.Status.WITHDRAWN)
            profile.skills.clear()
            VolunteerProfile.objects.filter(pk=profile.pk).update(
                user=None, real_name=ANONYMOUS_NAME, mobile="", compound=None, availability={},
                availability_mask=EMPTY_MASK, id_number="", emergency_contact_name="", emergency_contact_phone="",
                status=VolunteerProfile.Status.DELETED, calendar_token=secrets.token_urlsafe(24),
            )
            Certificate.objects.filter(profile=profile).update(name=ANONYMOUS_NAME)
        user.delete()
    return profile


# --- Tasks, shifts and templates -----------------------------------------------------------

def create_shift(task, start, end, places, *, by=None):
    _ensure_staff(by, task)
    if end <= start:
        raise VolunteerError(_("A shift must end after it starts."), code="times")
    if places < 1:
        raise VolunteerError(_("A shift needs at least one person."), code="places")
    return Shift.objects.create(task=task, start=start, end=end, places=places)


def _parse_time(value):
    if isinstance(value, time):
        return value
    hours, minutes = str(value).split(":")[:2]
    return time(int(hours), int(minutes))


def template_slots(template, first_day, last_day):
    """(start, end) aware datetimes of every shift the template describes between the days."""
    tz = timezone.get_current_timezone()
    day = max(first_day, template.start_date)
    last = min(last_day, template.end_date)
    weekdays = {int(d) for d in template.weekdays}
    while day <= last:
        if day.weekday() in weekdays:
            for begin, finish in template.time_ranges:
                start = timezone.make_aware(datetime.combine(day, _parse_time(begin)), tz)
                end = timezone.make_aware(datetime.combine(day, _parse_time(finish)), tz)
                if end <= start:
                    end += timedelta(days=1)
                yield start, end
        day += timedelta(days=1)


def generate_from_template(template, *, now=None):
    """Create the template's missing future shifts; returns how many were created."""
    now = now or timezone.now()
    existing = set(template.shifts.filter(start__gt=now).values_list("start", flat=True))
    new = [
        Shift(task_id=template.task_id, template=template, start=start, end=end,
              places=template.places)
        for start, end in template_slots(template, timezone.localdate(now), template.end_date)
        if start > now and start not in existing
    ]
    Shift.objects.bulk_create(new)
    return len(new)


def update_template(template, *, by=None, **changes):
    """Change a template. Only future shifts that nobody has taken or been invited to are
    replaced; shifts with people on them keep their times and places."""
    _ensure_staff(by, template)
    with transaction.atomic():
        for field, value in changes.items():
            setattr(template, field, value)
        template.full_clean()
        template.save()
        now = timezone.now()
        unstaffed = template.shifts.filter(start__gt=now, taken=0).exclude(
            signups__status__in=["invited", "confirmed", "no_show"]
        )
        Shift.objects.filter(pk__in=list(unstaffed.values_list("pk", flat=True))).delete()
        return generate_from_template(template, now=now)


def cancel_shift(shift, by, reason=""):
    """Cancel a shift: its people are released and told."""
    _ensure_staff(by, shift)
    with transaction.atomic():
        shift = Shift.objects.select_for_update().select_related("task__community").get(
            pk=shift.pk)
        if shift.cancelled_at:
            raise VolunteerError(_("This shift is already cancelled."), code="cancelled")
        shift.cancelled_at = timezone.now()
        shift.cancel_reason = reason
        shift.taken = 0
        shift.save(update_fields=["cancelled_at", "cancel_reason", "taken"])
        live = list(shift.signups.filter(status__in=["invited", "confirmed"])
                    .select_related("profile__user"))
        Signup.objects.filter(pk__in=[s.pk for s in live]).update(
            status=Signup.Status.CANCELLED, ended_at=timezone.now())
        context = {**_shift_context(shift), "reason": reason}
        for signup in live:
            if signup.profile.user_id:
                notify(signup.profile.user, "volunteers/notify/cancelled", context)
    return shift


# --- Sign-ups ---------------------------------------------------------------------------------

def _lock_profile(profile):
    return VolunteerProfile.objects.select_for_update().get(pk=profile.pk)


def _check_can_take(profile, shift):
    if profile.status != VolunteerProfile.Status.VERIFIED:
        raise SignupError(_("Only verified volunteers can take shifts."), code="not_verified")
    if shift.cancelled_at:
        raise SignupError(_("This shift has been cancelled."), code="cancelled")
    if shift.start <= timezone.now():
        raise SignupError(_("This shift has already started."), code="started")
    overlapping = Signup.objects.filter(
        profile=profile, status__in=ACTIVE_SIGNUP_STATUSES, shift__cancelled_at__isnull=True,
        shift__start__lt=shift.end, shift__end__gt=shift.start,
    ).exclude(shift=shift)
    if overlapping.exists():
        raise SignupError(_("This overlaps a shift you have already signed up for."),
                          code="overlap")
    # Matching rules (community, skills, courses, weekly cap): volunteers.matching.
    from .matching import check_eligibility

    check_eligibility(profile, shift)


def _take_place(shift):
    taken = Shift.objects.filter(
        pk=shift.pk, cancelled_at__isnull=True, taken__lt=F("places")
    ).update(taken=F("taken") + 1)
    if not taken:
        raise SignupError(_("This shift is full."), code="full")


def sign_up(profile, shift):
    """Take a place on `shift` for `profile` (accepting an invitation if there is one).

    Lock contention (a SQLite busy timeout, a PostgreSQL deadlock) is retried once, then
    becomes a friendly "busy" refusal instead of an error page."""
    for _attempt in range(2):
        try:
            return _sign_up(profile, shift)
        except OperationalError as error:
            if transaction.get_connection().in_atomic_block:
                raise  # the caller's transaction is broken; it must roll back itself
            contention = error
    raise SignupError(_("Many people are signing up right now; please try again."),
                      code="busy") from contention


def _sign_up(profile, shift):
    with transaction.atomic():
        profile = _lock_profile(profile)
        shift = Shift.objects.select_related("task").get(pk=shift.pk)
        live = Signup.objects.filter(shift=shift, profile=profile,
                                     status__in=["invited", "confirmed", "no_show"]).first()
        if live is not None and live.status != Signup.Status.INVITED:
            raise SignupError(_("You have already signed up for this shift."), code="duplicate")
        _check_can_take(profile, shift)
        _take_place(shift)
        now = timezone.now()
        if live is not None:
            live.status = Signup.Status.CONFIRMED
            live.confirmed_at = now
            live.save(update_fields=["status", "confirmed_at"])
            return live
        try:
            with transaction.atomic():
                return Signup.objects.create(shift=shift, profile=profile, confirmed_at=now,
                                             status=Signup.Status.CONFIRMED)
        except IntegrityError as error:  # pragma: no cover - the profile lock prevents it
            raise SignupError(_("You have already signed up for this shift."),
                              code="duplicate") from error


def _end_signup(signup, status):
    """Release the place a live sign-up holds; False when someone else already ended it."""
    held = signup.status in ACTIVE_SIGNUP_STATUSES
    ended = Signup.objects.filter(pk=signup.pk, status=signup.status).update(
        status=status, ended_at=timezone.now())
    if ended and held:
        Shift.objects.filter(pk=signup.shift_id, taken__gt=0).update(taken=F("taken") - 1)
    signup.status = status
    return bool(ended)


def withdraw(profile, signup):
    """The volunteer gives back their place, up to the cut-off before the start."""
    with transaction.atomic():
        _lock_profile(profile)
        signup = Signup.objects.select_related("shift").get(pk=signup.pk, profile=profile)
        if signup.status != Signup.Status.CONFIRMED:
            raise SignupError(_("You are not signed up for this shift."), code="state")
        if signup.shift.start - timezone.now() < withdraw_cutoff():
            hours = int(withdraw_cutoff().total_seconds() // 3600)
            raise SignupError(
                _("It is too late to withdraw (less than %(hours)s hours before the start); "
                  "please call your community.") % {"hours": hours}, code="cutoff")
        if not _end_signup(signup, Signup.Status.WITHDRAWN):
            raise SignupError(_("You are not signed up for this shift."), code="state")
    return signup


def remove_from_shift(signup, by, reason=""):
    """A coordinator takes a person off a shift; the place is open again."""
    _ensure_staff(by, signup)
    with transaction.atomic():
        signup = Signup.objects.select_related("shift__task__community", "profile__user").get(
            pk=signup.pk)
        if signup.status not in ("confirmed", "invited"):
            raise VolunteerError(_("This person is not on the shift."), code="state")
        _end_signup(signup, Signup.Status.CANCELLED)
        if signup.profile.user_id:
            notify(signup.profile.user, "volunteers/notify/removed",
                   {**_shift_context(signup.shift), "reason": reason})
    return signup


def invite(shift, profile, by):
    """Invite a verified volunteer to a shift; the place is theirs only once they accept."""
    _ensure_staff(by, shift)
    with transaction.atomic():
        profile = _lock_profile(profile)
        shift = Shift.objects.select_related("task__community").get(pk=shift.pk)
        if Signup.objects.filter(shift=shift, profile=profile,
                                 status__in=["invited", "confirmed", "no_show"]).exists():
            raise SignupError(_("This volunteer is already on or invited to this shift."),
                              code="duplicate")
        _check_can_take(profile, shift)
        if shift.places_left <= 0:
            raise SignupError(_("This shift is full."), code="full")
        signup = Signup.objects.create(shift=shift, profile=profile, invited_by=by,
                                       status=Signup.Status.INVITED)
        if profile.user_id:
            notify(profile.user, "volunteers/notify/invitation",
                   {**_shift_context(shift), "link": _site_link("volunteers:my_page")})
    return signup


def accept_invitation(profile, signup):
    if signup.status != Signup.Status.INVITED or signup.profile_id != profile.pk:
        raise SignupError(_("This invitation is no longer open."), code="state")
    return sign_up(profile, signup.shift)


def decline_invitation(profile, signup):
    with transaction.atomic():
        declined = Signup.objects.filter(pk=signup.pk, profile=profile,
                                         status=Signup.Status.INVITED).update(
            status=Signup.Status.DECLINED, ended_at=timezone.now())
        if not declined:
            raise SignupError(_("This invitation is no longer open."), code="state")
        transaction.on_commit(lambda: offer_after_decline(signup.pk))
    signup.status = Signup.Status.DECLINED
    return signup


# Sent after a declined place was offered again: sender=Signup, signup (the declined one),
# sent (the new invitations). The assistance app hands a help request's delivery on with it.
invitation_declined = Signal()
logger = logging.getLogger(__name__)


def offer_after_decline(signup_id):
    """After a decline commits: the place goes to the next best volunteer (never the one who
    declined, never someone already on or invited to the shift), invited in the name of the
    coordinator who sent the declined invitation. A failure here never undoes the decline."""
    from .matching import offer_declined_places

    signup = Signup.objects.select_related("shift", "invited_by", "profile").get(pk=signup_id)
    sent = []
    if signup.invited_by is not None and not signup.shift.is_cancelled:
        try:
            sent = offer_declined_places(signup.shift, signup.invited_by)
        except (PermissionDenied, ValidationError):
            logger.warning("No new invitation after decline of signup %s", signup_id,
                           exc_info=True)
    invitation_declined.send(sender=Signup, signup=signup, sent=sent)
    return sent


# --- Check-in and hours -------------------------------------------------------------------

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
            .filter(profile=profile, status=Signup.Status.CONFIRMED, shift__task__post=post,
                    shift__cancelled_at__isnull=True,
                    shift__start__lte=now + CHECK_IN_EARLY, shift__end__gte=now - CHECK_OUT_LATE)
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
                attendance = Attendance.objects.create(signup=signup, check_in_at=now,
                                                       source=Attendance.Source.QR)
                return "in", attendance
        raise VolunteerError(_("You have already checked out of this shift."), code="done")


def confirm_attendance(signup, by, check_in_at=None, check_out_at=None):
    """The coordinator confirms someone served (times default to the shift's)."""
    _ensure_staff(by, signup)
    with transaction.atomic():
        signup = Signup.objects.select_for_update().select_related("shift").get(pk=signup.pk)
        if signup.status not in ("confirmed", "no_show"):
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
        attendance.source = (attendance.source if not _created else
                             Attendance.Source.COORDINATOR)
        attendance.confirmed_by = by
        attendance.confirmed_at = timezone.now()
        attendance.save()
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
            raise VolunteerError(_("This person checked in; correct the times instead."),
                                 code="attended")
        Signup.objects.filter(pk=signup.pk).update(status=Signup.Status.NO_SHOW)
        signup.status = Signup.Status.NO_SHOW
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
        AttendanceCorrection.objects.create(
            attendance=attendance, changed_by=by, reason=reason,
            old_check_in_at=attendance.check_in_at, old_check_out_at=attendance.check_out_at,
            new_check_in_at=check_in_at, new_check_out_at=check_out_at,
        )
        attendance.check_in_at = check_in_at
        attendance.check_out_at = check_out_at
        attendance.confirmed_by = by
        attendance.confirmed_at = timezone.now()
        attendance.save()
    return attendance


def _attendance_in_period(start=None, end=None):
    qs = Attendance.objects.filter(minutes__gt=0, signup__shift__cancelled_at__isnull=True)
    if start:
        qs = qs.filter(signup__shift__start__date__gte=start)
    if end:
        qs = qs.filter(signup__shift__start__date__lte=end)
    return qs


def minutes_served(profile, start=None, end=None):
    return (_attendance_in_period(start, end).filter(signup__profile=profile)
            .aggregate(total=Sum("minutes"))["total"] or 0)


def minutes_by_kind(profile, start=None, end=None):
    rows = (_attendance_in_period(start, end).filter(signup__profile=profile)
            .values("signup__shift__task__kind").annotate(total=Sum("minutes")))
    return {row["signup__shift__task__kind"]: row["total"] for row in rows}


def month_bounds(day):
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def issue_certificate(profile, start, end):
    """A certificate for the hours served between two dates; the same period and hours give
    back the certificate already issued."""
    if profile.status != VolunteerProfile.Status.VERIFIED:
        raise VolunteerError(_("Only verified volunteers can get a certificate."), code="state")
    by_kind = minutes_by_kind(profile, start, end)
    total = sum(by_kind.values())
    if not total:
        raise VolunteerError(_("There are no recorded hours in this period."), code="no_hours")
    existing = Certificate.objects.filter(profile=profile, period_start=start, period_end=end,
                                          minutes=total).first()
    if existing:
        return existing
    serial = f"VC{timezone.localdate():%Y%m%d}{secrets.token_hex(4).upper()}"
    return Certificate.objects.create(
        serial=serial, profile=profile, community=profile.community, name=profile.real_name,
        period_start=start, period_end=end, minutes=total, minutes_by_kind=by_kind,
    )


def party_report(profiles, start, end):
    """Hours of in-service party members by work unit: [{work_unit, members: [...], minutes}].
    `profiles` is an already scoped VolunteerProfile queryset."""
    period = Q(signups__attendance__minutes__gt=0,
               signups__shift__cancelled_at__isnull=True,
               signups__shift__start__date__gte=start, signups__shift__start__date__lte=end)
    members = (
        profiles.filter(is_party_member=True)
        .select_related("community")
        .annotate(total=Sum("signups__attendance__minutes", filter=period),
                  shifts=Count("signups__attendance", filter=period))
        .order_by("work_unit", "real_name")
    )
    units = defaultdict(lambda: {"members": [], "minutes": 0})
    for member in members:
        unit = units[member.work_unit or "—"]
        unit["members"].append({
            "name": member.real_name, "community": member.community.name,
            "shifts": member.shifts, "minutes": member.total or 0,
            "hours": round((member.total or 0) / 60, 1),
        })
        unit["minutes"] += member.total or 0
    return [
        {"work_unit": name, "members": data["members"], "minutes": data["minutes"],
         "hours": round(data["minutes"] / 60, 1)}
        for name, data in sorted(units.items())
    ]


def due_reminders(now=None, within=None):
    now = now or timezone.now()
    within = within or timedelta(hours=getattr(settings, "VOLUNTEERS_REMINDER_HOURS", 24))
    return Signup.objects.filter(
        status=Signup.Status.CONFIRMED, reminded_at__isnull=True,
        shift__cancelled_at__isnull=True, shift__start__gt=now, shift__start__lte=now + within,
    )


def send_shift_reminders(now=None, within=None):
    """Remind everyone whose shift starts soon, once: the reminded_at flag is claimed by a
    conditional update before the message is queued, so reruns and parallel runs don't repeat."""
    sent = 0
    now = now or timezone.now()
    for signup in due_reminders(now, within).select_related("shift__task__community",
                                                          "shift__task__post__compound",
                                                          "profile__user"):
        with transaction.atomic():
            claimed = Signup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(
                reminded_at=now)
            if claimed and signup.profile.user_id:
                notify(signup.profile.user, "volunteers/notify/reminder",
                       {**_shift_context(signup.shift), "link": _site_link("volunteers:my_page")})
                sent += 1
    return sent


def task_for_post(post):
    return Task.objects.filter(post=post).first()


def first_of_month(day=None):
    day = day or timezone.localdate()
    return date(day.year, day.month, 1)

