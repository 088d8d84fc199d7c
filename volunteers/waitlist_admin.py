"""Back-office pages of handovers and messages (volunteers/services/swaps.py, messages.py):
the handovers waiting for a coordinator's approval. Everything is fetched through
portal.scoping, so another community's records answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.admin import show_error
from portal.scoping import get_scoped_or_404, scope

from . import services
from .models import SwapOffer
from .services import swaps


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
