"""Certificates, the party-member report, shift reminders and small date helpers."""

import secrets
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.links import site_url
from portal.notify import notify

from ..models import (
    Attendance,
    Certificate,
    Signup,
    VolunteerProfile,
)
from .attendance import minutes_by_kind
from .base import VolunteerError, _shift_context


def month_bounds(day):
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def issue_certificate(profile, start, end):
    """A certificate for the hours served between two dates, in the volunteer's verified name;
    the same period, hours and name give back the certificate already issued."""
    if profile.status != VolunteerProfile.Status.VERIFIED:
        raise VolunteerError(_("Only verified volunteers can get a certificate."), code="state")
    by_kind = minutes_by_kind(profile, start, end)
    total = sum(by_kind.values())
    if not total:
        raise VolunteerError(_("There are no recorded hours in this period."), code="no_hours")
    # The name is the verified one (a change of name sends the volunteer back to pending); a
    # name verified since the last certificate gets a new certificate, not the old one.
    existing = Certificate.objects.filter(
        profile=profile, period_start=start, period_end=end, minutes=total, name=profile.real_name
    ).first()
    if existing:
        return existing
    serial = f"VC{timezone.localdate():%Y%m%d}{secrets.token_hex(4).upper()}"
    return Certificate.objects.create(
        serial=serial,
        profile=profile,
        community=profile.community,
        name=profile.real_name,
        period_start=start,
        period_end=end,
        minutes=total,
        minutes_by_kind=by_kind,
    )


def party_report(profiles, start, end):
    """Hours of in-service party members by work unit: [{work_unit, members: [...], minutes}].
    `profiles` is an already scoped VolunteerProfile queryset."""
    period = Q(
        signups__attendance__status=Attendance.Status.CONFIRMED,  # only confirmed hours count
        signups__attendance__minutes__gt=0,
        signups__shift__cancelled_at__isnull=True,
        signups__shift__start__date__gte=start,
        signups__shift__start__date__lte=end,
    )
    members = (
        profiles.filter(is_party_member=True)
        .select_related("community")
        .annotate(
            total=Sum("signups__attendance__minutes", filter=period),
            shifts=Count("signups__attendance", filter=period),
        )
        .order_by("work_unit", "real_name")
    )
    units = defaultdict(lambda: {"members": [], "minutes": 0})
    for member in members:
        unit = units[member.work_unit or "—"]
        unit["members"].append(
            {
                "name": member.real_name,
                "community": member.community.name,
                "shifts": member.shifts,
                "minutes": member.total or 0,
                "hours": round((member.total or 0) / 60, 1),
            }
        )
        unit["minutes"] += member.total or 0
    return [
        {
            "work_unit": name,
            "members": data["members"],
            "minutes": data["minutes"],
            "hours": round(data["minutes"] / 60, 1),
        }
        for name, data in sorted(units.items())
    ]


def due_reminders(now=None, within=None):
    now = now or timezone.now()
    within = within or timedelta(hours=settings.VOLUNTEERS_REMINDER_HOURS)
    return Signup.objects.filter(
        status=Signup.Status.CONFIRMED,
        reminded_at__isnull=True,
        shift__cancelled_at__isnull=True,
        shift__start__gt=now,
        shift__start__lte=now + within,
    )


def send_shift_reminders(now=None, within=None):
    """Remind everyone whose shift starts soon, once: the reminded_at flag is claimed by a
    conditional update before the message is queued, so reruns and parallel runs don't repeat."""
    sent = 0
    now = now or timezone.now()
    for signup in due_reminders(now, within).select_related(
        "shift__task__community", "shift__task__post__compound", "profile__user"
    ):
        with transaction.atomic():
            claimed = Signup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if claimed and signup.profile.user_id:
                notify(
                    signup.profile.user,
                    "volunteers/notify/reminder",
                    {**_shift_context(signup.shift), "link": site_url("volunteers:my_page")},
                )
                sent += 1
    return sent
