"""The expired stock page (issue 15.1): expired lots shown apart from usable stock, each with
a "dispose of" form whose reason goes into the ledger (services.expiry.dispose_expired), and
what expires soon below it. Scoped like every stock listing: a community sees its stores."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin import show_error
from portal.params import parse_id
from portal.scoping import get_scoped_or_404, scope

from .admin_views import _render
from .models import Balance
from .services import StockError, expiry


class DisposeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=150,
        help_text=gettext_lazy("How and where the goods were disposed of."),
    )


@permission_required("donations.view_balance", raise_exception=True)
def expired_stock(request):
    balances = scope(Balance.objects.all(), request.user)
    # The warehouse anywhere, a community's staff in their own stores (scoped below).
    can_dispose = request.user.has_perm("donations.dispose_balance")
    form = DisposeForm(request.POST or None)
    if request.method == "POST":
        if not can_dispose:
            raise PermissionDenied
        balance = get_scoped_or_404(request.user, Balance, pk=parse_id(request.POST.get("balance")))
        if form.is_valid():
            try:
                movement = expiry.dispose_expired(
                    balance, user=request.user, reason=form.cleaned_data["reason"]
                )
            except StockError as error:
                show_error(request, error)
            else:
                messages.success(
                    request,
                    _("%(n)s of lot %(lot)s disposed of; recorded in the ledger.")
                    % {"n": movement.quantity, "lot": movement.lot},
                )
                return redirect("donations_admin:expired")
        else:
            show_error(request, StockError(_("Say why the goods are disposed of.")))
    return _render(
        request,
        "expired.html",
        _("Expired stock"),
        {
            "expired": list(expiry.expired_stock(balances)),
            "soon": list(expiry.soon_stock(balances)),
            "days": expiry.warning_days(),
            "today": expiry.today(),
            "can_dispose": can_dispose,
            "form": DisposeForm(),
        },
        icon="warning",
    )
