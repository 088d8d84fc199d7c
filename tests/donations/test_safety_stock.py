"""Safety stock (issue 15.2): below a community's minimum, the stock shows on the coordinator's
and the warehouse's dashboards and the warehouse is told once: a flag flipped by a conditional
UPDATE, cleared when the stock is back at the minimum, so only a new fall tells it again."""

import pytest
from django.urls import reverse
from django.utils import translation

from donations import services
from donations.models import Location, Lot, SafetyStock
from donations.services import StockError, safety_stock
from tests.factories import CommunityFactory
from tests.threads import errors_of, run_at_once


@pytest.fixture
def told(monkeypatch):
    """The notifications sent, as (user, template, context)."""
    sent = []
    monkeypatch.setattr(
        safety_stock, "notify", lambda user, name, context: sent.append((user, name, context))
    )
    return sent


@pytest.fixture
def store(community):
    return Location.objects.create(
        name="民岳家园社区物资点", kind=Location.Kind.COMMUNITY, community=community
    )


def _send(lot, warehouse, store, n, keeper):
    services.transfer(lot, warehouse, store, n, user=keeper)


def _hand_out(community, store, item, n, user):
    services.distribute(community, store, [(item, n)], recipient="volunteers", user=user)


def test_the_warehouse_is_told_once_and_again_only_after_recovering(
    told, stocked, warehouse, store, community, coordinator, warehouse_keeper, masks
):
    lot = Lot.objects.get(lot_number="M-LATE")
    _send(lot, warehouse, store, 100, warehouse_keeper)
    level = safety_stock.set_level(community, masks, 50, user=coordinator)
    assert told == [] and not level.below
    _hand_out(community, store, masks, 60, coordinator)  # 40 left: below
    assert len(told) == 1
    user, name, context = told[0]
    assert user == warehouse_keeper and name == "donations/notify/safety_stock"
    assert (context["stock"], context["minimum"], context["item"]) == (40, 50, masks.name)
    _hand_out(community, store, masks, 10, coordinator)  # 30: still below, no one told again
    _hand_out(community, store, masks, 10, coordinator)
    assert len(told) == 1 and SafetyStock.objects.get(pk=level.pk).below
    _send(lot, warehouse, store, 30, warehouse_keeper)  # 50: back at the minimum
    assert not SafetyStock.objects.get(pk=level.pk).below
    assert len(told) == 1
    _hand_out(community, store, masks, 1, coordinator)  # 49: a new fall
    assert len(told) == 2
    assert services.check_balances() == []


def test_setting_a_level_above_the_stock_tells_the_warehouse_at_once(
    told, stocked, community, coordinator, masks
):
    level = safety_stock.set_level(community, masks, 10, user=coordinator)
    assert level.below and len(told) == 1
    safety_stock.set_level(community, masks, 20, user=coordinator)  # still below: not again
    assert len(told) == 1


def test_expired_goods_do_not_count_as_stock(
    told, stocked, warehouse, store, community, coordinator, warehouse_keeper, masks
):
    lot = Lot.objects.get(lot_number="M-EARLY")
    _send(lot, warehouse, store, 100, warehouse_keeper)
    safety_stock.set_level(community, masks, 50, user=coordinator)
    assert told == []
    Lot.objects.filter(pk=lot.pk).update(expiry=services.expiry.today().replace(year=2020))
    assert safety_stock.community_stock(community.pk, masks.pk) == 0
    assert [row["stock"] for row in safety_stock.below_levels(coordinator)] == [0]


def test_a_level_must_be_a_positive_whole_number(community, coordinator, masks):
    for bad in (0, -5, "7"):
        with pytest.raises(StockError):
            safety_stock.set_level(community, masks, bad, user=coordinator)
    assert not SafetyStock.objects.exists()


def test_the_dashboards_show_what_is_below_and_only_ones_own(
    told, client, stocked, community, coordinator, warehouse_keeper, masks, disinfectant
):
    other = CommunityFactory(name="蔚园社区", slug="weiyuan")
    safety_stock.set_level(community, masks, 50, user=coordinator)
    safety_stock.set_level(other, disinfectant, 20, user=warehouse_keeper)
    assert [r["community"] for r in safety_stock.below_levels(coordinator)] == [community.name]
    assert len(safety_stock.below_levels(warehouse_keeper)) == 2
    with translation.override("en"):
        client.force_login(coordinator)
        page = client.get(reverse("wagtailadmin_home")).content.decode()
        assert 'id="supplies-below"' in page and "蔚园社区" not in page
        client.force_login(warehouse_keeper)
        page = client.get(reverse("wagtailadmin_home")).content.decode()
        assert "蔚园社区" in page and community.name in page


def test_a_coordinator_sets_levels_for_their_own_community_only(
    told, client, community, other_community, coordinator, masks
):
    client.force_login(coordinator)
    url = reverse("donations_safety_stock:add")
    response = client.post(url, {"community": other_community.pk, "item": masks.pk, "minimum": 5})
    assert response.status_code == 200 and not SafetyStock.objects.exists()
    response = client.post(url, {"community": community.pk, "item": masks.pk, "minimum": 5})
    assert response.status_code == 302
    level = SafetyStock.objects.get()
    assert (level.community, level.minimum, level.below, level.updated_by) == (
        community,
        5,
        True,
        coordinator,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_falls_tell_the_warehouse_once(
    monkeypatch, donor, masks, warehouse, warehouse_keeper, coordinator, community
):
    sent = []
    monkeypatch.setattr(safety_stock, "notify", lambda *args: sent.append(args))
    store = Location.objects.create(
        name="民岳家园社区物资点", kind=Location.Kind.COMMUNITY, community=community
    )
    pledge = services.pledge(donor, [{"item": masks, "quantity": 100}], user=warehouse_keeper)
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 100}],
        user=warehouse_keeper,
    )
    lot = Lot.objects.get()
    services.transfer(lot, warehouse, store, 100, user=warehouse_keeper)
    safety_stock.set_level(community, masks, 90, user=coordinator)
    hand_outs = [lambda: _hand_out(community, store, masks, 5, coordinator)] * 6
    assert errors_of(run_at_once(hand_outs)) == []
    assert len(sent) == 1
    assert SafetyStock.objects.get().below
