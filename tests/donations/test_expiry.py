"""Expired goods never go out (issue 15.1): not allocated, dispatched or handed out, by the
services, the admin's actions or a receipt of expired goods; they show apart and leave the
books only as a `discard` movement with its reason. "Today" is the date in Beijing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from donations import services
from donations.models import Allocation, Balance, Dispatch, Location, Lot, Movement
from donations.services import StockError, expiry

from .conftest import in_days

Kind = Movement.Kind


def expire(lot_number, days_ago=5):
    Lot.objects.filter(lot_number=lot_number).update(
        expiry=expiry.today() - datetime.timedelta(days=days_ago)
    )
    return Lot.objects.get(lot_number=lot_number)


@pytest.fixture
def store(community):
    return Location.objects.create(
        name="民岳家园社区物资点", kind=Location.Kind.COMMUNITY, community=community
    )


def _line(community, item, quantity, user):
    return services.request_supplies(
        community, [(item, quantity)], purpose="卡口", user=user
    ).lines.get()


def test_the_lot_expired_five_days_ago_is_not_allocated_first(
    stocked, community, coordinator, warehouse_keeper, masks
):
    early = expire("M-EARLY")
    made = services.allocate(_line(community, masks, 300, coordinator), user=warehouse_keeper)
    assert [a.lot.lot_number for a in made] == ["M-LATE"]
    assert not Movement.objects.filter(kind=Kind.ALLOCATE, lot=early).exists()
    assert services.check_balances() == []


def test_lots_expiring_soon_go_out_before_later_ones(
    stocked, community, coordinator, warehouse_keeper, masks
):
    Lot.objects.filter(lot_number="M-EARLY").update(expiry=expiry.today())  # last usable day
    made = services.allocate(_line(community, masks, 1200, coordinator), user=warehouse_keeper)
    assert [(a.lot.lot_number, a.quantity) for a in made] == [("M-EARLY", 1000), ("M-LATE", 200)]


def test_only_expired_stock_is_refused_with_the_reason(
    stocked, community, coordinator, warehouse_keeper, disinfectant
):
    expire("D-1")
    line = _line(community, disinfectant, 10, coordinator)
    with translation.override("en"), pytest.raises(StockError, match="expired") as caught:
        services.allocate(line, user=warehouse_keeper)
    assert caught.value.code == "expired"
    assert not Allocation.objects.exists()


def test_an_expired_lot_chosen_by_hand_is_refused(
    stocked, community, coordinator, warehouse_keeper, masks
):
    early = expire("M-EARLY")
    line = _line(community, masks, 100, coordinator)
    with translation.override("en"), pytest.raises(StockError) as caught:
        services.allocate(line, user=warehouse_keeper, lots=[(early, 100)])
    assert caught.value.code == "expired"
    assert f"{early.expiry:%Y-%m-%d}" in caught.value.message
    assert not Allocation.objects.exists()
    assert Balance.objects.get(lot=early).reserved == 0


def test_an_allocation_whose_lot_expired_since_is_not_dispatched(
    stocked, community, coordinator, warehouse_keeper, masks
):
    line = _line(community, masks, 100, coordinator)
    made = services.allocate(line, user=warehouse_keeper)
    expire(made[0].lot.lot_number, days_ago=1)
    with pytest.raises(StockError) as caught:
        services.dispatch(made, user=warehouse_keeper)
    assert caught.value.code == "expired"
    assert not Dispatch.objects.exists()
    assert Allocation.objects.get(pk=made[0].pk).dispatch_id is None
    assert services.check_balances() == []


def test_expired_goods_are_not_handed_out(stocked, community, warehouse_keeper, masks):
    early = expire("M-EARLY")
    # By item: the expired lot is skipped, the usable one goes.
    services.distribute(
        community, stocked_warehouse(), [(masks, 50)], recipient="volunteers", user=warehouse_keeper
    )
    assert not Movement.objects.filter(kind=Kind.DISTRIBUTE, lot=early).exists()
    # By lot: refused.
    with pytest.raises(StockError) as caught:
        services.distribute(
            community,
            stocked_warehouse(),
            [(early, 5)],
            recipient="volunteers",
            user=warehouse_keeper,
        )
    assert caught.value.code == "expired"
    assert not Movement.objects.filter(kind=Kind.DISTRIBUTE, lot=early).exists()
    assert services.check_balances() == []


def stocked_warehouse():
    return Location.objects.get(kind=Location.Kind.WAREHOUSE)


def test_goods_handed_out_in_a_community_skip_expired_lots(
    stocked, community, coordinator, warehouse_keeper, masks, store
):
    late = Lot.objects.get(lot_number="M-LATE")
    early = Lot.objects.get(lot_number="M-EARLY")
    services.transfer(early, stocked_warehouse(), store, 10, user=warehouse_keeper)
    services.transfer(late, stocked_warehouse(), store, 10, user=warehouse_keeper)
    expire("M-EARLY")
    services.distribute(community, store, [(masks, 10)], recipient="volunteers", user=coordinator)
    assert Balance.objects.get(lot=early, location=store).quantity == 10
    assert Balance.objects.get(lot=late, location=store).quantity == 0
    with pytest.raises(StockError) as caught:
        services.distribute(
            community, store, [(masks, 1)], recipient="volunteers", user=coordinator
        )
    assert caught.value.code == "expired"


def test_expired_goods_are_not_received_into_stock(donor, masks, warehouse, warehouse_keeper):
    pledge = services.pledge(donor, [{"item": masks, "quantity": 10}], user=warehouse_keeper)
    line = pledge.lines.get()
    with pytest.raises(StockError) as caught:
        services.receive(
            pledge,
            warehouse,
            [{"pledge_line": line, "accepted": 10, "expiry": in_days(-2)}],
            user=warehouse_keeper,
        )
    assert caught.value.code == "expired"
    assert not Lot.objects.exists()
    # Rejected with the reason, they are recorded and never enter stock.
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": line, "rejected": 10, "reason": "已过期", "expiry": in_days(-2)}],
        user=warehouse_keeper,
    )
    assert not Balance.objects.exists()


def test_today_is_the_date_in_beijing(monkeypatch, stocked):
    lot = Lot.objects.get(lot_number="M-EARLY")
    Lot.objects.filter(pk=lot.pk).update(expiry=datetime.date(2026, 12, 3))
    lot.refresh_from_db()
    utc = datetime.UTC
    # 23:00 on 3 December in Beijing: still its last day.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 3, 15, tzinfo=utc))
    assert expiry.today() == datetime.date(2026, 12, 3) and not expiry.is_expired(lot)
    # 01:00 on 4 December in Beijing, still 3 December in UTC: expired.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 3, 17, tzinfo=utc))
    assert expiry.today() == datetime.date(2026, 12, 4) and expiry.is_expired(lot)


def test_disposing_of_an_expired_lot_releases_its_allocations_and_writes_a_discard(
    stocked, community, coordinator, warehouse_keeper, masks
):
    line = _line(community, masks, 100, coordinator)
    services.allocate(
        line, user=warehouse_keeper, lots=[(Lot.objects.get(lot_number="M-EARLY"), 100)]
    )
    early = expire("M-EARLY")
    balance = Balance.objects.get(lot=early)
    with pytest.raises(StockError):
        expiry.dispose_expired(balance, user=warehouse_keeper, reason=" ")
    movement = expiry.dispose_expired(balance, user=warehouse_keeper, reason="交环卫所销毁")
    assert (movement.kind, movement.quantity) == (Kind.DISCARD, 1000)
    assert "交环卫所销毁" in movement.reason
    assert Allocation.objects.get(lot=early).released_at is not None
    assert Balance.objects.get(lot=early).quantity == 0
    assert services.check_balances() == []


def test_only_expired_lots_are_disposed_of_here(stocked, warehouse_keeper):
    balance = Balance.objects.get(lot__lot_number="M-LATE")
    with pytest.raises(StockError) as caught:
        expiry.dispose_expired(balance, user=warehouse_keeper, reason="x")
    assert caught.value.code == "not_expired"
    assert not Movement.objects.filter(kind=Kind.DISCARD).exists()


# Back office ------------------------------------------------------------------------------


def test_the_admin_refuses_to_allocate_an_expired_lot_and_says_why(
    client, stocked, community, coordinator, warehouse_keeper, masks
):
    early = expire("M-EARLY")
    line = _line(community, masks, 100, coordinator)
    client.force_login(warehouse_keeper)
    with translation.override("zh-hans"):
        response = client.post(
            reverse("donations_admin:request", args=[line.request_id]),
            {"line": line.pk, "lot": early.pk, "quantity": 100},
            follow=True,
        )
    # The service's reason, with the expiry date, is shown.
    assert f"{early.expiry:%Y-%m-%d}" in response.content.decode()
    assert not Allocation.objects.exists()


def test_the_admin_distribution_skips_expired_goods(
    client, stocked, community, coordinator, warehouse_keeper, disinfectant
):
    expire("D-1")
    client.force_login(warehouse_keeper)
    data = {
        "community": community.pk,
        "location": stocked_warehouse().pk,
        "recipient": "volunteers",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": disinfectant.pk,
        "lines-0-quantity": "5",
    }
    response = client.post(reverse("donations_admin:distribute"), data, follow=True)
    assert response.status_code == 200
    assert not Movement.objects.filter(kind=Kind.DISTRIBUTE).exists()


def test_expired_stock_shows_apart_and_is_disposed_of_with_a_reason(
    client, stocked, warehouse_keeper, coordinator
):
    early = expire("M-EARLY")
    Lot.objects.filter(lot_number="D-1").update(expiry=in_days(3))
    url = reverse("donations_admin:expired")
    client.force_login(warehouse_keeper)
    page = client.get(url).content.decode()
    assert f"{early.expiry:%Y-%m-%d}" in page and "D-1" in page
    balance = Balance.objects.get(lot=early)
    response = client.post(url, {"balance": balance.pk, "reason": "销毁"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert Movement.objects.filter(kind=Kind.DISCARD, lot=early).count() == 1
    assert "M-EARLY" not in client.get(url).content.decode()
    Lot.objects.filter(lot_number="M-LATE").update(expiry=in_days(-1))
    # The coordinator sees their stores only and may not dispose of the warehouse's goods.
    client.force_login(coordinator)
    assert "M-LATE" not in client.get(url).content.decode()
    late = Balance.objects.get(lot__lot_number="M-LATE")
    assert client.post(url, {"balance": late.pk, "reason": "x"}).status_code == 404
    assert not Movement.objects.filter(kind=Kind.DISCARD, lot=late.lot).exists()


def test_the_dashboard_flags_expired_and_soon_expiring_lots(client, stocked, warehouse_keeper):
    expire("M-EARLY")
    Lot.objects.filter(lot_number="D-1").update(expiry=in_days(3))
    client.force_login(warehouse_keeper)
    with translation.override("en"):
        page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "M-EARLY" in page and "D-1" in page and "M-LATE" not in page


def test_the_stock_list_marks_expired_lots(client, stocked, warehouse_keeper):
    expire("M-EARLY")
    client.force_login(warehouse_keeper)
    page = client.get(reverse("donations_balances:index")).content.decode()
    assert reverse("donations_admin:expired") in page


def test_a_spreadsheet_of_expired_goods_is_refused_whole(donor, masks, warehouse_keeper):
    import tablib

    from donations.models import Pledge
    from donations.resources import PledgeAdminImportResource
    from portal.importexport import describe_problems, run_import

    yesterday = (expiry.today() - datetime.timedelta(days=1)).isoformat()
    later = (expiry.today() + datetime.timedelta(days=100)).isoformat()
    data = tablib.Dataset(
        (donor.name, masks.name, 100, "A", later),
        (donor.name, masks.name, 20, "B", yesterday),
        headers=["捐赠方", "物资名称", "数量", "批号", "有效期至"],
    )
    resource = PledgeAdminImportResource(user=warehouse_keeper)
    result = run_import(resource, data, dry_run=False)
    assert describe_problems(PledgeAdminImportResource(user=warehouse_keeper), result)
    assert not Pledge.objects.exists() and not Lot.objects.exists()
