"""What the subdistrict takes in (items) and where stock is kept (locations)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
