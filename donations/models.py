"""Donations: donors and their pledges, the supply catalogue, receiving, lots, the stock ledger,
community requests, allocation, dispatch, community receipt and distribution.

The flow of goods (and of the models):

    Donor --< Pledge --< PledgeLine
                 \\--< Receipt --< ReceivingLine --> Lot (item, donor, pledge line, expiry)
    Lot + Location --> Balance (quantity on hand, reserved for allocations)
    SupplyRequest --< SupplyRequestLine --< Allocation (lot, location) >-- Dispatch
    Dispatch --1 CommunityReceipt --< CommunityReceiptLine (per allocation)
    Distribution --< DistributionLine (lot)

Every change of stock writes a Movement (the ledger, append-only) and changes Balance by a
conditional atomic update in donations.services; nothing else changes stock.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.bounds import MAX_BALANCE, MAX_QUANTITY, MAX_SERIAL, max_value
from portal.validators import normalize_uscc, validate_mobile, validate_uscc

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


def too_many_pixels_error():
    return ValidationError(
        _("The photo has too many pixels (at most %(megapixels)s megapixels).")
        % {"megapixels": settings.IMAGE_MAX_PIXELS // 1_000_000},
        code="photo_pixels",
    )


def validate_photo(file):
    """A photo of the goods or a certificate: an image (JPEG, PNG, WebP) of at most 5 MB and
    settings.IMAGE_MAX_PIXELS pixels (a small file can decode to gigabytes)."""
    from PIL import Image, UnidentifiedImageError

    if file.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB."), code="photo_too_large")
    try:
        position = file.tell()
        file.seek(0)
        with Image.open(file) as image:  # Pillow itself refuses twice the cap (apps.py)
            kind = image.format
            width, height = image.size
            image.verify()
        file.seek(position)
    except Image.DecompressionBombError as error:
        raise too_many_pixels_error() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("Upload a photo in JPEG, PNG or WebP format."), code="photo_type"
        ) from error
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise too_many_pixels_error()
    if kind not in PHOTO_FORMATS:
        raise ValidationError(_("Upload a photo in JPEG, PNG or WebP format."), code="photo_type")


def pledge_photo_path(instance, filename):
    """A random name: the donor's file name can carry personal data, and names that can be
    guessed invite guessing."""
    import os
    import secrets

    extension = os.path.splitext(filename)[1].lower()
    if extension not in {".jpg", ".jpeg", ".png", ".webp"}:
        extension = ""
    return f"pledges/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{extension}"


def private_storage():
    """settings.STORAGES["private"]: outside MEDIA_ROOT, no URL (portal.security)."""
    from django.core.files.storage import storages

    return storages["private"]


class Donor(models.Model):
    """A firm or a person who gives supplies. Representatives (users) act for it; a firm's
    pledges are received only once subdistrict staff have verified it."""

    donor_lookup = "pk"
    warehouse_visible = True

    class Kind(models.TextChoices):
        FIRM = "firm", _("Firm or organisation")
        PERSON = "person", _("Individual")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIRM)
    name = models.CharField(_("name"), max_length=150)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18 characters, for a firm or organisation."),
    )
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(
        _("contact phone"), max_length=11, validators=[validate_mobile]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Whether the board (物资公示) may show the name; otherwise it shows "anonymous".
    public_name_consent = models.BooleanField(_("show our name on the public board"), default=False)
    # Set by subdistrict staff (services.verify_donor); a firm's pledges wait for it.
    verified = models.BooleanField(_("verified"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="unique_donor_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(kind="person") | ~Q(credit_code=""), name="firm_has_credit_code"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # One spelling per code (the validator accepts spaces and dashes), so uniqueness holds.
        self.credit_code = normalize_uscc(self.credit_code)
        if self.kind == self.Kind.FIRM and not self.credit_code:
            raise ValidationError(
                {"credit_code": _("A firm needs its unified social credit code.")}
            )

    @property
    def can_pledge(self):
        return self.kind == self.Kind.PERSON or self.verified

    @property
    def public_name(self):
        return self.name if self.public_name_consent else _("Anonymous donor")


class DonorRepresentative(models.Model):
    """A user who acts for a donor (portal.scoping.donor_ids reads user.donor_representations)."""

    donor_lookup = "donor"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="donor_representations",
        verbose_name=_("user"),
    )
    donor = models.ForeignKey(
        Donor, on_delete=models.CASCADE, related_name="representatives", verbose_name=_("donor")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("donor representative")
        verbose_name_plural = _("donor representatives")
        constraints = [
            models.UniqueConstraint(fields=["user", "donor"], name="unique_donor_representative")
        ]

    def __str__(self):
        return f"{self.user} → {self.donor}"


class Item(models.Model):
    """A kind of supply in the catalogue (N95 masks, 84 disinfectant 500 ml...)."""

    warehouse_visible = True

    class Category(models.TextChoices):
        MASKS = "masks", _("Masks")
        DISINFECTANT = "disinfectant", _("Disinfectant")
        PROTECTIVE = "protective", _("Protective gear")
        MEDICINE = "medicine", _("Medicine")
        FOOD = "food", _("Food")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=10, help_text=_("只, 瓶, 副, 盒, 双, 箱 ..."))
    specification = models.CharField(_("specification"), max_length=100, blank=True)
    tracks_lots = models.BooleanField(_("tracks lot numbers"), default=True)
    tracks_expiry = models.BooleanField(_("tracks expiry"), default=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supply item")
        verbose_name_plural = _("supply items")
        ordering = ["category", "name"]

    def __str__(self):
        return self.name


class Location(models.Model):
    """Where stock is kept: the subdistrict warehouse, a community store, or goods in transit
    between them (dispatched, not yet confirmed by the community)."""

    warehouse_visible = True
    community_lookup = "community"

    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", _("Subdistrict warehouse")
        COMMUNITY = "community", _("Community store")
        TRANSIT = "transit", _("In transit")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stores",
        verbose_name=_("community"),
    )

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Pledge(models.Model):
    """What a donor promises to give: lines of items, delivered once or in parts."""

    donor_lookup = "donor"
    warehouse_visible = True

    class Status(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        PARTIAL = "partial", _("Partly received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")
        # Partly received, and the rest is no longer expected (services.close_pledge).
        CLOSED = "closed", _("Closed short")

    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("donor")
    )
    expected_date = models.DateField(_("expected delivery date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Walk-in donations are entered by staff on the donor's behalf.
    walk_in = models.BooleanField(_("walk-in donation"), default=False)
    # The one-time token of the form that made it (empty for imports and older pledges): the same
    # form posted again (back and resubmit, a double tap) finds this pledge instead of making a
    # second one (services.pledge). Unique, so two racing posts cannot both insert.
    submission_key = models.CharField(
        _("form submission key"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # Moves forward with receiving (services.receive): pledged -> partial -> received. It ends
    # early as cancelled (nothing received, services.cancel_pledge) or closed (partly received,
    # the rest no longer expected, services.close_pledge); neither takes goods any more.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLEDGED
    )
    # Who cancelled the pledge or closed its remainder, when and why (empty while it is open).
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled or closed by"),
    )
    ended_at = models.DateTimeField(_("cancelled or closed at"), null=True, blank=True)
    end_reason = models.CharField(_("reason for cancelling or closing"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Pledge #%(pk)s from %(donor)s") % {"pk": self.pk, "donor": self.donor}

    @property
    def ended(self):
        return self.status in (self.Status.CANCELLED, self.Status.CLOSED)


class PledgeLine(models.Model):
    """One item of a pledge. What has been accepted and rejected so far is the sum of its
    receiving lines (a line can arrive in several deliveries)."""

    donor_lookup = "pledge__donor"
    warehouse_visible = True

    pledge = models.ForeignKey(
        Pledge, on_delete=models.PROTECT, related_name="lines", verbose_name=_("pledge")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])
    lot_number = models.CharField(_("lot number"), max_length=50, blank=True)
    expiry = models.DateField(_("expiry date"), null=True, blank=True)
    # In private storage: served only by donations.views.pledge_photo, to whoever may see the
    # pledge (the donor's representatives, the warehouse, the subdistrict).
    photo = models.ImageField(
        _("photo of goods or certificate"),
        upload_to=pledge_photo_path,
        storage=private_storage,
        blank=True,
        validators=[validate_photo],
    )

    class Meta:
        verbose_name = _("pledge line")
        verbose_name_plural = _("pledge lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pledge_line_positive")
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"


class SerialCounter(models.Model):
    """The last number handed out per document series. services.next_serial increments it by
    an atomic update inside the caller's transaction, so a serial is never given twice."""

    name = models.CharField(max_length=30, primary_key=True)
    value = models.PositiveBigIntegerField(default=0, validators=[max_value(MAX_SERIAL)])

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")

    def __str__(self):
        return f"{self.name}: {self.value}"


