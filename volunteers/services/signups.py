"""Places on shifts: sign-up, withdrawal, removal, invitations and what follows a decline.

Counting rule: Shift.taken changes only through conditional UPDATEs (`taken < places`), and a
volunteer's overlapping-shift check runs while their profile row is locked (select_for_update),
so two sign-ups of the same person are serialised and the last place goes to exactly one.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.links import site_url
from portal.notify import notify

from ..matching import check_eligibility
from ..models import Shift, Signup, VolunteerProfile
from .base import (
    SignupError,
    VolunteerError,
    _ensure_staff,
    _shift_context,
    withdraw_cutoff,
)
from .waitlist import offer_freed_places


def _lock_profile(profile):
    return VolunteerProfile.objects.select_for_update().get(pk=profile.pk)


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
    raise SignupError(
        _("Many people are signing up right now; please try again."), code="busy"
    ) from contention


def _sign_up(profile, shift):
    with transaction.atomic():
        profile = _lock_profile(profile)
        # what check_eligibility reads of the shift, in the same query
        shift = Shift.objects.select_related(
            "task__post", "task__community", "task__project__team"
        ).get(pk=shift.pk)
        live = Signup.objects.live().filter(shift=shift, profile=profile).first()
        if live is not None and live.status != Signup.Status.INVITED:
            raise SignupError(_("You have already signed up for this shift."), code="duplicate")
        if live is None and shift.task.invite_only:
            raise SignupError(
                _("This shift is by invitation only; your community will ask you if needed."),
                code="invite_only",
            )
        check_eligibility(profile, shift)
        _take_place(shift)
        now = timezone.now()
        if live is not None:
            live.status = Signup.Status.CONFIRMED
            live.confirmed_at = now
            live.save(update_fields=["status", "confirmed_at"])
            return live
        try:  # no savepoint: the refusal leaves the transaction, which rolls back the place
            return Signup.objects.create(
                shift=shift, profile=profile, confirmed_at=now, status=Signup.Status.CONFIRMED
            )
        except IntegrityError as error:  # the profile lock keeps it from happening
            raise SignupError(
                _("You have already signed up for this shift."), code="duplicate"
            ) from error


def _end_signup(signup, status, reason=""):
    """Release the place a live sign-up holds; False when someone else already ended it."""
    held = signup.holds_place
    ended = Signup.objects.filter(pk=signup.pk, status=signup.status).update(
        status=status, ended_at=timezone.now(), end_reason=reason
    )
    if ended and held:
        Shift.objects.filter(pk=signup.shift_id, taken__gt=0).update(taken=F("taken") - 1)
        offer_freed_places(signup.shift_id)  # the waiting list comes first (services.waitlist)
    signup.status = status
    signup.end_reason = reason
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
                _(
                    "It is too late to withdraw (less than %(hours)s hours before the start); "
                    "please call your community."
                )
                % {"hours": hours},
                code="cutoff",
            )
        if not _end_signup(signup, Signup.Status.WITHDRAWN):
            raise SignupError(_("You are not signed up for this shift."), code="state")
    return signup


def remove_from_shift(signup, by, reason):
    """A coordinator takes a person off a shift (they called in sick, ...); the place is open
    again, the person is told why, and they are not proposed for that shift again (an ended
    sign-up, see Signup.ENDED). The reason is required: the person and the trail both read it."""
    _ensure_staff(by, signup)
    reason = (reason or "").strip()[:250]
    if not reason:
        raise VolunteerError(_("Say why the person is taken off the shift."), code="reason")
    with transaction.atomic():
        signup = Signup.objects.select_related("shift__task__community", "profile__user").get(
            pk=signup.pk
        )
        if not signup.is_expected or not _end_signup(signup, Signup.Status.CANCELLED, reason):
            raise VolunteerError(_("This person is not on the shift."), code="state")
        audit.record(
            "volunteers.signup.remove", user=by, obj=signup, shift=signup.shift_id, reason=reason
        )
        if signup.profile.user_id:
            notify(
                signup.profile.user,
                "volunteers/notify/removed",
                {**_shift_context(signup.shift), "reason": reason},
            )
    return signup


def invite(shift, profile, by):
    """Invite a verified volunteer to a shift; the place is theirs only once they accept."""
    _ensure_staff(by, shift)
    with transaction.atomic():
        profile = _lock_profile(profile)
        shift = Shift.objects.select_related("task__community").get(pk=shift.pk)
        if Signup.objects.live().filter(shift=shift, profile=profile).exists():
            raise SignupError(
                _("This volunteer is already on or invited to this shift."), code="duplicate"
            )
        check_eligibility(profile, shift)
        if shift.places_left <= 0:
            raise SignupError(_("This shift is full."), code="full")
        signup = Signup.objects.create(
            shift=shift, profile=profile, invited_by=by, status=Signup.Status.INVITED
        )
        if profile.user_id:
            notify(
                profile.user,
                "volunteers/notify/invitation",
                {**_shift_context(shift), "link": site_url("volunteers:my_page")},
            )
    return signup


def accept_invitation(profile, signup):
    if signup.status != Signup.Status.INVITED or signup.profile_id != profile.pk:
        raise SignupError(_("This invitation is no longer open."), code="state")
    return sign_up(profile, signup.shift)


def decline_invitation(profile, signup):
    with transaction.atomic():
        declined = Signup.objects.filter(
            pk=signup.pk, profile=profile, status=Signup.Status.INVITED
        ).update(status=Signup.Status.DECLINED, ended_at=timezone.now())
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
    from ..matching import offer_declined_places

    signup = Signup.objects.select_related("shift", "invited_by", "profile").get(pk=signup_id)
    sent = []
    if signup.invited_by is not None and not signup.shift.is_cancelled:
        try:
            sent = offer_declined_places(signup.shift, signup.invited_by)
        except (PermissionDenied, ValidationError):
            logger.warning("No new invitation after decline of signup %s", signup_id, exc_info=True)
    invitation_declined.send(sender=Signup, signup=signup, sent=sent)
    return sent
