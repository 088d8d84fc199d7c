"""Waiting lists of full shifts: join, leave, offers of freed places, accept, decline, expiry.

Counting rule (as for sign-ups): an offer *holds* the freed place. It is made only after the
same conditional UPDATE that takes a place at sign-up (`taken < places`) succeeded, and the
entry moves waiting -> offered by a conditional UPDATE on its status; accepting turns the held
place into a Signup without counting it again. Accept, decline, leave and expiry each move the
entry out of `offered` by a conditional UPDATE, so exactly one of them wins and the place is
released (and offered to the next) at most once. The database backs it: one live entry per
person and shift, an accepted entry keys exactly one sign-up, and Shift.taken stays within
0..places.

When a place frees (a withdrawal, a removal, more places on the shift, a lapsed offer) it is
offered inside that same transaction to the first waiting volunteer who passes the one
eligibility check (volunteers.matching.check_eligibility); those who do not are skipped and
keep their turn. The offer goes out by SMS with a signed link (the entry's id only) and shows
on the volunteer's own page. Lapsed offers are passed on by `manage.py expire_waitlist_offers`
(every few minutes) and also whenever someone opens or answers an offer of that shift.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit, tokens
from portal.links import site_url
from portal.notify import notify

from ..matching import check_eligibility
from ..models import Shift, Signup, VolunteerProfile, WaitlistEntry
from .base import SignupError, VolunteerError, _ensure_staff, _shift_context

logger = logging.getLogger(__name__)

OFFER_SIGNING_KIND = "volunteers.waitlist_offer"
# How many waiting people one freed place looks through for an eligible one.
SCAN_LIMIT = 50


def offer_minutes():
    return settings.VOLUNTEERS_WAITLIST_OFFER_MINUTES


def offer_token(entry):
    return tokens.sign(OFFER_SIGNING_KIND, entry.pk, expires=True)


def entry_from_token(token):
    """The entry a link in an offer SMS points at, or None (forged, altered or too old)."""
    # a day of slack past the offer's own expiry; the entry's status decides the rest
    max_age = timedelta(minutes=offer_minutes()) + timedelta(days=1)
    try:
        pk = tokens.verify(OFFER_SIGNING_KIND, token, max_age=max_age)
    except tokens.InvalidToken:
        return None
    if not isinstance(pk, int):
        return None
    return (
        WaitlistEntry.objects.select_related("shift__task__community", "profile")
        .filter(pk=pk)
        .first()
    )


def _lock_profile(profile):
    return VolunteerProfile.objects.select_for_update().get(pk=profile.pk)


def _release_place(shift_id):
    Shift.objects.filter(pk=shift_id, taken__gt=0).update(taken=F("taken") - 1)


def position(entry):
    """1 for the first still waiting, ... (offered entries are not in the queue any more)."""
    return (
        WaitlistEntry.objects.filter(shift_id=entry.shift_id, status=WaitlistEntry.Status.WAITING)
        .filter(created_at__lte=entry.created_at)
        .exclude(created_at=entry.created_at, pk__gt=entry.pk)
        .count()
    )


def _ahead_or_same(entry_ref="pk"):
    """Waiting entries of the same shift that joined no later than the outer entry."""
    return WaitlistEntry.objects.filter(
        shift_id=OuterRef("shift_id"), status=WaitlistEntry.Status.WAITING
    ).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef(entry_ref))
    )


def queue_lengths(shift_ids):
    """{shift id: how many are waiting} for those shifts (one query; absent means none)."""
    return dict(
        WaitlistEntry.objects.filter(shift_id__in=shift_ids, status=WaitlistEntry.Status.WAITING)
        .values_list("shift_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def live_entries(profile, shift_ids):
    """{shift id: her live entry} with `.position` (None once offered), in one query."""
    ahead = _ahead_or_same().order_by().values("shift_id").annotate(n=Count("pk")).values("n")
    entries = (
        WaitlistEntry.objects.filter(
            profile=profile, shift_id__in=shift_ids, status__in=WaitlistEntry.LIVE
        )
        .annotate(queue_position=Subquery(ahead, output_field=IntegerField()))
        .order_by()
    )
    found = {}
    for entry in entries:
        waiting = entry.status == WaitlistEntry.Status.WAITING
        entry.position = entry.queue_position if waiting else None
        found[entry.shift_id] = entry
    return found


def mark_waiting_lists(shifts, profile):
    """For a listed page of shifts: each gets `queue` (how many wait for it) and `waiting`
    (`profile`'s live entry on its list, with her position, or None). Two queries whatever
    the page's length."""
    ids = [shift.pk for shift in shifts]
    queues = queue_lengths(ids) if ids else {}
    entries = live_entries(profile, ids) if ids and profile is not None else {}
    for shift in shifts:
        shift.queue = queues.get(shift.pk, 0)
        shift.waiting = entries.get(shift.pk)


def join_waitlist(profile, shift):
    """Queue `profile` for a full `shift`. They must be allowed on it (the one eligibility
    check), not on it already and not queued already."""
    with transaction.atomic():
        profile = _lock_profile(profile)
        shift = Shift.objects.select_related("task__community").get(pk=shift.pk)
        if shift.task.invite_only:
            raise SignupError(
                _("This shift is by invitation only; your community will ask you if needed."),
                code="invite_only",
            )
        if Signup.objects.live().filter(shift=shift, profile=profile).exists():
            raise SignupError(_("You have already signed up for this shift."), code="duplicate")
        if (
            WaitlistEntry.objects.filter(shift=shift, profile=profile)
            .filter(status__in=WaitlistEntry.LIVE)
            .exists()
        ):
            raise SignupError(
                _("You are already on the waiting list of this shift."), code="duplicate"
            )
        check_eligibility(profile, shift)
        if shift.places_left > 0:
            raise SignupError(
                _("This shift still has a free place: sign up for it instead."), code="not_full"
            )
        try:
            with transaction.atomic():
                return WaitlistEntry.objects.create(shift=shift, profile=profile)
        except IntegrityError as error:  # pragma: no cover - the profile lock prevents it
            raise SignupError(
                _("You are already on the waiting list of this shift."), code="duplicate"
            ) from error


def offer_freed_places(shift_id):
    """Offer every free place of the shift to the first eligible waiting volunteers; call it
    inside the transaction that freed the place. Returns the entries offered a place."""
    offered = []
    shift = (
        Shift.objects.select_related("task__community", "task__post__compound", "task__compound")
        .filter(pk=shift_id)
        .first()
    )
    if shift is None or shift.cancelled_at or shift.start <= timezone.now():
        return offered
    on_it = Signup.objects.live().filter(shift=shift, profile=OuterRef("profile"))
    waiting = list(
        WaitlistEntry.objects.filter(shift=shift, status=WaitlistEntry.Status.WAITING)
        .exclude(Exists(on_it))  # got a place by themselves meanwhile
        .select_related("profile__user")
        .order_by("created_at", "pk")[:SCAN_LIMIT]
    )
    for entry in waiting:
        try:
            check_eligibility(entry.profile, shift)
        except SignupError:
            continue  # not now (another shift at that time, ...): keeps their turn
        # the same guarded UPDATE as a sign-up: a place is held only if one is free
        held = Shift.objects.filter(
            pk=shift.pk,
            cancelled_at__isnull=True,
            start__gt=timezone.now(),
            taken__lt=F("places"),
        ).update(taken=F("taken") + 1)
        if not held:
            break
        now = timezone.now()
        expires = min(now + timedelta(minutes=offer_minutes()), shift.start)
        moved = WaitlistEntry.objects.filter(
            pk=entry.pk, status=WaitlistEntry.Status.WAITING
        ).update(status=WaitlistEntry.Status.OFFERED, offered_at=now, offer_expires_at=expires)
        if not moved:  # left the list this very moment: the place is free again
            _release_place(shift.pk)
            continue
        entry.status, entry.offered_at, entry.offer_expires_at = (
            WaitlistEntry.Status.OFFERED,
            now,
            expires,
        )
        offered.append(entry)
        if entry.profile.user_id:
            local = timezone.localtime(expires)
            notify(
                entry.profile.user,
                "volunteers/notify/waitlist_offer",
                {
                    **_shift_context(shift),
                    "until": local.strftime("%m-%d %H:%M"),
                    "link": site_url("volunteers:waitlist_offer", offer_token(entry)),
                },
            )
    return offered


def _end_offer(entry_id, status, *, profile=None, lapsed=False, **fields):
    """Move an offer out of `offered` (one conditional UPDATE), release its place and offer it
    to the next; False when someone else already ended it."""
    now = timezone.now()
    with transaction.atomic():
        query = WaitlistEntry.objects.filter(pk=entry_id, status=WaitlistEntry.Status.OFFERED)
        if profile is not None:
            query = query.filter(profile=profile)
        if lapsed:
            query = query.filter(offer_expires_at__lte=now)
        shift_id = query.values_list("shift_id", flat=True).first()
        if shift_id is None or not query.update(status=status, ended_at=now, **fields):
            return False
        _release_place(shift_id)
        offer_freed_places(shift_id)
    return True


def accept_offer(profile, entry):
    """Take the place held for `profile`: it becomes a confirmed sign-up (counted once).
    An offer that lapsed or that they may no longer take is passed on to the next."""
    expire_offers(shift_id=entry.shift_id)
    refusal = None
    with transaction.atomic():
        profile = _lock_profile(profile)
        entry = WaitlistEntry.objects.select_related("shift").get(pk=entry.pk)
        if entry.profile_id != profile.pk or entry.status != WaitlistEntry.Status.OFFERED:
            raise SignupError(_("This offer is no longer open."), code="state")
        try:
            if Signup.objects.live().filter(shift=entry.shift, profile=profile).exists():
                raise SignupError(_("You have already signed up for this shift."), code="duplicate")
            check_eligibility(profile, entry.shift)
        except SignupError as error:
            refusal = error
        else:
            now = timezone.now()
            signup = Signup.objects.create(
                shift=entry.shift, profile=profile, status=Signup.Status.CONFIRMED, confirmed_at=now
            )
            accepted = WaitlistEntry.objects.filter(
                pk=entry.pk, status=WaitlistEntry.Status.OFFERED, offer_expires_at__gt=now
            ).update(status=WaitlistEntry.Status.ACCEPTED, signup=signup, ended_at=now)
            if not accepted:
                raise SignupError(_("This offer is no longer open."), code="state")
            entry.status, entry.signup = WaitlistEntry.Status.ACCEPTED, signup
            return signup
    # may not take it any more (another shift at that time, ...): the next one gets it
    _end_offer(entry.pk, WaitlistEntry.Status.DECLINED, profile=profile)
    raise refusal


def decline_offer(profile, entry):
    if not _end_offer(entry.pk, WaitlistEntry.Status.DECLINED, profile=profile):
        raise SignupError(_("This offer is no longer open."), code="state")
    entry.status = WaitlistEntry.Status.DECLINED
    return entry


def leave_waitlist(profile, entry):
    """The volunteer leaves the queue (giving up a place offered to them, if one is)."""
    left = WaitlistEntry.objects.filter(
        pk=entry.pk, profile=profile, status=WaitlistEntry.Status.WAITING
    ).update(status=WaitlistEntry.Status.LEFT, ended_at=timezone.now())
    if not left and not _end_offer(entry.pk, WaitlistEntry.Status.LEFT, profile=profile):
        raise SignupError(_("You are not on the waiting list of this shift."), code="state")
    entry.status = WaitlistEntry.Status.LEFT
    return entry


def remove_from_waitlist(entry, by, reason):
    """A coordinator takes someone off a shift's waiting list, saying why (audited; the reason
    is kept on the entry, and they are told it). An offered place they held goes to the next
    in line."""
    _ensure_staff(by, entry)
    reason = (reason or "").strip()[:200]
    if not reason:
        raise VolunteerError(_("Say why the person is taken off the waiting list."), code="reason")
    now = timezone.now()
    with transaction.atomic():
        removed = WaitlistEntry.objects.filter(
            pk=entry.pk, status=WaitlistEntry.Status.WAITING
        ).update(status=WaitlistEntry.Status.REMOVED, ended_at=now, end_reason=reason)
        if not removed:  # an open offer: its held place goes to the next in line
            removed = _end_offer(entry.pk, WaitlistEntry.Status.REMOVED, end_reason=reason)
        if not removed:
            raise VolunteerError(_("This person is no longer on the waiting list."), code="state")
        audit.record(
            "volunteers.waitlist.remove", user=by, obj=entry, shift=entry.shift_id, reason=reason
        )
        entry = WaitlistEntry.objects.select_related("shift__task__community", "profile__user").get(
            pk=entry.pk
        )
        if entry.profile.user_id:
            notify(
                entry.profile.user,
                "volunteers/notify/waitlist_removed",
                {**_shift_context(entry.shift), "reason": reason},
            )
    return entry


def expire_offers(now=None, shift_id=None):
    """Pass every lapsed offer on to the next in line and close the lists of shifts that have
    started; returns how many offers lapsed. Idempotent (`manage.py expire_waitlist_offers`)."""
    now = now or timezone.now()
    lapsed = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now
    )
    started = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.WAITING, shift__start__lte=now
    )
    if shift_id is not None:
        lapsed, started = lapsed.filter(shift_id=shift_id), started.filter(shift_id=shift_id)
    count = 0
    for pk in list(lapsed.order_by("offer_expires_at", "pk").values_list("pk", flat=True)):
        count += _end_offer(pk, WaitlistEntry.Status.EXPIRED, lapsed=True)
    started.update(status=WaitlistEntry.Status.CLOSED, ended_at=now)
    return count


def close_waitlist(shift):
    """The shift was cancelled: nobody waits for it any more (its places were released)."""
    return WaitlistEntry.objects.filter(shift=shift, status__in=WaitlistEntry.LIVE).update(
        status=WaitlistEntry.Status.CLOSED, ended_at=timezone.now()
    )
