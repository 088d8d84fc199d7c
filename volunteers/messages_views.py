"""Public pages of messages to volunteers: the opt-out link in each non-urgent message, the
switch on the own page, and the messages shown there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.security import private_response

from .models import MessageRecipient
from .services import messages as service
from .views import _profile


def own_messages(profile):
    """What the own page shows: the last messages sent to this volunteer."""
    return {
        "received": MessageRecipient.objects.filter(profile=profile)
        .select_related("batch__community", "batch__team")
        .order_by("-batch__created_at")[:10]
    }


@private_response
def opt_out(request, token):
    """The link in a message (the profile's id, signed; no personal data). Opening it changes
    nothing: the button posts back here."""
    profile = service.profile_from_opt_out_token(token)
    if profile is None:
        raise Http404
    if request.method == "POST":
        service.set_opt_out(profile, request.POST.get("urgent_only") != "0")
    return render(request, "volunteers/messages_opt_out.html", {"profile": profile})


@login_required
@require_POST
def own_setting(request):
    profile = _profile(request.user)
    if profile is None:
        raise Http404
    urgent_only = request.POST.get("urgent_only") == "1"
    service.set_opt_out(profile, urgent_only)
    if urgent_only:
        messages.info(request, _("You will get urgent messages only."))
    else:
        messages.info(request, _("You will get all messages from your community and teams."))
    return redirect("volunteers:my_page")
