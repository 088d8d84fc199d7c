"""Back-office pages (Wagtail admin) of help requests. Every object comes through
portal.scoping.scope (others: 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import audit
from portal.admin import show_error as _errors
from portal.params import get_object_or_404
from portal.scoping import scope
from volunteers.admin_views import posted_profile
from volunteers.services import SignupError

from . import services
from .forms import MAX_LINES, HelpRequestForm
from .models import HelpRequest
from .on_call import suggest_for_request


@permission_required("assistance.view_helprequest", raise_exception=True)
def request_list(request):
    qs = scope(
        HelpRequest.objects.select_related("community", "compound", "assigned_volunteer"),
        request.user,
    )
    show = request.GET.get("show", "open")
    listed = qs if show == "all" else qs.exclude(status=HelpRequest.Status.CLOSED)
    if request.GET.get("urgency") in HelpRequest.Urgency.values:
        # the dashboard's "urgent help requests open" links here
        listed = listed.filter(urgency=request.GET["urgency"])
    overdue = set(services.overdue_urgent(qs).values_list("pk", flat=True))
    # The compound is part of the address: shown only where the user is the community's staff.
    address_communities = services.address_communities(request.user)
    return render(
        request,
        "assistance/admin/request_list.html",
        {
            "title": _("Help requests"),
            "requests": listed[:200],
            "overdue": overdue,
            "address_communities": address_communities,
            "show": show,
        },
    )


@permission_required("assistance.add_helprequest", raise_exception=True)
def request_create(request):
    if request.method == "POST" and "add_item" in request.POST:
        # "+ add another item" without JavaScript: the same form with one more row.
        form, added = HelpRequestForm.with_another_row(request.POST, user=request.user)
        if not added:
            messages.warning(
                request,
                _("At most %(max)s items in one request; describe anything else in the free text.")
                % {"max": MAX_LINES},
            )
        return render(
            request,
            "assistance/admin/request_form.html",
            {"title": _("Record a help request"), "form": form},
        )
    form = HelpRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.record_request(**form.request_fields(), by=request.user)
        except services.AssistanceError as error:
            form.add_error(services.ERROR_FIELDS.get(error.code), error.messages)
        else:
            messages.success(request, _("The request is recorded."))
            return redirect("assistance_admin:request", pk=created.pk)
    return render(
        request,
        "assistance/admin/request_form.html",
        {"title": _("Record a help request"), "form": form},
    )


@permission_required("assistance.change_helprequest", raise_exception=True)
def request_detail(request, pk):
    help_request = get_object_or_404(
        scope(
            HelpRequest.objects.select_related(
                "community", "compound", "assigned_volunteer", "delivery_shift"
            ),
            request.user,
        ),
        pk=pk,
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "fulfil":
                services.fulfil_from_stock(help_request, by=request.user)
                messages.success(request, _("The items are handed out from stock."))
            elif action == "suggest":
                services.delivery_shift(help_request, by=request.user)
            elif action == "on_call":
                services.offer_to_on_call(help_request, by=request.user)
                messages.success(request, _("The nearest volunteer on call is asked to deliver."))
            elif action == "assign":
                # any id that is not one of the delivery's candidates gets the same refusal
                profile = posted_profile(request)
                services.assign_volunteer(help_request, profile, by=request.user)
                messages.success(request, _("The volunteer is asked to deliver."))
            elif action == "delivered":
                services.mark_delivered(help_request, by=request.user)
                messages.success(request, _("Delivered: the request is closed."))
            elif action == "close":
                services.close_request(help_request, by=request.user)
            elif action == "reopen":
                services.reopen_request(
                    help_request, by=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("The request is open again."))
        except (services.AssistanceError, SignupError) as error:
            _errors(request, error)
        return redirect("assistance_admin:request", pk=pk)
    show_address = services.can_see_address(request.user, help_request)
    if show_address:
        audit.record("assistance.address.view", request=request, obj=help_request)
    suggestions = []
    if help_request.delivery_shift_id and help_request.status == HelpRequest.Status.NEW:
        suggestions = suggest_for_request(help_request, help_request.delivery_shift, top=10)
    return render(
        request,
        "assistance/admin/request_detail.html",
        {
            "title": _("Help request #%(number)s") % {"number": help_request.pk},
            "help_request": help_request,
            "show_address": show_address,
            "distributions": help_request.distributions.all(),
            "lines": help_request.lines.select_related("item"),
            "suggestions": suggestions,
            "on_call": any(s.on_call for s in suggestions),
            "overdue": services.overdue_urgent(HelpRequest.objects.filter(pk=pk)).exists(),
        },
    )
