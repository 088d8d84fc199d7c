"""From the warehouse to households: communities' supply requests, allocations of lots to
them, dispatches, the community's receipt of a dispatch, and distributions to households."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_QUANTITY, max_value
from portal.fragments import VersionedQuerySet

from .catalogue import Item, Location
from .pledges import Lot


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
        verbose_name=pgettext_lazy("supply request", "requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    # the dashboard's open requests (portal.fragments)
    fragment_versions = ("donations:requests",)
    objects = VersionedQuerySet.as_manager()

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
        Item,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("supply", "item"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])

    # the dashboard's open requests (portal.fragments)
    fragment_versions = ("donations:requests",)
    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("supply request", "requested item")
        verbose_name_plural = pgettext_lazy("supply request", "requested items")
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
        Location,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("stock movement", "from"),
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
        verbose_name=pgettext_lazy("supply request", "requested item"),
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

    # the dashboard's open requests (portal.fragments)
    fragment_versions = ("donations:requests",)
    objects = VersionedQuerySet.as_manager()

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
        when = timezone.localtime(self.distributed_at)
        return f"{self.community} · {self.get_recipient_display()} · {when:%Y-%m-%d}"

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
