"""The audit trail of the stock: corrections (stock-take adjustments, discards) and transfers,
whoever makes them and from where, and the ledger's exports."""

import pytest
from django.urls import reverse

from donations import services
from donations.models import Balance, Location, Lot, Movement
from portal.models import AuditEvent


@pytest.fixture
def store(community):
    return Location.objects.create(
        name="民岳家园社区物资点", kind=Location.Kind.COMMUNITY, community=community
    )


def test_stock_corrections_from_the_back_office_are_recorded(
    client, settings, warehouse_keeper, stocked, warehouse
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    balance = Balance.objects.get(lot__lot_number="D-1", location=warehouse)
    client.force_login(warehouse_keeper)
    url = reverse("donations_admin:adjust", args=[balance.pk])
    for action, quantity, reason in [("missing", 3, "盘点短少"), ("discard", 2, "瓶身破损")]:
        response = client.post(
            url,
            {"action": action, "quantity": quantity, "reason": reason},
            HTTP_X_FORWARDED_FOR="198.51.100.20",
        )
        assert response.status_code == 302
    adjusted = AuditEvent.objects.get(action="donations.stock.adjust")
    movement = Movement.objects.get(kind=Movement.Kind.ADJUST)
    assert adjusted.object_id == str(movement.pk) and adjusted.user == warehouse_keeper
    assert adjusted.details["delta"] == -3 and adjusted.details["reason"] == "盘点短少"
    assert adjusted.ip_address == "198.51.100.20"
    discarded = AuditEvent.objects.get(action="donations.stock.discard")
    assert discarded.details["quantity"] == 2 and discarded.details["reason"] == "瓶身破损"


def test_a_transfer_is_recorded_and_seen_by_the_receiving_community(
    client, warehouse_keeper, stocked, warehouse, store, community
):
    lot = Lot.objects.get(lot_number="D-1")
    client.force_login(warehouse_keeper)
    response = client.post(
        reverse("donations_admin:transfer"),
        {
            "lot": lot.pk,
            "from_location": warehouse.pk,
            "to_location": store.pk,
            "quantity": 50,
            "reason": "前置",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="donations.stock.transfer")
    assert event.user == warehouse_keeper
    assert event.details["quantity"] == 50 and event.details["to_location"] == store.pk
    assert list(event.communities.all()) == [community]


def test_a_refused_correction_records_nothing(warehouse_keeper, stocked, warehouse):
    lot = Lot.objects.get(lot_number="D-1")
    with pytest.raises(services.StockError):
        services.adjust(lot, warehouse, -100000, reason="盘点", user=warehouse_keeper)
    with pytest.raises(services.StockError):
        services.transfer(lot, warehouse, warehouse, 1, user=warehouse_keeper)
    assert not AuditEvent.objects.filter(action__startswith="donations.stock").exists()


def test_ledger_and_stock_exports_are_recorded(client, subdistrict_admin, stocked):
    client.force_login(subdistrict_admin)
    for name in ("export_ledger", "export_balances"):
        assert client.get(reverse(f"donations_admin:{name}")).status_code == 200
    models = [e.details["model"] for e in AuditEvent.objects.filter(action="export.personal_data")]
    assert sorted(models) == ["donations.balance", "donations.movement"]
