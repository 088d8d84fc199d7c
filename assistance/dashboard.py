"""The coordinator's dashboard figures, scoped to what the user may see."""

from datetime import timedelta

from django.db.models import F, Sum
from django.utils import timezone

from portal.scoping import scope

from . import services
from .models import HelpRequest


def figures(user, now=None):
    from volunteers.models import Shift, VolunteerProfile

    now = now or timezone.now()
    shifts = scope(
        Shift.objects.filter(
            cancelled_at__isnull=True, start__gt=now, start__lte=now + timedelta(hours=48)
        ),
        user,
    )
    open_places = shifts.aggregate(n=Sum(F("places") - F("taken")))["n"] or 0
    requests = scope(HelpRequest.objects.all(), user)
    urgent_open = requests.filter(urgency=HelpRequest.Urgency.URGENT).exclude(
        status__in=[HelpRequest.Status.DELIVERED, HelpRequest.Status.CLOSED]
    )
    today = timezone.localdate(now)
    return {
        # each count links to its list, filtered to what it counts (dashboard_panel.html)
        "from_date": today.isoformat(),
        "until_date": (today + timedelta(days=2)).isoformat(),
        "open_places": open_places,
        "urgent": urgent_open.count(),
        "overdue": services.overdue_urgent(requests, now).count(),
        "low_stock": services.low_stock(requests),
        "pending": scope(
            VolunteerProfile.objects.filter(status=VolunteerProfile.Status.PENDING), user
        ).count(),
    }
