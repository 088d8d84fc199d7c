"""The supplies panels on the admin dashboard (issue 15): expired stock to dispose of, lots
expiring soon (they go out first) and stock below a community's safety level, scoped to what
the user may see (the warehouse and the subdistrict office see every store, a community's
staff their own stores); the requests from communities still to be allocated, oldest
first; and the pictures of stock and flows over time, which are the public
board's figures (the ledger's weekly totals, services.flows) and so the same for everyone."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.scoping import scope

from . import charts
from .models import Balance, Item, SupplyRequestLine
from .services import expiry, flows, needs, open_request_lines, safety_stock

SHOWN = 8
CHART_WEEKS = 12
CHART_ITEMS = len(charts.PALETTE)


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


def supply_charts(weeks=CHART_WEEKS):
    """Stock on hand per item at the end of each of the last `weeks` weeks (the items with
    the most stock, up to CHART_ITEMS), and all items' received and handed out per week."""
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    week_list = flows.weeks_between(today - timedelta(weeks=weeks - 1), today)
    by_item = flows.item_weeks(week_list)
    names = {item.pk: f"{item.name}（{item.unit}）" for item in Item.objects.filter(pk__in=by_item)}
    biggest = sorted(by_item, key=lambda pk: (-by_item[pk][-1]["stock"], names.get(pk, "")))
    stock = charts.stock_lines(
        week_list,
        [
            (names.get(pk, str(pk)), [row["stock"] for row in by_item[pk]])
            for pk in biggest[:CHART_ITEMS]
        ],
        title=_("Stock on hand at the end of each week, by item"),
    )
    totals = [
        (
            week,
            sum(series[i]["received"] for series in by_item.values()),
            sum(series[i]["distributed"] for series in by_item.values()),
        )
        for i, week in enumerate(week_list)
    ]
    flows_chart = (
        charts.over_time(totals, title=_("Received and handed out per week, all items"))
        if by_item
        else ""
    )
    return {
        "stock_chart": stock,
        "flows_chart": flows_chart,
        "needs_chart": charts.needs_met_over_time(needs.met_by_week(week_list)),
        "more_items": len(biggest) > CHART_ITEMS,
    }


def open_requests(user):
    """The requested items not yet fully allocated that `user` may see, oldest request first:
    the warehouse sees every community's, a community's staff their own."""
    lines = list(open_request_lines(scope(SupplyRequestLine.objects.all(), user))[: SHOWN + 1])
    for line in lines:
        line.open = line.quantity - line.allocated
    return {"lines": lines[:SHOWN], "more": len(lines) > SHOWN}
