"""What every volunteering operation shares: its errors and the links and wording of its
notifications."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.scoping import can_access

ANONYMOUS_NAME = "已注销志愿者"


class VolunteerError(ValidationError):
    """A rule of volunteering was broken; the message is for the person who tried."""


class SignupError(VolunteerError):
    pass


def withdraw_cutoff():
    return timedelta(hours=settings.VOLUNTEERS_WITHDRAW_CUTOFF_HOURS)


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
