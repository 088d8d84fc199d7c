"""Spreadsheets in and out (django-import-export).

- PledgeImportResource (a donor's upload) and PledgeAdminImportResource (the back office's
  Import button): spreadsheets of pledge lines, read, imported and reported by
  portal.importexport like every upload. Every row is checked first; rows only become a
  pledge through services.pledge once the whole file is right, so a file with any bad row
  writes nothing and each bad row is reported with its number, column and reason.
- MovementExportResource / BalanceExportResource: the ledger and the balances (台账).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export import fields, resources, widgets

from donations import services
from donations.models import Balance, Donor, Item, Movement, PledgeLine, StockTakeLine
from portal.bounds import MAX_QUANTITY
from portal.importexport import LookupWidget, PortalResource, TextWidget
from portal.scoping import can_access

# The column headers of the pledge spreadsheet, as donors write them (Chinese or English).
COLUMNS = {
    "item": ["物资名称", "item"],
    "quantity": ["数量", "quantity"],
    "lot_number": ["批号", "lot number"],
    "expiry": ["有效期至", "expiry"],
}


class ItemWidget(widgets.Widget):
    """An item by its name in the catalogue, looked up once per import."""

    def __init__(self):
        super().__init__()
        self._items = None

    def clean(self, value, row=None, **kwargs):
        if self._items is None:
            self._items = {item.name: item for item in Item.objects.filter(active=True)}
        name = str(value or "").strip()
        if not name:
            raise ValueError(_("Enter the item name."))
        item = self._items.get(name)
        if item is None:
            raise ValueError(
                _("There is no item called “%(name)s” in the catalogue.") % {"name": name}
            )
        return item

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class QuantityWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        try:
            number = float(str(value).strip())
        except (TypeError, ValueError):
            number = None
        if number is None or not number.is_integer() or number <= 0:
            raise ValueError(_("The quantity must be a positive whole number."))
        if number > MAX_QUANTITY:
            raise ValueError(
                _("The quantity must be at most %(max)s.") % {"max": f"{MAX_QUANTITY:,}"}
            )
        return int(number)


class ExpiryWidget(widgets.Widget):
    FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not isinstance(value, datetime.date):
            text = str(value).strip()
            for fmt in self.FORMATS:
                try:
                    value = datetime.datetime.strptime(text, fmt).date()
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(_("Write the expiry date as 2026-12-31."))
        if value < timezone.localdate():
            raise ValueError(_("These goods have already expired."))
        return value


class MovementExportResource(resources.ModelResource):
    """The stock ledger, one movement a row, oldest first."""

    created_at = fields.Field(attribute="created_at", column_name=gettext_lazy("Date and time"))
    kind = fields.Field(attribute="kind", column_name=gettext_lazy("Kind"))
    item = fields.Field(attribute="item__name", column_name=gettext_lazy("Item"))
    unit = fields.Field(attribute="item__unit", column_name=gettext_lazy("Unit"))
    lot = fields.Field(attribute="lot__lot_number", column_name=gettext_lazy("Lot number"))
    # Numbers and dates keep their types in xlsx (portal.importexport.exports).
    expiry = fields.Field(
        attribute="lot__expiry",
        column_name=gettext_lazy("Expiry date"),
        widget=widgets.DateWidget(),
    )
    donor = fields.Field(attribute="lot__donor__name", column_name=gettext_lazy("Donor"))
    quantity = fields.Field(
        attribute="quantity", column_name=gettext_lazy("Quantity"), widget=widgets.IntegerWidget()
    )
    from_location = fields.Field(
        attribute="from_location__name", column_name=pgettext_lazy("stock location", "From")
    )
    to_location = fields.Field(
        attribute="to_location__name", column_name=pgettext_lazy("stock location", "To")
    )
    community = fields.Field(attribute="community__name", column_name=gettext_lazy("Community"))
    reason = fields.Field(attribute="reason", column_name=gettext_lazy("Reason"))
    created_by = fields.Field(attribute="created_by", column_name=gettext_lazy("By"))

    def __init__(self, user=None, **kwargs):
        # `user` is passed by the back office's export view (portal.importexport); the queryset
        # it exports is already scoped.
        super().__init__(**kwargs)
        self.user = user

    class Meta:
        model = Movement
        fields = (
            "created_at",
            "kind",
            "item",
            "unit",
            "lot",
            "expiry",
            "donor",
            "quantity",
            "from_location",
            "to_location",
            "community",
            "reason",
            "created_by",
        )

    def dehydrate_created_at(self, movement):
        # A value, not text: the export writes a date cell (csv: 2026-11-30 07:00).
        return timezone.localtime(movement.created_at)

    def dehydrate_kind(self, movement):
        return str(movement.get_kind_display())

    def dehydrate_created_by(self, movement):
        return str(movement.created_by) if movement.created_by_id else ""

    @staticmethod
    def queryset(base):
        return base.select_related(
            "item", "lot__donor", "from_location", "to_location", "community", "created_by"
        ).order_by("created_at", "pk")


class BalanceExportResource(resources.ModelResource):
    location = fields.Field(attribute="location__name", column_name=gettext_lazy("Location"))
    item = fields.Field(attribute="item__name", column_name=gettext_lazy("Item"))
    unit = fields.Field(attribute="item__unit", column_name=gettext_lazy("Unit"))
    lot = fields.Field(attribute="lot__lot_number", column_name=gettext_lazy("Lot number"))
    expiry = fields.Field(
        attribute="lot__expiry",
        column_name=gettext_lazy("Expiry date"),
        widget=widgets.DateWidget(),
    )
    donor = fields.Field(attribute="lot__donor__name", column_name=gettext_lazy("Donor"))
    quantity = fields.Field(
        attribute="quantity", column_name=gettext_lazy("On hand"), widget=widgets.IntegerWidget()
    )
    reserved = fields.Field(
        attribute="reserved", column_name=gettext_lazy("Allocated"), widget=widgets.IntegerWidget()
    )
    available = fields.Field(
        attribute="available", column_name=gettext_lazy("Available"), widget=widgets.IntegerWidget()
    )

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    class Meta:
        model = Balance
        fields = (
            "location",
            "item",
            "unit",
            "lot",
            "expiry",
            "donor",
            "quantity",
            "reserved",
            "available",
        )

    @staticmethod
    def queryset(base):
        return (
            base.select_related("item", "lot__donor", "location")
            .filter(quantity__gt=0)
            .order_by("location__name", "item__name", "lot__expiry")
        )


class PledgeLinesResource(PortalResource):
    """Rows of (物资名称, 数量, 批号, 有效期至) that become pledges through services.pledge.

    Files are read and imported by portal.importexport like every other upload (read_dataset,
    run_import, describe_problems). Nothing is written per row: the lines are kept until the
    whole file is known good, then each donor's lines become one pledge."""

    item = fields.Field(attribute="item", column_name="物资名称", widget=ItemWidget())
    quantity = fields.Field(attribute="quantity", column_name="数量", widget=QuantityWidget())
    lot_number = fields.Field(attribute="lot_number", column_name="批号", widget=TextWidget())
    expiry = fields.Field(attribute="expiry", column_name="有效期至", widget=ExpiryWidget())

    class Meta:
        model = PledgeLine
        fields = ("item", "quantity", "lot_number", "expiry")
        import_id_fields = ()
        clean_model_instances = False  # the pledge does not exist yet; the service checks
        skip_diff = True
        report_skipped = False
        store_row_values = True
        store_instance = True
        use_transactions = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.lines_by_donor = {}
        self.pledges = []

    def header_aliases(self):
        aliases = super().header_aliases()
        for names in COLUMNS.values():
            for alias in names:
                aliases.setdefault(alias.lower(), names[0])
        return aliases

    def required_columns(self):
        return ["物资名称", "数量"]

    def get_instance(self, instance_loader, row):
        return None  # every row is a new pledge line

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name not in row:  # 批号 and 有效期至 may be left out
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def donor_of(self, instance):
        raise NotImplementedError

    def save_instance(self, instance, is_create, row, **kwargs):
        self.lines_by_donor.setdefault(self.donor_of(instance), []).append(
            {
                "item": instance.item,
                "quantity": instance.quantity,
                "lot_number": instance.lot_number or "",
                "expiry": instance.expiry,
            }
        )

    def save_m2m(self, instance, row, **kwargs):
        return None

    def after_import(self, dataset, result, **kwargs):
        if result.has_errors() or result.has_validation_errors():
            return
        for donor, lines in self.lines_by_donor.items():
            self.pledges.append(self.record_pledge(donor, lines))

    def record_pledge(self, donor, lines):
        return services.pledge(donor, lines, user=self.user, walk_in=True)


