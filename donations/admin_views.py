"""Back-office pages that do more than edit a model (journeys 3 and 4): verify a donor, enter a
walk-in pledge, receive goods, request supplies, allocate, dispatch (with its PDF note),
confirm receipt, distribute, adjust stock, and export the ledger and balances (台账). Every
object is fetched through portal.scoping.scope, so another community's records answer 404;
every change goes through donations.services."""

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from assistance.models import HelpRequest
from assistance.services import address_visible_to_staff
from portal import audit
from portal.admin import show_error
from portal.bounds import MAX_QUANTITY
from portal.forms import choose_the_only_one
from portal.importexport import spreadsheet_response
from portal.models import Post
from portal.params import get_object_or_404, parse_id, parse_ids
from portal.pdf import pdf_response
from portal.scoping import communities_for, community_ids, get_scoped_or_404, scope

from . import documents, services
from .forms import PledgeForm, PledgeLineFormSet
from .models import (
    Allocation,
    Balance,
    Dispatch,
    Distribution,
    Donor,
    Item,
    Location,
    Lot,
    Movement,
    Pledge,
    SupplyRequest,
)
from .resources import BalanceExportResource, MovementExportResource


def _render(request, template, title, context, icon="doc-full"):
    return render(request, f"donations/admin/{template}", {"title": title, "icon": icon, **context})


# --- Donors and pledges -----------------------------------------------------------------------


@permission_required("donations.change_donor", raise_exception=True)
def verify_donor(request, pk):
    donor = get_scoped_or_404(request.user, Donor, pk=pk)
    if request.method == "POST":
        services.verify_donor(donor, user=request.user)
        messages.success(request, _("%(donor)s is verified.") % {"donor": donor})
        return redirect("donations_donors:index")
    return _render(
        request,
        "verify_donor.html",
        _("Verify donor"),
        {"donor": donor, "representatives": donor.representatives.select_related("user")},
        icon="user",
    )


class WalkInForm(PledgeForm):
    donor = forms.ModelChoiceField(label=gettext_lazy("Donor"), queryset=Donor.objects.all())


@permission_required("donations.add_pledge", raise_exception=True)
def pledge_create(request):
    form = WalkInForm(request.POST or None, initial={"donor": request.GET.get("donor")})
    form.fields["donor"].queryset = scope(Donor.objects.all(), request.user)
    lines = PledgeLineFormSet(request.POST or None, request.FILES or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = dict(form.cleaned_data)
        donor = data.pop("donor")
        try:
            pledge = services.pledge(donor, lines.lines(), user=request.user, walk_in=True, **data)
        except services.StockError as error:
            show_error(request, error)
        else:
            messages.success(request, _("Pledge recorded; you can receive it now."))
            return redirect("donations_admin:receive", pk=pledge.pk)
    return _render(
        request, "pledge_create.html", _("Walk-in donation"), {"form": form, "lines": lines}
    )


@permission_required("donations.add_receipt", raise_exception=True)
def receive(request, pk):
    pledge = get_scoped_or_404(request.user, Pledge.objects.select_related("donor"), pk=pk)
    # Goods arrive at the warehouse: it comes first and is chosen unless another was posted.
    locations = scope(
        Location.objects.exclude(kind=Location.Kind.TRANSIT).order_by(
            Case(When(kind=Location.Kind.WAREHOUSE, then=0), default=1), "name"
        ),
        request.user,
    )
    chosen = parse_id(request.POST.get("location")) or next(
        (loc.pk for loc in locations if loc.kind == Location.Kind.WAREHOUSE), None
    )
    entry = services.pledge_trace(pledge)
    if request.method == "POST":
        rows = []
        for row in entry["lines"]:
            key = row["line"].pk
            rows.append(
                {
                    "pledge_line": row["line"],
                    "accepted": _int(request.POST.get(f"accepted-{key}")),
                    "rejected": _int(request.POST.get(f"rejected-{key}")),
                    "reason": request.POST.get(f"reason-{key}", ""),
                    "lot_number": request.POST.get(f"lot-{key}", "").strip() or None,
                }
            )
        try:
            location = get_object_or_404(locations, pk=request.POST.get("location"))
            receipt = services.receive(
                pledge, location, rows, user=request.user, note=request.POST.get("note", "")
            )
        except services.StockError as error:
            show_error(request, error)
        else:
            messages.success(
                request, _("Received; receipt %(serial)s.") % {"serial": receipt.serial}
            )
            return redirect("donations_pledges:index")
    return _render(
        request,
        "receive.html",
        _("Receive goods"),
        {"pledge": pledge, "entry": entry, "locations": locations, "chosen": chosen},
        icon="download",
    )


def _int(value):
    try:
        return int(str(value or "0").strip() or 0)
    except ValueError:
        return -1


# --- Requests, allocation, dispatch ------------------------------------------------------------


class RequestForm(forms.Form):
    community = forms.ModelChoiceField(label=gettext_lazy("Community"), queryset=None)
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=200)
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), choices=SupplyRequest.Urgency.choices
    )


