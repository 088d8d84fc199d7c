"""Back-office pages of waiting lists and handovers (volunteers/services/waitlist.py, swaps.py):
a shift's waiting list (who, since when, offers and how they ended; a coordinator removes an
entry with a reason) and the handovers waiting for a coordinator's approval. Everything is fetched through
portal.scoping, so another community's records answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.admin import show_error
from portal.scoping import get_scoped_or_404, scope

from . import services
from .models import Shift, SwapOffer, WaitlistEntry
from .services import swaps, waitlist


@permission_required("volunteers.change_shift", raise_exception=True)
def handovers(request):
    """Handovers of tasks that need approval, accepted by the receiver, waiting for a yes."""
    waiting = scope(SwapOffer.objects.filter(status=SwapOffer.Status.ACCEPTED), request.user)
    if request.method == "POST":
        swap = get_scoped_or_404(request.user, waiting, pk=request.POST.get("swap"))
        try:
            if request.POST.get("action") == "approve":
                swaps.approve_swap(swap, request.user)
                messages.success(request, _("Handover approved; both volunteers are told."))
            else:
                swaps.refuse_swap(swap, request.user)
                messages.success(request, _("Handover refused; the place stays as it was."))
        except services.VolunteerError as error:
            show_error(request, error)
        return redirect("volunteers_admin:handovers")
    return render(
        request,
        "volunteers/admin/handovers.html",
        {
            "title": _("Shift handovers to approve"),
            "swaps": waiting.select_related(
                "signup__shift__task__community", "signup__profile", "receiver"
            ).order_by("signup__shift__start"),
        },
    )


@permission_required("volunteers.view_shift", raise_exception=True)
def shift_waitlist(request, pk):
    """A shift's waiting list, in queue order: the live entries (waiting with their position,
    or offered until when), then those that ended and how."""
    shift = get_scoped_or_404(
        request.user, Shift.objects.select_related("task__community", "task__post"), pk=pk
    )
    if request.method == "POST":
        if not request.user.has_perm("volunteers.change_shift"):
            raise Http404
        entry = get_scoped_or_404(
            request.user, WaitlistEntry.objects.filter(shift=shift), pk=request.POST.get("entry")
        )
        try:
            waitlist.remove_from_waitlist(entry, request.user, request.POST.get("reason", ""))
        except services.VolunteerError as error:
            show_error(request, error)
        else:
            messages.success(
                request,
                _("%(name)s is taken off the waiting list.") % {"name": entry.profile.real_name},
            )
        return redirect("volunteers_admin:shift_waitlist", pk=shift.pk)
    entries = list(
        WaitlistEntry.objects.filter(shift=shift)
        .select_related("profile")
        .order_by("created_at", "pk")
    )
    position = 0
    for entry in entries:
        if entry.status == WaitlistEntry.Status.WAITING:
            position += 1
            entry.position = position
    live = [e for e in entries if e.is_live]
    return render(
        request,
        "volunteers/admin/shift_waitlist.html",
        {
            "title": _("Waiting list"),
            "shift": shift,
            "live": live,
            "ended": [e for e in entries if not e.is_live],
            "can_change": request.user.has_perm("volunteers.change_shift"),
        },
    )
