"""Safety stock (issue 15.2): a minimum per community and item, checked after every movement
that touches a community's store, and the warehouse told once when the stock falls below it.

"Stock" is what is on hand and has not expired in the community's own stores. The state lives
in `SafetyStock.below`, flipped only by conditional UPDATEs: `below=False -> True` notifies
(exactly one of any number of concurrent movements wins it), `True -> False` when the stock is
back at the minimum or more, so the next fall notifies again.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import Balance, Location, SafetyStock
from portal import roles
from portal.bounds import MAX_BALANCE
from portal.notify import notify
from portal.scoping import scope

from . import expiry
from .errors import StockError


def community_stock(community_id, item_id):
    return (
        Balance.objects.filter(
            expiry.usable(),
            item_id=item_id,
            location__community_id=community_id,
            location__kind=Location.Kind.COMMUNITY,
        ).aggregate(n=Sum("quantity"))["n"]
        or 0
    )


@transaction.atomic
def set_level(community, item, minimum, *, user):
    """Set (or change) the minimum of `item` in `community`'s stores, and check it at once."""
    if not isinstance(minimum, int) or minimum <= 0 or minimum > MAX_BALANCE:
        raise StockError(
            _("The minimum level must be a whole number between 1 and %(max)s.")
            % {"max": f"{MAX_BALANCE:,}"},
            code="minimum",
        )
    level, _created = SafetyStock.objects.update_or_create(
        community=community, item=item, defaults={"minimum": minimum, "updated_by": user}
    )
    evaluate(level)
    level.refresh_from_db()
    return level


def evaluate(level):
    """Compare one level with the stock now; flip the flag and tell the warehouse on a fall.
    Returns True when this call sent the notification."""
    stock = community_stock(level.community_id, level.item_id)
    rows = SafetyStock.objects.filter(pk=level.pk)
    if stock >= level.minimum:
        rows.filter(below=True).update(below=False, below_since=None)
        return False
    if rows.filter(below=False).update(below=True, below_since=timezone.now()) != 1:
        return False  # already below: told before
    _tell_the_warehouse(level, stock)
    return True


def after_movement(lot, *locations):
    """Called by ledger.record for each movement: re-check the levels of the lot's item in
    the communities whose stores it touched (none for warehouse-only movements)."""
    communities = {
        loc.community_id
        for loc in locations
        if loc is not None and loc.kind == Location.Kind.COMMUNITY and loc.community_id
    }
    if not communities:
        return
    for level in SafetyStock.objects.filter(item_id=lot.item_id, community_id__in=communities):
        evaluate(level)


def _tell_the_warehouse(level, stock):
    level = SafetyStock.objects.select_related("community", "item").get(pk=level.pk)
    keepers = get_user_model().objects.filter(groups__name=roles.WAREHOUSE, is_active=True)
    context = {
        "community": level.community.name,
        "item": level.item.name,
        "unit": level.item.unit,
        "stock": stock,
        "minimum": level.minimum,
    }
    for keeper in keepers.distinct().order_by("pk"):
        notify(keeper, "donations/notify/safety_stock", context)


def below_levels(user):
    """The levels `user` may see whose community is below them now, for the dashboards:
    [{community, item, unit, stock, minimum}]. Two queries."""
    levels = list(
        scope(SafetyStock.objects.all(), user).select_related("community", "item").order_by()
    )
    if not levels:
        return []
    stock = {
        (row["location__community_id"], row["item_id"]): row["n"]
        for row in Balance.objects.filter(
            expiry.usable(),
            location__kind=Location.Kind.COMMUNITY,
            location__community_id__in={lv.community_id for lv in levels},
            item_id__in={lv.item_id for lv in levels},
        )
        .values("location__community_id", "item_id")
        .annotate(n=Sum("quantity"))
        .order_by()
    }
    rows = []
    for level in levels:
        n = stock.get((level.community_id, level.item_id)) or 0
        if n < level.minimum:
            rows.append(
                {
                    "community": level.community.name,
                    "item": level.item.name,
                    "unit": level.item.unit,
                    "stock": n,
                    "minimum": level.minimum,
                }
            )
    return sorted(rows, key=lambda r: (r["stock"] / r["minimum"], r["community"], r["item"]))
