"""The assigned volunteer's page of a help request: address and phone, and "delivered".
Anyone else (another volunteer, another community) gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services


@login_required
def request_detail(request, pk):
    help_request = get_object_or_404(
        services.visible_to_volunteer(request.user).select_related("compound", "community"),
        pk=pk)
    return render(request, "assistance/request_detail.html", {
        "help_request": help_request,
        "lines": help_request.lines.select_related("item"),
    })


@login_required
@require_POST
def delivered(request, pk):
    help_request = get_object_or_404(services.visible_to_volunteer(request.user), pk=pk)
    try:
        services.mark_delivered(help_request, by=request.user)
    except services.AssistanceError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: the delivery is recorded."))
    return redirect("assistance:request", pk=pk)
