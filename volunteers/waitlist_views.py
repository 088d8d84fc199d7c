"""Public pages of waiting lists and handovers: join or leave a full shift's waiting list,
answer an offered place (from the SMS link or the own page), hand one's place to another
volunteer and answer a handover. Thin: each calls volunteers.services and shows its message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.security import private_response

from . import services
from .models import Shift, Signup, SwapOffer, WaitlistEntry
from .services import swaps, waitlist
from .views import _error_text, _profile


def own_lists(profile):
    """What the own page shows of waiting lists and handovers."""
    entries = list(
        WaitlistEntry.objects.filter(profile=profile, status__in=WaitlistEntry.LIVE)
        .select_related("shift__task__community", "shift__task__post__compound")
        .order_by("shift__start")
    )
    for entry in entries:
        entry.position = waitlist.position(entry) if entry.status == "waiting" else None
    return {
        "waiting": entries,
        "swaps_to_me": SwapOffer.objects.filter(
            receiver=profile, status=SwapOffer.Status.OFFERED
        ).select_related("signup__shift__task__community", "signup__profile"),
        "swaps_from_me": SwapOffer.objects.filter(
            signup__profile=profile, status__in=SwapOffer.OPEN
        ).select_related("signup__shift__task", "receiver"),
    }


@login_required
@require_POST
def join(request, pk):
    shift = get_object_or_404(Shift.objects.visible_to(request.user), pk=pk)
    profile = _profile(request.user)
    if profile is None:
        return redirect("volunteers:index")
    try:
        services.join_waitlist(profile, shift)
    except services.SignupError as error:
        if error.code != "duplicate":
            messages.error(request, _error_text(error))
            return redirect("volunteers:shift", pk=shift.pk)
    messages.success(request, _("You are on the waiting list. We will text you if a place frees."))
    return redirect("volunteers:shift", pk=shift.pk)


def _own_entry(request, pk):
    profile = _profile(request.user)
    if profile is None:
        raise Http404
    return profile, get_object_or_404(WaitlistEntry, pk=pk, profile=profile)


@login_required
@require_POST
def answer(request, pk, action):
    """Accept, decline or leave, from the own page."""
    if action not in ("accept", "decline", "leave"):
        raise Http404
    profile, entry = _own_entry(request, pk)
    return _answer(request, profile, entry, action, "volunteers:my_page")


def _answer(request, profile, entry, action, then):
    try:
        if action == "accept":
            services.accept_offer(profile, entry)
            messages.success(request, _("You are signed up for this shift."))
            return redirect("volunteers:my_page" if request.user.is_authenticated else then)
        if action == "decline":
            services.decline_offer(profile, entry)
            messages.info(request, _("The place goes to the next person on the list."))
        else:
            services.leave_waitlist(profile, entry)
            messages.info(request, _("You have left the waiting list."))
    except services.SignupError as error:
        messages.error(request, _error_text(error))
    return redirect(then)


@private_response
def offer(request, token):
    """The link in the offer SMS: the entry's id, signed and dated (no personal data). Opening
    it changes nothing (link previews open links too); the buttons post back here. The link
    is the volunteer's key, so it works without logging in from the phone it was sent to."""
    entry = waitlist.entry_from_token(token)
    if entry is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("accept", "decline"):
            raise Http404
        return _answer(request, entry.profile, entry, action, request.path)
    waitlist.expire_offers(shift_id=entry.shift_id)
    entry.refresh_from_db()
    return render(request, "volunteers/waitlist_offer.html", {"entry": entry})


# --- handovers ---


@login_required
def swap_start(request, pk):
    """The giver names who takes their place (by the mobile number they know)."""
    profile = _profile(request.user)
    if profile is None:
        raise Http404
    signup = get_object_or_404(
        Signup.objects.select_related("shift__task__community"),
        pk=pk,
        profile=profile,
        status=Signup.Status.CONFIRMED,
    )
    error = None
    if request.method == "POST":
        try:
            swaps.offer_swap(profile, signup, request.POST.get("mobile", ""))
        except services.SignupError as refusal:
            error = _error_text(refusal)
        else:
            messages.success(
                request, _("We have asked them; the place is theirs once they accept.")
            )
            return redirect("volunteers:my_page")
    return render(request, "volunteers/swap_start.html", {"signup": signup, "error": error})


@login_required
@require_POST
def swap_answer(request, pk, action):
    profile = _profile(request.user)
    if profile is None or action not in ("accept", "decline", "cancel"):
        raise Http404
    if action == "cancel":
        swap = get_object_or_404(SwapOffer, pk=pk, signup__profile=profile)
    else:
        swap = get_object_or_404(SwapOffer, pk=pk, receiver=profile)
    try:
        if action == "accept":
            swap = swaps.accept_swap(profile, swap)
            if swap.status == SwapOffer.Status.DONE:
                messages.success(request, _("You are signed up for this shift."))
            else:
                messages.info(request, _("Accepted; the community will approve the handover."))
        elif action == "decline":
            swaps.decline_swap(profile, swap)
            messages.info(request, _("You declined the handover."))
        else:
            swaps.cancel_swap(profile, swap)
            messages.info(request, _("The handover is withdrawn; the place stays yours."))
    except services.SignupError as error:
        messages.error(request, _error_text(error))
    return redirect("volunteers:my_page")
