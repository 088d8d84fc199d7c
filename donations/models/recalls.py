"""Goods going back (issue 15.6): a return to the donor (a document of its own, with its
ledger movement) and the recall of a lot (the lot never goes out again; what communities bring
back is recorded, each with its movement)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.bounds import MAX_QUANTITY, max_value

from .catalogue import Location
from .ledger import Movement
from .pledges import Lot


class DonorReturn(models.Model):
    """Units of a lot given back to its donor from a store (退货单): the document behind one
    `return_to_donor` movement."""

    donor_lookup = "lot__donor"
    warehouse_visible = True

    serial = models.CharField(_("serial number"), max_length=30, unique=True)
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="donor_returns", verbose_name=_("lot")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from store")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])
    reason = models.CharField(_("reason"), max_length=200)
    movement = models.OneToOneField(
        Movement, on_delete=models.PROTECT, related_name="donor_return", verbose_name=_("movement")
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    returned_at = models.DateTimeField(_("returned at"))

    class Meta:
        verbose_name = _("return to the donor")
        verbose_name_plural = _("returns to donors")
        ordering = ["-returned_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="donor_return_positive")
        ]

    def __str__(self):
        return self.serial


class Recall(models.Model):
    """A lot called back (a defect, a warning from the maker). While it stands the lot never
    goes out (services.expiry.refuse_unusable); the communities that got it were told. It can
    be lifted (a false alarm), with a reason: the lot is usable again unless it has expired. A
    lifted recall stays as a record; a lot has at most one recall standing (a constraint)."""

    warehouse_visible = True

    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="recalls", verbose_name=_("lot")
    )
    reason = models.CharField(_("reason"), max_length=200)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recalled by"),
    )
    recalled_at = models.DateTimeField(_("recalled at"))
    # Empty while the recall stands; set once, when it is lifted.
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        ordering = ["-recalled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lot"],
                condition=Q(lifted_at__isnull=True),
                name="one_standing_recall_per_lot",
            )
        ]

    def __str__(self):
        return f"{self.lot} · {self.reason}"


class RecallReturn(models.Model):
    """Units of a recalled lot brought back to a store (from posts, volunteers or households):
    the document behind one `recall_return` movement."""

    community_lookup = "community"
    warehouse_visible = True

    recall = models.ForeignKey(
        Recall, on_delete=models.PROTECT, related_name="returns", verbose_name=_("recall")
    )
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("back at")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])
    note = models.CharField(_("note"), max_length=200, blank=True)
    movement = models.OneToOneField(
        Movement, on_delete=models.PROTECT, related_name="recall_return", verbose_name=_("movement")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("goods back under a recall")
        verbose_name_plural = _("goods back under recalls")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="recall_return_positive")
        ]

    def __str__(self):
        return f"{self.recall.lot} × {self.quantity}"


class ClosingLetter(models.Model):
    """The donor's final summary of a pledge (issue 15.7), sent once when every unit received
    has been handed out (services.closing). Its row existing is the "sent" flag: the unique
    pledge makes a second sending impossible, however many movements race to close it."""

    donor_lookup = "pledge__donor"
    warehouse_visible = True

    pledge = models.OneToOneField(
        "donations.Pledge",
        on_delete=models.PROTECT,
        related_name="closing_letter",
        verbose_name=_("pledge"),
    )
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("closing letter")
        verbose_name_plural = _("closing letters")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return str(self.pledge)
