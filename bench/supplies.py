"""Supplies at scale (issue 15): 1,000 lots and 200,000 ledger movements, then the forward
trace of one lot, the public board uncached, and allocations through the real services with
some lots expired. Prints one JSON line per figure, then all of them as the last line:

  trace_forward_ms   the recall trace of one lot (services.recalls.recall_trace), median of 5; target < 100
  board_ms           services.board_data() with no cache, median of 3; target < 200
  expired_allocated  units of expired lots allocated, dispatched or handed out; must be 0
  stocktake_apply_seconds  approving a count of 500 lots at one store, every lot differing
                     (500 adjustment movements, reconciled with transfers made during the
                     count), through services.stocktake; the ledger must still agree
  needs_page_ms      the public needs page (/donations/needs/, its first page of 20) through
                     the test client, page cache off, with NEEDS (200) published needs, a third
                     of them pledged against and half of those received; median of 5;
                     target < 100

The 1,000 lots are pledged and received through the services; the other movements are
written in bulk (transfers to community stores and hand-outs), with the balances and the weekly
totals (services.flows, which board_data reads) they imply; services.check_balances() and
flows.check_flows() must find them in agreement with the ledger.
"""

import datetime
import json
import os
import random
import statistics
import time

from harness import bench_database

LOTS = int(os.environ.get("BENCH_LOTS", "1000"))
MOVEMENTS = int(os.environ.get("BENCH_MOVEMENTS", "200000"))
COMMUNITIES = 20
ITEMS = 10
NEEDS = int(os.environ.get("BENCH_NEEDS", "200"))