class Receipt(models.Model):
    """A delivery received against a pledge (捐赠接收凭证): which lines were accepted or
    rejected, at which location. Its serial never repeats and is printed on the PDF."""

    donor_lookup = "pledge__donor"
    warehouse_visible = True

    serial = models.CharField(_("serial number"), max_length=30, unique=True)
    pledge = models.ForeignKey(
        Pledge, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("pledge")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("donation receipt")
        verbose_name_plural = _("donation receipts")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return self.serial

    @property
    def donor(self):
        return self.pledge.donor


class ReceivingLine(models.Model):
    """Per pledge line in a delivery: how many were accepted (they became `lot`) and how many
    were rejected, with the reason."""

    donor_lookup = "receipt__pledge__donor"
    warehouse_visible = True

    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, related_name="lines", verbose_name=_("receipt")
    )
    pledge_line = models.ForeignKey(
        PledgeLine,
        on_delete=models.PROTECT,
        related_name="receiving_lines",
        verbose_name=_("pledge line"),
    )
    accepted = models.PositiveIntegerField(
        _("accepted"), default=0, validators=[max_value(MAX_QUANTITY)]
    )
    rejected = models.PositiveIntegerField(
        _("rejected"), default=0, validators=[max_value(MAX_QUANTITY)]
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    lot = models.ForeignKey(
        "Lot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lot"),
    )

    class Meta:
        verbose_name = _("receiving line")
        verbose_name_plural = _("receiving lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rejected=0) | ~Q(rejection_reason=""), name="rejection_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.pledge_line.item}: +{self.accepted} / -{self.rejected}"


