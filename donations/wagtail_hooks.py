"""The donations back office in the Wagtail admin: donors, catalogue, pledges, receipts, stock,
the ledger, requests, dispatch notes and distributions. Every list and object goes through
portal.scoping.scope: the warehouse keeper sees all of it (`warehouse_visible`), a community
coordinator only their community's requests, dispatches, stock and distributions. All of it is
on the one scoped base (portal.admin): nothing is deleted here, and pledges, receipts, stock,
the ledger, requests, dispatches and distributions are read-only; they change only through the
operations in admin_views and admin_ops (which call donations.services)."""

from django import forms
from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.base import ViewSetGroup

from portal.admin import ScopedViewSet
from portal.admin_menu import register_screens
from portal.importexport import ImportExportViewSetMixin

from . import (
    admin_ops,
    admin_views,
    bulk_views,
    expiry_views,
    lot_admin,
    needs_admin,
    recall_views,
    stocktake_views,
)
from . import panels as panels_module
from .models import (
    Balance,
    Dispatch,
    Distribution,
    Donor,
    Item,
    Location,
    Movement,
    Pledge,
    Receipt,
    SafetyStock,
    StockTake,
    SupplyRequest,
)
from .resources import BalanceExportResource, MovementExportResource, PledgeAdminImportResource


class InspectableViewSet(ScopedViewSet):
    """Donations records are looked at whole (the inspect view), as well as listed."""

    inspect_view_enabled = True


def _link(url_name, label):
    return lambda obj: format_html('<a href="{}">{}</a>', reverse(url_name, args=[obj.pk]), label)


def _stocktake_link(stocktake):
    url = reverse("donations_admin:stocktake", args=[stocktake.pk])
    return format_html('<a href="{}">{}</a>', url, stocktake.serial)


def _pledge_status(pledge):
    """Cancelled and closed pledges stay in the list, greyed, with their reason."""
    if not pledge.ended:
        return pledge.get_status_display()
    return format_html(
        '<span class="d-ended">{} · {}</span>', pledge.get_status_display(), pledge.end_reason
    )


def _pledge_action(pledge):
    if pledge.status == Pledge.Status.PLEDGED:
        return _link("donations_admin:pledge_end", _("Cancel"))(pledge)
    if pledge.status == Pledge.Status.PARTIAL:
        return _link("donations_admin:pledge_end", _("Close the remainder"))(pledge)
    return ""


class DonorViewSet(InspectableViewSet):
    model = Donor
    icon = "user"
    menu_label = _("Donors")
    name = "donations_donors"
    form_fields = [
        "kind",
        "name",
        "credit_code",
        "contact_name",
        "contact_phone",
        "address",
        "public_name_consent",
    ]
    list_display = [
        "name",
        "kind",
        "credit_code",
        "contact_name",
        Column(
            "verified",
            label=pgettext_lazy("donor", "verified"),
            accessor=lambda d: _("Yes") if d.verified else _("No"),
        ),
        Column(
            "public_name_consent",
            label=_("named on the board"),
            accessor=lambda d: _("Yes") if d.public_name_consent else _("No"),
        ),
        Column(
            "verify", label=_("Verify"), accessor=_link("donations_admin:verify_donor", _("Verify"))
        ),
    ]
    list_filter = ["kind", "verified", "public_name_consent"]
    search_fields = ["name", "credit_code", "contact_name"]


class ItemViewSet(InspectableViewSet):
    model = Item
    icon = "tag"
    menu_label = _("Supply items")
    name = "donations_items"
    form_fields = [
        "name",
        "category",
        "unit",
        "specification",
        "tracks_lots",
        "tracks_expiry",
        "active",
    ]
    list_display = ["name", "category", "unit", "specification", "active"]
    list_filter = ["category", "active"]
    search_fields = ["name", "specification"]


class LocationViewSet(InspectableViewSet):
    model = Location
    icon = "site"
    menu_label = _("Locations")
    name = "donations_locations"
    form_fields = ["name", "kind", "community"]
    list_display = ["name", "kind", "community"]
    list_filter = ["kind"]