def build():
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from donations import services
    from donations.models import (
        Balance,
        Distribution,
        Donor,
        Item,
        Location,
        Lot,
        Movement,
    )
    from portal import roles
    from portal.models import Community, Subdistrict, User
    from portal.roles import sync_roles
    from portal.validators import uscc_check_char

    sync_roles()
    keeper = User.objects.create(username="bench-keeper", phone="13800009999")
    keeper.groups.add(Group.objects.get(name=roles.WAREHOUSE))
    subdistrict, _created = Subdistrict.objects.get_or_create(name="基准街道")
    warehouse = Location.objects.create(name="基准物资库", kind=Location.Kind.WAREHOUSE)
    communities = [
        Community.objects.create(subdistrict=subdistrict, name=f"基准{i}社区", slug=f"bench-{i}")
        for i in range(COMMUNITIES)
    ]
    stores = [
        Location.objects.create(
            name=f"基准{i}社区物资点", kind=Location.Kind.COMMUNITY, community=c
        )
        for i, c in enumerate(communities)
    ]
    items = [
        Item.objects.create(name=f"基准物资{i}", category="masks", unit="只") for i in range(ITEMS)
    ]
    code = "91110000123456700"
    donor = Donor.objects.create(
        name="基准捐赠企业",
        kind="firm",
        credit_code=code[:17] + uscc_check_char(code[:17]),
        contact_name="王女士",
        contact_phone="13700000000",
        verified=True,
    )
    today = timezone.localdate()
    per_pledge = 50
    for start in range(0, LOTS, per_pledge):
        lines = [
            {
                "item": items[n % ITEMS],
                "quantity": 10_000,
                "lot_number": f"L{n:04d}",
                "expiry": today + datetime.timedelta(days=30 + n % 300),
            }
            for n in range(start, min(start + per_pledge, LOTS))
        ]
        pledge = services.pledge(donor, lines, user=keeper)
        services.receive(
            pledge,
            warehouse,
            [{"pledge_line": line, "accepted": line.quantity} for line in pledge.lines.all()],
            user=keeper,
        )
    lots = list(Lot.objects.order_by("pk"))
    # Hand-outs share documents: one distribution per community and day (households, posts
    # and volunteers alike would be the same rows to the trace's grouping).
    now = timezone.now()
    distributions = Distribution.objects.bulk_create(
        [
            Distribution(
                community=communities[i % COMMUNITIES],
                location=stores[i % COMMUNITIES],
                recipient=("volunteers", "household")[i % 2],
                distributed_by=keeper,
                distributed_at=now - datetime.timedelta(days=i % 56),
            )
            for i in range(COMMUNITIES * 56)
        ]
    )
    by_community = {}
    for d in distributions:
        by_community.setdefault(d.community_id, []).append(d)
    rng = random.Random(15)
    per_lot = max((MOVEMENTS - LOTS) // LOTS, 2)
    transfers = max(per_lot // 10, 1)
    balances = {}
    batch = []
    for lot in lots:
        balances[(lot.pk, warehouse.pk)] = 10_000
        for k in range(per_lot):
            store_index = rng.randrange(COMMUNITIES)
            store, community = stores[store_index], communities[store_index]
            at = now - datetime.timedelta(days=rng.randrange(56), minutes=k)
            if k < transfers:
                batch.append(
                    Movement(
                        kind=Movement.Kind.TRANSFER,
                        item_id=lot.item_id,
                        lot_id=lot.pk,
                        quantity=100,
                        from_location=warehouse,
                        to_location=store,
                        community=community,
                        created_by=keeper,
                        created_at=at,
                    )
                )
                balances[(lot.pk, warehouse.pk)] -= 100
                balances[(lot.pk, store.pk)] = balances.get((lot.pk, store.pk), 0) + 100
            else:
                # Hand out from a store that holds some of the lot.
                held = [
                    s for s in range(COMMUNITIES) if balances.get((lot.pk, stores[s].pk), 0) > 0
                ]
                s = rng.choice(held)
                store, community = stores[s], communities[s]
                batch.append(
                    Movement(
                        kind=Movement.Kind.DISTRIBUTE,
                        item_id=lot.item_id,
                        lot_id=lot.pk,
                        quantity=1,
                        from_location=store,
                        community=community,
                        distribution=rng.choice(by_community[community.pk]),
                        created_by=keeper,
                        created_at=at,
                    )
                )
                balances[(lot.pk, store.pk)] -= 1
        if len(batch) >= 20_000:
            Movement.objects.bulk_create(batch, batch_size=2_000)
            batch = []
    Movement.objects.bulk_create(batch, batch_size=2_000)
    item_of = {lot.pk: lot.item_id for lot in lots}
    existing = {(b.lot_id, b.location_id): b for b in Balance.objects.all()}
    new, changed = [], []
    for (lot_id, location_id), quantity in balances.items():
        row = existing.get((lot_id, location_id))
        if row is None:
            new.append(
                Balance(
                    lot_id=lot_id,
                    location_id=location_id,
                    item_id=item_of[lot_id],
                    quantity=quantity,
                )
            )
        else:
            row.quantity = quantity
            changed.append(row)
    Balance.objects.bulk_create(new, batch_size=2_000)
    Balance.objects.bulk_update(changed, ["quantity"], batch_size=2_000)
    # The weekly totals ledger.record keeps for each movement, for the ones written in bulk
    # (what the data migration does for an existing ledger); check_flows must agree.
    services.flows.rebuild()
    return {
        "keeper": keeper,
        "lots": lots,
        "items": items,
        "communities": communities,
        "stores": stores,
        "warehouse": warehouse,
    }


STOCKTAKE_LOTS = int(os.environ.get("BENCH_STOCKTAKE_LOTS", "500"))


def stocktake_apply(data):
    """A store holding STOCKTAKE_LOTS lots (moved there from the warehouse through the
    services) is counted; each lot is found one unit short or over, two lots move during the
    count, and a second keeper approves. Returns (seconds of the approval, adjustments)."""
    from django.contrib.auth.models import Group
    from django.db.models import F

    from donations import services
    from donations.models import Balance, Location, Movement
    from donations.services import stocktake
    from portal import roles
    from portal.models import User

    approver = User.objects.create(username="bench-approver", phone="13800009998")
    approver.groups.add(Group.objects.get(name=roles.WAREHOUSE))
    keeper, warehouse = data["keeper"], data["warehouse"]
    store = Location.objects.create(name="基准盘点库", kind=Location.Kind.WAREHOUSE)
    sources = list(
        Balance.objects.filter(location=warehouse, quantity__gte=F("reserved") + 20)
        .select_related("lot")
        .order_by("pk")[:STOCKTAKE_LOTS]
    )
    for balance in sources:
        services.transfer(balance.lot, warehouse, store, 10, user=keeper, reason="基准")
    count = stocktake.start_stocktake(store, user=keeper)
    lines = list(count.lines.order_by("pk"))
    stocktake.record_counts(
        count,
        {line.pk: line.expected + (1 if n % 2 else -1) for n, line in enumerate(lines)},
        user=keeper,
    )
    # Goods keep moving: two lots leave the store after they were counted.
    for line in lines[:2]:
        services.transfer(line.lot, store, warehouse, 3, user=keeper, reason="盘点期间调出")
    stocktake.submit_stocktake(count, user=keeper)
    started = time.perf_counter()
    stocktake.approve_stocktake(count, user=approver, default_reason="基准盘点差异")
    seconds = round(time.perf_counter() - started, 2)
    adjusted = Movement.objects.filter(kind=Movement.Kind.ADJUST, to_location=store).count()
    adjusted += Movement.objects.filter(kind=Movement.Kind.ADJUST, from_location=store).count()
    return seconds, adjusted


def add_needs(data):
    """NEEDS published needs through the services; every third pledged against, every sixth
    received (some met)."""
    from django.contrib.auth.models import Group

    from donations import services
    from donations.models import Donor
    from portal import roles
    from portal.models import User

    admin = User.objects.create(username="bench-admin", phone="13800009997")
    admin.groups.add(Group.objects.get(name=roles.SUBDISTRICT_ADMIN))
    donor = Donor.objects.get(name="基准捐赠企业")
    today = datetime.date.today()
    for n in range(NEEDS):
        need = services.create_need(
            admin,
            community=data["communities"][n % COMMUNITIES] if n % 10 else None,
            item=data["items"][n % ITEMS],
            quantity=500 + n,
            urgency=1 + n % 3,
            needed_by=today + datetime.timedelta(days=1 + n % 20),
            purpose="基准需求",
        )
        need = services.approve_need(services.submit_need(need, admin), admin)
        if n % 3 == 0:
            pledge = services.pledge(
                donor, [{"item": need.item, "quantity": 300 + n * 2}], user=admin, need=need
            )
            if n % 6 == 0:
                services.receive(
                    pledge,
                    data["warehouse"],
                    [{"pledge_line": pledge.lines.get(), "accepted": 300 + n * 2}],
                    user=data["keeper"],
                )


def needs_page_ms():
    """The first page of needs as an anonymous visitor gets it with the page cache off, the
    whole request through the middleware; the test environment's template instrumentation
    (it copies every context for assertions) is off while timing, as in production."""
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment
    from django.urls import reverse

    client = Client()
    url = reverse("donations:needs")
    assert client.get(url).status_code == 200  # the site's first render (versions, templates)

    def page():
        response = client.get(url)
        assert response.status_code == 200 and "X-Page-Cache" not in response

    teardown_test_environment()
    try:
        return timed(page, 5)
    finally:
        setup_test_environment()


def timed(fn, repeat):
    times = []
    for _n in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main():
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from donations import services
    from donations.models import Lot, Movement
    from donations.services import StockError, expiry, recalls

    data = build()
    movements = Movement.objects.count()
    mismatches = len(services.check_balances())
    flow_mismatches = len(services.flows.check_flows())
    lot = data["lots"][len(data["lots"]) // 2]
    trace_ms = timed(lambda: recalls.recall_trace(lot), 5)

    def board():
        cache.clear()
        services.board_data()

    board_ms = timed(board, 3)
    add_needs(data)
    needs_ms = needs_page_ms()
    # A tenth of the lots expire (time passes); then communities ask and the warehouse
    # allocates and dispatches, and stores hand out by item, through the services.
    expired_ids = [lot.pk for lot in data["lots"][::10]]
    Lot.objects.filter(pk__in=expired_ids).update(
        expiry=expiry.today() - datetime.timedelta(days=5)
    )
    keeper, refused = data["keeper"], 0
    flipped = timezone.now()
    for n, community in enumerate(data["communities"]):
        item = data["items"][n % ITEMS]
        request = services.request_supplies(
            community, [(item, 25_000)], purpose="基准", user=keeper
        )
        try:
            made = services.allocate(request.lines.get(), user=keeper)
            by_source = {}
            for allocation in made:
                by_source.setdefault(allocation.location_id, []).append(allocation)
            for group in by_source.values():
                services.dispatch(group, user=keeper)
        except StockError:
            refused += 1
        try:
            services.distribute(
                community,
                data["stores"][n],
                [(item, 30)],
                recipient="volunteers",
                user=keeper,
            )
        except StockError:
            refused += 1
    expired_allocated = (
        Movement.objects.filter(
            lot_id__in=expired_ids,
            kind__in=[Movement.Kind.ALLOCATE, Movement.Kind.DISPATCH, Movement.Kind.DISTRIBUTE],
            created_at__gte=flipped,
        ).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    stocktake_seconds, stocktake_adjusted = stocktake_apply(data)
    mismatches_after = len(services.check_balances())
    return [
        {"trace_forward_ms": trace_ms, "target_ms": 100},
        {"board_ms": board_ms, "target_ms": 200, "cached": False},
        {"expired_allocated": expired_allocated, "must_be": 0},
        {"needs_page_ms": needs_ms, "target_ms": 100, "needs": NEEDS, "cached": False},
        {
            "stocktake_apply_seconds": stocktake_seconds,
            "lots": STOCKTAKE_LOTS,
            "adjustments": stocktake_adjusted,
            "mismatches_after": mismatches_after,
        },
        {
            "lots": len(data["lots"]),
            "movements": movements,
            "mismatches": mismatches,
            "flow_mismatches": flow_mismatches,
            "refused": refused,
            "trace_forward_ms": trace_ms,
            "board_ms": board_ms,
            "expired_allocated": expired_allocated,
            "stocktake_apply_seconds": stocktake_seconds,
            "mismatches_after": mismatches_after,
            "needs_page_ms": needs_ms,
            "database": connection.vendor,
        },
    ]


if __name__ == "__main__":
    with bench_database("supplies"):
        lines = main()
    for line in lines:
        print(json.dumps(line))
