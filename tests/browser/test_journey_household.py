"""Journey 6 on a 375 px phone: a quarantined household asks for help at night. The duty
coordinator records the request, the milk powder is issued from donated stock, the delivery is
offered to the nearest volunteer on call, who sees the address only once assigned, marks it
delivered, and the request closes. Screenshots go to /tmp/community/journey6-*.png."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from assistance import on_call
from assistance.models import HelpRequest, OnCallNight
from donations import services as donations
from donations.models import Item
from donations.services.ledger import community_store
from portal import roles
from tests.browser.steps import PageChecks, assert_fits, click_and_wait, page_text, screenshot
from tests.factories import CompoundFactory, DonorFactory, VolunteerProfileFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(browser, name):
    screenshot(browser, f"journey6-{name}")


def _press(browser, value):
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, f"button[name=action][value={value}]")
    )


@pytest.fixture
def two_am(monkeypatch):
    """The live server's clock for the roster: 02:00 tonight (Beijing time)."""
    tz = timezone.get_current_timezone()
    day = timezone.localdate() + timedelta(days=1)
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time()), tz) + timedelta(
        hours=2
    )
    real = on_call.night_of
    monkeypatch.setattr(on_call, "night_of", lambda when=None: real(when or moment))
    return moment


def test_a_household_is_helped_at_night(
    browser, live_server, sign_in, community, compound, coordinator, warehouse_keeper, two_am
):
    community.phone = "010-63812002"
    community.save()
    milk = Item.objects.create(name="婴幼儿配方奶粉", category=Item.Category.FOOD, unit="罐")
    donor = DonorFactory(name="爱心企业")
    pledge = donations.pledge(
        donor, [{"item": milk, "quantity": 6, "lot_number": "NF-1"}], user=warehouse_keeper
    )
    store = community_store(community)
    donations.receive(
        pledge, store, [{"pledge_line": pledge.lines.get(), "accepted": 6}], user=warehouse_keeper
    )
    # on call tonight: one in the household's compound, one elsewhere in the community; a
    # neighbour in the same compound who is not on call
    other_compound = CompoundFactory(community=community, name="民岳家园二区")
    near = VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="near", phone="13712340001"),
        real_name="王备勤",
        community=community,
        compound=compound,
    )
    farther = VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="farther", phone="13712340002"),
        real_name="赵备勤",
        community=community,
        compound=other_compound,
    )
    VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="asleep", phone="13712340003"),
        real_name="钱邻居",
        community=community,
        compound=compound,
    )
    night = on_call.night_of()
    OnCallNight.objects.bulk_create([OnCallNight(profile=p, night=night) for p in (near, farther)])

    # 1. The duty coordinator records the call: building, need, urgent. Her one community and
    # its one compound are chosen already.
    checks = PageChecks()
    sign_in(browser, coordinator)
    browser.get(live_server.url + "/admin/assistance/new/")
    chosen = Select(browser.find_element(By.NAME, "community")).first_selected_option
    assert chosen.text == community.name
    Select(browser.find_element(By.NAME, "community")).select_by_visible_text(community.name)
    Select(browser.find_element(By.NAME, "compound")).select_by_value(str(compound.pk))
    browser.find_element(By.NAME, "building").send_keys("2号楼4单元302")
    browser.find_element(By.NAME, "contact_name").send_keys("刘女士")
    browser.find_element(By.NAME, "contact_phone").send_keys("123")  # misheard on the phone
    Select(browser.find_element(By.NAME, "urgency")).select_by_value("urgent")
    Select(browser.find_element(By.NAME, "items-0-item")).select_by_visible_text(milk.name)
    browser.find_element(By.NAME, "items-0-quantity").send_keys("1")
    browser.find_element(By.NAME, "need").send_keys("宝宝的奶粉吃完了")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "button[data-send]"))
    # the phone is refused beside the field, and what was typed is kept
    error = browser.find_element(By.ID, "id_contact_phone_error")
    assert "带区号的固定电话" in error.text
    assert browser.find_element(By.NAME, "building").get_attribute("value") == "2号楼4单元302"
    _shot(browser, "1-phone-refused")
    checks(browser, "request form with an error")
    assert_fits(browser)
    assert not HelpRequest.objects.exists()
    phone = browser.find_element(By.NAME, "contact_phone")
    phone.clear()
    phone.send_keys("13900000101")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "button[data-send]"))
    request = HelpRequest.objects.get()
    assert browser.current_url.endswith(f"/admin/assistance/{request.pk}/")
    assert "2号楼4单元302" in page_text(browser) and "紧急" in page_text(browser)
    _shot(browser, "2-recorded")
    checks(browser, "request")

    # 2. The milk powder is issued from donated stock to the household.
    _press(browser, "fulfil")
    assert "已从库存发放" in page_text(browser) or "从库存发放" in page_text(browser)
    assert request.distributions.get().location == store

    # Before anyone is assigned, no volunteer sees the household.
    volunteer_view = f"{live_server.url}/assistance/requests/{request.pk}/"

    # 3. The delivery goes to the nearest volunteer on call.
    _press(browser, "suggest")
    body = page_text(browser)
    assert body.index("王备勤") < body.index("赵备勤") < body.index("钱邻居")
    assert body.count("今晚备勤") == 2
    _shot(browser, "3-suggestions")
    checks(browser, "request with suggestions")
    _press(browser, "on_call")
    request.refresh_from_db()
    assert request.status == "assigned" and request.assigned_volunteer == near
    assert_fits(browser)

    # 4. The volunteer on call: the address, the phone and where to collect the milk.
    browser.delete_all_cookies()
    sign_in(browser, farther.user)
    browser.get(volunteer_view)
    assert "2号楼4单元302" not in browser.page_source  # not hers
    browser.delete_all_cookies()
    sign_in(browser, near.user)
    browser.get(live_server.url + "/assistance/duty/")
    click_and_wait(browser, browser.find_element(By.PARTIAL_LINK_TEXT, f"#{request.pk}"))
    page = page_text(browser)
    assert "2号楼4单元302" in page and "13900000101" in page
    assert "取货地点" in page and store.name in page and "010-63812002" in page
    assert_fits(browser)
    _shot(browser, "4-volunteer-task")
    checks(browser, "volunteer's delivery")
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/delivered/'] button")
    )

    # 5. Delivered: the request closes; her page says so, and the address is gone from it.
    assert browser.current_url.endswith("/assistance/duty/")
    page = page_text(browser)
    assert "已送达" in page and "办结" in page and "2号楼4单元302" not in page
    assert_fits(browser)
    _shot(browser, "5-delivered")
    checks(browser, "volunteer's duty page")
    request.refresh_from_db()
    assert request.status == "closed" and request.closed_at
    browser.get(volunteer_view)
    assert "2号楼4单元302" not in browser.page_source

    # The coordinator sees it closed, with a way to reopen it.
    browser.delete_all_cookies()
    sign_in(browser, coordinator)
    browser.get(f"{live_server.url}/admin/assistance/{request.pk}/")
    assert "已办结" in page_text(browser) or "办结" in page_text(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "button[value=reopen]")
    _shot(browser, "6-closed")
    checks(browser, "closed request")
    checks.assert_valid()