class PledgeViewSet(ImportExportViewSetMixin, InspectableViewSet):
    model = Pledge
    icon = "form"
    menu_label = _("Pledges")
    name = "donations_pledges"
    read_only = True
    list_select_related = ("donor",)
    import_resource_class = PledgeAdminImportResource  # a spreadsheet of lines, all or nothing
    list_display = [
        TitleColumn(
            "pledge",
            label=_("pledge"),
            accessor=str,
            get_url=lambda p: reverse("donations_admin:receive", args=[p.pk]),
        ),
        "donor",
        "expected_date",
        Column("status", label=_("status"), accessor=_pledge_status),
        "walk_in",
        "created_at",
        Column(
            "receive",
            label=_("Receive"),
            accessor=lambda p: "" if p.ended else _link("donations_admin:receive", _("Receive"))(p),
        ),
        Column("end", label=_("Cancel or close"), accessor=_pledge_action),
    ]
    list_filter = ["status", "walk_in"]
    search_fields = ["donor__name", "note"]


class ReceiptViewSet(InspectableViewSet):
    model = Receipt
    icon = "download"
    menu_label = _("Donation receipts")
    name = "donations_receipts"
    read_only = True
    list_select_related = ("pledge__donor", "location")
    list_display = [
        "serial",
        Column("donor", label=_("donor"), accessor="pledge.donor.name"),
        "location",
        "received_at",
        Column("pdf", label=_("PDF"), accessor=_link("donations:receipt_pdf", _("Receipt"))),
    ]
    list_filter = ["location"]
    search_fields = ["serial", "pledge__donor__name"]


class BalanceViewSet(ImportExportViewSetMixin, InspectableViewSet):
    model = Balance
    icon = "table"
    menu_label = _("Stock")
    name = "donations_balances"
    read_only = True
    list_select_related = ("item", "lot__donor", "location")
    export_resource_class = BalanceExportResource  # the listing as filtered, as xlsx or csv
    index_view_class = lot_admin.scan_index_view("lot_id")  # a scanned label finds its lot
    list_display = [
        "location",
        "item",
        "lot",
        Column("donor", label=_("donor"), accessor="lot.donor.name"),
        "quantity",
        "reserved",
        Column("available", label=_("available")),
        Column("expiry_state", label=_("Expiry"), accessor=lambda b: expiry_label(b.lot)),
        Column("goes_back", label=_("Return or recall"), accessor=lambda b: _going_back(b)),
        Column(
            "adjust", label=_("Correct"), accessor=_link("donations_admin:adjust", _("Correct"))
        ),
        Column(
            "transfer",
            label=_("Transfer"),
            accessor=lambda b: (
                format_html(
                    '<a href="{}?balance={}">{}</a>',
                    reverse("donations_admin:transfer"),
                    b.pk,
                    _("Transfer"),
                )
                if b.available > 0 and b.location.kind != Location.Kind.TRANSIT
                else ""
            ),
        ),
    ]
    list_filter = ["location", "item"]
    search_fields = ["item__name", "lot__lot_number", "lot__donor__name"]


class MovementViewSet(ImportExportViewSetMixin, InspectableViewSet):
    model = Movement
    icon = "list-ol"
    menu_label = _("Stock ledger")
    name = "donations_ledger"
    read_only = True
    list_select_related = (
        "item",
        "lot__donor",
        "from_location",
        "to_location",
        "community",
        "created_by",
    )
    export_resource_class = MovementExportResource  # 台账: the listing as filtered
    index_view_class = lot_admin.scan_index_view("lot_id")
    list_display = [
        "created_at",
        "kind",
        "item",
        "lot",
        "quantity",
        "from_location",
        "to_location",
        "community",
        "reason",
        "created_by",
    ]
    list_filter = {
        "kind": ["exact"],
        "item": ["exact"],
        "community": ["exact"],
        "created_at": ["date__gte", "date__lte"],
    }
    search_fields = ["reason", "lot__lot_number", "item__name"]


class SupplyRequestViewSet(InspectableViewSet):
    model = SupplyRequest
    icon = "list-ul"
    menu_label = _("Supply requests")
    name = "donations_requests"
    read_only = True
    list_select_related = ("community",)
    list_display = [
        TitleColumn(
            "request",
            label=_("request"),
            accessor=str,
            get_url=lambda r: reverse("donations_admin:request", args=[r.pk]),
        ),
        "community",
        "urgency",
        "purpose",
        "created_at",
    ]
    list_filter = ["urgency", "community"]
    search_fields = ["purpose", "community__name"]