class PledgeImportResource(PledgeLinesResource):
    """A donor's own spreadsheet for one pledge (the public upload page).

    The view has already found the donor among the user's own, and the rows name no donor, so
    there is nothing to scope row by row; a donor's representative holds no back-office
    permission either. The resource therefore runs without a user (PortalResource checks
    nothing) and the pledge is recorded as made by `user`."""

    def __init__(
        self, donor=None, user=None, expected_date=None, note="", walk_in=False, submission_key=None
    ):
        super().__init__(user=None)
        self.donor, self.pledger = donor, user
        self.expected_date, self.note, self.walk_in = expected_date, note, walk_in
        self.submission_key = submission_key  # the upload form's one-time token (services.pledge)

    @property
    def pledge(self):
        return self.pledges[0] if self.pledges else None

    def donor_of(self, instance):
        return self.donor

    def after_import(self, dataset, result, **kwargs):
        if self.donor is not None:
            super().after_import(dataset, result, **kwargs)

    def record_pledge(self, donor, lines):
        return services.pledge(
            donor,
            lines,
            user=self.pledger,
            expected_date=self.expected_date,
            note=self.note,
            walk_in=self.walk_in,
            submission_key=self.submission_key,
        )


class PledgeAdminImportResource(PledgeLinesResource):
    """The back office's pledge import (walk-in donations, a firm's emailed spreadsheet): rows of
    (捐赠方, 物资名称, 数量, 批号, 有效期至); each donor's rows become one walk-in pledge.
    Plugged into the Pledges listing through portal.importexport."""

    donor = fields.Field(
        attribute="import_donor", column_name="捐赠方", widget=LookupWidget(Donor, field="name")
    )

    class Meta(PledgeLinesResource.Meta):
        fields = ("donor", "item", "quantity", "lot_number", "expiry")

    def required_columns(self):
        return ["捐赠方", "物资名称", "数量"]

    def donor_of(self, instance):
        donor = getattr(instance, "import_donor", None)
        if donor is None:
            raise ValidationError({"donor": [_("Enter the donor.")]})
        if self.user is not None and not can_access(self.user, donor):
            raise ValidationError(
                {"donor": [_("There is no donor called “%(name)s”.") % {"name": donor.name}]}
            )
        return donor


