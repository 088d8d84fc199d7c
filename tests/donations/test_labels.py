"""Lot labels and scanning (issue 15 item 5): the label sheet PDF, the scanned-code search of
the lists of lots, and the lot page a label opens, with only the actions the user may take."""

import subprocess

import pytest
from django.urls import reverse

from donations import labels, services
from donations.lot_actions import lot_actions
from donations.models import Lot
from portal import roles
from tests.factories import CommunityFactory, make_user


@pytest.fixture
def reached(
    stocked, community, other_community, coordinator, other_coordinator, warehouse_keeper, masks
):
    """Lot M-EARLY: 300 received by 民岳家园 (40 handed out), 200 in transit to 蔚园; an open
    request of 民岳家园 for 500 more masks."""
    early = Lot.objects.get(lot_number="M-EARLY")
    line = services.request_supplies(
        community, [(masks, 300)], purpose="卡口", user=coordinator
    ).lines.get()
    note = services.dispatch(
        services.allocate(line, user=warehouse_keeper, lots=[(early, 300)]), user=warehouse_keeper
    )
    services.confirm_receipt(note, {}, user=coordinator)
    services.distribute(
        community, note.to_location, [(early, 40)], recipient="volunteers", user=coordinator
    )
    other_line = services.request_supplies(
        other_community, [(masks, 200)], purpose="入户", user=other_coordinator
    ).lines.get()
    in_transit = services.dispatch(
        services.allocate(other_line, user=warehouse_keeper, lots=[(early, 200)]),
        user=warehouse_keeper,
    )
    open_request = services.request_supplies(
        community, [(masks, 500)], purpose="补货", user=coordinator
    )
    return {"lot": early, "store": note.to_location, "transit": in_transit, "open": open_request}


def lot_path(lot):
    return reverse("donations:lot", args=[lot.pk])


# --- Reading a scan -------------------------------------------------------------------------


def test_a_scanned_label_gives_its_lot_by_address_path_or_code_and_nothing_else_does(db):
    assert labels.lot_from_scan("http://testserver/donations/lots/42/") == 42
    assert labels.lot_from_scan("  https://portal.example.cn/donations/lots/42  ") == 42
    assert labels.lot_from_scan("/donations/lots/42/") == 42
    assert labels.lot_from_scan("LOT-000042") == 42
    assert labels.lot_from_scan("lot42") == 42
    assert labels.lot_from_scan("http://testserver/donations/pledges/42/") is None
    assert labels.lot_from_scan("http://testserver/donations/lots/x/") is None
    assert labels.lot_from_scan("口罩") is None
    assert labels.lot_from_scan("42") is None
    assert labels.lot_from_scan("") is None


def test_the_qr_code_holds_the_lot_page_on_the_real_site_and_nothing_more(stocked, settings):
    lot = Lot.objects.get(lot_number="M-EARLY")
    settings.SITE_URL = "https://jiedao.example.cn"
    [[[first, *_rest], *_rows]] = labels.label_pages([lot], 1)
    assert first["url"] == f"https://jiedao.example.cn/donations/lots/{lot.pk}/"
    assert first["code"] == f"LOT-{lot.pk:06d}"
    assert labels.lot_from_scan(first["url"]) == lot.pk


# --- The sheet ------------------------------------------------------------------------------


def test_label_pages_fill_three_by_eight_sheets_after_the_skipped_positions(stocked):
    lots = list(Lot.objects.order_by("pk"))
    pages = labels.label_pages(lots, copies=8, skip=2)  # 2 + 24 cells: two sheets
    assert len(pages) == 2
    assert all(len(sheet) == 8 and all(len(row) == 3 for row in sheet) for sheet in pages)
    cells = [cell for sheet in pages for row in sheet for cell in row]
    assert cells[:2] == [None, None]
    assert [c["lot"] for c in cells[2:26]] == [lot for lot in lots for _n in range(8)]
    assert cells[26:] == [None] * 22


