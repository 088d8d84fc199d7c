"""Safety stock (issue 15.2): the least a community should keep of an item in its stores."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_BALANCE, max_value

from .catalogue import Item


class SafetyStock(models.Model):
    """A minimum level of one item in one community's stores. Below it, the row shows on the
    coordinator's and the warehouse's dashboards, and the warehouse is told once: `below` is
    the state flag that a conditional UPDATE flips (services.safety_stock.evaluate), so a
    second movement while still below tells no one; recovering to the level clears it."""

    community_lookup = "community"
    warehouse_visible = True

    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        related_name="safety_stocks",
        verbose_name=_("community"),
    )
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("supply", "item"),
    )
    minimum = models.PositiveIntegerField(_("minimum level"), validators=[max_value(MAX_BALANCE)])
    # True from the movement that took the usable stock below `minimum` (the warehouse was
    # told then) until one brings it back to `minimum` or more.
    below = models.BooleanField(_("below the minimum"), default=False, editable=False)
    below_since = models.DateTimeField(_("below since"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    updated_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("safety stock")
        verbose_name_plural = _("safety stock levels")
        ordering = ["community", "item"]
        constraints = [
            models.UniqueConstraint(fields=["community", "item"], name="unique_safety_stock"),
            models.CheckConstraint(condition=Q(minimum__gt=0), name="safety_stock_positive"),
        ]

    def __str__(self):
        return f"{self.community} · {self.item} ≥ {self.minimum}"