class StockTakeSheetResource(resources.ModelResource):
    """The count sheet (盘点表) as a spreadsheet: one row per lot, blind (no book quantity)."""

    number = fields.Field(attribute="number", column_name=gettext_lazy("No."))
    item = fields.Field(attribute="lot__item__name", column_name=gettext_lazy("Item"))
    specification = fields.Field(
        attribute="lot__item__specification", column_name=gettext_lazy("Specification")
    )
    lot = fields.Field(attribute="lot__lot_number", column_name=gettext_lazy("Lot number"))
    expiry = fields.Field(
        attribute="lot__expiry",
        column_name=gettext_lazy("Expiry date"),
        widget=widgets.DateWidget(),
    )
    unit = fields.Field(attribute="lot__item__unit", column_name=gettext_lazy("Unit"))
    donor = fields.Field(attribute="lot__donor__name", column_name=gettext_lazy("Donor"))
    counted = fields.Field(
        attribute="counted", column_name=gettext_lazy("Counted"), widget=widgets.IntegerWidget()
    )

    class Meta:
        model = StockTakeLine
        fields = ("number", "item", "specification", "lot", "expiry", "unit", "donor", "counted")

    @staticmethod
    def rows(stocktake):
        from donations.services.stocktake import SHEET_ORDER

        lines = list(
            stocktake.lines.select_related("lot__item", "lot__donor").order_by(*SHEET_ORDER)
        )
        for number, line in enumerate(lines, start=1):
            line.number = number
        return lines