def test_the_label_sheet_is_an_a4_pdf_with_item_lot_expiry_and_code(stocked, tmp_path):
    early = Lot.objects.get(lot_number="M-EARLY")
    bottles = Lot.objects.get(lot_number="D-1")
    name, content_type, pdf = labels.label_sheet_pdf([early, bottles], copies=13)
    assert (name, content_type) == ("lot-labels.pdf", "application/pdf")
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Pages:           2" in info.stdout
    assert "595.276 x 841.89" in info.stdout  # A4
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text.count("医用外科口罩") == 13 and text.count("84消毒液") == 13
    assert f"LOT-{early.pk:06d}" in text and "M-EARLY" in text
    assert early.expiry.strftime("%Y-%m-%d") in text
    assert "有效期" in text  # the labels speak Chinese


# --- The back office's lot list -------------------------------------------------------------


def test_the_lot_list_finds_a_scanned_label_and_prints_the_ticked_lots(
    client, reached, warehouse_keeper
):
    client.force_login(warehouse_keeper)
    lot = reached["lot"]
    url = reverse("donations_admin:lots")
    page = client.get(url, {"q": labels.lot_url(lot)})
    assert [row.pk for row in page.context["page"]] == [lot.pk]
    assert [row.pk for row in client.get(url, {"q": f"LOT-{lot.pk:06d}"}).context["page"]] == [
        lot.pk
    ]
    assert len(list(client.get(url, {"q": "口罩"}).context["page"])) == 2
    printed = client.post(url, {"lot": [lot.pk], "copies": 2, "skip": 1})
    assert printed["Content-Type"] == "application/pdf"
    assert printed.content.startswith(b"%PDF")
    nothing = client.post(url, {"copies": 1, "skip": 1})
    assert "请勾选要打印标签的批次。" in str(nothing.context["form"].non_field_errors())
    too_many = client.post(url, {"lot": [lot.pk], "copies": 25, "skip": 1})
    assert "copies" in too_many.context["form"].errors


def test_a_community_lists_and_prints_only_the_lots_in_its_own_stores(
    client, reached, coordinator, other_coordinator
):
    lot, bottles = reached["lot"], Lot.objects.get(lot_number="D-1")
    url = reverse("donations_admin:lots")
    client.force_login(coordinator)
    assert [row.pk for row in client.get(url).context["page"]] == [lot.pk]
    refused = client.post(url, {"lot": [bottles.pk], "copies": 1, "skip": 1})
    assert refused["Content-Type"].startswith("text/html")  # the warehouse's lot is not theirs
    client.force_login(other_coordinator)  # goods only in transit to them: nothing in a store
    assert list(client.get(url).context["page"]) == []


def test_the_stock_list_and_the_ledger_take_a_scanned_label_in_their_search(
    client, reached, warehouse_keeper
):
    client.force_login(warehouse_keeper)
    lot = reached["lot"]
    stock = client.get(reverse("donations_balances:index"), {"q": labels.lot_url(lot)})
    rows = list(stock.context["object_list"])
    assert rows and {b.lot_id for b in rows} == {lot.pk}
    ledger = client.get(reverse("donations_ledger:index"), {"q": f"LOT-{lot.pk:06d}"})
    moves = list(ledger.context["object_list"])
    assert moves and {m.lot_id for m in moves} == {lot.pk}
    # Text is still searched as text.
    text = client.get(reverse("donations_balances:index"), {"q": "84消毒液"})
    assert {b.lot.lot_number for b in text.context["object_list"]} == {"D-1"}


# --- The page a label opens -----------------------------------------------------------------


