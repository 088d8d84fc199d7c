"""Back-office pages for goods going back (issue 15.6): return units of a lot to its donor
(with the return note as a PDF), recall a lot, see where it went, and record what comes back.
The warehouse and the subdistrict office open any lot; a community's staff open the recall of
a lot that reached their community and record what came back to their own stores."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from portal.admin import show_error
from portal.bounds import MAX_QUANTITY
from portal.pdf import pdf_response
from portal.scoping import community_ids, get_scoped_or_404, scope

from . import documents
from .admin_views import _render
from .models import Balance, DonorReturn, Location, Lot
from .services import StockError, recalls


class ReturnForm(forms.Form):
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=MAX_QUANTITY
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class RecallForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the recall is lifted"),
        max_length=200,
        help_text=gettext_lazy("For example: the maker withdrew its warning after testing."),
    )


class BackForm(forms.Form):
    location = forms.ModelChoiceField(label=gettext_lazy("Back at"), queryset=None)
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=MAX_QUANTITY
    )
    note = forms.CharField(
        label=pgettext_lazy("remark", "Note"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("No names, addresses or phone numbers."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = scope(
            Location.objects.exclude(kind=Location.Kind.TRANSIT), user
        )


@permission_required("donations.add_movement", raise_exception=True)
def return_to_donor(request, pk):
    balance = get_scoped_or_404(
        request.user, Balance.objects.select_related("lot__item", "lot__donor", "location"), pk=pk
    )
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = recalls.return_to_donor(
                balance.lot,
                balance.location,
                form.cleaned_data["quantity"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except StockError as error:
            show_error(request, error)
        else:
            messages.success(
                request,
                _("Returned to the donor on %(serial)s.") % {"serial": document.serial},
            )
            return redirect("donations_admin:donor_return_pdf", pk=document.pk)
    return _render(
        request,
        "return_to_donor.html",
        _("Return to the donor"),
        {"balance": balance, "form": form},
        icon="undo",
    )


@permission_required("donations.view_movement", raise_exception=True)
def donor_return_pdf(request, pk):
    document = get_scoped_or_404(request.user, DonorReturn, pk=pk)
    return pdf_response(documents.donor_return_pdf(document), inline=True)


def _lot_for(user, pk):
    """The lot, if the user may open its recall page: any lot the user's scope shows (the
    warehouse, the subdistrict office), or a recalled lot that reached one of their
    communities."""
    lot = Lot.objects.select_related("item", "donor").filter(pk=pk).first()
    if lot is None:
        raise Http404
    if scope(Lot.objects.filter(pk=pk), user).exists():
        return lot, True
    if lot.recalls.exists() and recalls.communities_reached(lot) & set(community_ids(user)):
        return lot, False
    raise Http404


@permission_required("donations.view_movement", raise_exception=True)
def lot_recall(request, pk):
    lot, sees_all = _lot_for(request.user, pk)
    recall_form = RecallForm(request.POST if request.POST.get("action") == "recall" else None)
    lift_form = LiftForm(request.POST if request.POST.get("action") == "lift" else None)
    back_form = BackForm(
        request.POST if request.POST.get("action") == "back" else None, user=request.user
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "recall":
                if not (sees_all and request.user.has_perm("donations.add_movement")):
                    raise PermissionDenied
                if recall_form.is_valid():
                    recalls.recall_lot(
                        lot, user=request.user, reason=recall_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The lot is recalled; the communities are told."))
                    return redirect("donations_admin:recall", pk=lot.pk)
            elif request.POST.get("action") == "lift":
                recall = recalls.recall_of(lot)
                if recall is None:
                    raise Http404
                if not (sees_all and request.user.has_perm("donations.add_movement")):
                    raise PermissionDenied
                if lift_form.is_valid():
                    recalls.lift_recall(
                        recall, user=request.user, reason=lift_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The recall is lifted."))
                    return redirect("donations_admin:recall", pk=lot.pk)
            elif request.POST.get("action") == "back":
                recall = recalls.recall_of(lot)
                if recall is None:
                    raise Http404
                if not request.user.has_perm("donations.add_distribution"):
                    raise PermissionDenied
                if back_form.is_valid():
                    data = back_form.cleaned_data
                    recalls.record_recall_return(
                        recall,
                        data["location"],
                        data["quantity"],
                        user=request.user,
                        note=data["note"],
                    )
                    messages.success(request, _("Recorded in the ledger."))
                    return redirect("donations_admin:recall", pk=lot.pk)
        except StockError as error:
            show_error(request, error)
    trace = recalls.recall_trace(lot)
    if not sees_all:
        # A community's staff see the rows of their own communities only.
        mine = {
            name
            for name in scope(
                Location.objects.filter(community__isnull=False), request.user
            ).values_list("community__name", flat=True)
        }
        trace["communities"] = [r for r in trace["communities"] if r["community"] in mine]
        trace["stock"] = [
            b for b in trace["stock"] if b.location.community_id in community_ids(request.user)
        ]
    return _render(
        request,
        "recall.html",
        _("Recall of lot %(lot)s") % {"lot": lot},
        {
            **trace,
            "recall_form": recall_form,
            "lift_form": lift_form,
            "back_form": back_form,
            "can_recall": sees_all and request.user.has_perm("donations.add_movement"),
            "can_record": request.user.has_perm("donations.add_distribution"),
        },
        icon="warning",
    )
