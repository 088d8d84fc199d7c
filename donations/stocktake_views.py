"""Back-office pages of the stock-take (盘点, issue 15.4): the list of counts with a "start a
count" form, one count's page (enter counts on a phone, submit, approve with a reason per
difference, send back, cancel) and its count sheet as a PDF and a spreadsheet. Every count is
fetched through portal.scoping (a community's staff see their own stores' counts only) and
every change goes through donations.services.stocktake."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit
from portal.admin import show_error
from portal.importexport import spreadsheet_response
from portal.pdf import pdf_response
from portal.scoping import get_scoped_or_404, scope

from . import documents
from .admin_views import _render
from .models import Location, StockTake
from .resources import StockTakeSheetResource
from .services import StockError
from .services import stocktake as service

Status = StockTake.Status


class StartForm(forms.Form):
    location = forms.ModelChoiceField(label=gettext_lazy("Store to count"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = scope(
            Location.objects.exclude(kind=Location.Kind.TRANSIT), user
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=150)


@permission_required("donations.view_stocktake", raise_exception=True)
def stocktake_list(request):
    form = StartForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not request.user.has_perm("donations.add_stocktake"):
            raise PermissionDenied
        if form.is_valid():
            try:
                stocktake = service.start_stocktake(
                    form.cleaned_data["location"], user=request.user
                )
            except StockError as error:
                show_error(request, error)
            else:
                messages.success(
                    request,
                    _("Count %(serial)s started: %(n)s lots to count.")
                    % {"serial": stocktake.serial, "n": stocktake.lines.count()},
                )
                return redirect("donations_admin:stocktake", pk=stocktake.pk)
    stocktakes = scope(StockTake.objects.select_related("location", "started_by"), request.user)
    return _render(
        request,
        "stocktake_list.html",
        _("Stock-take"),
        {
            "stocktakes": stocktakes[:100],
            "form": form,
            "can_start": request.user.has_perm("donations.add_stocktake"),
        },
        icon="list-ul",
    )


def _counts(post):
    """{line pk: units} from the entry form's `count-<pk>` fields; blank ones are skipped."""
    counts, bad = {}, False
    for key, value in post.items():
        if not key.startswith("count-") or not value.strip():
            continue
        try:
            counts[int(key.removeprefix("count-"))] = int(value.strip())
        except ValueError:
            bad = True
    if bad:
        raise StockError(_("Enter whole numbers of units only."), code="quantity")
    return counts


def _act(request, stocktake, action):
    """Run one POSTed action; returns the success message."""
    user = request.user
    if action in ("save", "submit"):
        service.record_counts(stocktake, _counts(request.POST), user=user)
        if action == "save":
            return _("Counts saved.")
        service.submit_stocktake(stocktake, user=user)
        return _("The count is submitted; someone else approves it.")
    if action == "approve":
        reasons = {
            line.pk: request.POST.get(f"reason-{line.pk}", "").strip()
            for line in stocktake.lines.only("pk")
        }
        service.approve_stocktake(
            stocktake,
            user=user,
            reasons=reasons,
            default_reason=request.POST.get("reason-all", "").strip(),
        )
        return _("Approved: the differences are in the ledger.")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if action == "reopen":
        service.reopen_stocktake(stocktake, user=user, reason=reason)
        return _("Sent back for counting again.")
    if action == "cancel":
        service.cancel_stocktake(stocktake, user=user, reason=reason)
        return _("The count is cancelled; nothing was written to the ledger.")
    raise PermissionDenied


# What each action needs, besides the count being in the user's scope.
ACTION_PERMISSIONS = {
    "save": "donations.change_stocktake",
    "submit": "donations.change_stocktake",
    "approve": "donations.approve_stocktake",
    "reopen": "donations.approve_stocktake",
    "cancel": "donations.change_stocktake",
}


@permission_required("donations.view_stocktake", raise_exception=True)
def stocktake_detail(request, pk):
    stocktake = get_scoped_or_404(
        request.user, StockTake.objects.select_related("location", "started_by"), pk=pk
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTION_PERMISSIONS or not request.user.has_perm(
            ACTION_PERMISSIONS[action]
        ):
            raise PermissionDenied
        try:
            done = _act(request, stocktake, action)
        except StockError as error:
            show_error(request, error)
        else:
            messages.success(request, done)
            return redirect("donations_admin:stocktake", pk=stocktake.pk)
        stocktake.refresh_from_db()
    can_approve = request.user.has_perm("donations.approve_stocktake")
    # The counter counts blind; the book is shown to the approver, and to all once approved.
    shows_book = stocktake.status == Status.APPROVED or (
        can_approve and stocktake.status == Status.SUBMITTED
    )
    if stocktake.status == Status.SUBMITTED and shows_book:
        lines = service.reconcile(stocktake)
    else:
        lines = list(
            stocktake.lines.select_related("lot__item", "lot__donor", "movement").order_by(
                *service.SHEET_ORDER
            )
        )
    query = request.GET.get("q", "").strip()
    if query and stocktake.status == Status.OPEN:
        wanted = set(
            stocktake.lines.filter(
                Q(lot__item__name__icontains=query) | Q(lot__lot_number__icontains=query)
            ).values_list("pk", flat=True)
        )
        lines = [line for line in lines if line.pk in wanted]
    return _render(
        request,
        "stocktake.html",
        _("Stock-take %(serial)s") % {"serial": stocktake.serial},
        {
            "stocktake": stocktake,
            "lines": lines,
            "query": query,
            "progress": service.progress(stocktake),
            "shows_book": shows_book,
            "can_count": request.user.has_perm("donations.change_stocktake")
            and stocktake.status == Status.OPEN,
            "can_approve": can_approve
            and stocktake.status == Status.SUBMITTED
            and request.user.pk not in service.counters(stocktake),
            "is_counter": request.user.pk in service.counters(stocktake),
            "can_cancel": request.user.has_perm("donations.change_stocktake") and stocktake.running,
            "differences": [line for line in lines if line.difference],
        },
        icon="list-ul",
    )


@permission_required("donations.view_stocktake", raise_exception=True)
def stocktake_sheet_pdf(request, pk):
    stocktake = get_scoped_or_404(request.user, StockTake, pk=pk)
    return pdf_response(documents.stocktake_sheet_pdf(stocktake), inline=True)


@permission_required("donations.view_stocktake", raise_exception=True)
def stocktake_sheet_xlsx(request, pk):
    stocktake = get_scoped_or_404(request.user, StockTake, pk=pk)
    resource = StockTakeSheetResource()
    dataset = resource.export(resource.rows(stocktake), force_native_type=True)
    audit.record_export(request, stocktake.lines.all(), "xlsx", stocktake=stocktake.pk)
    return spreadsheet_response(
        dataset, "xlsx", f"盘点表-{stocktake.serial}", _("Stock-take count sheet")
    )