class DispatchViewSet(InspectableViewSet):
    model = Dispatch
    icon = "upload"
    menu_label = _("Dispatch notes")
    name = "donations_dispatches"
    read_only = True
    list_select_related = ("community", "from_location")
    list_display = [
        "serial",
        "community",
        "from_location",
        "dispatched_at",
        "status",
        Column(
            "pdf",
            label=_("PDF"),
            accessor=_link("donations_admin:dispatch_pdf", _("Dispatch note")),
        ),
        Column(
            "confirm",
            label=_("Confirm receipt"),
            accessor=lambda d: (
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("donations_admin:confirm_receipt", args=[d.pk]),
                    _("Confirm receipt"),
                )
                if d.status == Dispatch.Status.DISPATCHED
                else ""
            ),
        ),
    ]
    list_filter = ["status", "community"]
    search_fields = ["serial", "community__name"]


class DistributionViewSet(InspectableViewSet):
    model = Distribution
    icon = "group"
    menu_label = _("Distributions")
    name = "donations_distributions"
    read_only = True
    list_select_related = ("community", "location", "post__compound")
    list_display = [
        "distributed_at",
        "community",
        "recipient",
        # A household is its help request's number: the address stays on the request.
        Column("to", label=_("to"), accessor="recipient_label"),
        "location",
        "note",
    ]
    inspect_view_fields_exclude = ["help_request"]
    list_filter = ["recipient", "community"]
    search_fields = ["note", "community__name"]


def expiry_label(lot):
    """Expired lots stand out in the stock list, as do lots expiring soon."""
    from .services import expiry

    state, days = expiry.expiry_state(lot)
    if state == "expired":
        return format_html(
            '<a class="d-expired" href="{}"><strong>{}</strong></a>',
            reverse("donations_admin:expired"),
            _("Expired"),
        )
    if state == "soon":
        return _("Expires in %(n)s days") % {"n": days}
    return ""


def _going_back(balance):
    links = [(reverse("donations_admin:recall", args=[balance.lot_id]), _("Recall"))]
    if balance.available > 0 and balance.location.kind != Location.Kind.TRANSIT:
        links.insert(
            0, (reverse("donations_admin:return_to_donor", args=[balance.pk]), _("Return"))
        )
    return format_html_join(" · ", '<a href="{}">{}</a>', links)


class SafetyStockForm(WagtailAdminModelForm):
    """The community choice is scoped (a coordinator: their own); every active item of the
    catalogue may be chosen, as on the request form."""

    item = forms.TypedChoiceField(
        label=pgettext_lazy("supply", "item"),
        coerce=lambda pk: Item.objects.get(pk=pk),
    )

    class Meta:
        model = SafetyStock
        fields = ["community", "item", "minimum"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "---------")] + [
            (item.pk, str(item)) for item in Item.objects.filter(active=True)
        ]
        if self.instance.pk:
            self.initial["item"] = self.instance.item_id


class SafetyStockViewSet(InspectableViewSet):
    """Minimum levels per community and item (issue 15.2); saved through the service, which
    checks the level at once."""

    model = SafetyStock
    icon = "warning"
    menu_label = _("Safety stock levels")
    name = "donations_safety_stock"
    form_class = SafetyStockForm
    list_select_related = ("community", "item")
    list_display = [
        "community",
        "item",
        "minimum",
        Column(
            "below",
            label=_("below the minimum"),
            accessor=lambda s: _("Yes") if s.below else _("No"),
        ),
    ]
    list_filter = ["community", "item", "below"]

    def save_new(self, form, user):
        from .services import safety_stock

        data = form.cleaned_data
        return safety_stock.set_level(data["community"], data["item"], data["minimum"], user=user)

    def save_changes(self, instance, form, user):
        from .services import safety_stock

        data = form.cleaned_data
        return safety_stock.set_level(data["community"], data["item"], data["minimum"], user=user)


class StockTakeViewSet(InspectableViewSet):
    """Counts of a store (issue 15.4), listed and filtered; each opens its count page, where
    counts are entered and approved through donations.services.stocktake."""

    model = StockTake
    icon = "list-ul"
    menu_label = _("Stock-takes")
    name = "donations_stocktakes"
    read_only = True
    list_select_related = ("location", "started_by", "approved_by")
    list_display = [
        Column("serial", label=_("Serial number"), accessor=_stocktake_link),
        "location",
        "status",
        "started_at",
        "started_by",
        "approved_by",
    ]
    list_filter = ["status", "location"]
    search_fields = ["serial", "location__name"]


class DonationsGroup(ViewSetGroup):
    menu_label = _("Donations and supplies")
    menu_icon = "pick"
    menu_order = 220
    items = [
        DonorViewSet,
        PledgeViewSet,
        needs_admin.NeedViewSet,
        ReceiptViewSet,
        BalanceViewSet,
        MovementViewSet,
        SupplyRequestViewSet,
        DispatchViewSet,
        DistributionViewSet,
        ItemViewSet,
        LocationViewSet,
        SafetyStockViewSet,
        StockTakeViewSet,
    ]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return DonationsGroup()


