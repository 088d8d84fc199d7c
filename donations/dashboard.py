"""The supplies panel on the admin dashboard (issue 15): expired stock to dispose of, lots
expiring soon (they go out first) and stock below a community's safety level. Each list is
scoped to what the user may see: the warehouse and the subdistrict office see every store, a
community's staff their own stores."""

from portal.scoping import scope

from .models import Balance
from .services import expiry, safety_stock

SHOWN = 8


def stock_alerts(user):
    balances = scope(Balance.objects.all(), user)
    expired = list(expiry.expired_stock(balances)[: SHOWN + 1])
    soon = list(expiry.soon_stock(balances)[: SHOWN + 1])
    below = safety_stock.below_levels(user)
    return {
        "expired": expired[:SHOWN],
        "more_expired": len(expired) > SHOWN,
        "soon": soon[:SHOWN],
        "more_soon": len(soon) > SHOWN,
        "days": expiry.warning_days(),
        "below": below,
    }
