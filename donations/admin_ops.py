"""Back-office operations that end or move things: cancel a pledge or close its remainder,
release an allocation before dispatch, and transfer stock between stores. Like admin_views,
every object comes through portal.scoping.scope (another community's records answer 404) and
every change goes through donations.services."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin import show_error
from portal.bounds import MAX_QUANTITY
from portal.params import parse_id
from portal.scoping import get_scoped_or_404, scope

from . import services
from .admin_views import _render
from .models import Allocation, Balance, Location, Lot, Pledge


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


# --- Pledges ---------------------------------------------------------------------------------


@permission_required("donations.change_pledge", raise_exception=True)
def pledge_end(request, pk):
    """Cancel a pledge of which nothing arrived, or close the remainder of a partial one."""
    pledge = get_scoped_or_404(
        request.user, Pledge.objects.select_related("donor", "ended_by"), pk=pk
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        operation = (
            services.close_pledge
            if request.POST.get("action") == "close"
            else services.cancel_pledge
        )
        try:
            pledge = operation(pledge, user=request.user, reason=form.cleaned_data["reason"])
        except services.StockError as error:
            show_error(request, error)
        else:
            messages.success(
                request,
                _("%(pledge)s: %(status)s.")
                % {"pledge": pledge, "status": pledge.get_status_display()},
            )
            return redirect("donations_pledges:index")
    entry = services.pledge_trace(pledge)
    return _render(
        request,
        "pledge_end.html",
        _("Cancel or close a pledge"),
        {"pledge": pledge, "entry": entry, "form": form},
        icon="cross",
    )


# --- Allocations -----------------------------------------------------------------------------


@permission_required("donations.change_allocation", raise_exception=True)
def release_allocation(request, pk):
    allocation = get_scoped_or_404(
        request.user,
        Allocation.objects.select_related(
            "lot__item", "location", "dispatch", "request_line__request__community"
        ),
        pk=pk,
    )
    supply_request = allocation.request_line.request
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_allocation(
                allocation, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.StockError as error:
            show_error(request, error)
        else:
            messages.success(
                request, _("Released %(n)s back to free stock.") % {"n": allocation.quantity}
            )
            return redirect("donations_admin:request", pk=supply_request.pk)
    return _render(
        request,
        "release.html",
        _("Release an allocation"),
        {"allocation": allocation, "supply_request": supply_request, "form": form},
        icon="rotate",
    )


# --- Transfer ----------------------------------------------------------------------------------


class TransferForm(forms.Form):
    lot = forms.ModelChoiceField(label=gettext_lazy("Lot"), queryset=None)
    from_location = forms.ModelChoiceField(label=gettext_lazy("Move from"), queryset=None)
    to_location = forms.ModelChoiceField(label=gettext_lazy("Move to"), queryset=None)
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=MAX_QUANTITY
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stores = scope(Location.objects.exclude(kind=Location.Kind.TRANSIT), user)
        self.fields["from_location"].queryset = stores
        self.fields["to_location"].queryset = stores
        # Lots with free units somewhere the user may move stock from.
        self.fields["lot"].queryset = scope(
            Lot.objects.filter(balances__location__in=stores, balances__quantity__gt=0).distinct(),
            user,
        ).select_related("item")

    def clean(self):
        data = super().clean()
        lot, source, target = data.get("lot"), data.get("from_location"), data.get("to_location")
        if source and target and source == target:
            self.add_error("to_location", _("Choose a location other than the source."))
        if lot and source and data.get("quantity"):
            balance = Balance.objects.filter(lot=lot, location=source).first()
            free = balance.available if balance else 0
            if data["quantity"] > free:
                self.add_error(
                    "quantity",
                    _("Only %(n)s of this lot are free at %(location)s.")
                    % {"n": free, "location": source.name},
                )
        return data


@permission_required("donations.add_movement", raise_exception=True)
def transfer(request):
    balance = None
    if parse_id(request.GET.get("balance")):
        balance = get_scoped_or_404(
            request.user,
            Balance.objects.select_related("lot__item", "location"),
            pk=parse_id(request.GET["balance"]),
        )
    initial = {"lot": balance.lot_id, "from_location": balance.location_id} if balance else {}
    form = TransferForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer(
                data["lot"],
                data["from_location"],
                data["to_location"],
                data["quantity"],
                user=request.user,
                reason=data["reason"],
            )
        except services.StockError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Moved %(n)s to %(location)s.")
                % {"n": data["quantity"], "location": data["to_location"].name},
            )
            return redirect("donations_balances:index")
    return _render(
        request,
        "transfer.html",
        _("Transfer stock"),
        {"form": form, "balance": balance},
        icon="resubmit",
    )
