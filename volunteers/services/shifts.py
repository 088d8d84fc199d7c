"""Tasks, shifts and shift templates: creating, changing, generating from a template and
cancelling. Shifts are never deleted once anyone has signed up: cancelling keeps the records
and tells the people (the foreign keys below them are PROTECT)."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.notify import notify

from ..models import Shift, ShiftTemplate, Signup
from .base import VolunteerError, _ensure_staff, _shift_context
from .waitlist import close_waitlist, offer_freed_places


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
        # NO KEY UPDATE: a sign-up or withdrawal at this moment must still pass its foreign-key
        # check on the shift (FOR KEY SHARE), or the two deadlock (see update_template)
        shift = Shift.objects.select_for_update(no_key=True).get(pk=shift.pk)
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
        offer_freed_places(shift.pk)  # more places: the waiting list comes first
    return shift


def parse_time(value):
    if isinstance(value, time):
        return value
    hours, minutes = str(value).split(":")[:2]
    return time(int(hours), int(minutes))


def days_ahead():
    return timedelta(days=settings.VOLUNTEERS_SHIFT_DAYS_AHEAD)


def template_horizon(template, now=None):
    """The last day the template's shifts should exist by now: a rolling number of days ahead,
    never past its end date."""
    last = timezone.localdate(now or timezone.now()) + days_ahead()
    return min(last, template.end_date) if template.end_date else last


def template_slots(template, first_day, last_day):
    """(start, end) aware datetimes of every shift the template describes between the days."""
    tz = timezone.get_current_timezone()
    day = max(first_day, template.start_date)
    last = min(last_day, template.end_date) if template.end_date else last_day
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


def _future_slots(template, now):
    return [
        (start, end)
        for start, end in template_slots(
            template, timezone.localdate(now), template_horizon(template, now)
        )
        if start > now
    ]


def generate_from_template(template, *, now=None):
    """Create the template's missing future shifts up to its horizon; returns how many were
    created. Safe to run twice or at the same time: a slot already there (even cancelled) is
    skipped, and the database keeps one shift per template and start."""
    now = now or timezone.now()
    if not template.task.active:
        return 0
    existing = set(template.shifts.filter(start__gt=now).values_list("start", flat=True))
    new = [
        Shift(
            task_id=template.task_id,
            template=template,
            start=start,
            end=end,
            places=template.places,
        )
        for start, end in _future_slots(template, now)
        if start not in existing
    ]
    if not new:
        return 0
    before = template.shifts.count()
    Shift.objects.bulk_create(new, ignore_conflicts=True)
    return template.shifts.count() - before


def generate_shifts(*, now=None):
    """Every current template's missing shifts (the daily `manage.py generate_shifts`).
    Returns {template: how many were made} for the templates that made some."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    templates = (
        ShiftTemplate.objects.filter(task__active=True, start_date__lte=today + days_ahead())
        .exclude(end_date__lt=today)
        .select_related("task")
        .order_by("pk")
    )
    made = {}
    for template in templates:
        with transaction.atomic():
            count = generate_from_template(template, now=now)
        if count:
            made[template] = count
    return made


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
    """Change a template; its future shifts follow it in place, keeping their ids, so links
    already sent (an invitation, a recommendation, an SMS) keep working:

    - a future shift nobody is on or invited to takes the new places, and its times move to
      the new slot of the same day (the first unmatched one, in order);
    - a shift with people on it or invited to it keeps its times (update_shift's rule: they
      agreed to them); its places follow the template but never below those taken, and places
      added to a full shift are offered to its waiting list in order (services.waitlist);
    - an empty shift left without a slot (a weekday or a time range dropped) is cancelled, not
      deleted, and detached from the template: its link says it was cancelled.

    Then the missing shifts up to the horizon are made. Returns how many were made."""
    _ensure_staff(by, template)
    with transaction.atomic():
        # NO KEY UPDATE locks (PostgreSQL): they exclude other editors of the template and its
        # shifts but not the foreign-key checks (FOR KEY SHARE) of a withdrawal or sign-up
        # updating one of its shifts twice in its transaction (release, then the waiting list's
        # offer), which a plain FOR UPDATE deadlocked with (tests/volunteers/
        # test_waitlist_concurrency.py).
        template = ShiftTemplate.objects.select_for_update(no_key=True).get(pk=template.pk)
        for field, value in changes.items():
            setattr(template, field, value)
        _clean_template(template)
        template.save()
        now = timezone.now()
        future = list(
            Shift.objects.select_for_update(no_key=True)
            .filter(template=template, start__gt=now, cancelled_at__isnull=True)
            .order_by("start", "pk")
        )
        peopled = set(
            Signup.objects.filter(shift__in=future, status__in=Signup.LIVE).values_list(
                "shift_id", flat=True
            )
        )
        slots = _future_slots(template, now)
        free_slots = {start: end for start, end in slots}
        # Shifts with people keep their start whatever the template says; then empty shifts
        # already on a slot keep it.
        for shift in future:
            shift.matched = shift.pk in peopled
            if shift.matched:
                free_slots.pop(shift.start, None)
        for shift in future:
            if not shift.matched and free_slots.get(shift.start) == shift.end:
                del free_slots[shift.start]
                shift.matched = True
        by_day = {}
        for start, end in sorted(free_slots.items()):
            by_day.setdefault(timezone.localdate(start), []).append((start, end))
        changed, moved, dropped, more = [], [], [], []
        for shift in future:
            if not shift.matched:
                day_slots = by_day.get(timezone.localdate(shift.start))
                if not day_slots:
                    dropped.append(shift.pk)
                    continue
                shift.start, shift.end = day_slots.pop(0)
                moved.append(shift.pk)
            places = max(template.places, shift.taken)
            if places > shift.places:
                more.append(shift.pk)
            if shift.pk in moved or places != shift.places:
                shift.places = places
                changed.append(shift)
        Shift.objects.filter(pk__in=dropped).update(
            template=None, cancelled_at=now, cancel_reason=_("The shift template was changed.")
        )
        # Off the template while they move, so no two meet on one start along the way.
        Shift.objects.filter(pk__in=moved).update(template=None)
        for shift in changed:
            shift.template = template
            shift.save(update_fields=["template", "start", "end", "places"])
        # More places: the waiting lists come first, by the same guarded offer as a withdrawal.
        for pk in more:
            offer_freed_places(pk)
        return generate_from_template(template, now=now)


