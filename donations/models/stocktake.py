"""Stock-take (盘点, issue 15.4): a count of every lot held at one store, and its lines.

A StockTake is started for one location (the warehouse or a community store); its lines are
the lots held there at the start, each with the book quantity at that moment (`expected`).
The keeper enters what is on the shelf (`counted`, with the time of the count); another person
approves, and each line whose count differs from the book becomes one `adjust` movement
(`movement`) with its reason. Stock is not frozen while the count is open: the difference is
taken against the book at the time of the count, so movements during the count are reconciled
(donations.services.stocktake)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_BALANCE, max_value

from .catalogue import Location
from .ledger import Movement
from .pledges import Lot


class StockTake(models.Model):
    """One count of one store. At most one open or submitted count per store (a constraint)."""

    warehouse_visible = True
    community_lookup = "location__community"

    class Status(models.TextChoices):
        # Counting: the keeper enters counts; nothing in the books changes yet.
        OPEN = "open", _("Counting")
        # Every lot counted; waiting for someone other than the counter to approve.
        SUBMITTED = "submitted", _("Waiting for approval")
        # Approved: the differences were written to the ledger as adjustments.
        APPROVED = "approved", pgettext_lazy("stock-take", "Approved")
        # Given up, with a reason; nothing was written to the ledger.
        CANCELLED = "cancelled", _("Cancelled")

    serial = models.CharField(_("serial number"), max_length=30, unique=True)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("location")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(pgettext_lazy("stock-take", "started at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stock-take")
        verbose_name_plural = _("stock-takes")
        ordering = ["-started_at", "-pk"]
        permissions = [("approve_stocktake", _("Can approve a stock-take"))]
        constraints = [
            models.UniqueConstraint(
                fields=["location"],
                condition=Q(status__in=["open", "submitted"]),
                name="one_running_stocktake_per_location",
            )
        ]

    def __str__(self):
        return f"{self.serial} · {self.location}"

    @property
    def running(self):
        return self.status in (self.Status.OPEN, self.Status.SUBMITTED)


class StockTakeLine(models.Model):
    """One lot on the count sheet: the book quantity at the start, what was counted and when,
    and, once approved, the difference written to the ledger and its reason."""

    warehouse_visible = True
    community_lookup = "stocktake__location__community"

    stocktake = models.ForeignKey(
        StockTake, on_delete=models.PROTECT, related_name="lines", verbose_name=_("stock-take")
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot"))
    # The book quantity on hand when the count started (not shown to the counter: a blind count).
    expected = models.IntegerField(
        _("book quantity at the start"), validators=[max_value(MAX_BALANCE)]
    )
    # What the keeper found on the shelf; empty until counted.
    counted = models.PositiveIntegerField(
        _("counted"), null=True, blank=True, validators=[max_value(MAX_BALANCE)]
    )
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counted by"),
    )
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    # Set at approval: the book at the time of the count (expected plus what moved before the
    # count), and counted minus that, the units written to the ledger (+ found, − missing).
    book_at_count = models.IntegerField(
        _("book quantity at the count"), null=True, blank=True, validators=[max_value(MAX_BALANCE)]
    )
    difference = models.IntegerField(
        _("difference"), null=True, blank=True, validators=[max_value(MAX_BALANCE)]
    )
    reason = models.CharField(_("reason"), max_length=150, blank=True)
    movement = models.OneToOneField(
        Movement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stocktake_line",
        verbose_name=_("movement"),
    )

    class Meta:
        verbose_name = _("counted lot")
        verbose_name_plural = _("counted lots")
        ordering = ["stocktake", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "lot"], name="one_line_per_lot"),
            models.CheckConstraint(
                condition=Q(expected__gte=0), name="stocktake_expected_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.stocktake.serial} · {self.lot}"
