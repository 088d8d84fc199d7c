"""Tasks, shifts and shift templates: creating, changing, generating from a template and
cancelling. Shifts are never deleted once anyone has signed up: cancelling keeps the records
and tells the people (the foreign keys below them are PROTECT)."""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.notify import notify

from ..models import Shift, ShiftTemplate, Signup
from .base import VolunteerError, _ensure_staff, _shift_context


def create_shift(task, start, end, places, *, by=None):
    _ensure_staff(by, task)
    if end <= start:
        raise VolunteerError(_("A shift must end after it starts."), code="times")
    if places < 1:
        raise VolunteerError(_("A shift needs at least one person."), code="places")
    return Shift.objects.create(task=task, start=start, end=end, places=places)


def update_shift(shift, *, by=None, start, end, places):
    """Change a shift's times or places. Never below the places already taken (checked under
    the row lock, so a sign-up at the same moment cannot slip in); the times of a shift with
    people on it or invited to it stay as they were agreed: cancel it (they are told) and
    create another."""
    _ensure_staff(by, shift)
    if end <= start:
        raise VolunteerError(_("A shift must end after it starts."), code="times")
    if places < 1:
        raise VolunteerError(_("A shift needs at least one person."), code="places")
    with transaction.atomic():
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        if shift.cancelled_at:
            raise VolunteerError(_("This shift is already cancelled."), code="cancelled")
        if places < shift.taken:
            raise VolunteerError(
                _("More people than that are already on this shift."), code="places"
            )
        moved = (start, end) != (shift.start, shift.end)
        if moved and shift.signups.live().exists():
            raise VolunteerError(
                _(
                    "People are on this shift or invited to it: cancel it (they are told) and "
                    "create a new one instead of moving it."
                ),
                code="people",
            )
        shift.start, shift.end, shift.places = start, end, places
        shift.save(update_fields=["start", "end", "places"])
    return shift


def parse_time(value):
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
                start = timezone.make_aware(datetime.combine(day, parse_time(begin)), tz)
                end = timezone.make_aware(datetime.combine(day, parse_time(finish)), tz)
                if end <= start:
                    end += timedelta(days=1)
                yield start, end
        day += timedelta(days=1)


def generate_from_template(template, *, now=None):
    """Create the template's missing future shifts; returns how many were created."""
    now = now or timezone.now()
    existing = set(template.shifts.filter(start__gt=now).values_list("start", flat=True))
    new = [
        Shift(
            task_id=template.task_id,
            template=template,
            start=start,
            end=end,
            places=template.places,
        )
        for start, end in template_slots(template, timezone.localdate(now), template.end_date)
        if start > now and start not in existing
    ]
    Shift.objects.bulk_create(new)
    return len(new)


def create_template(*, by=None, **fields):
    """A new shift template, and its shifts."""
    template = ShiftTemplate(**fields)
    _ensure_staff(by, template.task)
    _clean_template(template)
    with transaction.atomic():
        template.save()
        generate_from_template(template)
    return template


def _clean_template(template):
    try:
        template.full_clean()
    except ValidationError as error:
        raise VolunteerError(error.message_dict) from error


def update_template(template, *, by=None, **changes):
    """Change a template. Only future shifts that nobody has taken or been invited to are
    replaced; shifts with people on them keep their times and places. A future shift whose
    sign-ups have all ended (withdrawn, declined) is not deleted but cancelled and detached
    from the template, so those records stay."""
    _ensure_staff(by, template)
    with transaction.atomic():
        for field, value in changes.items():
            setattr(template, field, value)
        _clean_template(template)
        template.save()
        now = timezone.now()
        unstaffed = template.shifts.filter(start__gt=now, taken=0).exclude(
            signups__status__in=Signup.LIVE
        )
        unstaffed_ids = list(unstaffed.values_list("pk", flat=True))
        with_history = Shift.objects.filter(pk__in=unstaffed_ids, signups__isnull=False)
        Shift.objects.filter(pk__in=list(with_history.values_list("pk", flat=True))).update(
            template=None, cancelled_at=now, cancel_reason=_("The shift template was changed.")
        )
        Shift.objects.filter(pk__in=unstaffed_ids, signups__isnull=True).delete()
        return generate_from_template(template, now=now)


def cancel_shift(shift, by, reason=""):
    """Cancel a shift: its people are released and told."""
    _ensure_staff(by, shift)
    with transaction.atomic():
        shift = Shift.objects.select_for_update().select_related("task__community").get(pk=shift.pk)
        if shift.cancelled_at:
            raise VolunteerError(_("This shift is already cancelled."), code="cancelled")
        shift.cancelled_at = timezone.now()
        shift.cancel_reason = reason
        shift.taken = 0
        shift.save(update_fields=["cancelled_at", "cancel_reason", "taken"])
        live = list(shift.signups.expected().select_related("profile__user"))
        Signup.objects.filter(pk__in=[s.pk for s in live]).update(
            status=Signup.Status.CANCELLED, ended_at=timezone.now()
        )
        context = {**_shift_context(shift), "reason": reason}
        for signup in live:
            if signup.profile.user_id:
                notify(signup.profile.user, "volunteers/notify/cancelled", context)
    return shift
