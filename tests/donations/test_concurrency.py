"""Many simultaneous allocations and distributions from the same lot never oversell, and the
ledger always sums to the balances (real threads, PostgreSQL)."""

import threading

import pytest

from donations import services
from donations.models import Balance, Item, Location, Lot, Movement
from donations.services import StockError
from portal import roles
from tests.factories import CommunityFactory, DonorFactory, make_user
from tests.threads import errors_of, run_at_once

THREADS = 8
ATTEMPTS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_allocations_and_distributions_never_oversell():
    keeper = make_user(roles.WAREHOUSE)
    item = Item.objects.create(name="N95口罩", category="masks", unit="只")
    warehouse = Location.objects.create(name="仓库", kind="warehouse")
    donor = DonorFactory()
    pledge = services.pledge(donor, [{"item": item, "quantity": 100, "lot_number": "N-1"}])
    services.receive(
        pledge, warehouse, [{"pledge_line": pledge.lines.get(), "accepted": 100}], user=keeper
    )
    lot = Lot.objects.get()
    communities = [CommunityFactory() for _ in range(THREADS)]
    requests = [
        services.request_supplies(c, [(item, 1000)], purpose="并发", user=keeper)
        for c in communities
    ]
    outcome = {"allocated": 0, "distributed": 0, "refused": 0}
    lock = threading.Lock()

    def allocator(request):
        def work():
            line = request.lines.get()
            for _ in range(ATTEMPTS):
                try:
                    made = services.allocate(line, 7, user=keeper)
                    with lock:
                        outcome["allocated"] += sum(a.quantity for a in made)
                except StockError:
                    with lock:
                        outcome["refused"] += 1

        return work

    def distributor(community):
        def work():
            for _ in range(ATTEMPTS):
                try:
                    services.distribute(
                        community, warehouse, [(lot, 5)], recipient="volunteers", user=keeper
                    )
                    with lock:
                        outcome["distributed"] += 5
                except StockError:
                    with lock:
                        outcome["refused"] += 1

        return work

    workers = [allocator(r) for r in requests[: THREADS // 2]] + [
        distributor(c) for c in communities[THREADS // 2 :]
    ]
    assert errors_of(run_at_once(workers)) == []
    balance = Balance.objects.get(lot=lot, location=warehouse)
    assert balance.quantity >= balance.reserved >= 0
    assert outcome["allocated"] + outcome["distributed"] <= 100
    assert balance.reserved == outcome["allocated"]
    assert balance.quantity == 100 - outcome["distributed"]
    assert outcome["refused"] > 0  # the stock really ran out under contention
    assert services.check_balances() == []
    assert Movement.objects.filter(kind="allocate").count() >= 1