class RequestLineForm(forms.Form):
    item = forms.ModelChoiceField(
        label=gettext_lazy("Item"), queryset=Item.objects.filter(active=True), required=False
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=MAX_QUANTITY, required=False
    )


RequestLineFormSet = forms.formset_factory(RequestLineForm, extra=4)


@permission_required("donations.add_supplyrequest", raise_exception=True)
def request_create(request):
    form = RequestForm(request.POST or None)
    choose_the_only_one(form.fields["community"], communities_for(request.user))
    lines = RequestLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        pairs = [
            (f.cleaned_data["item"], f.cleaned_data["quantity"])
            for f in lines.forms
            if f.cleaned_data.get("item") and f.cleaned_data.get("quantity")
        ]
        try:
            supply_request = services.request_supplies(
                user=request.user, lines=pairs, **form.cleaned_data
            )
        except services.StockError as error:
            show_error(request, error)
        else:
            messages.success(request, _("Request sent to the warehouse."))
            return redirect("donations_admin:request", pk=supply_request.pk)
    return _render(
        request, "request_create.html", _("Request supplies"), {"form": form, "lines": lines}
    )


@permission_required("donations.view_supplyrequest", raise_exception=True)
def request_detail(request, pk):
    supply_request = get_scoped_or_404(
        request.user, SupplyRequest.objects.select_related("community"), pk=pk
    )
    can_allocate = request.user.has_perm("donations.add_allocation")
    if request.method == "POST" and can_allocate:
        try:
            if request.POST.get("action") == "dispatch":
                pending = list(
                    Allocation.objects.filter(
                        request_line__request=supply_request,
                        dispatch__isnull=True,
                        released_at__isnull=True,
                        pk__in=parse_ids(request.POST.getlist("allocation")),
                    )
                )
                by_source = {}
                for allocation in pending:
                    by_source.setdefault(allocation.location_id, []).append(allocation)
                notes = [
                    services.dispatch(group, user=request.user) for group in by_source.values()
                ]
                if not notes:
                    raise services.StockError(_("Choose the allocations to dispatch."))
                messages.success(
                    request,
                    _("Dispatched on %(notes)s.") % {"notes": "、".join(n.serial for n in notes)},
                )
            else:
                line = get_object_or_404(supply_request.lines, pk=request.POST.get("line"))
                lot_id, quantity = (
                    request.POST.get("lot"),
                    _int(request.POST.get("quantity")) or None,
                )
                lots = None
                if lot_id:
                    lots = [(get_object_or_404(Lot, pk=lot_id, item=line.item), quantity or 0)]
                made = services.allocate(line, quantity, user=request.user, lots=lots)
                messages.success(
                    request, _("Allocated %(n)s.") % {"n": sum(a.quantity for a in made)}
                )
        except services.StockError as error:
            show_error(request, error)
        return redirect("donations_admin:request", pk=pk)
    lines = services.request_line_progress(list(supply_request.lines.select_related("item")))
    allocations = list(
        Allocation.objects.filter(request_line__request=supply_request).select_related(
            "lot__item", "lot__donor", "location", "dispatch"
        )
    )
    stock = {}
    if can_allocate:
        for balance in Balance.objects.filter(
            item__in=[line.item for line in lines], location__kind=Location.Kind.WAREHOUSE
        ).select_related("lot", "location"):
            if balance.available > 0:
                stock.setdefault(balance.item_id, []).append(balance)
    for line in lines:
        line.stock = stock.get(line.item_id, [])
    return _render(
        request,
        "request_detail.html",
        str(supply_request),
        {
            "supply_request": supply_request,
            "lines": lines,
            "allocations": allocations,
            "can_allocate": can_allocate,
            # the dispatch button only while something allocated has not left
            "to_dispatch": can_allocate
            and any(not a.dispatch_id and not a.released_at for a in allocations),
            "can_release": request.user.has_perm("donations.change_allocation"),
        },
        icon="list-ul",
    )


@permission_required("donations.view_dispatch", raise_exception=True)
def dispatch_pdf(request, pk):
    note = get_scoped_or_404(request.user, Dispatch, pk=pk)
    return pdf_response(documents.dispatch_note_pdf(note), inline=True)


@permission_required("donations.add_communityreceipt", raise_exception=True)
def confirm_receipt(request, pk):
    """The receiving community confirms a dispatch note (the note's QR code opens this page):
    only its own staff; the warehouse and the subdistrict office do not sign for it."""
    note = get_scoped_or_404(
        request.user, Dispatch.objects.select_related("community", "from_location"), pk=pk
    )
    if note.community_id not in community_ids(request.user):
        raise PermissionDenied
    allocations = list(note.allocations.select_related("lot__item").order_by("pk"))
    if request.method == "POST":
        received = {
            a.pk: (
                _int(request.POST.get(f"received-{a.pk}", a.quantity)),
                request.POST.get(f"reason-{a.pk}", ""),
            )
            for a in allocations
        }
        try:
            services.confirm_receipt(
                note, received, user=request.user, note_text=request.POST.get("note", "")
            )
        except services.StockError as error:
            show_error(request, error)
        else:
            messages.success(
                request, _("Receipt of %(serial)s confirmed.") % {"serial": note.serial}
            )
            return redirect("donations_dispatches:index")
    return _render(
        request,
        "confirm_receipt.html",
        _("Confirm receipt"),
        {"note": note, "allocations": allocations},
        icon="tick",
    )


