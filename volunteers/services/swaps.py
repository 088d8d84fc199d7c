"""Handing one's place on a shift to another volunteer (换班).

The giver names the receiver by the mobile number they know (nothing is revealed about a
number that is not a volunteer's, or about why someone cannot take the shift). The receiver
must pass the one eligibility check (volunteers.matching.check_eligibility) when the offer is
made and again when the place moves. When the task says handovers need approval
(Task.swaps_need_approval) the receiver's yes waits for a coordinator's approval.

The place moves without ever being free: the giver's sign-up ends (withdrawn) and the receiver
gets a new confirmed one in one transaction, with both profiles locked in primary-key order,
so Shift.taken does not change and no one else can slip in. Attendance and hours belong to
the sign-up of whoever served, so they stay with the one who actually came.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.links import site_url
from portal.notify import notify
from portal.validators import MOBILE_RE, normalize_mobile

from ..matching import check_eligibility
from ..models import Signup, SwapOffer, VolunteerProfile
from .base import SignupError, VolunteerError, _ensure_staff, _shift_context

NOT_POSSIBLE = _(
    "We cannot hand this shift to that number: it is not a volunteer who may take this shift "
    "now. Check the number, or ask them to sign up for it themselves."
)


def _lock(*profiles):
    """Lock the profiles in primary-key order (no deadlock between two handovers)."""
    pks = sorted({p.pk for p in profiles})
    locked = {p.pk: p for p in VolunteerProfile.objects.select_for_update().filter(pk__in=pks)}
    return [locked[p.pk] for p in profiles]


def _eligible(receiver, shift):
    if Signup.objects.live().filter(shift=shift, profile=receiver).exists():
        return False
    try:
        check_eligibility(receiver, shift)
    except SignupError:
        return False
    return True


def offer_swap(giver, signup, mobile):
    """The giver offers their confirmed place to the volunteer with this mobile number."""
    mobile = normalize_mobile(mobile)
    if not MOBILE_RE.match(mobile):
        mobile = ""
    with transaction.atomic():
        receiver = (
            VolunteerProfile.objects.filter(mobile=mobile, status=VolunteerProfile.Status.VERIFIED)
            .exclude(pk=giver.pk)
            .order_by("pk")
            .first()
            if mobile
            else None
        )
        if receiver is None:
            raise SignupError(NOT_POSSIBLE, code="receiver")
        giver, receiver = _lock(giver, receiver)
        signup = Signup.objects.select_related("shift__task__community").get(
            pk=signup.pk, profile=giver
        )
        if signup.status != Signup.Status.CONFIRMED:
            raise SignupError(_("You are not signed up for this shift."), code="state")
        if signup.shift.start <= timezone.now():
            raise SignupError(_("This shift has already started."), code="started")
        if not _eligible(receiver, signup.shift):
            raise SignupError(NOT_POSSIBLE, code="receiver")
        try:
            with transaction.atomic():
                swap = SwapOffer.objects.create(signup=signup, receiver=receiver)
        except IntegrityError as error:
            raise SignupError(
                _("You have already offered this shift to someone; withdraw that offer first."),
                code="duplicate",
            ) from error
        if receiver.user_id:
            notify(
                receiver.user,
                "volunteers/notify/swap_offer",
                {
                    **_shift_context(signup.shift),
                    "giver": giver.real_name,
                    "link": site_url("volunteers:my_page"),
                },
            )
    return swap


def _transfer(swap, by=None):
    """Move the place: giver's sign-up withdrawn, receiver's created; taken unchanged."""
    signup = swap.signup
    giver, receiver = _lock(signup.profile, swap.receiver)
    signup = Signup.objects.select_related("shift__task__community").get(pk=signup.pk)
    if signup.status != Signup.Status.CONFIRMED:
        raise SignupError(_("The place is no longer the giver's to hand on."), code="state")
    if not _eligible(receiver, signup.shift):
        raise SignupError(NOT_POSSIBLE, code="receiver")
    now = timezone.now()
    ended = Signup.objects.filter(pk=signup.pk, status=Signup.Status.CONFIRMED).update(
        status=Signup.Status.WITHDRAWN, ended_at=now
    )
    if not ended:  # pragma: no cover - the giver's profile lock serialises this
        raise SignupError(_("The place is no longer the giver's to hand on."), code="state")
    new = Signup.objects.create(
        shift=signup.shift, profile=receiver, status=Signup.Status.CONFIRMED, confirmed_at=now
    )
    moved = SwapOffer.objects.filter(pk=swap.pk, status__in=SwapOffer.OPEN).update(
        status=SwapOffer.Status.DONE, new_signup=new, decided_at=now, decided_by=by
    )
    if not moved:
        raise SignupError(_("This handover is no longer open."), code="state")
    swap.status, swap.new_signup = SwapOffer.Status.DONE, new
    context = _shift_context(signup.shift)
    for person in (giver, receiver):
        if person.user_id:
            notify(person.user, "volunteers/notify/swap_done", context)
    return swap


def _settle(swap, status, by=None, *, from_statuses=None):
    done = SwapOffer.objects.filter(pk=swap.pk, status__in=from_statuses or SwapOffer.OPEN).update(
        status=status, decided_at=timezone.now(), decided_by=by
    )
    swap.status = status
    return bool(done)


def accept_swap(receiver, swap):
    """The receiver says yes: the place moves now, or once a coordinator approves."""
    with transaction.atomic():
        swap = SwapOffer.objects.select_related("signup__shift__task", "signup__profile").get(
            pk=swap.pk
        )
        if swap.receiver_id != receiver.pk or swap.status != SwapOffer.Status.OFFERED:
            raise SignupError(_("This handover is no longer open."), code="state")
        if swap.signup.shift.task.swaps_need_approval:
            (receiver,) = _lock(receiver)
            if not _eligible(receiver, swap.signup.shift):
                raise SignupError(NOT_POSSIBLE, code="receiver")
            if not _settle(
                swap, SwapOffer.Status.ACCEPTED, from_statuses=[SwapOffer.Status.OFFERED]
            ):
                raise SignupError(_("This handover is no longer open."), code="state")
            return swap
        return _transfer(swap)


def decline_swap(receiver, swap):
    if swap.receiver_id != receiver.pk or not _settle(
        swap, SwapOffer.Status.DECLINED, from_statuses=[SwapOffer.Status.OFFERED]
    ):
        raise SignupError(_("This handover is no longer open."), code="state")
    return swap


def cancel_swap(giver, swap):
    if swap.signup.profile_id != giver.pk or not _settle(swap, SwapOffer.Status.CANCELLED):
        raise SignupError(_("This handover is no longer open."), code="state")
    return swap


def approve_swap(swap, by):
    """A coordinator of the shift's community approves an accepted handover."""
    _ensure_staff(by, swap)
    with transaction.atomic():
        swap = SwapOffer.objects.select_related("signup__profile", "receiver").get(pk=swap.pk)
        if swap.status != SwapOffer.Status.ACCEPTED:
            raise VolunteerError(_("This handover is not waiting for approval."), code="state")
        swap = _transfer(swap, by)
        audit.record("volunteers.swap.approve", user=by, obj=swap.new_signup, swap=swap.pk)
    return swap


def refuse_swap(swap, by):
    _ensure_staff(by, swap)
    with transaction.atomic():
        if not _settle(
            swap, SwapOffer.Status.REFUSED, by, from_statuses=[SwapOffer.Status.ACCEPTED]
        ):
            raise VolunteerError(_("This handover is not waiting for approval."), code="state")
        audit.record("volunteers.swap.refuse", user=by, obj=swap.signup, swap=swap.pk)
        swap = SwapOffer.objects.select_related("signup__profile", "receiver").get(pk=swap.pk)
        for person in (swap.signup.profile, swap.receiver):
            if person.user_id:
                notify(
                    person.user, "volunteers/notify/swap_refused", _shift_context(swap.signup.shift)
                )
    return swap
