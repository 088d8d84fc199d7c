"""The back office's lot list with label printing (issue 15 item 5), the scanned-label search of
every listing of lots, and the dashboard panel of pictures over time (issue 15 item 8).

Lots and labels (/admin/supplies/lots/): the lots the user may see (the warehouse and the
subdistrict office: all; a community's staff: the lots in their stores), searchable by item,
lot number or donor, or by a scanned label (its QR address or its LOT- code, donations.labels);
tick lots, choose copies and where on the sheet to start, and "Print labels" gives the PDF.
"""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.db.models import Q, Sum
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.views import generic

from portal.paging import page_without_count
from portal.params import parse_ids
from portal.pdf import pdf_response
from portal.scoping import scope

from . import labels
from .models import Balance, Lot

PER_PAGE = 50


def scan_index_view(lot_lookup, base=generic.IndexView):
    """An index view whose search box also takes a scanned lot label: a label's address or
    code lists that lot's rows (`lot_lookup`: the path to the lot's id); other text is
    searched as before."""

    class ScanSearchIndexView(base):
        def search_queryset(self, queryset):
            lot_id = labels.lot_from_scan(self.search_query) if self.is_searching else None
            if lot_id is not None:
                return queryset.filter(**{lot_lookup: lot_id})
            return super().search_queryset(queryset)

    return ScanSearchIndexView


def visible_lots(user):
    """The lots `user` may list: those scope() shows (the warehouse, the subdistrict office),
    and those with stock in a store the user's scope shows (a community's own)."""
    return Lot.objects.filter(
        Q(pk__in=scope(Lot.objects.all(), user).values("pk"))
        | Q(pk__in=scope(Balance.objects.filter(quantity__gt=0), user).values("lot_id"))
    )


def search_lots(lots, query):
    """`lots` matching a search: a scanned label gives its lot, other text is searched in the
    item's name, the lot number and the donor's name."""
    query = (query or "").strip()
    if not query:
        return lots
    lot_id = labels.lot_from_scan(query)
    if lot_id is not None:
        return lots.filter(pk=lot_id)
    return lots.filter(
        Q(item__name__icontains=query)
        | Q(lot_number__icontains=query)
        | Q(donor__name__icontains=query)
    )


class LabelForm(forms.Form):
    copies = forms.IntegerField(
        label=gettext_lazy("Labels per lot"), min_value=1, max_value=labels.MAX_COPIES, initial=1
    )
    skip = forms.IntegerField(
        label=gettext_lazy("Start at label"),
        min_value=1,
        max_value=labels.PER_SHEET,
        initial=1,
        help_text=gettext_lazy(
            "Position on the first sheet (1 = top left, across then down), to use up a "
            "sheet already started."
        ),
    )


@permission_required("donations.view_lot", raise_exception=True)
def lot_list(request):
    lots = visible_lots(request.user)
    if request.method == "POST":
        form = LabelForm(request.POST)
        chosen = list(
            lots.filter(pk__in=parse_ids(request.POST.getlist("lot")))
            .select_related("item")
            .order_by("item__name", "pk")
        )
        if not chosen:
            form.add_error(None, _("Tick the lots to print labels for."))
        elif form.is_valid():
            copies, skip = form.cleaned_data["copies"], form.cleaned_data["skip"] - 1
            if len(chosen) * copies > labels.MAX_LABELS:
                form.add_error(
                    None,
                    _("At most %(n)s labels at a time: choose fewer lots or copies.")
                    % {"n": labels.MAX_LABELS},
                )
            else:
                return pdf_response(labels.label_sheet_pdf(chosen, copies, skip), inline=True)
    else:
        form = LabelForm()
    query = request.GET.get("q", "")[:255]
    rows = (
        search_lots(lots, query)
        .select_related("item", "donor")
        .annotate(on_hand=Sum("balances__quantity"))
        .order_by("-created_at", "-pk")
    )
    page = page_without_count(rows, request.GET.get("p"), PER_PAGE)
    for lot in page:
        lot.code = labels.lot_code(lot)
    return render(
        request,
        "donations/admin/lot_list.html",
        {
            "title": _("Lots and labels"),
            "icon": "tag",
            "page": page,
            "query": query,
            "form": form,
            "chosen": set(parse_ids(request.POST.getlist("lot"))),
            "sheet": f"{labels.COLUMNS} × {labels.ROWS}",
        },
    )
