import io

import pdfplumber
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from donations import documents, services
from donations.models import Donor, Lot, Pledge
from tests.donations.conftest import in_days
from tests.factories import make_uscc, make_user


def _pdf_text(content):
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


@pytest.fixture
def other_records(other_donor, masks, warehouse, warehouse_keeper):
    pledge = services.pledge(other_donor, [{"item": masks, "quantity": 10, "lot_number": "OTHER"}])
    receipt = services.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 10}],
        user=warehouse_keeper,
    )
    return {"pledge": pledge, "receipt": receipt, "lot": Lot.objects.get(lot_number="OTHER")}


# 1. Registration and isolation -----------------------------------------------------------------


def test_signed_in_user_registers_a_firm(client, db):
    user = make_user(username="newrep")
    client.force_login(user)
    response = client.post(
        reverse("donations:donor_register"),
        {
            "kind": "firm",
            "name": "依文集团",
            "credit_code": make_uscc(99),
            "contact_name": "王女士",
            "contact_phone": "13712345678",
            "address": "北京",
            "public_name_consent": "on",
        },
    )
    assert response.status_code == 302
    donor = Donor.objects.get(name="依文集团")
    assert donor.public_name_consent and not donor.verified
    assert user.donor_representations.get().donor == donor


def test_bad_credit_code_is_shown_next_to_the_field(client, db):
    client.force_login(make_user())
    response = client.post(
        reverse("donations:donor_register"),
        {
            "kind": "firm",
            "name": "某公司",
            "credit_code": "91110000123456789X",
            "contact_name": "王",
            "contact_phone": "13712345678",
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()
    assert not Donor.objects.exists()


def test_registration_needs_an_account_and_offers_sign_up(client, db):
    response = client.get(reverse("donations:donor_register"))
    assert response.status_code == 302 and "/accounts/signup/" in response["Location"]


def test_other_donors_ids_give_404_on_every_url(
    client, donor_user, stocked, other_records, other_donor
):
    client.force_login(donor_user)
    urls = [
        reverse("donations:donor_edit", args=[other_donor.pk]),
        reverse("donations:pledge_new", args=[other_donor.pk]),
        reverse("donations:pledge_upload", args=[other_donor.pk]),
        reverse("donations:pledge", args=[other_records["pledge"].pk]),
        reverse("donations:lot", args=[other_records["lot"].pk]),
        reverse("donations:receipt_pdf", args=[other_records["receipt"].pk]),
        reverse("donations:thank_you_pdf", args=[other_records["receipt"].pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code in (404, 405), url
    # ... while their own records open.
    own = stocked["pledge"]
    assert client.get(reverse("donations:pledge", args=[own.pk])).status_code == 200
    assert (
        client.get(
            reverse("donations:lot", args=[Lot.objects.filter(donor=own.donor).first().pk])
        ).status_code
        == 200
    )
    mine = client.get(reverse("donations:mine")).content.decode()
    assert "中都投资集团有限公司" not in mine and "北京公共交通控股(集团)有限公司" in mine


def test_representative_changes_public_name_consent(client, donor_user, donor):
    client.force_login(donor_user)
    response = client.post(
        reverse("donations:donor_edit", args=[donor.pk]),
        {
            "contact_name": "李先生",
            "contact_phone": "13712345670",
            "address": "",
        },
    )
    assert response.status_code == 302
    donor.refresh_from_db()
    assert donor.contact_name == "李先生" and not donor.public_name_consent


# 3. Pledge form, photo and upload ---------------------------------------------------------------


def _lines(prefix="lines", rows=()):
    data = {
        f"{prefix}-TOTAL_FORMS": "3",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def _png(size=(20, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_pledge_form_with_lines_and_photo(client, donor_user, donor, masks, disinfectant):
    client.force_login(donor_user)
    data = _lines(
        rows=[
            {
                "item": masks.pk,
                "quantity": "5000",
                "lot_number": "20260101",
                "expiry": in_days(300).isoformat(),
                "photo": SimpleUploadedFile("goods.png", _png(), content_type="image/png"),
            },
            {"item": disinfectant.pk, "quantity": "200"},
        ]
    )
    data["expected_date"] = in_days(2).isoformat()
    response = client.post(reverse("donations:pledge_new", args=[donor.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge = Pledge.objects.get()
    assert [(line.item.name, line.quantity) for line in pledge.lines.all()] == [
        ("医用外科口罩", 5000),
        ("84消毒液", 200),
    ]
    assert pledge.lines.first().photo.name.endswith(".png")


def test_pledge_photo_that_is_not_an_image_is_refused(client, donor_user, donor, masks):
    client.force_login(donor_user)
    data = _lines(
        rows=[
            {
                "item": masks.pk,
                "quantity": "10",
                "photo": SimpleUploadedFile("goods.png", b"not an image", content_type="image/png"),
            }
        ]
    )
    response = client.post(reverse("donations:pledge_new", args=[donor.pk]), data)
    assert response.status_code == 200
    assert not Pledge.objects.exists()


def test_pledge_photo_too_large_is_refused(donor_user, donor, masks):
    from django.core.exceptions import ValidationError

    from donations.models import validate_photo

    big = SimpleUploadedFile("big.png", b"0" * (5 * 1024 * 1024 + 1), content_type="image/png")
    with pytest.raises(ValidationError):
        validate_photo(big)


def test_spreadsheet_upload_all_or_nothing(client, donor_user, donor, masks):
    client.force_login(donor_user)
    good = "物资名称,数量,批号,有效期至\n" + "\n".join(
        f"{masks.name},{100 + i},L{i}," for i in range(40)
    )
    bad = good + "\n不存在的物资,5,X,"
    response = client.post(
        reverse("donations:pledge_upload", args=[donor.pk]),
        {"file": SimpleUploadedFile("p.csv", bad.encode("utf-8-sig"))},
    )
    assert response.status_code == 200
    assert "第 42 行" in response.content.decode() or "42" in response.content.decode()
    assert not Pledge.objects.exists()
    response = client.post(
        reverse("donations:pledge_upload", args=[donor.pk]),
        {"file": SimpleUploadedFile("p.csv", good.encode("utf-8-sig"))},
    )
    assert response.status_code == 302
    assert Pledge.objects.get().lines.count() == 40


# 9/10. Donor page, receipts and verification ---------------------------------------------------


def test_donor_page_shows_path_and_stock(
    client, donor_user, stocked, community, coordinator, warehouse_keeper, masks
):
    request = services.request_supplies(
        community, [(masks, 1000)], purpose="卡口", user=coordinator
    )
    allocations = services.allocate(request.lines.get(), user=warehouse_keeper)
    note = services.dispatch(allocations, user=warehouse_keeper)
    services.confirm_receipt(note, {}, user=coordinator)
    services.distribute(
        community, note.to_location, [(masks, 400)], recipient="volunteers", user=coordinator
    )
    client.force_login(donor_user)
    html = client.get(reverse("donations:pledge", args=[stocked["pledge"].pk])).content.decode()
    assert "民岳家园社区" in html and "400" in html and "街道物资仓库" in html
    assert "非医用级" in html


def test_receipt_pdf_has_chinese_names_and_a_verifiable_link(client, donor_user, stocked):
    client.force_login(donor_user)
    receipt = stocked["receipt"]
    response = client.get(reverse("donations:receipt_pdf", args=[receipt.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in ("北京公共交通控股", "医用外科口罩", "84消毒液", receipt.serial, "4800"):
        assert expected in text.replace("\n", ""), expected
    letter = _pdf_text(client.get(reverse("donations:thank_you_pdf", args=[receipt.pk])).content)
    assert "感谢信" in letter.replace(" ", "") and "北京公共交通控股" in letter
    url = documents.verification_url(receipt)
    path = url.removeprefix("http://testserver")
    client.logout()
    ok = client.get(path)
    assert ok.status_code == 200 and receipt.serial in ok.content.decode()


def test_forged_or_altered_verification_links_fail(client, stocked):
    from portal import tokens

    token = documents.verification_url(stocked["receipt"]).rstrip("/").rsplit("/", 1)[1]
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert client.get(reverse("donations:verify", args=[altered])).status_code == 404
    forged_serial = tokens.sign(documents.TOKEN_KIND, "JZ2026999999")
    assert client.get(reverse("donations:verify", args=[forged_serial])).status_code == 404
    other_kind = tokens.sign("certificate", stocked["receipt"].serial)
    assert client.get(reverse("donations:verify", args=[other_kind])).status_code == 404


# 11. Board --------------------------------------------------------------------------------------


def _hand_out(community, item, quantity, coordinator, warehouse_keeper):
    """The community asks for 100, gets them from the warehouse and hands `quantity` out to
    its volunteers; the delivery note."""
    request = services.request_supplies(community, [(item, 100)], purpose="x", user=coordinator)
    note = services.dispatch(
        services.allocate(request.lines.get(), user=warehouse_keeper), user=warehouse_keeper
    )
    services.confirm_receipt(note, {}, user=coordinator)
    services.distribute(
        community, note.to_location, [(item, quantity)], recipient="volunteers", user=coordinator
    )
    return note


def test_board_names_consenting_donors_only_with_bounded_queries(
    client, stocked, other_records, community, coordinator, warehouse_keeper, masks, settings
):
    settings.FRAGMENT_CACHE_ENABLED = False  # the board computed on each view: its own queries
    note = _hand_out(community, masks, 60, coordinator, warehouse_keeper)
    client.get(reverse("donations:board"))  # warm the per-process caches (site, settings)
    with CaptureQueriesContext(connection) as small:
        response = client.get(reverse("donations:board"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "北京公共交通控股(集团)有限公司" in html and "中都投资集团有限公司" not in html
    assert "匿名" in html and "<svg" in html and "民岳家园社区" in html
    # Ten times the movements: the same number of queries.
    for i in range(10):
        services.distribute(
            community, note.to_location, [(masks, 1)], recipient="volunteers", user=coordinator
        )
        services.adjust(
            Lot.objects.get(lot_number="OTHER"),
            other_records["receipt"].location,
            1,
            reason=f"盘点{i}",
            user=warehouse_keeper,
        )
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("donations:board"))
    assert len(large) == len(small) <= 12


def test_the_board_signed_in_is_one_shared_fragment_and_a_movement_shows_at_once(
    client, stocked, community, coordinator, warehouse_keeper, masks
):
    """The board is the same for everyone: signed in, it is rendered once and shared (no sums
    over the ledger on the next person's view), and stock that moves shows on the next view."""
    from portal.models import User

    def sums(queries):
        return [q["sql"] for q in queries if "donations_balance" in q["sql"]]

    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("donations:board"))
    assert sums(first)

    someone = User.objects.create(username="resident", phone="13912345678")
    client.force_login(someone)
    with CaptureQueriesContext(connection) as second:
        html = client.get(reverse("donations:board")).content.decode()
    assert sums(second) == [] and len(second) < len(first)
    assert "医用外科口罩" in html and ">0<" not in html.split("医用外科口罩", 1)[1][:200]

    _hand_out(community, masks, 37, coordinator, warehouse_keeper)
    with CaptureQueriesContext(connection) as after:
        html = client.get(reverse("donations:board")).content.decode()
    assert sums(after)
    row = html.split("医用外科口罩（只）</td>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">37</td>' in row  # handed out
