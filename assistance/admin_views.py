"""Back-office pages (Wagtail admin): help requests, a shift's suggested volunteers, and
auto-assign with review. Every object comes through portal.scoping.scope (others: 404)."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.params import get_object_or_404, parse_id
from portal.scoping import scope
from volunteers import matching
from volunteers.models import Shift, VolunteerProfile
from volunteers.services import SignupError

from . import services
from .forms import MAX_LINES, AutoAssignForm, HelpRequestForm
from .models import HelpRequest


def _errors(request, error):
    messages.error(request, " ".join(str(m) for m in error.messages))


@permission_required("assistance.view_helprequest", raise_exception=True)
def request_list(request):
    qs = scope(
        HelpRequest.objects.select_related("community", "compound", "assigned_volunteer"),
        request.user,
    )
    show = request.GET.get("show", "open")
    listed = qs if show == "all" else qs.exclude(status=HelpRequest.Status.CLOSED)
    overdue = set(services.overdue_urgent(qs).values_list("pk", flat=True))
    return render(
        request,
        "assistance/admin/request_list.html",
        {
            "title": _("Help requests"),
            "requests": listed[:200],
            "overdue": overdue,
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
        data = form.cleaned_data
        try:
            created = services.record_request(
                community=data["community"],
                compound=data["compound"],
                building=data["building"],
                contact_phone=data["contact_phone"],
                contact_name=data["contact_name"],
                need=data["need"],
                urgency=data["urgency"],
                lines=form.lines(),
                by=request.user,
            )
        except services.AssistanceError as error:
            _errors(request, error)
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
                "community", "compound", "assigned_volunteer", "distribution", "delivery_shift"
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
            elif action == "assign":
                profile = get_object_or_404(VolunteerProfile, pk=request.POST.get("profile"))
                services.assign_volunteer(help_request, profile, by=request.user)
                messages.success(request, _("The volunteer is asked to deliver."))
            elif action == "delivered":
                services.mark_delivered(help_request, by=request.user)
            elif action == "close":
                services.close_request(help_request, by=request.user)
        except (services.AssistanceError, SignupError) as error:
            _errors(request, error)
        return redirect("assistance_admin:request", pk=pk)
    suggestions = []
    if help_request.delivery_shift_id and help_request.status == HelpRequest.Status.NEW:
        suggestions = matching.rank_for_shift(help_request.delivery_shift, top=10)
    return render(
        request,
        "assistance/admin/request_detail.html",
        {
            "title": _("Help request #%(number)s") % {"number": help_request.pk},
            "help_request": help_request,
            "lines": help_request.lines.select_related("item"),
            "suggestions": suggestions,
            "overdue": services.overdue_urgent(HelpRequest.objects.filter(pk=pk)).exists(),
        },
    )


@permission_required("volunteers.change_shift", raise_exception=True)
def shift_suggestions(request, pk):
    shift = get_object_or_404(
        scope(Shift.objects.select_related("task__community"), request.user), pk=pk
    )
    if request.method == "POST":
        if request.POST.get("action") == "offer":
            sent = matching.offer_declined_places(shift, request.user)
            messages.success(request, _("%(n)s invitations sent.") % {"n": len(sent)})
        else:
            profile = get_object_or_404(VolunteerProfile, pk=request.POST.get("profile"))
            sent, refused = matching.send_invitations([(shift.pk, profile.pk)], request.user)
            for _shift, _profile, text in refused:
                messages.error(request, text)
            if sent:
                messages.success(request, _("%(name)s is invited.") % {"name": profile.real_name})
        return redirect("assistance_admin:shift_suggestions", pk=pk)
    return render(
        request,
        "assistance/admin/shift_suggestions.html",
        {
            "title": _("Suggested volunteers"),
            "shift": shift,
            "suggestions": matching.rank_for_shift(shift, top=20),
        },
    )


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@permission_required("volunteers.change_shift", raise_exception=True)
def auto_assign(request):
    form = AutoAssignForm(request.POST or None, user=request.user)
    proposals, result = [], None
    if request.method == "POST" and request.POST.get("action") == "send":
        pairs = []
        for key in request.POST.getlist("pair"):
            shift_id, profile_id = map(parse_id, key.partition(":")[::2])
            if shift_id and profile_id:
                pairs.append((shift_id, profile_id))
        allowed = set(
            scope(Shift.objects.filter(pk__in=[s for s, _p in pairs]), request.user).values_list(
                "pk", flat=True
            )
        )
        if any(s not in allowed for s, _p in pairs):
            raise PermissionDenied
        sent, refused = matching.send_invitations(pairs, request.user)
        messages.success(request, _("%(n)s invitations sent.") % {"n": len(sent)})
        for shift, profile, text in refused:
            messages.error(request, f"{shift} · {profile}: {text}")
        return redirect("assistance_admin:auto_assign")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shifts = scope(
            Shift.objects.filter(
                start__gte=_day_start(data["start"]),
                start__lt=_day_start(data["end"] + timedelta(days=1)),
            ),
            request.user,
        )
        if data.get("community"):
            shifts = shifts.filter(task__community=data["community"])
        proposals, result = matching.propose(shifts)
    return render(
        request,
        "assistance/admin/auto_assign.html",
        {
            "title": _("Auto-assign volunteers"),
            "form": form,
            "proposals": proposals,
            "result": result,
        },
    )
