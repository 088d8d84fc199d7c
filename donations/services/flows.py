"""The ledger's weekly totals (models.WeeklyFlow): kept by ledger.record in the same transaction
as each movement, read by the public board and the charts, checked against the ledger.

A week starts on Monday in Beijing (settings.TIME_ZONE, whatever the request's zone).
"""

from collections import defaultdict
from datetime import timedelta

from django.db.models import F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from donations.models import Balance, Location, Movement, WeeklyFlow

Kind = Movement.Kind
# Kinds that change only what is reserved, never what is on hand: not counted.
UNCOUNTED = (Kind.ALLOCATE, Kind.RELEASE)
TRANSIT = Location.Kind.TRANSIT


def week_of(day):
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def week_of_time(moment):
    return week_of(timezone.localtime(moment, timezone.get_default_timezone()).date())


def stock_change(quantity, from_kind, to_kind):
    """What a movement changes of the stock on hand outside transit, given the kinds of its
    two locations (None where there is none)."""
    change = 0
    if to_kind is not None and to_kind != TRANSIT:
        change += quantity
    if from_kind is not None and from_kind != TRANSIT:
        change -= quantity
    return change


def count(movement, from_location=None, to_location=None):
    """Add `movement` to its week's row. Call inside the movement's transaction (ledger.record
    does): an UPDATE of the row by its key, and when there is none yet (the week's first
    movement of the kind) the row made first (get_or_create survives a racing insert through
    the unique constraints) and then updated."""
    if movement.kind in UNCOUNTED:
        return
    change = stock_change(
        movement.quantity,
        from_location.kind if from_location is not None else None,
        to_location.kind if to_location is not None else None,
    )
    key = {
        "week": week_of_time(movement.created_at),
        "item_id": movement.item_id,
        "kind": movement.kind,
        "community_id": movement.community_id,
    }
    add = {
        "quantity": F("quantity") + movement.quantity,
        "stock_change": F("stock_change") + change,
    }
    # Nearly always the week's row is there: one UPDATE.
    if WeeklyFlow.objects.filter(**key).update(**add):
        return
    row, _created = WeeklyFlow.objects.get_or_create(**key)
    WeeklyFlow.objects.filter(pk=row.pk).update(**add)


def summarise(movements=None):
    """{(week, item id, kind, community id): [quantity, stock change]} computed from the
    movements alone (grouped by day in the database, by week here)."""
    movements = Movement.objects.all() if movements is None else movements
    totals = defaultdict(lambda: [0, 0])
    rows = (
        movements.order_by()
        .exclude(kind__in=UNCOUNTED)
        .values("item_id", "kind", "community_id", "from_location__kind", "to_location__kind")
        .annotate(
            day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()),
            n=Sum("quantity"),
        )
    )
    for row in rows:
        key = (week_of(row["day"]), row["item_id"], row["kind"], row["community_id"])
        totals[key][0] += row["n"]
        totals[key][1] += stock_change(
            row["n"], row["from_location__kind"], row["to_location__kind"]
        )
    return totals


def rebuild():
    """Fill the weekly totals from the ledger, replacing what is there: for movements written
    in bulk outside ledger.record (the benchmark) and the data migration's equivalent."""
    WeeklyFlow.objects.all().delete()
    WeeklyFlow.objects.bulk_create(
        [
            WeeklyFlow(
                week=week,
                item_id=item_id,
                kind=kind,
                community_id=community_id,
                quantity=quantity,
                stock_change=change,
            )
            for (week, item_id, kind, community_id), (quantity, change) in summarise().items()
        ],
        batch_size=2_000,
    )


def check_flows():
    """Compare the weekly totals with the ledger, and their running stock with the balances;
    return the mismatches (empty when all agree), like ledger.check_balances."""
    ledger = summarise()
    mismatches = []
    seen = set()
    for row in WeeklyFlow.objects.order_by().values(
        "week", "item_id", "kind", "community_id", "quantity", "stock_change"
    ):
        key = (row["week"], row["item_id"], row["kind"], row["community_id"])
        seen.add(key)
        expected = ledger.get(key, [0, 0])
        if [row["quantity"], row["stock_change"]] != expected:
            mismatches.append(
                {"key": key, "ledger": expected, "summary": [row["quantity"], row["stock_change"]]}
            )
    for key, expected in ledger.items():
        if key not in seen:
            mismatches.append({"key": key, "ledger": expected, "summary": None})
    on_hand = {
        row["item_id"]: row["n"]
        for row in Balance.objects.order_by()
        .exclude(location__kind=TRANSIT)
        .values("item_id")
        .annotate(n=Sum("quantity"))
    }
    running = defaultdict(int)
    for row in WeeklyFlow.objects.order_by().values("item_id").annotate(n=Sum("stock_change")):
        running[row["item_id"]] = row["n"]
    for item_id in set(on_hand) | set(running):
        if on_hand.get(item_id, 0) != running.get(item_id, 0):
            mismatches.append(
                {
                    "item": item_id,
                    "balances": on_hand.get(item_id, 0),
                    "summary": running.get(item_id, 0),
                }
            )
    return mismatches


def weeks_between(start, end):
    """Mondays from `start`'s week to `end`'s week, both included."""
    weeks, week = [], week_of(start)
    while week <= end:
        weeks.append(week)
        week += timedelta(weeks=1)
    return weeks


def item_weeks(weeks, item_ids=None):
    """Per item, per week of `weeks` (a list of Mondays): received, handed out and the stock on
    hand at the end of the week (outside transit). Two queries on the summary:
    {item id: [{"week", "received", "distributed", "stock"}, ...]}."""
    if not weeks:
        return {}
    rows = WeeklyFlow.objects.order_by()
    if item_ids is not None:
        rows = rows.filter(item_id__in=item_ids)
    # The stock before the first week shown: everything earlier, summed.
    before = {
        row["item_id"]: row["n"]
        for row in rows.filter(week__lt=weeks[0]).values("item_id").annotate(n=Sum("stock_change"))
    }
    flows = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for row in (
        rows.filter(week__gte=weeks[0], week__lte=weeks[-1])
        .values("item_id", "week", "kind")
        .annotate(n=Sum("quantity"), change=Sum("stock_change"))
    ):
        entry = flows[row["item_id"]][row["week"]]
        if row["kind"] == Kind.RECEIVE:
            entry[0] += row["n"]
        elif row["kind"] == Kind.DISTRIBUTE:
            entry[1] += row["n"]
        entry[2] += row["change"]
    result = {}
    for item_id in set(before) | set(flows):
        stock = before.get(item_id, 0)
        series = []
        for week in weeks:
            received, distributed, change = flows[item_id][week]
            stock += change
            series.append(
                {"week": week, "received": received, "distributed": distributed, "stock": stock}
            )
        result[item_id] = series
    return result