# --- Distribution and stock corrections ---------------------------------------------------------


class HelpRequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"#{obj.pk} {obj.compound.name} {obj.building}"


class DistributionForm(forms.Form):
    community = forms.ModelChoiceField(label=gettext_lazy("Community"), queryset=None)
    location = forms.ModelChoiceField(label=gettext_lazy("From store"), queryset=None)
    recipient = forms.ChoiceField(
        label=gettext_lazy("Given to"), choices=Distribution.Recipient.choices
    )
    post = forms.ModelChoiceField(label=gettext_lazy("Post"), queryset=None, required=False)
    help_request = HelpRequestChoiceField(
        label=gettext_lazy("Household (help request)"),
        queryset=None,
        required=False,
        help_text=gettext_lazy(
            "A household is chosen by its help request; its address stays on the request."
        ),
    )
    note = forms.CharField(
        label=pgettext_lazy("remark", "Note"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("No names, addresses or phone numbers."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = communities_for(user)
        choose_the_only_one(self.fields["community"], communities)
        # A community hands out from its own store: with one store, it is chosen already.
        choose_the_only_one(
            self.fields["location"],
            scope(Location.objects.exclude(kind=Location.Kind.TRANSIT), user),
        )
        self.fields["post"].queryset = Post.objects.filter(
            compound__community__in=communities
        ).select_related("compound")
        # Only the requests whose address this user may see (their community's), still open.
        self.fields["help_request"].queryset = (
            address_visible_to_staff(user)
            .filter(anonymised_at__isnull=True)
            .exclude(status=HelpRequest.Status.CLOSED)
            .select_related("community", "compound")
        )


@permission_required("donations.add_distribution", raise_exception=True)
def distribute(request):
    form = DistributionForm(request.POST or None, user=request.user)
    lines = RequestLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = dict(form.cleaned_data)
        pairs = [
            (f.cleaned_data["item"], f.cleaned_data["quantity"])
            for f in lines.forms
            if f.cleaned_data.get("item") and f.cleaned_data.get("quantity")
        ]
        try:
            services.distribute(
                data.pop("community"), data.pop("location"), pairs, user=request.user, **data
            )
        except services.StockError as error:
            show_error(request, error)
        else:
            messages.success(request, _("Distribution recorded."))
            return redirect("donations_distributions:index")
    return _render(
        request, "distribute.html", _("Record a distribution"), {"form": form, "lines": lines}
    )


class AdjustForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("What happened"),
        choices=[
            ("found", gettext_lazy("Stock-take: more found")),
            ("missing", gettext_lazy("Stock-take: missing")),
            ("discard", gettext_lazy("Broken, spoiled or expired")),
        ],
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=MAX_QUANTITY
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


@permission_required("donations.add_movement", raise_exception=True)
def adjust_balance(request, pk):
    balance = get_scoped_or_404(
        request.user, Balance.objects.select_related("lot__item", "location"), pk=pk
    )
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action, quantity, reason = (form.cleaned_data[k] for k in ("action", "quantity", "reason"))
        try:
            if action == "discard":
                services.discard(
                    balance.lot, balance.location, quantity, reason=reason, user=request.user
                )
            else:
                delta = quantity if action == "found" else -quantity
                services.adjust(
                    balance.lot, balance.location, delta, reason=reason, user=request.user
                )
        except services.StockError as error:
            show_error(request, error)
        else:
            messages.success(request, _("Recorded in the ledger."))
            return redirect("donations_balances:index")
    return _render(
        request, "adjust.html", _("Correct stock"), {"balance": balance, "form": form}, icon="edit"
    )


# --- Exports (台账) --------------------------------------------------------------------------


@permission_required("donations.view_movement", raise_exception=True)
@reauthentication_required  # names of donors and of staff: personal data
def export_ledger(request):
    queryset = scope(Movement.objects.all(), request.user)
    if request.GET.get("kind"):
        queryset = queryset.filter(kind=request.GET["kind"])
    dataset = MovementExportResource().export(
        MovementExportResource.queryset(queryset), force_native_type=True
    )
    audit.record_export(request, queryset, "xlsx", kind=request.GET.get("kind", ""))
    return spreadsheet_response(
        dataset, "xlsx", f"物资台账-{timezone.localdate():%Y%m%d}", _("Stock ledger")
    )


@permission_required("donations.view_balance", raise_exception=True)
def export_balances(request):
    queryset = scope(Balance.objects.all(), request.user)
    dataset = BalanceExportResource().export(
        BalanceExportResource.queryset(queryset), force_native_type=True
    )
    audit.record_export(request, queryset, "xlsx")
    return spreadsheet_response(dataset, "xlsx", f"库存-{timezone.localdate():%Y%m%d}", _("Stock"))
