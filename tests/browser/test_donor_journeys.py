"""Journeys 3 and 4 (JOURNEYS.md) on a 375 px phone: what the donor, the warehouse and the
community see at each step. Screenshots and the PDFs (as PNG, through pdftoppm) go to
/tmp/donors/ for a person to look at."""

import datetime
import re
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from donations import services, sharing
from donations.models import (
    Allocation,
    Dispatch,
    Distribution,
    Item,
    Location,
    Pledge,
    SupplyRequest,
)
from portal import sms
from portal.models import User
from tests.factories import DonorFactory, make_uscc

from .steps import (
    SCREENSHOTS,
    PageChecks,
    assert_fits,
    click_and_wait,
    page_text,
    screenshot,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(browser, element=None):
    submit(browser, "form", element)


def _shot(browser, name):
    screenshot(browser, f"donors-{name}")


def _pdf(client, url, name):
    """The PDF's text (pdftotext) and a PNG of its first page (pdftoppm) in SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"donors-{name}.pdf"
    path.write_bytes(client.get(url).content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(path.with_suffix(""))], check=True)  # fmt: skip
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout  # fmt: skip


def test_journey_3_a_firm_donates_masks_and_follows_them(
    browser, live_server, sign_in, client, community, coordinator, warehouse_keeper, post
):
    checks = PageChecks()
    masks = Item.objects.create(name="医用外科口罩", category="masks", unit="只")
    warehouse = Location.objects.create(name="街道物资仓库", kind="warehouse")
    Location.objects.create(name="民岳家园物资点", kind="community", community=community)

    # A visitor taps "登记为捐赠方" and is asked to sign up, the destination kept.
    browser.get(live_server.url + reverse("donations:index"))
    checks(browser, "donations")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "登记为捐赠方"))
    assert "/accounts/signup/" in browser.current_url
    assert "next=/donations/donor/register/" in browser.current_url
    assert_fits(browser)
    _shot(browser, "j3-1-signup")
    checks(browser, "sign-up")
    # She signs up by phone (the code comes by SMS) and lands back on the registration form.
    browser.find_element(By.NAME, "phone").send_keys("13911110000")
    _submit(browser)
    assert "/accounts/phone/verify/" in browser.current_url
    code = re.search(r"(?<!\d)\d{6}(?!\d)", sms.outbox[-1].text).group(0)
    browser.find_element(By.NAME, "code").send_keys(code)
    _submit(browser)
    assert browser.current_url == live_server.url + reverse("donations:donor_register")
    assert browser.find_element(By.TAG_NAME, "h1").text == "登记为捐赠方"
    checks(browser, "register a donor")
    rep = User.objects.get(phone="13911110000")

    # She registers the firm; a wrong code is said beside its field.
    for name, value in (
        ("name", "北京公共交通控股(集团)有限公司"),
        ("credit_code", "123"),
        ("contact_name", "李女士"),
        ("contact_phone", "13911110000"),
    ):
        browser.find_element(By.NAME, name).send_keys(value)
    browser.find_element(By.NAME, "public_name_consent").click()
    _submit(browser)
    field = browser.find_element(By.CSS_SELECTOR, ".field.has-error")
    assert field.find_element(By.NAME, "credit_code")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".errorlist, .form-errors")) == 1
    assert len(field.find_elements(By.TAG_NAME, "li")) == 1  # what is wrong, said once
    assert "选填" not in field.find_element(By.TAG_NAME, "label").text
    assert_fits(browser)
    _shot(browser, "j3-2-register-error")
    checks(browser, "register a donor, with errors")

    # She corrects it and is registered, waiting for the subdistrict to verify the firm.
    code = browser.find_element(By.NAME, "credit_code")
    code.clear()
    code.send_keys(make_uscc(101))
    _submit(browser)
    assert browser.current_url == live_server.url + reverse("donations:mine"), browser.find_element(
        By.TAG_NAME, "main"
    ).text
    assert "等待核验" in browser.find_element(By.TAG_NAME, "main").text
    checks(browser, "my donations")
    donor = rep.donor_representations.get().donor
    assert donor.public_name_consent

    # Her firm's spreadsheet of 40 lines has a bad one: named by its row, nothing saved.
    good = "物资名称,数量,批号,有效期至\n" + "\n".join(f"{masks.name},{100 + i},L{i}," for i in range(40))  # fmt: skip
    sheet = SCREENSHOTS / "pledge.csv"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sheet.write_text(good + "\n不存在的物资,5,X,", encoding="utf-8-sig")
    browser.get(live_server.url + reverse("donations:pledge_upload", args=[donor.pk]))
    browser.find_element(By.NAME, "file").send_keys(str(sheet))
    _submit(browser)
    problems = browser.find_element(By.CSS_SELECTOR, ".bad-banner").text
    assert "42" in problems and "不存在的物资" in problems
    assert not Pledge.objects.exists()
    assert_fits(browser)
    _shot(browser, "j3-2b-spreadsheet-error")
    checks(browser, "spreadsheet with errors")

    # She pledges 5,000 masks on the form instead.
    browser.get(live_server.url + reverse("donations:pledge_new", args=[donor.pk]))
    checks(browser, "pledge form")
    Select(browser.find_element(By.NAME, "lines-0-item")).select_by_visible_text(masks.name)
    browser.find_element(By.NAME, "lines-0-quantity").send_keys("5000")
    browser.find_element(By.NAME, "lines-0-lot_number").send_keys("M1")
    _submit(browser)
    pledge = Pledge.objects.get()
    assert browser.current_url == live_server.url + reverse("donations:pledge", args=[pledge.pk])
    checks(browser, "pledge")

    # The warehouse keeper verifies the firm, then receives 4,800 and rejects 200, with the
    # reason, on the back office's pages.
    sign_in(browser, warehouse_keeper)
    browser.get(live_server.url + reverse("donations_admin:verify_donor", args=[donor.pk]))
    checks(browser, "verify a donor")
    _submit(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    donor.refresh_from_db()
    assert donor.verified
    browser.get(live_server.url + reverse("donations_admin:receive", args=[pledge.pk]))
    checks(browser, "receive")
    line = pledge.lines.get()
    Select(browser.find_element(By.NAME, "location")).select_by_value(str(warehouse.pk))
    for name, value in (("accepted", "4800"), ("rejected", "200"), ("reason", "非医用级")):
        field = browser.find_element(By.NAME, f"{name}-{line.pk}")
        field.clear()
        field.send_keys(value)
    _submit(browser, field)
    receipt = pledge.receipts.get()
    assert receipt.lines.get().accepted == 4800
    assert_fits(browser)
    _shot(browser, "j3-3a-received")
    checks(browser, "receipt recorded")

    # Where the masks go next, each step on its own screen. 民岳家园社区's coordinator asks
    # the warehouse for 1,000 masks for the gate volunteers.
    sign_in(browser, coordinator)
    browser.get(live_server.url + reverse("donations_admin:request_create"))
    checks(browser, "request form")
    browser.find_element(By.NAME, "purpose").send_keys("卡口志愿者")
    Select(browser.find_element(By.NAME, "lines-0-item")).select_by_visible_text(masks.name)
    browser.find_element(By.NAME, "lines-0-quantity").send_keys("1000")
    _submit(browser, browser.find_element(By.NAME, "purpose"))
    request = SupplyRequest.objects.get(community=community)
    line = request.lines.get()

    # The warehouse keeper finds it on her dashboard among the requests to allocate, follows
    # its link to the line's allocation form (the open 1,000 filled in), allocates, dispatches.
    sign_in(browser, warehouse_keeper)
    browser.get(live_server.url + "/admin/")
    panel = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=open-requests]")
    assert community.name in panel.text and "申领 1000 只，已分配 0" in panel.text
    browser.execute_script("arguments[0].scrollIntoView()", panel)
    assert_fits(browser)
    _shot(browser, "j3-3b-warehouse-dashboard")
    checks(browser, "warehouse dashboard")
    click_and_wait(browser, panel.find_element(By.PARTIAL_LINK_TEXT, masks.name))
    assert browser.current_url.endswith(f"#line-{line.pk}")
    quantity = browser.find_element(By.CSS_SELECTOR, f"#line-{line.pk} input[name=quantity]")
    assert quantity.get_attribute("value") == "1000"
    assert_fits(browser)
    _shot(browser, "j3-3c-allocate")
    checks(browser, "allocate")
    _submit(browser, quantity)
    assert [a.quantity for a in Allocation.objects.filter(request_line=line)] == [1000]
    assert "已分配 1000" in page_text(browser) or "1000" in page_text(browser)
    _submit(browser, browser.find_element(By.CSS_SELECTOR, "input[name=allocation]"))
    note = Dispatch.objects.get()
    assert note.serial in page_text(browser)
    _shot(browser, "j3-3d-dispatched")

    # The coordinator confirms on the note's confirm page that all 1,000 arrived.
    sign_in(browser, coordinator)
    browser.get(live_server.url + reverse("donations_admin:confirm_receipt", args=[note.pk]))
    checks(browser, "confirm receipt")
    _submit(browser, browser.find_element(By.CSS_SELECTOR, "main form [name^=received-]"))
    assert Dispatch.objects.get(pk=note.pk).status == "received"

    # She records the 400 handed out at the north gate's post.
    browser.get(live_server.url + reverse("donations_admin:distribute"))
    Select(browser.find_element(By.NAME, "recipient")).select_by_value("post")
    Select(browser.find_element(By.NAME, "post")).select_by_value(str(post.pk))
    Select(browser.find_element(By.NAME, "lines-0-item")).select_by_visible_text(masks.name)
    browser.find_element(By.NAME, "lines-0-quantity").send_keys("400")
    assert_fits(browser)
    _shot(browser, "j3-3e-distribute")
    checks(browser, "distribute")
    _submit(browser, browser.find_element(By.NAME, "lines-0-quantity"))
    handed = Distribution.objects.get(community=community)
    assert handed.post == post and handed.lines.get().quantity == 400
    assert services.check_balances() == []
    sign_in(browser, rep)

    # Her pledge's page fills in, with the receipt, the letter and a link to share.
    browser.get(live_server.url + reverse("donations:pledge", args=[pledge.pk]))
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "4800" in page and "非医用级" in page and "民岳家园社区" in page
    assert_fits(browser)
    _shot(browser, "j3-3-pledge")
    checks(browser, "pledge")
    client.force_login(rep)
    receipt = pledge.receipts.get()
    text = _pdf(client, reverse("donations:receipt_pdf", args=[receipt.pk]), "j3-receipt")
    assert "捐赠接收凭证" in text and "非医用级" in text and "Donation" not in text
    letter = _pdf(client, reverse("donations:thank_you_pdf", args=[receipt.pk]), "j3-letter")
    assert "感谢信" in letter

    # Anyone with the link sees where the masks went, counts only.
    browser.delete_all_cookies()
    browser.get(sharing.shared_url(pledge).replace(settings.SITE_URL.rstrip("/"), live_server.url))
    shared = browser.find_element(By.TAG_NAME, "main").text
    assert "捐赠物资去向" in shared and "民岳家园社区" in shared and "400" in shared
    assert_fits(browser)
    _shot(browser, "j3-4-shared")
    checks(browser, "where it went")

    # The public board names the firm, because she agreed, and links to its donations.
    browser.get(live_server.url + reverse("donations:board"))
    checks(browser, "board")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, donor.name))
    assert reverse("donations:donor_public", args=[donor.pk]) in browser.current_url
    assert_fits(browser)
    _shot(browser, "j3-5-donor-page")
    checks(browser, "donor page")
    checks.assert_valid()


def test_journey_4_the_warehouse_and_a_community_move_supplies(
    browser, live_server, sign_in, client, community, coordinator, warehouse_keeper
):
    masks = Item.objects.create(name="医用外科口罩", category="masks", unit="只")
    warehouse = Location.objects.create(name="街道物资仓库", kind="warehouse")
    Location.objects.create(name="民岳家园物资点", kind="community", community=community)
    donor = DonorFactory(public_name_consent=True)
    pledge = services.pledge(
        donor,
        [
            {
                "item": masks,
                "quantity": 300,
                "lot_number": "LATE",
                "expiry": datetime.date(2027, 12, 31),
            },
            {
                "item": masks,
                "quantity": 300,
                "lot_number": "EARLY",
                "expiry": datetime.date(2027, 3, 31),
            },
        ],
    )
    services.verify_donor(donor, user=warehouse_keeper)
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": line, "accepted": 300} for line in pledge.lines.all()],
        user=warehouse_keeper,
    )

    # The coordinator's request form has her one community chosen already; she sends it.
    checks = PageChecks()
    sign_in(browser, coordinator)
    browser.get(live_server.url + reverse("donations_admin:request_create"))
    chosen = browser.find_element(By.CSS_SELECTOR, "select[name=community] option:checked")
    assert chosen.text == community.name
    _shot(browser, "j4-1-request")
    checks(browser, "request form")
    browser.find_element(By.NAME, "purpose").send_keys("卡口志愿者")
    Select(browser.find_element(By.NAME, "urgency")).select_by_value("urgent")
    Select(browser.find_element(By.NAME, "lines-0-item")).select_by_visible_text(masks.name)
    browser.find_element(By.NAME, "lines-0-quantity").send_keys("400")
    _submit(browser, browser.find_element(By.NAME, "purpose"))
    request = SupplyRequest.objects.get(community=community)
    assert request.urgency == "urgent" and request.lines.get().quantity == 400

    # The warehouse keeper allocates on the request's page, earliest expiry first (the whole
    # EARLY lot, then 100 of LATE), and dispatches.
    sign_in(browser, warehouse_keeper)
    browser.get(live_server.url + reverse("donations_admin:request", args=[request.pk]))
    checks(browser, "request")
    _submit(browser, browser.find_element(By.CSS_SELECTOR, "form input[name=line]"))
    made = list(Allocation.objects.filter(request_line__request=request).order_by("pk"))
    assert [(a.lot.lot_number, a.quantity) for a in made] == [("EARLY", 300), ("LATE", 100)]
    _shot(browser, "j4-1b-allocated")
    _submit(browser, browser.find_element(By.CSS_SELECTOR, "input[name=allocation]"))
    note = Dispatch.objects.get()
    assert "出库" in browser.find_element(By.TAG_NAME, "body").text or note.serial in (
        browser.find_element(By.TAG_NAME, "body").text
    )
    client.force_login(coordinator)
    text = _pdf(client, reverse("donations_admin:dispatch_pdf", args=[note.pk]), "j4-dispatch")
    confirm = reverse("donations_admin:confirm_receipt", args=[note.pk])
    assert "出库单" in text and confirm in text.replace("\n", "")
    sign_in(browser, coordinator)

    # The QR code's address opens the confirm screen; 2 missing are recorded as such.
    browser.get(live_server.url + confirm)
    assert "确认" in browser.find_element(By.TAG_NAME, "h1").text
    _shot(browser, "j4-2-confirm")
    checks(browser, "confirm receipt")
    late = note.allocations.get(lot__lot_number="LATE")
    field = browser.find_element(By.NAME, f"received-{late.pk}")
    field.clear()
    field.send_keys("98")
    browser.find_element(By.NAME, f"reason-{late.pk}").send_keys("破损2只")
    _submit(browser, field)
    assert Dispatch.objects.get(pk=note.pk).status == "received"
    assert note.movements.model.objects.get(kind="discard").reason == "破损2只"
    _shot(browser, "j4-3-confirmed")

    # She records what went to the gate volunteers: her community and its store chosen already.
    browser.get(live_server.url + reverse("donations_admin:distribute"))
    for name in ("community", "location"):
        assert Select(browser.find_element(By.NAME, name)).first_selected_option.get_attribute("value")  # fmt: skip
    Select(browser.find_element(By.NAME, "recipient")).select_by_value("volunteers")
    Select(browser.find_element(By.NAME, "lines-0-item")).select_by_visible_text(masks.name)
    browser.find_element(By.NAME, "lines-0-quantity").send_keys("120")
    _shot(browser, "j4-4-distribute")
    checks(browser, "distribute")
    _submit(browser, browser.find_element(By.NAME, "lines-0-quantity"))
    handed = Distribution.objects.get(community=community)
    assert handed.recipient == "volunteers" and handed.lines.get().quantity == 120
    assert services.check_balances() == []
    checks.assert_valid()
