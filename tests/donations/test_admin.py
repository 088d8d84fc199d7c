"""12. The back office: scoped by role and community, operations through the services."""

import io

import openpyxl
import pdfplumber
import pytest
from django.urls import reverse

from donations import services
from donations.models import (
    Balance,
    CommunityReceipt,
    Dispatch,
    Distribution,
    Movement,
    SupplyRequest,
)
from tests.factories import HelpRequestFactory

INDEXES = [
    "donors",
    "pledges",
    "receipts",
    "balances",
    "ledger",
    "requests",
    "dispatches",
    "distributions",
    "items",
    "locations",
]


@pytest.fixture
def flow(stocked, community, other_community, coordinator, warehouse_keeper, masks, disinfectant):
    mine = services.request_supplies(
        community,
        [(masks, 500), (disinfectant, 50)],
        purpose="卡口志愿者",
        urgency="urgent",
        user=coordinator,
    )
    theirs = services.request_supplies(
        other_community, [(masks, 100)], purpose="隔离户", user=warehouse_keeper
    )
    note = services.dispatch(
        services.allocate(theirs.lines.get(), user=warehouse_keeper), user=warehouse_keeper
    )
    return {"mine": mine, "theirs": theirs, "their_note": note}


@pytest.mark.parametrize("name", INDEXES)
def test_every_index_opens_for_the_warehouse_keeper(client, warehouse_keeper, flow, name):
    client.force_login(warehouse_keeper)
    assert client.get(reverse(f"donations_{name}:index")).status_code == 200


def test_pledge_listing_offers_the_spreadsheet_import(client, warehouse_keeper, coordinator, db):
    client.force_login(warehouse_keeper)
    assert client.get(reverse("donations_pledges:import")).status_code == 200
    client.force_login(coordinator)
    assert client.get(reverse("donations_pledges:import")).status_code in (302, 403)


def test_journey_4_in_the_back_office(
    client, flow, coordinator, warehouse_keeper, compound, post, masks, disinfectant
):
    mine = flow["mine"]
    client.force_login(warehouse_keeper)
    for line in mine.lines.all():
        response = client.post(
            reverse("donations_admin:request", args=[mine.pk]),
            {"line": line.pk, "quantity": line.quantity},
        )
        assert response.status_code == 302
    allocations = [str(pk) for pk in mine.lines.values_list("allocations", flat=True)]
    client.post(
        reverse("donations_admin:request", args=[mine.pk]),
        {"action": "dispatch", "allocation": allocations},
    )
    note = Dispatch.objects.get(community=mine.community)
    pdf = client.get(reverse("donations_admin:dispatch_pdf", args=[note.pk]))
    with pdfplumber.open(io.BytesIO(pdf.content)) as doc:
        text = doc.pages[0].extract_text()
    assert note.serial in text and "医用外科口罩" in text and "M-EARLY" in text
    client.force_login(coordinator)
    bottles = note.allocations.get(lot__item=disinfectant)
    data = {f"received-{a.pk}": a.quantity for a in note.allocations.all()}
    data.update({f"received-{bottles.pk}": 48, f"reason-{bottles.pk}": "破损2瓶"})
    assert (
        client.post(reverse("donations_admin:confirm_receipt", args=[note.pk]), data).status_code
        == 302
    )
    assert CommunityReceipt.objects.filter(dispatch=note).exists()
    assert Movement.objects.get(kind="discard", reason="破损2瓶").quantity == 2
    household = HelpRequestFactory(compound=compound, building="5号楼3单元402")
    form = client.get(reverse("donations_admin:distribute")).content.decode()
    assert "5号楼3单元402" in form  # the community's own staff choose the household
    response = client.post(
        reverse("donations_admin:distribute"),
        {
            "community": mine.community.pk,
            "location": note.to_location.pk,
            "recipient": "household",
            "help_request": household.pk,
            "lines-TOTAL_FORMS": 4,
            "lines-INITIAL_FORMS": 0,
            "lines-0-item": disinfectant.pk,
            "lines-0-quantity": 2,
        },
    )
    assert response.status_code == 302
    assert Distribution.objects.get().help_request == household
    # The warehouse's listing names the household by its request's number, never its address.
    client.force_login(warehouse_keeper)
    listing = client.get(reverse("donations_distributions:index")).content.decode()
    assert f"求助 #{household.pk}" in listing and "5号楼" not in listing
    assert services.check_balances() == []


