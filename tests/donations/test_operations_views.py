"""The donor cancels on their own pages; staff cancel or close pledges, release allocations and
transfer stock in the back office. Only the right role changes anything."""

import pytest
from django.urls import reverse

from donations import services
from donations.models import Allocation, Balance, Location, Lot, Movement, Pledge

REFUSED = (302, 403)  # Wagtail answers a refused permission with a redirect to the dashboard


@pytest.fixture
def open_pledge(donor, masks):
    return services.pledge(donor, [{"item": masks, "quantity": 100, "lot_number": "C-1"}])


def _status(pledge):
    pledge.refresh_from_db()
    return pledge.status


# The donor's pages -------------------------------------------------------------------------------


def test_donor_cancels_their_pledge_and_still_sees_it(client, donor_user, open_pledge):
    client.force_login(donor_user)
    page = client.get(reverse("donations:pledge", args=[open_pledge.pk])).content.decode()
    assert (
        "取消这笔捐赠" in page and reverse("donations:pledge_cancel", args=[open_pledge.pk]) in page
    )
    response = client.post(
        reverse("donations:pledge_cancel", args=[open_pledge.pk]), {"reason": "厂家停产"}
    )
    assert response.status_code == 302
    assert _status(open_pledge) == Pledge.Status.CANCELLED and open_pledge.ended_by == donor_user
    page = client.get(reverse("donations:pledge", args=[open_pledge.pk])).content.decode()
    assert "厂家停产" in page and "您的捐赠已取消" in page
    assert reverse("donations:pledge_cancel", args=[open_pledge.pk]) not in page
    mine = client.get(reverse("donations:mine")).content.decode()
    assert "card ended" in mine and "厂家停产" in mine
    # A second submission of the same form changes nothing.
    client.post(reverse("donations:pledge_cancel", args=[open_pledge.pk]), {"reason": "再点一次"})
    open_pledge.refresh_from_db()
    assert open_pledge.end_reason == "厂家停产"


