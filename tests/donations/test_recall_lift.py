"""Lifting a recall (issue 15.6, follow-up) and coordinators disposing of expired stock in
their own community stores (issue 15.1, follow-up)."""

import datetime

import pytest
from django.urls import reverse

from donations import services
from donations.models import Balance, Lot, Movement, Recall
from donations.services import StockError, expiry, recalls
from portal.models import AuditEvent

Kind = Movement.Kind


@pytest.fixture
def quiet(monkeypatch):
    monkeypatch.setattr(recalls, "notify", lambda *args, **kwargs: None)


def _line(community, item, quantity, user):
    return services.request_supplies(
        community, [(item, quantity)], purpose="卡口", user=user
    ).lines.get()


def test_a_lifted_recall_lets_the_lot_go_out_again_and_stays_on_record(
    quiet, stocked, community, coordinator, warehouse_keeper, masks
):
    early = Lot.objects.get(lot_number="M-EARLY")
    recall = recalls.recall_lot(early, user=warehouse_keeper, reason="疑似不合格")
    with pytest.raises(StockError):
        services.allocate(
            _line(community, masks, 10, coordinator), user=warehouse_keeper, lots=[(early, 10)]
        )
    with pytest.raises(StockError) as caught:
        recalls.lift_recall(recall, user=warehouse_keeper, reason="  ")
    assert caught.value.code == "reason"
    lifted = recalls.lift_recall(recall, user=warehouse_keeper, reason="检测合格，厂家撤回通知")
    assert lifted.lifted_by == warehouse_keeper and lifted.lift_reason.startswith("检测合格")
    first_time = lifted.lifted_at
    # A second lift writes nothing more.
    assert recalls.lift_recall(recall, user=coordinator, reason="again").lifted_at == first_time
    assert AuditEvent.objects.filter(action="donations.lot.recall_lift").count() == 1
    assert recalls.recall_of(early) is None
    made = services.allocate(
        _line(community, masks, 10, coordinator), user=warehouse_keeper, lots=[(early, 10)]
    )
    assert made[0].lot == early
    # It can be recalled anew; the lifted recall stays.
    again = recalls.recall_lot(early, user=warehouse_keeper, reason="第二次召回")
    assert again.pk != recall.pk and Recall.objects.filter(lot=early).count() == 2
    with pytest.raises(StockError):
        recalls.record_recall_return(lifted, again_store(community), 1, user=coordinator)


def again_store(community):
    return services.ledger.community_store(community)


def test_lifting_the_recall_of_an_expired_lot_does_not_make_it_usable(
    quiet, stocked, community, coordinator, warehouse_keeper, masks
):
    early = Lot.objects.get(lot_number="M-EARLY")
    recall = recalls.recall_lot(early, user=warehouse_keeper, reason="疑似不合格")
    Lot.objects.filter(pk=early.pk).update(expiry=expiry.today() - datetime.timedelta(days=1))
    recalls.lift_recall(recall, user=warehouse_keeper, reason="误报")
    with pytest.raises(StockError) as caught:
        services.allocate(
            _line(community, masks, 10, coordinator),
            user=warehouse_keeper,
            lots=[(Lot.objects.get(pk=early.pk), 10)],
        )
    assert caught.value.code == "expired"


def test_the_recall_page_lifts_a_recall_for_the_warehouse_only(
    client, quiet, stocked, warehouse_keeper, coordinator
):
    early = Lot.objects.get(lot_number="M-EARLY")
    recalls.recall_lot(early, user=warehouse_keeper, reason="疑似不合格")
    url = reverse("donations_admin:recall", args=[early.pk])
    client.force_login(coordinator)
    assert client.post(url, {"action": "lift", "reason": "x"}).status_code in (403, 404)
    client.force_login(warehouse_keeper)
    assert 'value="lift"' in client.get(url).content.decode()
    assert client.post(url, {"action": "lift", "reason": ""}).status_code == 200
    assert recalls.recall_of(early) is not None
    assert client.post(url, {"action": "lift", "reason": "检测合格"}).status_code == 302
    assert recalls.recall_of(early) is None
    assert "检测合格" in client.get(url).content.decode()


def test_a_coordinator_disposes_of_expired_stock_in_their_own_store_only(
    client, stocked, warehouse, community, other_coordinator, coordinator, warehouse_keeper
):
    early = Lot.objects.get(lot_number="M-EARLY")
    store = services.ledger.community_store(community)
    services.transfer(early, warehouse, store, 40, user=warehouse_keeper)
    Lot.objects.filter(pk=early.pk).update(expiry=expiry.today() - datetime.timedelta(days=2))
    mine = Balance.objects.get(lot=early, location=store)
    at_warehouse = Balance.objects.get(lot=early, location=warehouse)
    with pytest.raises(StockError) as caught:
        expiry.dispose_expired(mine, user=other_coordinator, reason="销毁")
    assert caught.value.code == "scope"
    with pytest.raises(StockError):
        expiry.dispose_expired(at_warehouse, user=coordinator, reason="销毁")
    url = reverse("donations_admin:expired")
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert f'name="balance" value="{mine.pk}"' in page
    assert client.post(url, {"balance": mine.pk, "reason": ""}).status_code == 200
    assert client.post(url, {"balance": at_warehouse.pk, "reason": "x"}).status_code == 404
    assert client.post(url, {"balance": mine.pk, "reason": "社区统一销毁"}).status_code == 302
    discard = Movement.objects.get(kind=Kind.DISCARD)
    assert (discard.from_location, discard.quantity, discard.created_by) == (store, 40, coordinator)
    assert "社区统一销毁" in discard.reason
    assert Balance.objects.get(pk=at_warehouse.pk).quantity == 960
    assert services.check_balances() == []
