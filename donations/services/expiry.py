"""Expiry (issue 15.1): expired goods never go out, and what expires soon goes out first.

"Today" is the date in Beijing, whatever the server's clock zone: a lot whose expiry date (有效期至)
is before today has expired. The one guard is `refuse_unusable`, which `ledger.record` calls for
every movement that sends goods towards people (allocate, dispatch, distribute), so the
admin's actions, the services, imports, demo data and benchmarks all meet the same refusal
with the same reason. The pickers (`allocate`, `distribute` by item) skip expired lots, so the
earliest *usable* expiry goes first. Expired stock is shown apart and leaves the books only
through `dispose_expired`: a `discard` movement with its reason.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import Allocation, Balance, Location, Lot, Movement

from .errors import StockError

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
Kind = Movement.Kind
# Movements that send goods on towards people: never with an expired or recalled lot.
OUTGOING_KINDS = (Kind.ALLOCATE, Kind.DISPATCH, Kind.DISTRIBUTE)


def today():
    """Today's date in Beijing."""
    return timezone.localdate(timezone=BEIJING)


def warning_days():
    return settings.DONATIONS_EXPIRY_WARNING_DAYS


def is_expired(lot, on=None):
    return lot.expiry is not None and lot.expiry < (on or today())


def usable(prefix="lot__"):
    """A Q for rows (of Balance by default) whose lot has not expired today."""
    return Q(**{f"{prefix}expiry__isnull": True}) | Q(**{f"{prefix}expiry__gte": today()})


def expired(prefix="lot__"):
    return Q(**{f"{prefix}expiry__lt": today()})


def expiring_soon(prefix="lot__", days=None):
    """Not expired yet, but expires within `days` (the setting by default) of today."""
    start = today()
    end = start + datetime.timedelta(days=warning_days() if days is None else days)
    return Q(**{f"{prefix}expiry__gte": start, f"{prefix}expiry__lte": end})


def expiry_state(lot, on=None):
    """("expired" | "soon" | "", days left) for a lot, for labels in the admin."""
    if lot.expiry is None:
        return "", None
    on = on or today()
    days = (lot.expiry - on).days
    if days < 0:
        return "expired", days
    if days <= warning_days():
        return "soon", days
    return "", days


def refuse_unusable(lot, kind):
    """Raise StockError, with the reason, if `lot` must not go out in a `kind` movement."""
    if kind not in OUTGOING_KINDS:
        return
    if is_expired(lot):
        raise StockError(
            _(
                "Lot %(lot)s expired on %(date)s: expired goods are never allocated, "
                "dispatched or handed out. Dispose of them from the expired stock list."
            )
            % {"lot": _lot_label(lot), "date": f"{lot.expiry:%Y-%m-%d}"},
            code="expired",
        )
    from .recalls import recall_of

    recall = recall_of(lot)
    if recall is not None:
        raise StockError(
            _("Lot %(lot)s is recalled (%(reason)s): it does not go out any more.")
            % {"lot": _lot_label(lot), "reason": recall.reason},
            code="recalled",
        )


def _lot_label(lot):
    name = lot.item.name if lot.item_id else ""
    return f"{name} {lot.lot_number or '#' + str(lot.pk)}".strip()


def expired_stock(queryset=None):
    """Balances of expired lots with units on hand, outside transit (shown apart, to dispose)."""
    queryset = Balance.objects.all() if queryset is None else queryset
    return (
        queryset.filter(expired(), quantity__gt=0)
        .exclude(location__kind=Location.Kind.TRANSIT)
        .select_related("lot__item", "lot__donor", "location")
        .order_by("lot__expiry", "location__name", "pk")
    )


def soon_stock(queryset=None, days=None):
    """Balances expiring within the warning days, with free units: these go out first."""
    queryset = Balance.objects.all() if queryset is None else queryset
    return (
        queryset.filter(expiring_soon(days=days), quantity__gt=F("reserved"))
        .exclude(location__kind=Location.Kind.TRANSIT)
        .select_related("lot__item", "location")
        .order_by("lot__expiry", "location__name", "pk")
    )


@transaction.atomic
def dispose_expired(balance, *, user, reason):
    """Take every unit of an expired lot at one store off the books: allocations of it still
    waiting for dispatch are released first (they could never leave), then one `discard`
    movement with the reason. Refuses a lot that has not expired, goods in transit, and a store
    outside the user's scope (a community's staff dispose of their own stores' goods only)."""
    from portal.scoping import can_access

    from .ledger import _audit, record
    from .supply import release_allocation

    reason = (reason or "").strip()
    if not reason:
        raise StockError(_("Say why the goods are disposed of."), code="reason")
    if not can_access(user, balance):
        raise StockError(_("This store is not one of yours."), code="scope")
    balance = Balance.objects.select_related("lot__item", "location").get(pk=balance.pk)
    lot, location = balance.lot, balance.location
    if not is_expired(lot):
        raise StockError(
            _("Lot %(lot)s has not expired; only expired goods are disposed of here.")
            % {"lot": _lot_label(lot)},
            code="not_expired",
        )
    if location.kind == Location.Kind.TRANSIT:
        raise StockError(
            _("Goods in transit are disposed of once the community has received them."),
            code="location",
        )
    waiting = Allocation.objects.filter(
        lot=lot, location=location, dispatch__isnull=True, released_at__isnull=True
    ).order_by("pk")
    for allocation in waiting:
        release_allocation(
            allocation, user=user, reason=_("Expired: %(reason)s") % {"reason": reason}
        )
    on_hand = Balance.objects.values_list("quantity", flat=True).get(pk=balance.pk)
    if on_hand <= 0:
        raise StockError(_("Nothing of this lot is left here to dispose of."), code="empty")
    movement = record(
        Kind.DISCARD,
        lot,
        on_hand,
        from_location=location,
        reason=_("Expired: %(reason)s") % {"reason": reason},
        user=user,
        community=location.community,
    )
    _audit("donations.stock.discard", movement, expired=True)
    return movement


def lots_expired_with_stock():
    return Lot.objects.filter(expired(prefix=""), balances__quantity__gt=0).distinct()
