"""Cancelling and closing pledges, releasing allocations and transferring stock: the services,
including every refusal, with the ledger still summing to the balances afterwards."""

import pytest
from django.utils import translation

from donations import services
from donations.models import Allocation, Balance, Location, Lot, Movement, Pledge, Receipt
from donations.services import StockError

# Cancel and close a pledge -----------------------------------------------------------------------


@pytest.fixture
def open_pledge(donor, masks, disinfectant):
    return services.pledge(
        donor,
        [
            {"item": masks, "quantity": 100, "lot_number": "C-1"},
            {"item": disinfectant, "quantity": 20},
        ],
    )


def _receive_part(pledge, warehouse, keeper):
    first = pledge.lines.order_by("pk").first()
    return services.receive(
        pledge, warehouse, [{"pledge_line": first, "accepted": 40}], user=keeper
    )


def test_cancel_records_who_when_why_and_keeps_the_pledge(open_pledge, donor_user):
    pledge = services.cancel_pledge(open_pledge, user=donor_user, reason="厂家无法按期供货")
    assert pledge.status == Pledge.Status.CANCELLED and pledge.ended
    assert (pledge.ended_by, pledge.end_reason) == (donor_user, "厂家无法按期供货")
    assert pledge.ended_at is not None
    assert Pledge.objects.filter(pk=pledge.pk).exists()


def test_cancelling_twice_changes_nothing(open_pledge, donor_user, warehouse_keeper):
    first = services.cancel_pledge(open_pledge, user=donor_user, reason="第一次")
    again = services.cancel_pledge(open_pledge, user=warehouse_keeper, reason="第二次")
    assert (again.ended_by, again.end_reason, again.ended_at) == (
        donor_user,
        "第一次",
        first.ended_at,
    )


def test_cancel_needs_a_reason(open_pledge, donor_user):
    with pytest.raises(StockError):
        services.cancel_pledge(open_pledge, user=donor_user, reason="  ")
    open_pledge.refresh_from_db()
    assert open_pledge.status == Pledge.Status.PLEDGED


def test_a_partly_received_pledge_cannot_be_cancelled(open_pledge, warehouse, warehouse_keeper):
    _receive_part(open_pledge, warehouse, warehouse_keeper)
    with translation.override("zh-hans"), pytest.raises(StockError, match="不能取消"):
        services.cancel_pledge(open_pledge, user=warehouse_keeper, reason="x")
    open_pledge.refresh_from_db()
    assert open_pledge.status == Pledge.Status.PARTIAL and open_pledge.ended_at is None


def test_a_pledge_with_only_rejected_goods_counts_as_received(
    open_pledge, warehouse, warehouse_keeper
):
    line = open_pledge.lines.order_by("pk").first()
    services.receive(
        open_pledge,
        warehouse,
        [{"pledge_line": line, "rejected": 5, "reason": "破损"}],
        user=warehouse_keeper,
    )
    with pytest.raises(StockError):
        services.cancel_pledge(open_pledge, user=warehouse_keeper, reason="x")


def test_receiving_into_a_cancelled_pledge_is_refused(
    open_pledge, donor_user, warehouse, warehouse_keeper
):
    services.cancel_pledge(open_pledge, user=donor_user, reason="不捐了")
    with translation.override("zh-hans"), pytest.raises(StockError, match="已取消"):
        _receive_part(open_pledge, warehouse, warehouse_keeper)
    assert not Receipt.objects.exists() and not Movement.objects.exists()


def test_close_the_remainder_keeps_what_arrived(open_pledge, warehouse, warehouse_keeper):
    _receive_part(open_pledge, warehouse, warehouse_keeper)
    pledge = services.close_pledge(open_pledge, user=warehouse_keeper, reason="余下的不再送来")
    assert pledge.status == Pledge.Status.CLOSED and pledge.ended_by == warehouse_keeper
    assert Balance.objects.get(lot__pledge_line__pledge=pledge).quantity == 40
    assert (
        services.close_pledge(open_pledge, user=warehouse_keeper, reason="again").end_reason
        == "余下的不再送来"
    )
    with translation.override("zh-hans"), pytest.raises(StockError, match="已结束"):
        _receive_part(open_pledge, warehouse, warehouse_keeper)
    with pytest.raises(StockError):
        services.cancel_pledge(open_pledge, user=warehouse_keeper, reason="x")


def test_close_is_refused_when_nothing_or_everything_arrived(
    open_pledge, stocked, warehouse_keeper
):
    with pytest.raises(StockError, match="cancel it instead|请改为取消"):
        services.close_pledge(open_pledge, user=warehouse_keeper, reason="x")
    with pytest.raises(StockError):
        services.close_pledge(stocked["pledge"], user=warehouse_keeper, reason="x")
    services.cancel_pledge(open_pledge, user=warehouse_keeper, reason="x")
    with pytest.raises(StockError):
        services.close_pledge(open_pledge, user=warehouse_keeper, reason="x")


def test_a_cancelled_pledge_stays_in_the_donor_trace(open_pledge, stocked, donor, donor_user):
    services.cancel_pledge(open_pledge, user=donor_user, reason="改期")
    entries = {e["pledge"].pk: e for e in services.donor_trace(donor)}
    assert entries[open_pledge.pk]["pledge"].end_reason == "改期"
    assert len(entries) == 2


# Release an allocation ------------------------------------------------------------------------


@pytest.fixture
def allocated(stocked, community, coordinator, warehouse_keeper, masks):
    request = services.request_supplies(
        community, [(masks, 1500)], purpose="卡口", user=coordinator
    )
    line = request.lines.get()
    return line, services.allocate(line, user=warehouse_keeper)  # M-EARLY 1000, M-LATE 500


