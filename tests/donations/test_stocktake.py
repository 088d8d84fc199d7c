"""Stock-take (盘点, issue 15.4): a count of a store whose differences become adjustments after
someone else approves it; movements during the count are reconciled, not frozen."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from donations import services
from donations.models import Balance, Location, Lot, Movement, StockTake
from donations.services import StockError
from donations.services import stocktake as st
from portal import roles
from portal.models import AuditEvent
from tests.factories import make_user

Kind = Movement.Kind


@pytest.fixture
def other_keeper(db):
    return make_user(roles.WAREHOUSE, username="keeper2")


def _lines(stocktake):
    return {line.lot.lot_number: line for line in stocktake.lines.select_related("lot")}


def _count(stocktake, user, **counts):
    lines = _lines(stocktake)
    return st.record_counts(
        stocktake, {lines[number].pk: n for number, n in counts.items()}, user=user
    )


def _on_hand(lot_number, location):
    return Balance.objects.get(lot__lot_number=lot_number, location=location).quantity


def test_differences_become_one_adjustment_each_with_its_reason(
    stocked, warehouse, warehouse_keeper, other_keeper
):
    count = st.start_stocktake(warehouse, user=warehouse_keeper)
    assert {n: line.expected for n, line in _lines(count).items()} == {
        "M-LATE": 4800,
        "M-EARLY": 1000,
        "D-1": 200,
    }
    _count(count, warehouse_keeper, **{"M-LATE": 4790, "M-EARLY": 1000, "D-1": 203})
    st.submit_stocktake(count, user=warehouse_keeper)
    with pytest.raises(StockError) as caught:
        st.approve_stocktake(count, user=other_keeper, reasons={})
    assert caught.value.code == "reason"
    lines = _lines(count)
    st.approve_stocktake(
        count,
        user=other_keeper,
        reasons={lines["M-LATE"].pk: "破损未登记", lines["D-1"].pk: "上次少记"},
    )
    moves = Movement.objects.filter(kind=Kind.ADJUST).order_by("lot__lot_number")
    assert [(m.lot.lot_number, m.from_location, m.to_location, m.quantity) for m in moves] == [
        ("D-1", None, warehouse, 3),
        ("M-LATE", warehouse, None, 10),
    ]
    assert all(count.serial in m.reason for m in moves)
    assert "破损未登记" in moves.get(lot__lot_number="M-LATE").reason
    assert (_on_hand("M-LATE", warehouse), _on_hand("D-1", warehouse)) == (4790, 203)
    assert services.check_balances() == []
    count.refresh_from_db()
    assert (count.status, count.approved_by) == (StockTake.Status.APPROVED, other_keeper)
    assert _lines(count)["M-LATE"].difference == -10
    assert _lines(count)["M-LATE"].movement.quantity == 10
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "donations.stocktake.start",
        "donations.stocktake.count",
        "donations.stocktake.submit",
        "donations.stocktake.approve",
    } <= actions
    approval = AuditEvent.objects.get(action="donations.stocktake.approve")
    assert (approval.details["adjustments"], approval.details["net"]) == (2, -7)


def test_a_movement_during_the_count_is_reconciled_not_taken_for_a_loss(
    stocked, warehouse, community, coordinator, warehouse_keeper, other_keeper, masks
):
    early = Lot.objects.get(lot_number="M-EARLY")
    count = st.start_stocktake(warehouse, user=warehouse_keeper)
    # 300 leave between the start and the count: the keeper finds 700 of the 1,000 booked.
    line = services.request_supplies(community, [(masks, 300)], purpose="卡口", user=coordinator)
    services.dispatch(
        services.allocate(line.lines.get(), user=warehouse_keeper, lots=[(early, 300)]),
        user=warehouse_keeper,
    )
    _count(count, warehouse_keeper, **{"M-LATE": 4800, "M-EARLY": 698, "D-1": 200})
    # 100 more leave after the count, before the approval.
    later = timezone.now() + datetime.timedelta(minutes=1)
    services.transfer(
        early,
        warehouse,
        services.ledger.community_store(community),
        100,
        user=warehouse_keeper,
        reason="补货",
    )
    assert Movement.objects.get(kind=Kind.TRANSFER).created_at < later
    st.submit_stocktake(count, user=warehouse_keeper)
    lines = {line.lot.lot_number: line for line in st.reconcile(count)}
    assert (lines["M-EARLY"].moved_during, lines["M-EARLY"].book_at_count) == (-400, 700)
    assert lines["M-EARLY"].difference == -2
    st.approve_stocktake(count, user=other_keeper, default_reason="点数差异")
    # Only the 2 really missing are adjusted; the book is 1000 - 300 - 100 - 2.
    assert list(Movement.objects.filter(kind=Kind.ADJUST).values_list("quantity", flat=True)) == [2]
    assert _on_hand("M-EARLY", warehouse) == 598
    assert services.check_balances() == []


def test_a_shortage_that_would_take_reserved_units_fails_the_whole_approval(
    stocked, warehouse, community, coordinator, warehouse_keeper, other_keeper, masks
):
    early = Lot.objects.get(lot_number="M-EARLY")
    count = st.start_stocktake(warehouse, user=warehouse_keeper)
    line = services.request_supplies(community, [(masks, 900)], purpose="x", user=coordinator)
    services.allocate(line.lines.get(), user=warehouse_keeper, lots=[(early, 900)])
    _count(count, warehouse_keeper, **{"M-LATE": 4801, "M-EARLY": 0, "D-1": 200})
    st.submit_stocktake(count, user=warehouse_keeper)
    with pytest.raises(StockError) as caught:
        st.approve_stocktake(count, user=other_keeper, default_reason="丢失")
    assert caught.value.code == "insufficient_stock"
    assert not Movement.objects.filter(kind=Kind.ADJUST).exists()
    assert StockTake.objects.get(pk=count.pk).status == StockTake.Status.SUBMITTED
    assert services.check_balances() == []


def test_the_counter_cannot_approve_their_own_count(
    stocked, warehouse, warehouse_keeper, other_keeper, subdistrict_admin
):
    count = st.start_stocktake(warehouse, user=warehouse_keeper)
    _count(count, other_keeper, **{"M-LATE": 4800, "M-EARLY": 999, "D-1": 200})
    st.submit_stocktake(count, user=other_keeper)
    for person in (warehouse_keeper, other_keeper):  # the starter and the counter
        with pytest.raises(StockError) as caught:
            st.approve_stocktake(count, user=person, default_reason="x")
        assert caught.value.code == "four_eyes"
    assert not Movement.objects.filter(kind=Kind.ADJUST).exists()
    st.approve_stocktake(count, user=subdistrict_admin, default_reason="少一只")
    assert Movement.objects.get(kind=Kind.ADJUST).quantity == 1


def test_a_community_keeper_counts_only_their_own_store_and_does_not_approve(
    stocked,
    warehouse,
    community,
    other_community,
    coordinator,
    other_coordinator,
    warehouse_keeper,
):
    store = services.ledger.community_store(community)
    early = Lot.objects.get(lot_number="M-EARLY")
    services.transfer(early, warehouse, store, 50, user=warehouse_keeper)
    with pytest.raises(StockError) as caught:
        st.start_stocktake(store, user=other_coordinator)
    assert caught.value.code == "scope"
    with pytest.raises(StockError):
        st.start_stocktake(warehouse, user=coordinator)
    count = st.start_stocktake(store, user=coordinator)
    with pytest.raises(StockError):
        _count(count, other_coordinator, **{"M-EARLY": 1})
    _count(count, coordinator, **{"M-EARLY": 49})
    st.submit_stocktake(count, user=coordinator)
    with pytest.raises(StockError) as caught:
        st.approve_stocktake(count, user=other_coordinator, default_reason="x")
    assert caught.value.code == "scope"
    st.approve_stocktake(count, user=warehouse_keeper, default_reason="少一包")
    assert _on_hand("M-EARLY", store) == 49
    assert services.check_balances() == []


def test_one_count_per_store_at_a_time_and_a_cancelled_count_writes_nothing(
    stocked, warehouse, warehouse_keeper
):
    count = st.start_stocktake(warehouse, user=warehouse_keeper)
    with pytest.raises(StockError) as caught:
        st.start_stocktake(warehouse, user=warehouse_keeper)
    assert caught.value.code == "running"
    with pytest.raises(StockError):
        st.submit_stocktake(count, user=warehouse_keeper)  # nothing counted yet
    with pytest.raises(StockError):
        st.cancel_stocktake(count, user=warehouse_keeper, reason=" ")
    st.cancel_stocktake(count, user=warehouse_keeper, reason="停电")
    with pytest.raises(StockError):
        _count(count, warehouse_keeper, **{"D-1": 1})
    assert not Movement.objects.filter(kind=Kind.ADJUST).exists()
    assert st.start_stocktake(warehouse, user=warehouse_keeper).pk != count.pk
    with pytest.raises(StockError):
        st.start_stocktake(
            Location.objects.create(name="空库", kind="warehouse"), user=warehouse_keeper
        )


# Back office -------------------------------------------------------------------------------


def test_the_count_pages_from_start_to_approval(
    client, stocked, warehouse, warehouse_keeper, other_keeper
):
    client.force_login(warehouse_keeper)
    response = client.post(reverse("donations_admin:stocktakes"), {"location": warehouse.pk})
    count = StockTake.objects.get()
    assert response.url == reverse("donations_admin:stocktake", args=[count.pk])
    with translation.override("zh-hans"):
        page = client.get(response.url).content.decode()
    # A blind count on a phone: numeric fields, no book quantity on the page.
    assert 'inputmode="numeric"' in page and "4800" not in page
    lines = _lines(count)
    data = {f"count-{line.pk}": "" for line in lines.values()}
    data.update({f"count-{lines['D-1'].pk}": "198", "action": "save"})
    client.post(response.url, data)
    assert StockTake.objects.get().lines.get(pk=lines["D-1"].pk).counted == 198
    data.update({f"count-{lines['M-LATE'].pk}": "4800", f"count-{lines['M-EARLY'].pk}": "abc"})
    data["action"] = "submit"
    bad = client.post(response.url, data, follow=True)
    assert "整数" in bad.content.decode() or "whole" in bad.content.decode()
    data[f"count-{lines['M-EARLY'].pk}"] = "1000"
    client.post(response.url, data)
    assert StockTake.objects.get().status == StockTake.Status.SUBMITTED
    # The counter is not offered (or allowed) the approval.
    refused = client.post(response.url, {"action": "approve", "reason-all": "x"})
    assert "Someone other" in refused.content.decode() or "其他人" in refused.content.decode()
    assert StockTake.objects.get().status == StockTake.Status.SUBMITTED
    client.force_login(other_keeper)
    page = client.get(response.url).content.decode()
    assert "4800" in page and 'name="reason-' in page
    client.post(response.url, {"action": "approve", f"reason-{lines['D-1'].pk}": "损耗"})
    assert StockTake.objects.get().status == StockTake.Status.APPROVED
    assert Movement.objects.get(kind=Kind.ADJUST).quantity == 2
    assert services.check_balances() == []


def test_a_coordinator_sees_only_their_stores_counts(
    client, stocked, warehouse, community, coordinator, other_coordinator, warehouse_keeper
):
    store = services.ledger.community_store(community)
    services.transfer(
        Lot.objects.get(lot_number="D-1"), warehouse, store, 20, user=warehouse_keeper
    )
    client.force_login(other_coordinator)
    assert (
        client.post(reverse("donations_admin:stocktakes"), {"location": store.pk}).status_code
        == 200
    )
    assert not StockTake.objects.exists()
    client.force_login(coordinator)
    client.post(reverse("donations_admin:stocktakes"), {"location": store.pk})
    count = StockTake.objects.get()
    warehouse_count = st.start_stocktake(warehouse, user=warehouse_keeper)
    for url_name in ("donations_admin:stocktakes", "donations_stocktakes:index"):
        listing = client.get(reverse(url_name)).content.decode()
        assert count.serial in listing and warehouse_count.serial not in listing
    assert (
        client.get(reverse("donations_admin:stocktake", args=[warehouse_count.pk])).status_code
        == 404
    )
    client.force_login(other_coordinator)
    url = reverse("donations_admin:stocktake", args=[count.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("donations_admin:stocktake_pdf", args=[count.pk])).status_code == 404


def test_the_count_sheet_comes_as_a_pdf_and_a_spreadsheet(
    client, stocked, warehouse, warehouse_keeper
):
    import io

    from openpyxl import load_workbook

    count = st.start_stocktake(warehouse, user=warehouse_keeper)
    client.force_login(warehouse_keeper)
    pdf = client.get(reverse("donations_admin:stocktake_pdf", args=[count.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("donations_admin:stocktake_xlsx", args=[count.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4
    assert {row[3] for row in rows[1:]} == {"M-LATE", "M-EARLY", "D-1"}
    assert 4800 not in [cell for row in rows for cell in row]  # blind
    assert AuditEvent.objects.filter(action="export").exists() or AuditEvent.objects.exists()