@hooks.register("insert_global_admin_css")
def admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("donations/css/admin.css"))


@hooks.register("register_admin_urls")
def register_urls():
    urls = [
        path("donors/<int:pk>/verify/", admin_views.verify_donor, name="verify_donor"),
        path("pledges/new/", admin_views.pledge_create, name="pledge_create"),
        path("pledges/<int:pk>/receive/", admin_views.receive, name="receive"),
        path("pledges/<int:pk>/end/", admin_ops.pledge_end, name="pledge_end"),
        path("requests/new/", admin_views.request_create, name="request_create"),
        path("requests/<int:pk>/", admin_views.request_detail, name="request"),
        path("allocations/<int:pk>/release/", admin_ops.release_allocation, name="release"),
        path("dispatches/<int:pk>/note.pdf", admin_views.dispatch_pdf, name="dispatch_pdf"),
        path("dispatches/<int:pk>/confirm/", admin_views.confirm_receipt, name="confirm_receipt"),
        path("distributions/new/", admin_views.distribute, name="distribute"),
        path("stock/<int:pk>/correct/", admin_views.adjust_balance, name="adjust"),
        path("stock/transfer/", admin_ops.transfer, name="transfer"),
        path("export/ledger.xlsx", admin_views.export_ledger, name="export_ledger"),
        path("export/balances.xlsx", admin_views.export_balances, name="export_balances"),
        path("receipts/print/", bulk_views.bulk_receipts, name="bulk_receipts"),
        path("stock/expired/", expiry_views.expired_stock, name="expired"),
        path("stock/<int:pk>/return/", recall_views.return_to_donor, name="return_to_donor"),
        path("returns/<int:pk>/note.pdf", recall_views.donor_return_pdf, name="donor_return_pdf"),
        path("lots/<int:pk>/recall/", recall_views.lot_recall, name="recall"),
        path("lots/", lot_admin.lot_list, name="lots"),
        path("stocktakes/", stocktake_views.stocktake_list, name="stocktakes"),
        path("stocktakes/<int:pk>/", stocktake_views.stocktake_detail, name="stocktake"),
        path(
            "stocktakes/<int:pk>/sheet.pdf",
            stocktake_views.stocktake_sheet_pdf,
            name="stocktake_pdf",
        ),
        path(
            "stocktakes/<int:pk>/sheet.xlsx",
            stocktake_views.stocktake_sheet_xlsx,
            name="stocktake_xlsx",
        ),
        path("needs/<int:pk>/<slug:action>/", needs_admin.need_action, name="need_action"),
    ]
    return [path("supplies/", include((urls, "donations_admin")))]


_ACTIONS = [
    (_("Walk-in donation"), "donations_admin:pledge_create", "plus", "donations.add_pledge"),
    (
        _("Request supplies"),
        "donations_admin:request_create",
        "plus",
        "donations.add_supplyrequest",
    ),
    (
        _("Record a distribution"),
        "donations_admin:distribute",
        "plus",
        "donations.add_distribution",
    ),
    (_("Transfer stock"), "donations_admin:transfer", "resubmit", "donations.add_movement"),
    (_("Expired stock"), "donations_admin:expired", "warning", "donations.view_balance"),
    (_("Stock-take"), "donations_admin:stocktakes", "list-ul", "donations.view_stocktake"),
    (
        _("Export the ledger (台账)"),
        "donations_admin:export_ledger",
        "download",
        "donations.view_movement",
    ),
    (
        _("Export stock balances"),
        "donations_admin:export_balances",
        "download",
        "donations.view_balance",
    ),
    (
        _("Print donation receipts"),
        "donations_admin:bulk_receipts",
        "doc-full",
        "donations.view_receipt",
    ),
    (_("Lots and labels"), "donations_admin:lots", "tag", "donations.view_lot"),
]


register_screens("register_admin_menu_item", _ACTIONS, first_order=221)


@hooks.register("construct_homepage_panels")
def add_supply_alerts_panel(request, panels):
    if request.user.has_perm("donations.view_balance"):
        panels.append(panels_module.SupplyAlertsPanel(request.user))
        panels.append(panels_module.SupplyChartsPanel())


@hooks.register("construct_homepage_panels")
def add_open_requests_panel(request, panels):
    if request.user.has_perm("donations.view_supplyrequest"):
        panels.append(panels_module.OpenRequestsPanel(request.user))
