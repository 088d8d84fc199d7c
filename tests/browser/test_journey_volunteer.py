"""Journey 1 of JOURNEYS.md in a real browser at a phone's width: a resident scans the QR poster,
signs up with her mobile number and an SMS code, fills the one short form, is approved, takes a
shift at her compound, checks in and out at the post, downloads her certificate and opens its
verification page. Each step asserts what she sees; screenshots go to
steps.SCREENSHOTS."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from portal import roles, sms
from portal.models import Community
from tests.factories import CompoundFactory, PostFactory, TaskFactory, make_user
from volunteers import services, views
from volunteers.models import Attendance, Certificate, Shift, ShiftTemplate, VolunteerProfile

from .conftest import csp_violations
from .steps import (
    PageChecks,
    assert_fits,
    click_and_wait,
    page_text,
    screenshot,
    submit,
    wait_for_url,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(browser, name):
    screenshot(browser, f"journey1-{name}", whole_page=True)
    assert_fits(browser)


def test_a_resident_becomes_a_gate_volunteer(
    browser, live_server, sign_in, community, compound, post
):
    checks = PageChecks()
    # The community's gate duty: the north gate of her compound, starting in half an hour,
    # from a template without an end date; and a shift elsewhere in the community, earlier.
    now = timezone.localtime()
    start = (now + timedelta(minutes=30)).replace(second=0, microsecond=0)
    end = start + timedelta(hours=5)
    gate = TaskFactory(community=community, compound=compound, post=post, title="北门值守")
    ShiftTemplate.objects.create(
        task=gate,
        weekdays=list(range(7)),
        time_ranges=[[f"{start:%H:%M}", f"{end:%H:%M}"]],
        places=2,
        start_date=now.date() - timedelta(days=1),
        end_date=None,
    )
    services.generate_shifts()
    elsewhere = CompoundFactory(community=community, name="民岳家园二区")
    far_task = TaskFactory(
        community=community,
        compound=elsewhere,
        post=PostFactory(compound=elsewhere, name="东门"),
        title="东门值守",
    )
    Shift.objects.create(task=far_task, start=start - timedelta(minutes=10), end=end, places=2)
    coordinator = make_user(roles.COORDINATOR, [community], username="coord")
    slug = Community.objects.get(pk=community.pk).slug

    # 1. The QR poster: her community, how many places are open, one button.
    browser.get(f"{live_server.url}/volunteers/join/{slug}/")
    assert "民岳家园社区" in browser.find_element(By.TAG_NAME, "h1").text
    page = page_text(browser)
    assert "本周空缺名额" in page
    open_places = int(browser.find_element(By.CSS_SELECTOR, ".v-stats .v-big-number").text)
    assert open_places >= 2
    _shot(browser, "1-poster")
    checks(browser, "poster")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "我要报名"))

    # 2. Mobile number, then the code sent by SMS: she has an account, no password.
    wait_for_url(browser, "/accounts/signup/")
    assert not browser.find_elements(By.NAME, "password1")
    _shot(browser, "2-phone")
    checks(browser, "sign-up")
    browser.find_element(By.NAME, "phone").send_keys("13712345678")
    submit(browser)
    wait_for_url(browser, "/accounts/phone/verify/")
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.outbox[-1].text).group(1)
    assert "验证码" in sms.outbox[-1].text
    _shot(browser, "2-code")
    checks(browser, "code")
    browser.find_element(By.NAME, "code").send_keys(code)
    submit(browser)

    # 3. The one short form, back where she came from; errors sit beside their fields.
    wait_for_url(browser, f"/volunteers/join/{slug}/form/")
    assert "民岳家园社区" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.NAME, "mobile").get_attribute("value") == "13712345678"
    submit(browser)
    name_field = browser.find_element(By.NAME, "real_name").find_element(
        By.XPATH, "./ancestor::*[contains(@class,'field')][1]"
    )
    assert "必填" in name_field.text or "此字段" in name_field.text
    consent = browser.find_element(By.NAME, "consent").find_element(
        By.XPATH, "./ancestor::*[contains(@class,'field')][1]"
    )
    assert "同意" in consent.text
    # the consent box is far below: the top of the form says what is missing
    summary = browser.find_element(By.CSS_SELECTOR, "[data-error-summary]").text
    assert "真实姓名" in summary and "我同意" in summary
    _shot(browser, "3-errors")
    checks(browser, "form with errors")
    browser.find_element(By.NAME, "real_name").send_keys("李晓红")
    Select(browser.find_element(By.NAME, "compound")).select_by_value(str(compound.pk))
    skills = browser.find_elements(By.CSS_SELECTOR, "input[name=skills]")
    if skills:
        skills[0].click()
    browser.find_element(By.CSS_SELECTOR, "input[name=availability][value^='0-']").click()
    browser.find_element(By.NAME, "consent").click()
    _shot(browser, "3-form")
    submit(browser)

    # 4. Submitted; the coordinator approves her on the review page, and an SMS brings the link.
    wait_for_url(browser, "/volunteers/submitted/")
    assert "提交" in browser.find_element(By.TAG_NAME, "h1").text
    assert "当天" in page_text(browser)
    _shot(browser, "4-submitted")
    checks(browser, "submitted")
    profile = VolunteerProfile.objects.get(real_name="李晓红")
    sent = len(sms.outbox)
    sign_in(browser, coordinator)
    browser.get(f"{live_server.url}/admin/volunteering/profiles/{profile.pk}/review/")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "input[value=approve] ~ button"))
    profile.refresh_from_db()
    assert profile.status == "verified" and len(sms.outbox) == sent + 1
    link = re.search(r"https?://\S+", sms.outbox[-1].text).group(0)
    path = "/" + link.split("/", 3)[3]
    sign_in(browser, profile.user)  # back on her phone, signed in as she was

    # 5. The link: open shifts at her compound first; she takes one and sees it on her page.
    browser.get(live_server.url + path)
    first = browser.find_elements(By.CSS_SELECTOR, ".v-shift-card")[0].text
    assert "北门" in first and "民岳家园一区" in first, first
    _shot(browser, "5-shifts")
    checks(browser, "open shifts")
    mine = Shift.objects.get(task=gate, start=start)
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, f"a[href$='/volunteers/shifts/{mine.pk}/']")
    )
    wait_for_url(browser, f"/volunteers/shifts/{mine.pk}/")
    assert (
        "剩 2" in page_text(browser)
        or "2 个名额" in page_text(browser)
        or "2/2" in page_text(browser)
    )
    _shot(browser, "5-shift")
    checks(browser, "shift")
    submit(browser)
    wait_for_url(browser, "/volunteers/me/")
    page = page_text(browser)
    assert f"北门值守 {start:%H:%M}-{end:%H:%M}" in page and "北门 · 民岳家园一区" in page
    assert browser.find_element(By.PARTIAL_LINK_TEXT, "日历")
    _shot(browser, "5-my-page")
    checks(browser, "my page")

    # 6. At the gate, she scans the post's QR code: checked in, with the shift named.
    checkin = f"{live_server.url}/volunteers/checkin/{views.post_token(post)}/"
    browser.get(checkin)
    assert "北门值守" in page_text(browser)
    _shot(browser, "6-post")
    checks(browser, "post")
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='签到']"))
    page = page_text(browser)
    assert "已签到" in page
    checked_in = timezone.localtime(Attendance.objects.get().check_in_at)
    assert f"{checked_in:%H:%M}" in page
    _shot(browser, "6-checked-in")
    checks(browser, "checked in")
    # A second scan a minute later does not check her out unasked.
    browser.get(checkin)
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='签退']"))
    assert "确定现在签退" in page_text(browser)
    _shot(browser, "6-too-soon")
    checks(browser, "check out too soon")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "不，我还在岗"))
    assert Attendance.objects.get().check_out_at is None
    # At noon (the clock moved on five hours), again: checked out, with her hours.
    moved = timedelta(hours=5, minutes=2)
    Shift.objects.filter(pk=mine.pk).update(start=mine.start - moved, end=mine.end - moved)
    Attendance.objects.update(check_in_at=checked_in - moved)
    browser.get(checkin)
    click_and_wait(browser, browser.find_element(By.XPATH, "//button[normalize-space()='签退']"))
    page = page_text(browser)
    assert "已签退" in page and "5.0 小时" in page, page
    _shot(browser, "6-checked-out")
    # Her hours count once the coordinator confirms the shift (issue 14.3; a service call).
    from volunteers.services.hours import confirm_shift

    assert confirm_shift(Shift.objects.get(pk=mine.pk), coordinator) == 1

    # 7. Her certificate of service hours, and the page its QR code opens.
    browser.get(f"{live_server.url}/volunteers/me/")
    button = browser.find_element(By.XPATH, "//button[contains(., '下载证明')]")
    # What pressing it downloads, fetched by the page itself (her session, her form).
    download = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const form = arguments[0].form;
        fetch(form.action, {method: "POST", body: new FormData(form)})
          .then(r => r.arrayBuffer().then(b => done({
            type: r.headers.get("Content-Type"),
            disposition: r.headers.get("Content-Disposition"),
            start: String.fromCharCode(...new Uint8Array(b.slice(0, 5))),
          })));
        """,
        button,
    )
    assert download["type"] == "application/pdf" and download["start"] == "%PDF-"
    assert download["disposition"].startswith("attachment")
    certificate = Certificate.objects.get()
    assert certificate.hours == 5.0
    from django.test import RequestFactory

    verify = views.certificate_verify_url(RequestFactory().get("/"), certificate)
    browser.get(live_server.url + "/" + verify.split("/", 3)[3])
    assert (
        "真实有效" in page_text(browser) or "真实" in browser.find_element(By.TAG_NAME, "h1").text
    )
    assert "李*" in page_text(browser)
    _shot(browser, "7-verify")
    checks(browser, "certificate verification")
    assert csp_violations(browser) == []
    checks.assert_valid()
