"""A household's address lives on its help request and is seen only by the community's staff
and the assigned volunteer: the warehouse, donors and a subdistrict admin of no community see
the request's number and the community, never the compound, building, phone or need."""

import io

import openpyxl
import pytest
from django.urls import reverse

from assistance import services
from donations import services as donations
from donations.models import Distribution, Item, Lot
from donations.services.ledger import community_store
from portal import roles
from tests.factories import (
    DonorFactory,
    DonorRepresentativeFactory,
    make_user,
)

BUILDING = "9号楼1单元702"
PHONE = "13855556666"
NEED = "家中老人需要降压药"


@pytest.fixture
def donor(db):
    return DonorFactory(name="依文集团", public_name_consent=True)


@pytest.fixture
def households(community, compound, coordinator, warehouse_keeper, donor):
    """Two households of 民岳家园一区 given milk from one donated lot."""
    milk = Item.objects.create(name="婴儿奶粉", category=Item.Category.FOOD, unit="罐")
    pledge = donations.pledge(
        donor, [{"item": milk, "quantity": 10, "lot_number": "MK-9"}], user=warehouse_keeper
    )
    donations.receive(
        pledge,
        community_store(community),
        [{"pledge_line": pledge.lines.get(), "accepted": 10}],
        user=warehouse_keeper,
    )
    requests = []
    for building, phone in [(BUILDING, PHONE), ("2号楼3单元101", "13855557777")]:
        request = services.record_request(
            community=community,
            compound=compound,
            building=building,
            contact_phone=phone,
            contact_name="赵先生",
            lines=[(milk, 2)],
            need=NEED,
            by=coordinator,
        )
        services.fulfil_from_stock(request, by=coordinator)
        requests.append(request)
    return requests


def _assert_no_address(text, compound):
    assert BUILDING not in text and PHONE not in text and NEED not in text
    assert compound.name not in text


def test_the_warehouse_sees_households_only_by_number(
    client, households, compound, warehouse_keeper
):
    client.force_login(warehouse_keeper)
    distribution = Distribution.objects.get(help_request=households[0])
    pages = [
        reverse("donations_distributions:index"),
        reverse("donations_distributions:inspect", args=[distribution.pk]),
        reverse("donations_ledger:index"),
        reverse("donations:lot", args=[Lot.objects.get().pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_address(response.content.decode(), compound)
    listing = client.get(reverse("donations_distributions:index")).content.decode()
    assert f"#{households[0].pk}" in listing
    export = client.get(reverse("donations_admin:export_ledger"))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    _assert_no_address(cells, compound)
    assert "住户" in cells
    refused = client.get(f"/admin/assistance/{households[0].pk}/", follow=True)
    assert refused.redirect_chain and BUILDING not in refused.content.decode()


def test_the_donor_sees_counts_of_households_per_community(client, households, compound, donor):
    rep = make_user(roles.DONOR_REP, username="rep")
    DonorRepresentativeFactory(user=rep, donor=donor)
    client.force_login(rep)
    page = client.get(reverse("donations:lot", args=[Lot.objects.get().pk])).content.decode()
    assert "住户 2 户" in page and "民岳家园社区" in page
    _assert_no_address(page, compound)
    for household in households:
        assert f"#{household.pk}" not in page


def test_a_subdistrict_admin_of_no_community_does_not_see_the_address(
    client, households, compound, coordinator, subdistrict_admin, caplog
):
    request = households[0]
    client.force_login(subdistrict_admin)
    page = client.get(f"/admin/assistance/{request.pk}/")
    assert page.status_code == 200  # the request itself, for oversight
    _assert_no_address(page.content.decode(), compound)
    _assert_no_address(client.get("/admin/assistance/").content.decode(), compound)

    client.force_login(coordinator)
    with caplog.at_level("INFO", logger="portal.audit"):
        page = client.get(f"/admin/assistance/{request.pk}/").content.decode()
    assert BUILDING in page and PHONE in page and NEED in page
    assert [r.audit_action for r in caplog.records] == ["assistance.address.view"]
    assert compound.name in client.get("/admin/assistance/").content.decode()
