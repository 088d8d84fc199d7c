"""The assigned volunteer's page of a help request: address and phone, and "delivered".
Anyone else (another volunteer, another community) gets 404."""

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from portal import audit
from portal.params import parse_id
from portal.scoping import scope

from . import on_call, services
from .forms import MAX_LINES, OwnHelpRequestForm
from .models import HelpRequest


@login_required
def request_detail(request, pk):
    help_request = (
        services.visible_to_volunteer(request.user)
        .select_related("compound", "community")
        .filter(pk=parse_id(pk))
        .first()
    )
    if help_request is None:
        # The link in her SMS, opened again after the delivery (or after it went to someone
        # else): say so, without the address, instead of a bare "not found".
        return render(request, "assistance/request_gone.html", status=404)
    # The page shows the household's address and phone: who looked is on record.
    audit.record("assistance.address.view", request=request, obj=help_request)
    return render(
        request,
        "assistance/request_detail.html",
        {
            "help_request": help_request,
            "lines": help_request.lines.select_related("item"),
            "pick_up_points": services.pick_up_points(help_request),
        },
    )


@login_required
@require_POST
def delivered(request, pk):
    help_request = get_object_or_404(services.visible_to_volunteer(request.user), pk=pk)
    try:
        services.mark_delivered(help_request, by=request.user)
    except services.AssistanceError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assistance:request", pk=pk)
    # The request is closed: its address is no longer hers to see.
    messages.success(request, _("Thank you: the delivery is recorded and the request closed."))
    return redirect("assistance:duty")


# --- A volunteer's deliveries and on-call nights ---------------------------------------------


@login_required
def duty(request):
    """The volunteer's deliveries (open ones link to their page) and the nights they are on
    call (备勤), ticked on the phone."""
    from volunteers.models import VolunteerProfile

    profile = (
        VolunteerProfile.objects.filter(user=request.user)
        .exclude(status=VolunteerProfile.Status.DELETED)
        .first()
    )
    if profile is None:
        return redirect("volunteers:index")
    nights = on_call.nights_ahead()
    if request.method == "POST":
        chosen = set()
        for value in request.POST.getlist("night"):
            try:
                chosen.add(date.fromisoformat(value))
            except ValueError:
                continue
        try:
            on_call.set_on_call_nights(profile, chosen, by=request.user)
        except services.AssistanceError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your on-call nights are saved."))
        return redirect("assistance:duty")
    marked = on_call.marked_nights(profile)
    tonight = on_call.night_of()
    return render(
        request,
        "assistance/duty.html",
        {
            "profile": profile,
            "deliveries": services.visible_to_volunteer(request.user).select_related(
                "community", "compound"
            ),
            "done": HelpRequest.objects.filter(
                assigned_volunteer=profile, status=HelpRequest.Status.CLOSED
            ).order_by("-closed_at")[:10],
            "nights": [(night, night in marked, night == tonight) for night in nights],
            "night_starts": on_call.NIGHT_STARTS,
            "night_ends": on_call.NIGHT_ENDS,
        },
    )


# --- A household asks for help ---------------------------------------------------------------

NAV_LABEL = _lazy("Ask for help")


@login_required
def ask_for_help(request):
    if request.method == "POST" and "add_item" in request.POST:
        # "+ add another item" without JavaScript: show the form again with one more row,
        # keeping what was typed; nothing is validated or recorded yet.
        form, added = OwnHelpRequestForm.with_another_row(request.POST)
        if not _is_uuid(form.initial.get("token")):
            form.initial["token"] = uuid.uuid4()
        if not added:
            messages.warning(
                request,
                _(
                    "You can ask for at most %(max)s items in one request; "
                    "describe anything else in the free text."
                )
                % {"max": MAX_LINES},
            )
    elif request.method == "POST":
        form = OwnHelpRequestForm(request.POST)
        if form.is_valid():
            try:
                help_request = services.record_request(
                    **form.request_fields(),
                    by=request.user,
                    own=True,
                    token=form.cleaned_data["token"],
                )
            except services.AssistanceError as error:
                form.add_error(services.ERROR_FIELDS.get(error.code), error.messages)
            else:
                return redirect("assistance:my_request", pk=help_request.pk)
    else:
        known = _from_link(_known_to_us(request.user), request.GET.get("community"))
        form = OwnHelpRequestForm(initial={"token": uuid.uuid4(), **known})
    return render(request, "assistance/ask.html", {"form": form})


def _known_to_us(user):
    """Where this person lives and how to reach them, as far as we know, so nothing is asked
    twice: their last request (unless anonymised since), else their volunteer profile."""
    from volunteers.models import VolunteerProfile

    known = {"contact_phone": getattr(user, "phone", "") or ""}
    last = HelpRequest.objects.filter(requester=user, anonymised_at__isnull=True).first()
    if last is not None:
        return {
            **known,
            "community": last.community_id,
            "compound": last.compound_id,
            "building": last.building,
            "contact_name": last.contact_name,
            "contact_phone": last.contact_phone or known["contact_phone"],
        }
    profile = VolunteerProfile.objects.filter(user=user).exclude(status="deleted").first()
    if profile is not None:
        known.update(
            community=profile.community_id,
            compound=profile.compound_id,
            contact_name=profile.real_name,
        )
    return known


def _from_link(known, slug):
    """A link from a community's page (`?community=<slug>`) says which community the household
    is in: it is chosen, and what we knew of the address is kept only if it lies there."""
    from portal.models import Community

    community = Community.objects.filter(slug=slug).first() if slug else None
    if community is None or community.pk == known.get("community"):
        return known
    known = {key: value for key, value in known.items() if key not in ("compound", "building")}
    return {**known, "community": community.pk}


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
def my_requests(request):
    return render(
        request,
        "assistance/my_requests.html",
        {
            "requests": services.own_requests(request.user)
            .select_related("community", "compound")
            .prefetch_related("lines__item"),
        },
    )


@login_required
def my_request(request, pk):
    help_request = get_object_or_404(
        scope(HelpRequest.objects.select_related("community", "compound"), request.user).filter(
            requester=request.user
        ),
        pk=pk,
    )
    return render(
        request,
        "assistance/my_request.html",
        {
            "help_request": help_request,
            "lines": help_request.lines.select_related("item"),
        },
    )
