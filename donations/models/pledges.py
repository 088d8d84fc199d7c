"""Pledges and their lines, receipts of the goods that arrive and their lines, and the lots that
receiving creates; the serial counter behind receipt numbers."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_QUANTITY, MAX_SERIAL, max_value
from portal.fragments import VersionedQuerySet

from .catalogue import Item, Location
from .donors import Donor
from .photos import pledge_photo_path, private_storage, validate_photo


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

    # what the donor's page shows (portal.fragments: any write drops its copies)
    fragment_versions = ("donations:trace",)
    objects = VersionedQuerySet.as_manager()

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
        Item,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("supply", "item"),
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
    # The public need this line answers (issue 15.3), if the donor pledged from the needs page.
    need = models.ForeignKey(
        "donations.Need",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledge_lines",
        verbose_name=_("need"),
    )

    # what the donor's page shows (portal.fragments: any write drops its copies)
    fragment_versions = ("donations:trace",)
    objects = VersionedQuerySet.as_manager()

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

    # what the donor's page shows (portal.fragments: any write drops its copies)
    fragment_versions = ("donations:trace",)
    objects = VersionedQuerySet.as_manager()

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
    rejection_reason = models.CharField(
        pgettext_lazy("receiving", "reason for rejection"), max_length=200, blank=True
    )
    lot = models.ForeignKey(
        "Lot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lot"),
    )

    # what the donor's page shows (portal.fragments: any write drops its copies)
    fragment_versions = ("donations:trace",)
    objects = VersionedQuerySet.as_manager()

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
        Item,
        on_delete=models.PROTECT,
        related_name="lots",
        verbose_name=pgettext_lazy("supply", "item"),
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

    # what the donor's page shows (portal.fragments: any write drops its copies)
    fragment_versions = ("donations:trace",)
    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = [F("expiry").asc(nulls_last=True), "pk"]

    def __str__(self):
        label = self.lot_number or f"#{self.pk}"
        if self.expiry:
            return f"{self.item} {label} ({self.expiry:%Y-%m-%d})"
        return f"{self.item} {label}"
