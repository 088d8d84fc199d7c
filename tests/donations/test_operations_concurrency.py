"""Releases racing dispatches, double releases and a cancellation racing a delivery: exactly one
side wins each time and the ledger still sums to the balances (real threads, PostgreSQL)."""

import pytest

from donations import services
from donations.models import Allocation, Balance, Item, Location, Movement, Pledge
from donations.services import StockError
from portal import roles
from tests.factories import CommunityFactory, DonorFactory, make_user
from tests.threads import errors_of, run_at_once

ROUNDS = 6

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting():
    keeper = make_user(roles.WAREHOUSE)
    item = Item.objects.create(name="N95口罩", category="masks", unit="只")
    warehouse = Location.objects.create(name="仓库", kind="warehouse")
    pledge = services.pledge(
        DonorFactory(), [{"item": item, "quantity": 1000, "lot_number": "N-1"}]
    )
    services.receive(
        pledge, warehouse, [{"pledge_line": pledge.lines.get(), "accepted": 1000}], user=keeper
    )
    return {"keeper": keeper, "item": item, "warehouse": warehouse}


def _allocations(setting, n, quantity=10):
    community = CommunityFactory()
    made = []
    for _ in range(n):
        request = services.request_supplies(
            community, [(setting["item"], quantity)], purpose="并发", user=setting["keeper"]
        )
        made += services.allocate(request.lines.get(), user=setting["keeper"])
    return made


def _racing(*calls):
    """Start `calls` together; return how many succeeded and the unexpected errors."""
    results = run_at_once(list(calls), refused=StockError)
    won = [value for kind, value in results if kind == "ok"]
    return len(won), errors_of(results)


def test_release_racing_dispatch_lets_exactly_one_win(setting):
    keeper = setting["keeper"]
    for allocation in _allocations(setting, ROUNDS):
        won, errors = _racing(
            lambda a=allocation: services.release_allocation(a, user=keeper, reason="并发释放"),
            lambda a=allocation: services.dispatch([a], user=keeper),
        )
        assert errors == [] and won == 1
        allocation.refresh_from_db()
        assert bool(allocation.dispatch_id) != bool(allocation.released_at)
    moves = Movement.objects.filter(kind__in=["release", "dispatch"]).count()
    assert moves == ROUNDS
    balance = Balance.objects.get(location=setting["warehouse"])
    assert balance.reserved == 0
    assert balance.quantity == 1000 - 10 * Allocation.objects.filter(dispatch__isnull=False).count()
    assert services.check_balances() == []


def test_simultaneous_double_release_writes_one_movement(setting):
    keeper = setting["keeper"]
    [allocation] = _allocations(setting, 1, quantity=300)
    won, errors = _racing(
        *[
            lambda: services.release_allocation(allocation, user=keeper, reason="双击")
            for _ in range(4)
        ]
    )
    assert errors == [] and won == 4  # each call answers "released"; only one did it
    assert Movement.objects.filter(kind="release").count() == 1
    assert Balance.objects.get(location=setting["warehouse"]).reserved == 0
    assert services.check_balances() == []


def test_cancel_racing_a_delivery_never_leaves_goods_in_a_cancelled_pledge(setting):
    keeper, warehouse = setting["keeper"], setting["warehouse"]
    donor = DonorFactory()
    for _ in range(ROUNDS):
        pledge = services.pledge(donor, [{"item": setting["item"], "quantity": 50}])
        line = pledge.lines.get()
        won, errors = _racing(
            lambda p=pledge: services.cancel_pledge(p, user=keeper, reason="撤回"),
            lambda p=pledge, ln=line: services.receive(
                p, warehouse, [{"pledge_line": ln, "accepted": 20}], user=keeper
            ),
        )
        assert errors == [] and won == 1
        pledge.refresh_from_db()
        received = pledge.receipts.exists()
        assert (pledge.status == Pledge.Status.CANCELLED) != received
    assert services.check_balances() == []