def test_donor_cancel_needs_a_reason(client, donor_user, open_pledge):
    client.force_login(donor_user)
    response = client.post(
        reverse("donations:pledge_cancel", args=[open_pledge.pk]), {"reason": ""}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert _status(open_pledge) == Pledge.Status.PLEDGED


def test_donor_cannot_cancel_once_goods_arrived(
    client, donor_user, open_pledge, warehouse, warehouse_keeper
):
    services.receive(
        open_pledge,
        warehouse,
        [{"pledge_line": open_pledge.lines.get(), "accepted": 10}],
        user=warehouse_keeper,
    )
    client.force_login(donor_user)
    page = client.get(reverse("donations:pledge", args=[open_pledge.pk])).content.decode()
    assert reverse("donations:pledge_cancel", args=[open_pledge.pk]) not in page
    response = client.post(
        reverse("donations:pledge_cancel", args=[open_pledge.pk]), {"reason": "x"}, follow=True
    )
    assert "不能取消" in response.content.decode()
    assert _status(open_pledge) == Pledge.Status.PARTIAL


def test_only_the_donors_representatives_cancel_on_the_public_site(
    client, open_pledge, other_donor_user, warehouse_keeper
):
    url = reverse("donations:pledge_cancel", args=[open_pledge.pk])
    for user in (other_donor_user, warehouse_keeper):
        client.force_login(user)
        assert client.post(url, {"reason": "x"}).status_code == 404
    client.logout()
    assert client.post(url, {"reason": "x"}).status_code == 302  # to the login page
    assert client.get(url).status_code in (302, 405)
    assert _status(open_pledge) == Pledge.Status.PLEDGED


# Back office: pledges --------------------------------------------------------------------------


def test_warehouse_keeper_cancels_in_the_admin_and_the_list_shows_the_reason(
    client, warehouse_keeper, open_pledge
):
    client.force_login(warehouse_keeper)
    assert (
        client.get(reverse("donations_admin:pledge_end", args=[open_pledge.pk])).status_code == 200
    )
    response = client.post(
        reverse("donations_admin:pledge_end", args=[open_pledge.pk]),
        {"action": "cancel", "reason": "捐赠方撤回"},
    )
    assert response.status_code == 302
    assert (
        _status(open_pledge) == Pledge.Status.CANCELLED and open_pledge.ended_by == warehouse_keeper
    )
    listing = client.get(reverse("donations_pledges:index")).content.decode()
    assert 'class="d-ended"' in listing and "捐赠方撤回" in listing
    # The title still opens the pledge; the "Receive" action link is gone.
    assert listing.count(reverse("donations_admin:receive", args=[open_pledge.pk])) == 1
    receive = client.get(reverse("donations_admin:receive", args=[open_pledge.pk])).content.decode()
    assert "不再接收物资" in receive


def test_partial_pledge_is_closed_not_cancelled_in_the_admin(
    client, subdistrict_admin, open_pledge, warehouse, warehouse_keeper
):
    services.receive(
        open_pledge,
        warehouse,
        [{"pledge_line": open_pledge.lines.get(), "accepted": 30}],
        user=warehouse_keeper,
    )
    client.force_login(subdistrict_admin)
    url = reverse("donations_admin:pledge_end", args=[open_pledge.pk])
    assert "结束余量" in client.get(url).content.decode()
    refused = client.post(url, {"action": "cancel", "reason": "x"})
    assert refused.status_code == 200 and "不能取消" in refused.content.decode()
    assert _status(open_pledge) == Pledge.Status.PARTIAL
    assert client.post(url, {"action": "close", "reason": "余量不再送达"}).status_code == 302
    assert _status(open_pledge) == Pledge.Status.CLOSED


def test_pledge_end_is_refused_without_the_warehouse_role(
    client, coordinator, donor_user, open_pledge
):
    url = reverse("donations_admin:pledge_end", args=[open_pledge.pk])
    for user in (coordinator, donor_user):
        client.force_login(user)
        assert client.get(url).status_code in REFUSED
        assert client.post(url, {"action": "cancel", "reason": "x"}).status_code in REFUSED
    assert _status(open_pledge) == Pledge.Status.PLEDGED


# Back office: allocations ----------------------------------------------------------------------


@pytest.fixture
def allocation(stocked, community, coordinator, warehouse_keeper, masks):
    request = services.request_supplies(community, [(masks, 300)], purpose="卡口", user=coordinator)
    [made] = services.allocate(request.lines.get(), user=warehouse_keeper)
    return made


def test_warehouse_keeper_releases_an_allocation(client, warehouse_keeper, allocation):
    client.force_login(warehouse_keeper)
    detail = reverse("donations_admin:request", args=[allocation.request_line.request_id])
    url = reverse("donations_admin:release", args=[allocation.pk])
    assert url in client.get(detail).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 200  # the reason is required
    assert client.post(url, {"reason": "社区已自行解决"}).status_code == 302
    allocation.refresh_from_db()
    assert allocation.released_by == warehouse_keeper
    assert Balance.objects.get(lot=allocation.lot, location=allocation.location).reserved == 0
    page = client.get(detail).content.decode()
    assert "社区已自行解决" in page and url not in page
    assert services.check_balances() == []


def test_release_of_a_dispatched_allocation_shows_the_refusal(client, warehouse_keeper, allocation):
    services.dispatch([allocation], user=warehouse_keeper)
    client.force_login(warehouse_keeper)
    response = client.post(
        reverse("donations_admin:release", args=[allocation.pk]), {"reason": "x"}, follow=True
    )
    assert "已出库" in response.content.decode()
    assert not Movement.objects.filter(kind=Movement.Kind.RELEASE).exists()


def test_coordinators_cannot_release(client, coordinator, other_coordinator, allocation):
    url = reverse("donations_admin:release", args=[allocation.pk])
    for user in (coordinator, other_coordinator):
        client.force_login(user)
        assert client.post(url, {"reason": "x"}).status_code in REFUSED
    assert Allocation.objects.get(pk=allocation.pk).released_at is None


# Back office: transfer -------------------------------------------------------------------------


@pytest.fixture
def store(community):
    return Location.objects.create(
        name="民岳家园社区物资点", kind=Location.Kind.COMMUNITY, community=community
    )


def _form(lot, source, target, quantity, reason="前置"):
    return {
        "lot": lot.pk,
        "from_location": source.pk,
        "to_location": target.pk,
        "quantity": quantity,
        "reason": reason,
    }


def test_transfer_from_the_balances_listing(client, warehouse_keeper, stocked, warehouse, store):
    lot = Lot.objects.get(lot_number="D-1")
    balance = Balance.objects.get(lot=lot, location=warehouse)
    client.force_login(warehouse_keeper)
    listing = client.get(reverse("donations_balances:index")).content.decode()
    link = f"{reverse('donations_admin:transfer')}?balance={balance.pk}"
    assert link in listing
    page = client.get(link).content.decode()
    assert f'<option value="{lot.pk}" selected>' in page
    response = client.post(reverse("donations_admin:transfer"), _form(lot, warehouse, store, 50))
    assert response.status_code == 302
    assert Balance.objects.get(lot=lot, location=store).quantity == 50
    assert Movement.objects.get(kind=Movement.Kind.TRANSFER).created_by == warehouse_keeper
    assert services.check_balances() == []


@pytest.mark.parametrize(
    "case, message",
    [
        ("same", "请选择与调出地点不同的地点"),
        ("too_many", "可用数量只有 200"),
        ("zero", "1"),
    ],
)
def test_transfer_errors_are_shown_in_the_form(
    client, warehouse_keeper, stocked, warehouse, store, case, message
):
    lot = Lot.objects.get(lot_number="D-1")
    data = {
        "same": _form(lot, warehouse, warehouse, 5),
        "too_many": _form(lot, warehouse, store, 201),
        "zero": _form(lot, warehouse, store, 0),
    }[case]
    client.force_login(warehouse_keeper)
    response = client.post(reverse("donations_admin:transfer"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "error" in html and message in html
    assert not Movement.objects.filter(kind=Movement.Kind.TRANSFER).exists()


def test_transfer_is_for_warehouse_staff_only(
    client, coordinator, other_coordinator, donor_user, stocked, warehouse, store, warehouse_keeper
):
    lot = Lot.objects.get(lot_number="D-1")
    for user in (coordinator, other_coordinator, donor_user):
        client.force_login(user)
        assert client.get(reverse("donations_admin:transfer")).status_code in REFUSED
        assert (
            client.post(
                reverse("donations_admin:transfer"), _form(lot, warehouse, store, 5)
            ).status_code
            in REFUSED
        )
    assert not Movement.objects.filter(kind=Movement.Kind.TRANSFER).exists()
    client.force_login(warehouse_keeper)
    assert client.get(reverse("donations_admin:transfer") + "?balance=999999").status_code == 404
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("donations_admin:transfer") in menu
    client.force_login(coordinator)
    assert (
        reverse("donations_admin:transfer")
        not in client.get(reverse("wagtailadmin_home")).content.decode()
    )
