"""Stock-take approval racing movements of the counted lot, and two approvers at once (real
threads, PostgreSQL): the book ends right and each difference is written once."""

import pytest

from donations import services
from donations.models import Balance, Item, Location, Movement
from donations.services import stocktake as st
from portal import roles
from tests.donations.test_operations_concurrency import _racing
from tests.factories import DonorFactory, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_approvals_racing_transfers_leave_the_book_right(db):
    keeper = make_user(roles.WAREHOUSE, username="st-k")
    approvers = [make_user(roles.WAREHOUSE, username=f"st-a{n}") for n in range(2)]
    item = Item.objects.create(name="N95口罩", category="masks", unit="只")
    warehouse = Location.objects.create(name="仓库", kind="warehouse")
    store = Location.objects.create(name="二号库", kind="warehouse")
    pledge = services.pledge(
        DonorFactory(), [{"item": item, "quantity": 1000, "lot_number": "N-1"}]
    )
    services.receive(
        pledge, warehouse, [{"pledge_line": pledge.lines.get(), "accepted": 1000}], user=keeper
    )
    lot = pledge.lines.get().lots.get()
    services.transfer(lot, warehouse, store, 100, user=keeper)
    count = st.start_stocktake(store, user=keeper)
    st.record_counts(count, {count.lines.get().pk: 95}, user=keeper)
    st.submit_stocktake(count, user=keeper)
    calls = [
        lambda a=approver: st.approve_stocktake(count, user=a, default_reason="少5只")
        for approver in approvers
    ] + [
        lambda: services.transfer(lot, store, warehouse, 10, user=keeper, reason="并发调出")
        for _ in range(4)
    ]
    won, errors = _racing(*calls)
    for e in errors:
        print("ERR", e)
    assert errors == [] and won == 5  # one approval, four transfers
    assert list(
        Movement.objects.filter(kind=Movement.Kind.ADJUST).values_list("quantity", flat=True)
    ) == [5]
    assert Balance.objects.get(lot=lot, location=store).quantity == 100 - 5 - 40
    assert services.check_balances() == []