class Lot(models.Model):
    """Goods of one item from one donor's pledge line, received together: the unit of
    traceability. Allocation takes the earliest expiry first."""

    donor_lookup = "donor"
    warehouse_visible = True

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="lots", verbose_name=_("item")
    )
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, related_name="lots", verbose_name=_("donor")
    )
    pledge_line = models.ForeignKey(
        PledgeLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
        verbose_name=_("pledge line"),
    )
    lot_number = models.CharField(_("lot number"), max_length=50, blank=True)
    expiry = models.DateField(_("expiry date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = [F("expiry").asc(nulls_last=True), "pk"]

    def __str__(self):
        label = self.lot_number or f"#{self.pk}"
        if self.expiry:
            return f"{self.item} {label} ({self.expiry:%Y-%m-%d})"
        return f"{self.item} {label}"


class Balance(models.Model):
    """Stock of one lot at one location: `quantity` on hand, of which `reserved` is allocated
    to requests and not yet dispatched. Only donations.services changes it, by conditional
    atomic updates; the database refuses negatives. services.check_balances compares it with
    the ledger."""

    warehouse_visible = True
    community_lookup = "location__community"

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="balances", verbose_name=_("lot")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="balances", verbose_name=_("location")
    )
    # Units on the shelf (or in transit) at this location.
    quantity = models.IntegerField(_("on hand"), default=0, validators=[max_value(MAX_BALANCE)])
    # Units allocated to requests and waiting for dispatch; never more than on hand.
    reserved = models.IntegerField(_("allocated"), default=0, validators=[max_value(MAX_BALANCE)])

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["location", "item", "lot"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "location"], name="unique_balance"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="balance_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("quantity")), name="reserved_within_quantity"
            ),
        ]

    def __str__(self):
        return f"{self.location} · {self.lot}: {self.quantity}"

    @property
    def available(self):
        return self.quantity - self.reserved