def test_coordinator_sees_only_their_community(client, flow, coordinator, stocked):
    client.force_login(coordinator)
    html = client.get(reverse("donations_requests:index")).content.decode()
    assert "卡口志愿者" in html and "隔离户" not in html
    theirs = flow["theirs"]
    assert client.get(reverse("donations_admin:request", args=[theirs.pk])).status_code == 404
    note = flow["their_note"]
    assert client.get(reverse("donations_admin:confirm_receipt", args=[note.pk])).status_code == 404
    assert (
        client.post(reverse("donations_admin:confirm_receipt", args=[note.pk]), {}).status_code
        == 404
    )
    assert client.get(reverse("donations_admin:dispatch_pdf", args=[note.pk])).status_code == 404
    assert client.get(reverse("donations_dispatches:inspect", args=[note.pk])).status_code == 404
    # The coordinator cannot allocate, receive donor goods or see donors.
    assert client.post(
        reverse("donations_admin:request", args=[flow["mine"].pk]),
        {"line": flow["mine"].lines.first().pk},
    ).status_code in (200, 403)
    assert not flow["mine"].lines.first().allocations.exists()
    assert client.get(reverse("donations_donors:index")).status_code in (302, 403)
    # Wagtail answers a refused permission with a redirect to the dashboard.
    assert client.get(
        reverse("donations_admin:receive", args=[stocked["pledge"].pk])
    ).status_code in (302, 403)
    assert client.get(
        reverse("donations_admin:verify_donor", args=[stocked["pledge"].donor_id])
    ).status_code in (302, 403)


def test_coordinator_requests_only_for_own_community(
    client, coordinator, other_community, community, masks
):
    client.force_login(coordinator)
    base = {
        "purpose": "x",
        "urgency": "normal",
        "lines-TOTAL_FORMS": 4,
        "lines-INITIAL_FORMS": 0,
        "lines-0-item": masks.pk,
        "lines-0-quantity": 5,
    }
    assert (
        client.post(
            reverse("donations_admin:request_create"), {**base, "community": other_community.pk}
        ).status_code
        == 200
    )
    assert not SupplyRequest.objects.exists()
    assert (
        client.post(
            reverse("donations_admin:request_create"), {**base, "community": community.pk}
        ).status_code
        == 302
    )


def test_receiving_in_the_back_office(client, warehouse_keeper, donor, masks, warehouse):
    pledge = services.pledge(donor, [{"item": masks, "quantity": 5000, "lot_number": "B1"}])
    line = pledge.lines.get()
    client.force_login(warehouse_keeper)
    response = client.post(
        reverse("donations_admin:receive", args=[pledge.pk]),
        {
            "location": warehouse.pk,
            f"accepted-{line.pk}": 4800,
            f"rejected-{line.pk}": 200,
            f"reason-{line.pk}": "非医用级",
            f"lot-{line.pk}": "B1",
        },
    )
    assert response.status_code == 302
    assert Balance.objects.get(lot__pledge_line=line).quantity == 4800


def test_verify_donor(client, subdistrict_admin, db):
    from tests.factories import DonorFactory

    donor = DonorFactory(verified=False)
    client.force_login(subdistrict_admin)
    client.post(reverse("donations_admin:verify_donor", args=[donor.pk]))
    donor.refresh_from_db()
    assert donor.verified and donor.verified_by == subdistrict_admin


def test_ledger_is_read_only_in_the_admin(client, subdistrict_admin, stocked):
    client.force_login(subdistrict_admin)
    movement = Movement.objects.first()
    html = client.get(reverse("donations_ledger:index")).content.decode()
    assert "84消毒液" in html
    for action in ("edit", "delete"):
        with pytest.raises(Exception):  # noqa: B017 - no such URL at all
            reverse(f"donations_ledger:{action}", args=[movement.pk])


def test_ledger_export_is_scoped(client, flow, coordinator, warehouse_keeper):
    client.force_login(warehouse_keeper)
    everything = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("donations_admin:export_ledger")).content)
    ).active
    client.force_login(coordinator)
    theirs = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("donations_admin:export_ledger")).content)
    ).active
    assert everything.max_row > theirs.max_row
    text = " ".join(str(c.value) for row in theirs.iter_rows() for c in row)
    assert "蔚园社区" not in text
    balances = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("donations_admin:export_balances")).content)
    ).active
    assert balances.max_row == 1  # nothing in their store yet


def test_ledger_listing_exports_as_filtered_and_scoped(client, flow, coordinator, warehouse_keeper):
    client.force_login(warehouse_keeper)
    response = client.get(reverse("donations_ledger:export") + "?format=xlsx&kind=receive")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    kinds = {row[1].value for row in sheet.iter_rows(min_row=2)}
    assert kinds == {"捐赠入库"}
    client.force_login(coordinator)
    response = client.get(reverse("donations_balances:export") + "?format=csv")
    assert response.status_code == 200 and "蔚园社区" not in response.content.decode("utf-8-sig")
