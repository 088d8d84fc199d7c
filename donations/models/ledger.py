"""Stock: the balance of each lot at each location, and the append-only ledger of movements
that every change of stock writes (donations.services.ledger)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_BALANCE, MAX_QUANTITY, max_value

from .catalogue import Item, Location
from .pledges import Lot, Receipt
from .supply import Allocation, CommunityReceipt, Dispatch, Distribution


class Balance(models.Model):
    """Stock of one lot at one location: `quantity` on hand, of which `reserved` is allocated
    to requests and not yet dispatched. Only donations.services changes it, by conditional
    atomic updates; the database refuses negatives. services.check_balances compares it with
    the ledger."""

    warehouse_visible = True
    community_lookup = "location__community"

    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("supply", "item"),
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
        # Expired goods leave a store only with this (the warehouse, and a community's staff
        # for their own stores: services.expiry.dispose_expired).
        permissions = [("dispose_balance", _("Can dispose of expired stock"))]
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
        RETURN_TO_DONOR = "return_to_donor", _("Returned to the donor")
        RECALL_RETURN = "recall_return", _("Brought back under a recall")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("supply", "item"),
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
        verbose_name=pgettext_lazy("stock movement", "from"),
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

    # what the donor's page shows (portal.fragments; created only, never updated)
    fragment_versions = ("donations:trace",)
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
