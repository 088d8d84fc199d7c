"""The supplies panel on the admin dashboard (issue 15): expired stock to dispose of, lots
expiring soon (they go out first) and stock below a community's safety level. Each list is
scoped to what the user may see: the warehouse and the subdistrict office see every store, a
community's staff their own stores. Beside it, the requests from communities still to be
allocated, oldest first."""

from portal.scoping import scope

from .models import Balance, SupplyRequestLine
from .services import expiry, open_request_lines, safety_stock

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


def open_requests(user):
    """The requested items not yet fully allocated that `user` may see, oldest request first:
    the warehouse sees every community's, a community's staff their own."""
    lines = list(open_request_lines(scope(SupplyRequestLine.objects.all(), user))[: SHOWN + 1])
    for line in lines:
        line.open = line.quantity - line.allocated
    return {"lines": lines[:SHOWN], "more": len(lines) > SHOWN}