def test_release_returns_reserved_stock_and_lowers_the_line(allocated, warehouse, warehouse_keeper):
    line, (early, late) = allocated
    services.release_allocation(early, user=warehouse_keeper, reason="改由社区自筹")
    assert Balance.objects.get(lot=early.lot, location=warehouse).reserved == 0
    assert Balance.objects.get(lot=early.lot, location=warehouse).quantity == 1000
    [line] = services.request_line_progress([line])
    assert (line.allocated, line.open) == (500, 1000)
    early.refresh_from_db()
    assert (early.released_by, early.release_reason) == (warehouse_keeper, "改由社区自筹")
    movement = Movement.objects.get(kind=Movement.Kind.RELEASE)
    assert (movement.allocation, movement.quantity, movement.from_location) == (
        early,
        1000,
        warehouse,
    )
    assert movement.to_location is None
    assert services.check_balances() == []


def test_released_units_can_be_allocated_again(allocated, warehouse_keeper):
    line, (early, _late) = allocated
    services.release_allocation(early, user=warehouse_keeper, reason="重新分配")
    again = services.allocate(line, user=warehouse_keeper)
    assert sum(a.quantity for a in again) == 1000
    assert services.check_balances() == []


def test_double_release_writes_one_movement(allocated, warehouse_keeper):
    _line, (early, _late) = allocated
    services.release_allocation(early, user=warehouse_keeper, reason="一")
    services.release_allocation(early, user=warehouse_keeper, reason="二")
    assert Movement.objects.filter(kind=Movement.Kind.RELEASE).count() == 1
    assert Allocation.objects.get(pk=early.pk).release_reason == "一"
    assert services.check_balances() == []


def test_release_of_a_dispatched_allocation_is_refused(allocated, warehouse_keeper):
    _line, (early, late) = allocated
    services.dispatch([early], user=warehouse_keeper)
    with translation.override("zh-hans"), pytest.raises(StockError, match="已出库"):
        services.release_allocation(early, user=warehouse_keeper, reason="x")
    assert not Movement.objects.filter(kind=Movement.Kind.RELEASE).exists()
    assert services.check_balances() == []


def test_a_released_allocation_cannot_be_dispatched(allocated, warehouse_keeper):
    _line, (early, _late) = allocated
    services.release_allocation(early, user=warehouse_keeper, reason="x")
    with pytest.raises(StockError):
        services.dispatch([early], user=warehouse_keeper)
    assert not Movement.objects.filter(kind=Movement.Kind.DISPATCH).exists()


def test_release_needs_a_reason(allocated, warehouse_keeper):
    _line, (early, _late) = allocated
    with pytest.raises(StockError):
        services.release_allocation(early, user=warehouse_keeper, reason="")
    assert Allocation.objects.get(pk=early.pk).released_at is None


def test_check_balances_catches_a_release_not_applied_to_the_balance(allocated, warehouse_keeper):
    _line, (early, _late) = allocated
    services.release_allocation(early, user=warehouse_keeper, reason="x")
    Balance.objects.filter(lot=early.lot).update(reserved=1000)  # as if the balance were missed
    assert services.check_balances()[0]["ledger"] == [1000, 0]


# Transfer --------------------------------------------------------------------------------------


@pytest.fixture
def store(community):
    return Location.objects.create(
        name="民岳家园社区物资点", kind=Location.Kind.COMMUNITY, community=community
    )


def test_transfer_moves_free_units_only(allocated, warehouse, store, warehouse_keeper):
    lot = Lot.objects.get(lot_number="M-LATE")  # 4800 on hand, 500 allocated
    services.transfer(lot, warehouse, store, 4300, user=warehouse_keeper, reason="前置到社区")
    assert Balance.objects.get(lot=lot, location=store).quantity == 4300
    with pytest.raises(StockError):
        services.transfer(lot, warehouse, store, 1, user=warehouse_keeper)
    assert services.check_balances() == []


def test_transfer_refusals_change_nothing(stocked, warehouse, store, warehouse_keeper):
    lot = Lot.objects.get(lot_number="D-1")
    transit = Location.objects.create(name="在途物资", kind=Location.Kind.TRANSIT)
    for target, quantity in [(warehouse, 1), (store, 0), (store, -5), (transit, 1), (store, 201)]:
        with pytest.raises(StockError):
            services.transfer(lot, warehouse, target, quantity, user=warehouse_keeper)
    assert not Movement.objects.filter(kind=Movement.Kind.TRANSFER).exists()
    assert Balance.objects.get(lot=lot, location=warehouse).quantity == 200


def test_the_firm_hears_when_staff_end_its_pledge(
    open_pledge, donor_user, warehouse, warehouse_keeper, django_capture_on_commit_callbacks
):
    from django.core import mail

    from portal import sms

    mail.outbox.clear()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_pledge(open_pledge, user=warehouse_keeper, reason="厂家停产")
    assert [m.to for m in mail.outbox] == [[donor_user.email]]
    assert "已取消" in mail.outbox[0].subject and "厂家停产" in mail.outbox[0].body
    assert len(sms.outbox) == 1 and "厂家停产" in sms.outbox[0].text


def test_the_representative_who_cancels_is_not_told_again(
    open_pledge, donor_user, django_capture_on_commit_callbacks
):
    from django.core import mail

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_pledge(open_pledge, user=donor_user, reason="不捐了")
    assert mail.outbox == []