class SupplyRequest(models.Model):
    """A community asks for supplies. What is allocated, dispatched and still open is derived
    from its lines' allocations."""

    community_lookup = "community"
    warehouse_visible = True

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")
        CRITICAL = "critical", _("Critical")

    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        related_name="supply_requests",
        verbose_name=_("community"),
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Request #%(pk)s from %(community)s") % {
            "pk": self.pk,
            "community": self.community,
        }


class SupplyRequestLine(models.Model):
    """One item of a request; services.request_line_progress derives allocated/dispatched/open."""

    community_lookup = "request__community"
    warehouse_visible = True

    request = models.ForeignKey(
        SupplyRequest, on_delete=models.PROTECT, related_name="lines", verbose_name=_("request")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])

    class Meta:
        verbose_name = _("requested item")
        verbose_name_plural = _("requested items")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="request_line_positive")
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"


class Dispatch(models.Model):
    """A dispatch note (出库单): allocations that leave a location together for one community.
    The goods sit in the transit location until the community confirms receipt."""

    community_lookup = "community"
    warehouse_visible = True

    class Status(models.TextChoices):
        DISPATCHED = "dispatched", _("Dispatched")
        RECEIVED = "received", _("Received by the community")

    serial = models.CharField(_("serial number"), max_length=30, unique=True)
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        related_name="dispatches",
        verbose_name=_("community"),
    )
    from_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    # dispatched -> received, set once by services.confirm_receipt.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DISPATCHED
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("dispatched by"),
    )
    dispatched_at = models.DateTimeField(_("dispatched at"))

    class Meta:
        verbose_name = _("dispatch note")
        verbose_name_plural = _("dispatch notes")
        ordering = ["-dispatched_at", "-pk"]

    def __str__(self):
        return self.serial