def cancel_shift(shift, by, reason):
    """Cancel a shift: its people are released and told why (the reason is required)."""
    _ensure_staff(by, shift)
    reason = (reason or "").strip()[:200]
    if not reason:
        raise VolunteerError(_("Say why the shift is cancelled."), code="reason")
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
            status=Signup.Status.CANCELLED, ended_at=timezone.now(), end_reason=reason
        )
        close_waitlist(shift)
        context = {**_shift_context(shift), "reason": reason}
        for signup in live:
            if signup.profile.user_id:
                notify(signup.profile.user, "volunteers/notify/cancelled", context)
    return shift


def duty_grid(compound, first_day, days=7):
    """The duty grid of a compound: one row per post (or task without a post), one column per
    day, each cell the shifts of that post that day (cancelled ones left out). Returns
    (days, rows) with rows as [{"label", "cells": [[shift, ...], ...]}]."""
    from django.db.models import Q

    tz = timezone.get_current_timezone()
    dates = [first_day + timedelta(days=i) for i in range(days)]
    start = timezone.make_aware(datetime.combine(first_day, time.min), tz)
    end = start + timedelta(days=days)
    shifts = (
        Shift.objects.filter(
            Q(task__post__compound=compound) | Q(task__post__isnull=True, task__compound=compound),
            cancelled_at__isnull=True,
            start__gte=start,
            start__lt=end,
        )
        .select_related("task__post")
        .order_by("task__post__name", "task__title", "start")
    )
    rows = {}
    for shift in shifts:
        task = shift.task
        key = ("post", task.post_id) if task.post_id else ("task", task.pk)
        label = f"{task.post.name} · {task.title}" if task.post_id else task.title
        row = rows.setdefault(key, {"label": label, "cells": [[] for _ in dates]})
        row["cells"][(timezone.localdate(shift.start) - first_day).days].append(shift)
    return dates, sorted(rows.values(), key=lambda r: r["label"])