def test_an_anonymous_scan_goes_to_log_in_and_back(client, reached):
    response = client.get(lot_path(reached["lot"]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={lot_path(reached['lot'])}"


def test_the_warehouse_may_allocate_to_the_open_request_and_trace(
    client, reached, warehouse_keeper
):
    kinds = {a["kind"] for a in lot_actions(warehouse_keeper, reached["lot"])}
    assert {"allocate", "trace"} <= kinds
    assert "confirm" not in kinds  # the warehouse does not sign for a community
    [allocate] = [
        a for a in lot_actions(warehouse_keeper, reached["lot"]) if a["kind"] == "allocate"
    ]
    assert allocate["url"] == reverse("donations_admin:request", args=[reached["open"].pk])
    client.force_login(warehouse_keeper)
    page = client.get(lot_path(reached["lot"]))
    assert page.status_code == 200
    assert 'data-action="allocate"' in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_a_coordinator_may_hand_out_from_their_store_and_sees_only_their_part(
    client, reached, coordinator
):
    actions = lot_actions(coordinator, reached["lot"])
    assert [a["kind"] for a in actions] == ["distribute"]
    assert reached["store"].name in actions[0]["label"]
    client.force_login(coordinator)
    page = client.get(lot_path(reached["lot"]))
    assert page.status_code == 200
    trace = page.context["trace"]
    assert trace["received"] == 300 and trace["distributed"] == 40 and trace["in_stock"] == 260
    assert "蔚园社区" not in page.content.decode()  # the other community's part is not shown


def test_the_receiving_community_may_confirm_the_note_in_transit(
    client, reached, other_coordinator
):
    actions = lot_actions(other_coordinator, reached["lot"])
    assert [a["kind"] for a in actions] == ["confirm"]
    assert actions[0]["url"] == reverse(
        "donations_admin:confirm_receipt", args=[reached["transit"].pk]
    )
    client.force_login(other_coordinator)
    assert client.get(lot_path(reached["lot"])).status_code == 200


def test_a_community_the_lot_never_reached_and_a_donor_of_another_lot_get_404(
    client, reached, other_donor_user
):
    stranger = make_user(roles.COORDINATOR, [CommunityFactory(name="三里屯社区", slug="sanlitun")])
    for user in (stranger, other_donor_user):
        client.force_login(user)
        assert client.get(lot_path(reached["lot"])).status_code == 404
    assert client.get("/donations/lots/99999999999999/").status_code == 404


def test_the_donor_sees_the_trace_with_no_actions(client, reached, donor_user):
    client.force_login(donor_user)
    page = client.get(lot_path(reached["lot"]))
    assert page.status_code == 200
    assert page.context["actions"] == []


def test_an_expired_lot_offers_neither_allocation_nor_hand_out(
    reached, warehouse_keeper, coordinator
):
    lot = reached["lot"]
    Lot.objects.filter(pk=lot.pk).update(expiry="2020-01-01")
    lot.refresh_from_db()
    assert "allocate" not in {a["kind"] for a in lot_actions(warehouse_keeper, lot)}
    assert lot_actions(coordinator, lot) == []


def test_a_lot_of_a_partly_received_pledge_offers_the_warehouse_to_receive_the_rest(
    donor, masks, warehouse, warehouse_keeper, coordinator
):
    pledge = services.pledge(
        donor,
        [
            {"item": masks, "quantity": 100, "lot_number": "P-1"},
            {"item": masks, "quantity": 50, "lot_number": "P-2"},
        ],
        user=warehouse_keeper,
    )
    first = pledge.lines.order_by("pk").first()
    services.receive(
        pledge, warehouse, [{"pledge_line": first, "accepted": 100}], user=warehouse_keeper
    )
    lot = Lot.objects.get(lot_number="P-1")
    [receive] = [a for a in lot_actions(warehouse_keeper, lot) if a["kind"] == "receive"]
    assert receive["url"] == reverse("donations_admin:receive", args=[pledge.pk])
    assert lot_actions(coordinator, lot) == []  # not a community's lot, nor its job


def test_the_lot_list_is_in_the_menu_of_those_who_may_see_lots(
    client, warehouse_keeper, donor_user
):
    client.force_login(warehouse_keeper)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("donations_admin:lots") in home
    client.force_login(donor_user)
    assert client.get(reverse("donations_admin:lots")).status_code in (302, 403)