class Allocation(models.Model):
    """Units of one lot at one location set aside for a request line (stock `reserved`); it
    leaves on a dispatch note, or is released back to free stock before that."""

    community_lookup = "request_line__request__community"
    warehouse_visible = True

    request_line = models.ForeignKey(
        SupplyRequestLine,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("requested item"),
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("lot")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])
    # Empty until the allocation leaves on a dispatch note (services.dispatch).
    dispatch = models.ForeignKey(
        Dispatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("dispatch note"),
    )
    # Set when the reservation is given back to free stock before dispatch
    # (services.release_allocation); a released allocation no longer counts for its line.
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    release_reason = models.CharField(_("reason for release"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("allocated by"),
    )
    created_at = models.DateTimeField(_("allocated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_positive")
        ]

    def __str__(self):
        return f"{self.lot} × {self.quantity}"


class CommunityReceipt(models.Model):
    """The community's confirmation of a dispatch note; any difference per line is recorded
    as a discard movement with its reason, never as an edit."""

    community_lookup = "dispatch__community"
    warehouse_visible = True

    dispatch = models.OneToOneField(
        Dispatch,
        on_delete=models.PROTECT,
        related_name="community_receipt",
        verbose_name=_("dispatch note"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("community receipt")
        verbose_name_plural = _("community receipts")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return str(self.dispatch)


class CommunityReceiptLine(models.Model):
    """Per allocation on the note: units that arrived, and why the rest did not."""

    community_lookup = "receipt__dispatch__community"
    warehouse_visible = True

    receipt = models.ForeignKey(
        CommunityReceipt, on_delete=models.PROTECT, related_name="lines", verbose_name=_("receipt")
    )
    allocation = models.OneToOneField(
        Allocation,
        on_delete=models.PROTECT,
        related_name="community_receipt_line",
        verbose_name=_("allocation"),
    )
    received = models.PositiveIntegerField(_("received"), validators=[max_value(MAX_QUANTITY)])
    missing = models.PositiveIntegerField(
        _("missing or damaged"), default=0, validators=[max_value(MAX_QUANTITY)]
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("community receipt line")
        verbose_name_plural = _("community receipt lines")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.allocation.lot}: {self.received}"


class Distribution(models.Model):
    """What a community handed out from a store: to a post, to volunteers, or to a household.

    A household is never described here: a distribution to one points at its help request
    (assistance.HelpRequest), the one place its address lives, so the address is seen only
    where the request is (the community's staff, the assigned volunteer) and dies with the
    request's retention. Everyone else, the warehouse and donors included, sees "a household"."""

    community_lookup = "community"
    warehouse_visible = True

    class Recipient(models.TextChoices):
        POST = "post", _("A post")
        VOLUNTEERS = "volunteers", _("Volunteers")
        HOUSEHOLD = "household", _("A household")

    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        related_name="distributions",
        verbose_name=_("community"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from store")
    )
    recipient = models.CharField(_("given to"), max_length=20, choices=Recipient.choices)
    post = models.ForeignKey(
        "portal.Post",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
    )
    # The household's help request (for recipient = household); empty only on household
    # distributions recorded before requests were linked.
    help_request = models.ForeignKey(
        "assistance.HelpRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributions",
        verbose_name=_("help request"),
    )
    # Blanked by the retention job when its help request is anonymised.
    note = models.CharField(_("note"), max_length=200, blank=True)
    distributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    distributed_at = models.DateTimeField(_("handed out at"))

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["-distributed_at", "-pk"]

    def __str__(self):
        return f"{self.community} · {self.get_recipient_display()} · {self.distributed_at:%Y-%m-%d}"

    @property
    def recipient_label(self):
        """Who got it, with no address: a post's name, or a household's opaque number (the
        number of its help request, which only the community's staff can open)."""
        if self.recipient == self.Recipient.POST and self.post_id:
            return str(self.post)
        if self.recipient == self.Recipient.HOUSEHOLD and self.help_request_id:
            return _("A household (help request #%(number)s)") % {"number": self.help_request_id}
        return self.get_recipient_display()


class DistributionLine(models.Model):
    """Units of one lot handed out in a distribution."""

    community_lookup = "distribution__community"
    warehouse_visible = True

    distribution = models.ForeignKey(
        Distribution, on_delete=models.PROTECT, related_name="lines", verbose_name=_("distribution")
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])

    class Meta:
        verbose_name = _("distribution line")
        verbose_name_plural = _("distribution lines")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.lot} × {self.quantity}"


class LedgerError(Exception):
    """Raised when code tries to edit or delete a movement."""


class MovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerError("The stock ledger is append-only.")

    def delete(self):
        raise LedgerError("The stock ledger is append-only.")


class Movement(models.Model):
    """One line of the stock ledger (台账), written once and never changed.

    Effect on Balance: `quantity` units of `lot` leave `from_location` and arrive at
    `to_location` (either may be empty: goods entering or leaving the books). An `allocate`
    movement only reserves units at `from_location` and a `release` gives them back to free
    stock there; a `dispatch` takes the reserved units away. The source document is the one explicit foreign key that is set.
    """

    warehouse_visible = True
    community_lookup = "community"

    class Kind(models.TextChoices):
        RECEIVE = "receive", _("Received from donor")
        ALLOCATE = "allocate", _("Allocated")
        RELEASE = "release", _("Allocation released")
        DISPATCH = "dispatch", _("Dispatched")
        RECEIVE_AT_COMMUNITY = "receive_at_community", _("Received by community")
        DISTRIBUTE = "distribute", _("Handed out")
        TRANSFER = "transfer", _("Transferred")
        ADJUST = "adjust", _("Adjusted")
        DISCARD = "discard", _("Discarded or expired")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="movements", verbose_name=_("lot")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])
    from_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
    )
    to_location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to"),
    )
    # The community the goods are for or at, for scoping and the board.
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # When it happened (the receiving, dispatch or hand-out time of its document).
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    # Source documents: exactly one is set for the kinds that have one.
    receipt = models.ForeignKey(
        Receipt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("donation receipt"),
    )
    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("allocation"),
    )
    dispatch = models.ForeignKey(
        Dispatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("dispatch note"),
    )
    community_receipt = models.ForeignKey(
        CommunityReceipt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("community receipt"),
    )
    distribution = models.ForeignKey(
        Distribution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("distribution"),
    )

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock ledger")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="movement_positive"),
            models.CheckConstraint(
                condition=Q(from_location__isnull=False) | Q(to_location__isnull=False),
                name="movement_has_a_location",
            ),
        ]
        indexes = [models.Index(fields=["kind", "created_at"], name="movement_kind_time")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.lot} × {self.quantity}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise LedgerError("A stock movement is never edited; record a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerError("A stock movement is never deleted; record a correcting one.")
