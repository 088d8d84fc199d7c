"""The on-call roster (备勤): volunteers mark the nights they can be rung for an urgent help
request, and an urgent request recorded during a night offers its delivery to that night's
on-call volunteers first, nearest the household first (same compound, then same community).

A night is NIGHT_STARTS on its date until NIGHT_ENDS the next morning, Beijing time; outside
those hours nobody is on call and deliveries are suggested as any shift (matching's ranking).
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import HelpRequest, OnCallNight

NIGHT_STARTS = time(18, 0)
NIGHT_ENDS = time(8, 0)
# How far ahead a volunteer may mark nights: two weeks, like the shifts they see.
NIGHTS_AHEAD = 14


def night_of(moment=None):
    """The night (its date) `moment` falls in, or None in the daytime."""
    local = timezone.localtime(moment or timezone.now())
    if local.time() >= NIGHT_STARTS:
        return local.date()
    if local.time() < NIGHT_ENDS:
        return local.date() - timedelta(days=1)
    return None


def nights_ahead(now=None):
    """The nights a volunteer may mark now: tonight (or the night still running) and the
    NIGHTS_AHEAD - 1 after it."""
    first = night_of(now) or timezone.localtime(now or timezone.now()).date()
    return [first + timedelta(days=k) for k in range(NIGHTS_AHEAD)]


def night_bounds(night):
    """[start, end) of a night as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(night, NIGHT_STARTS), tz)
    end = timezone.make_aware(datetime.combine(night + timedelta(days=1), NIGHT_ENDS), tz)
    return start, end


def marked_nights(profile, now=None):
    """The nights ahead `profile` has marked."""
    ahead = nights_ahead(now)
    return set(
        OnCallNight.objects.filter(profile=profile, night__in=ahead).values_list("night", flat=True)
    )


@transaction.atomic
def set_on_call_nights(profile, nights, *, by, now=None):
    """The volunteer's own choice of nights among nights_ahead(): those ticked are on call,
    the others are not. Only a verified volunteer marks nights, and only their own."""
    from volunteers.models import VolunteerProfile

    if by is None or profile.user_id != by.pk:
        raise PermissionDenied
    if profile.status != VolunteerProfile.Status.VERIFIED:
        from .services import AssistanceError

        raise AssistanceError(
            _("Your community has not confirmed you yet; you can be on call once it has."),
            code="not_verified",
        )
    ahead = nights_ahead(now)
    chosen = {night for night in nights if night in ahead}
    OnCallNight.objects.filter(profile=profile, night__in=ahead).exclude(night__in=chosen).delete()
    have = set(
        OnCallNight.objects.filter(profile=profile, night__in=chosen).values_list(
            "night", flat=True
        )
    )
    OnCallNight.objects.bulk_create(
        [OnCallNight(profile=profile, night=night) for night in sorted(chosen - have)],
        ignore_conflicts=True,
    )
    return chosen


def on_call_ids(now=None):
    """Ids of the verified volunteers on call right now (none in the daytime)."""
    from volunteers.models import VolunteerProfile

    night = night_of(now)
    if night is None:
        return set()
    return set(
        OnCallNight.objects.filter(
            night=night, profile__status=VolunteerProfile.Status.VERIFIED
        ).values_list("profile_id", flat=True)
    )


def _nearness(request, profile):
    if request.compound_id and profile.compound_id == request.compound_id:
        return 0
    if profile.community_id == request.community_id:
        return 1
    return 2


def suggest_for_request(request, shift, *, top=10, now=None):
    """Suggestions for a request's delivery shift: for an urgent request at night, the
    volunteers on call come first, nearest the household first (same compound, then same
    community, then by score), each marked `on_call`; then everyone else, as matching ranks
    them. Only candidates of the shift (every hard rule of matching) are suggested."""
    from volunteers.matching import rank_for_shift

    standby = on_call_ids(now) if request.urgency == HelpRequest.Urgency.URGENT else set()
    if not standby:
        return rank_for_shift(shift, top=top)
    first = rank_for_shift(shift, top=top, among=standby)
    for suggestion in first:
        suggestion.on_call = True
    # stable: within the same nearness, matching's order (by score) stays
    first.sort(key=lambda s: _nearness(request, s.profile))
    rest = rank_for_shift(shift, top=max(top - len(first), 0), exclude=standby)
    return first + rest
