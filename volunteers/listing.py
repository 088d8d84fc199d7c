"""What the volunteer's own pages read: her shift list (nearest first, a page at a time) and
her own page's contents. The views in volunteers/views.py keep them as fragments
(portal.fragments)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.safestring import mark_safe

from portal.links import site_url
from portal.paging import page_without_count

from . import services
from .forms import CertificateForm, ShiftFilterForm
from .models import Shift, Signup
from .services import waitlist
from .shift_list import _nearest_first, open_shifts_queryset  # noqa: F401 - read from here too

OPEN_SHIFT_DAYS = 14


def _shifts_context(request, profile):
    form = ShiftFilterForm(request.GET or None)
    now = timezone.now()
    # full shifts too: they show 已满 with their waiting list (and her place on it)
    queryset = (
        Shift.objects.upcoming()
        .public()
        .select_related("task__community", "task__compound", "task__post__compound")
    )
    if profile is not None:
        queryset = queryset.filter(task__community__subdistrict_id=profile.community.subdistrict_id)
    if form.is_valid() and form.cleaned_data.get("date"):
        day = form.cleaned_data["date"]
        queryset = queryset.filter(start__date=day)
    else:
        queryset = queryset.filter(start__lte=now + timedelta(days=OPEN_SHIFT_DAYS))
    if form.is_valid() and form.cleaned_data.get("kind"):
        queryset = queryset.filter(task__kind=form.cleaned_data["kind"])
    # no count of every open shift: "Earlier" and "Later" are all the list offers
    if profile is None:
        page = page_without_count(queryset.order_by("start", "pk"), request.GET.get("page"), 30)
    else:
        page = page_without_count(
            lambda stop: _nearest_first(queryset, profile, stop), request.GET.get("page"), 30
        )
    waitlist.mark_waiting_lists(page.object_list, profile)
    query = request.GET.copy()
    query.pop("page", None)
    return {"form": form, "page": page, "profile": profile, "query": query.urlencode()}


RECOMMENDED_SLOT = "<!-- recommended -->"


def _my_page_context(profile):
    from .messages_views import own_messages
    from .waitlist_views import own_lists

    now = timezone.now()
    signups = Signup.objects.filter(profile=profile).select_related(
        "shift__task__community",
        "shift__task__post__compound",
        "shift__task__compound",
        "attendance",
    )
    upcoming = (
        signups.expected()
        .filter(shift__end__gt=now, shift__cancelled_at__isnull=True)
        .order_by("shift__start")
    )
    past = signups.holding().filter(shift__end__lte=now).order_by("-shift__start")[:20]
    month_start, month_end = services.month_bounds(timezone.localdate())
    calendar_url = site_url("volunteers:calendar", profile.calendar_token)
    total, month = services.minutes_served_in_all_and_in(profile, month_start, month_end)
    return {
        "profile": profile,
        "upcoming": upcoming,
        "past": past,
        "hours_month": round(month / 60, 1),
        "hours_total": round(total / 60, 1),
        **hours_context(profile),
        "calendar_url": calendar_url,
        "webcal_url": calendar_url.replace("https://", "webcal://").replace("http://", "webcal://"),
        "certificate_form": CertificateForm(initial={"start": month_start, "end": month_end}),
        "cutoff_hours": int(services.withdraw_cutoff().total_seconds() // 3600),
        # a shift starting sooner cannot be given back online: no button that can only fail
        "withdraw_until": now + services.withdraw_cutoff(),
        "recommended_slot": mark_safe(RECOMMENDED_SLOT),  # noqa: S308 - a constant comment
        **own_lists(profile),
        **own_messages(profile),
    }


def hours_context(profile):
    """Confirmed and awaiting hours and the star level (issue 14.3, 14.4)."""
    from .services.hours import hours_summary
    from .services.stars import star_level_for

    level = star_level_for(profile)
    return {
        "hours_pending": hours_summary(profile)["pending_hours"],
        "star_level": level,
        "star_text": "★" * level,
    }
