"""Spreadsheets in and out (django-import-export).

- PledgeImportResource: a donor's spreadsheet of pledge lines. Every row is checked first;
  rows only become a pledge through services.pledge once the whole file is right, so a file
  with any bad row writes nothing and each bad row is reported with its number and reason.
- MovementExportResource / BalanceExportResource: the ledger and the balances (台账).
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export import fields, resources, widgets

from donations import services
from donations.models import Balance, Donor, Item, Movement, PledgeLine
from portal.bounds import MAX_QUANTITY
from portal.importexport import LookupWidget, PortalResource

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


class PledgeImportResource(resources.ModelResource):
    """Rows of (物资名称, 数量, 批号, 有效期至) for one donor's pledge."""

    item = fields.Field(attribute="item", column_name="物资名称", widget=ItemWidget())
    quantity = fields.Field(attribute="quantity", column_name="数量", widget=QuantityWidget())
    lot_number = fields.Field(
        attribute="lot_number", column_name="批号", widget=widgets.CharWidget()
    )
    expiry = fields.Field(attribute="expiry", column_name="有效期至", widget=ExpiryWidget())

    class Meta:
        model = PledgeLine
        fields = ("item", "quantity", "lot_number", "expiry")
        skip_diff = True
        # No savepoint per row: nothing is written per row anyway (see save_instance).
        use_bulk = True
        skip_unchanged = False
        report_skipped = False

    def __init__(
        self, donor=None, user=None, expected_date=None, note="", walk_in=False, submission_key=None
    ):
        super().__init__()
        self.donor, self.user = donor, user
        self.expected_date, self.note, self.walk_in = expected_date, note, walk_in
        self.submission_key = submission_key  # the upload form's one-time token (services.pledge)
        self.lines = []
        self.pledge = None

    def before_import(self, dataset, **kwargs):
        # Accept English headers too, and ignore stray spaces.
        aliases = {alias.lower(): names[0] for names in COLUMNS.values() for alias in names}
        dataset.headers = [
            aliases.get(str(h or "").strip().lower(), str(h or "").strip()) for h in dataset.headers
        ]
        missing = [
            names[0]
            for names in COLUMNS.values()
            if names[0] not in dataset.headers and names[0] in ("物资名称", "数量")
        ]
        if missing:
            raise ValueError(
                _("The spreadsheet needs the columns: %(columns)s.")
                % {"columns": "、".join(missing)}
            )

    def get_instance(self, instance_loader, row):
        return None  # every row is a new line

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name not in row:
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        # Nothing is written per row: the lines are kept until the whole file is known good.
        self.lines.append(
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
        if result.has_errors() or result.has_validation_errors() or self.donor is None:
            return
        if not self.lines:
            raise ValueError(_("The spreadsheet has no lines."))
        self.pledge = services.pledge(
            self.donor,
            self.lines,
            user=self.user,
            expected_date=self.expected_date,
            note=self.note,
            walk_in=self.walk_in,
            submission_key=self.submission_key,
        )


def import_errors(result):
    """[(row number, message), ...] for a failed import, in the current language. The number is
    the spreadsheet's row (the header is row 1, so the first line of goods is row 2)."""
    problems = []
    for error in result.base_errors:
        problems.append((None, str(error.error)))
    for number, errors in result.row_errors():
        for error in errors:
            problems.append((number + 1, str(error.error)))
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            label = COLUMNS.get(field, [field])[0]
            for message in messages:
                text = (
                    message.message % message.params
                    if getattr(message, "params", None)
                    else getattr(message, "message", message)
                )
                problems.append((invalid.number + 1, f"{label}：{text}"))
    return sorted(problems, key=lambda p: p[0] or 0)


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
    to_location = fields.Field(attribute="to_location__name", column_name=gettext_lazy("To"))
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


class PledgeAdminImportResource(PortalResource):
    """The back office's pledge import (walk-in donations, a firm's emailed spreadsheet): rows of
    (捐赠方, 物资名称, 数量, 批号, 有效期至). Rows are checked first, nothing is written per row;
    when the whole file is right, each donor's rows become one pledge through
    services.pledge. Plugged into the Pledges listing through portal.importexport."""

    donor = fields.Field(
        attribute="import_donor", column_name="捐赠方", widget=LookupWidget(Donor, field="name")
    )
    item = fields.Field(attribute="item", column_name="物资名称", widget=ItemWidget())
    quantity = fields.Field(attribute="quantity", column_name="数量", widget=QuantityWidget())
    lot_number = fields.Field(
        attribute="lot_number", column_name="批号", widget=widgets.CharWidget()
    )
    expiry = fields.Field(attribute="expiry", column_name="有效期至", widget=ExpiryWidget())

    class Meta:
        model = PledgeLine
        fields = ("donor", "item", "quantity", "lot_number", "expiry")
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

    def get_instance(self, instance_loader, row):
        return None  # every row is a new pledge line

    def required_columns(self):
        return ["捐赠方", "物资名称", "数量"]

    def save_instance(self, instance, is_create, row, **kwargs):
        from django.core.exceptions import ValidationError

        from portal.scoping import can_access

        donor = getattr(instance, "import_donor", None)
        if donor is None:
            raise ValidationError({"donor": [_("Enter the donor.")]})
        if self.user is not None and not can_access(self.user, donor):
            raise ValidationError(
                {"donor": [_("There is no donor called “%(name)s”.") % {"name": donor.name}]}
            )
        self.lines_by_donor.setdefault(donor, []).append(
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
            self.pledges.append(services.pledge(donor, lines, user=self.user, walk_in=True))
