"""Tasks, shifts and shift templates: creating, generating from a template and cancelling."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.notify import notify

from ..models import (
    Shift,
    Signup,
)
from .base import VolunteerError, _ensure_staff, _shift_context


def create_shift(task, start, end, places, *, by=None):
    _ensure_staff(by, task)
    if end <= start:
        raise VolunteerError(_("A shift must end after it starts."), code="times")
    if places < 1:
        raise VolunteerError(_("A shift needs at least one person."), code="places")
    return Shift.objects.create(task=task, start=start, end=end, places=places)


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
        shift = Shift.objects.select_for_update().select_related("task__community").get(pk=shift.pk)
        if shift.cancelled_at:
            raise VolunteerError(_("This shift is already cancelled."), code="cancelled")
        shift.cancelled_at = timezone.now()
        shift.cancel_reason = reason
        shift.taken = 0
        shift.save(update_fields=["cancelled_at", "cancel_reason", "taken"])
        live = list(
            shift.signups.filter(status__in=["invited", "confirmed"]).select_related(
                "profile__user"
            )
        )
        Signup.objects.filter(pk__in=[s.pk for s in live]).update(
            status=Signup.Status.CANCELLED, ended_at=timezone.now()
        )
        context = {**_shift_context(shift), "reason": reason}
        for signup in live:
            if signup.profile.user_id:
                notify(signup.profile.user, "volunteers/notify/cancelled", context)
    return shift
