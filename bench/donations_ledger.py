"""Parallel allocations and distributions from the same lots through the real services
(donations.services.allocate / dispatch / confirm_receipt / distribute), against the configured
database (PostgreSQL when DATABASE_URL says so). Prints one JSON line:

  movements_per_s  ledger movements written per second by all threads together
  oversells        units handed out or reserved beyond what was received, or negative rows (must be 0)
  mismatches       balances that differ from the sum of the ledger (must be 0)
  refused          operations refused with a StockError (stock ran out: expected)
  errors           anything else (must be 0)
"""

import json
import os

from donations_bench import base_data
from harness import bench_database, race

THREADS = int(os.environ.get("BENCH_THREADS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "25"))
LOTS = int(os.environ.get("BENCH_LOTS", "3"))
PER_LOT = int(os.environ.get("BENCH_PER_LOT", "3000"))


def main():
    from django.db import connection
    from django.db.models import Sum

    from donations import services
    from donations.models import Balance, Movement
    from donations.services import StockError
    from portal.models import Community, Subdistrict

    data = base_data(lots=LOTS, per_lot=PER_LOT)
    keeper, item, warehouse = data["keeper"], data["item"], data["warehouse"]
    subdistrict = Subdistrict.objects.get(name="基准街道")
    communities = [
        Community.objects.create(subdistrict=subdistrict, name=f"基准{i}社区", slug=f"bench-{i}")
        for i in range(THREADS)
    ]

    def one_round(index, round_number):
        community = communities[index]
        if index % 2 == 0:
            request = services.request_supplies(
                community, [(item, 40)], purpose="基准", user=keeper
            )
            allocations = services.allocate(request.lines.get(), user=keeper)
            if round_number % 3 == 0:
                note = services.dispatch(allocations, user=keeper)
                services.confirm_receipt(note, {}, user=keeper)
        else:
            services.distribute(
                community, warehouse, [(item, 30)], recipient="volunteers", user=keeper
            )

    def calls_of(index, rng):
        return (lambda n=n: one_round(index, n) for n in range(ROUNDS))

    before = Movement.objects.count()
    counts = race(THREADS, calls_of, refused=StockError)
    seconds = counts["elapsed"]
    movements = Movement.objects.count() - before
    received = LOTS * PER_LOT
    out = (
        Movement.objects.filter(kind__in=["distribute", "discard"]).aggregate(n=Sum("quantity"))[
            "n"
        ]
        or 0
    )
    on_hand = Balance.objects.aggregate(n=Sum("quantity"))["n"] or 0
    oversells = (
        Balance.objects.filter(quantity__lt=0).count()
        + Balance.objects.filter(reserved__lt=0).count()
    )
    if out + on_hand != received or on_hand < 0:
        oversells += 1
    mismatches = len(services.check_balances())
    return {
        "threads": THREADS,
        "movements": movements,
        "seconds": round(seconds, 3),
        "movements_per_s": round(movements / seconds, 1),
        "oversells": oversells,
        "mismatches": mismatches,
        "refused": counts["refused"],
        "errors": counts["errors"],
        "error_kinds": counts["error_kinds"],
        "database": connection.vendor,
    }


if __name__ == "__main__":
    with bench_database("donations_ledger"):
        result = main()
    print(json.dumps(result))
