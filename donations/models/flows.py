"""Weekly totals of the stock ledger, kept by donations.services.ledger.record in the same
transaction as each movement, so the public board and the charts read a few hundred summary
rows instead of every movement (issue 15's benchmark: `board_ms`)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import max_value

from .catalogue import Item

# A week's total of one item and kind: at most this many units (far beyond any real flow,
# within the database's bigint).
MAX_WEEKLY_TOTAL = 10**15


class WeeklyFlow(models.Model):
    """What the movements of one kind did to one item in one week (Monday to Sunday, Beijing
    time), for one community (or none: the warehouse's own kinds).

    `quantity` is the sum of the movements' quantities. `stock_change` is what they changed of
    the stock on hand outside transit (a receive +n, a dispatch -n, a community receipt +n, a
    hand-out -n; a transfer between stores 0), so the running sum over the weeks is the stock
    on hand of the item. Only ledger.record and the rebuild of the migration write it, by
    conditional atomic updates; services.flows.check_flows compares it with the ledger.
    """

    warehouse_visible = True
    community_lookup = "community"

    week = models.DateField(_("week starting"))
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("supply", "item"),
    )
    kind = models.CharField(_("kind"), max_length=30)
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    quantity = models.BigIntegerField(
        _("quantity"), default=0, validators=[max_value(MAX_WEEKLY_TOTAL)]
    )
    stock_change = models.BigIntegerField(
        _("change of stock on hand"), default=0, validators=[max_value(MAX_WEEKLY_TOTAL)]
    )

    class Meta:
        verbose_name = _("weekly stock flow")
        verbose_name_plural = _("weekly stock flows")
        ordering = ["week", "item", "kind"]
        # One row per key; a NULL community is one key too (two partial constraints, as
        # NULLs are distinct in a plain unique index on both databases).
        constraints = [
            models.UniqueConstraint(
                fields=["week", "item", "kind", "community"],
                condition=Q(community__isnull=False),
                name="unique_weekly_flow",
            ),
            models.UniqueConstraint(
                fields=["week", "item", "kind"],
                condition=Q(community__isnull=True),
                name="unique_weekly_flow_no_community",
            ),
        ]

    def __str__(self):
        return f"{self.week} {self.item_id} {self.kind}: {self.quantity}"
