"""Journey 5 on a 375 px phone: an editor publishes a notice and a lesson, and residents find
them (issue 12).

The two Wagtail admin steps (the community editor writes the notice and submits it, the
subdistrict editor approves it) go through the admin's own views with the test client: the
same forms and moderation workflow, without driving Wagtail's JavaScript menus at phone width.
Everything residents see is checked in the browser, and each step is saved as a screenshot
(in $SCREENSHOTS, by default <tmp>/notices/shots)."""

import datetime
import os
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from content import demo as content_demo
from content import services
from content.models import NoticePage
from portal import demo, roles
from tests.factories import add_course, add_lesson, add_story, make_user, paragraph, question

from .conftest import PHONE_WIDTH
from .steps import PageChecks, assert_fits, click_and_wait, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SCREENSHOTS") or Path(tempfile.gettempdir()) / "notices" / "shots")
TITLE = "民岳家园南门每晚22:00关闭"


def shot(browser, name):
    screenshot(browser, SHOTS, f"journey5-{name}")


def tomorrow_at_22():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    moment = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(22, 0)))
    year = "" if tomorrow.year == timezone.localdate().year else f"{tomorrow.year}年"
    return moment, f"自 {year}{tomorrow.month}月{tomorrow.day}日 22:00 起"


@pytest.fixture
def site(community, other_community):
    home = demo.load_site()
    notices, courses, stories = content_demo.load_indexes(home)
    services.setup_editorial(home)
    section = services.setup_community_section(community, home)
    services.setup_community_section(other_community, home)
    return {
        "home": home,
        "notices": notices,
        "courses": courses,
        "stories": stories,
        "section": section,
    }


def write_and_approve_notice(client, site, community):
    """Steps 1-2 in the Wagtail admin (test client): written, submitted, approved."""
    editor = make_user(roles.EDITOR, [community], username="minyue_editor")
    approver = make_user(roles.EDITOR, username="subdistrict_editor")
    services.sync_community_editors(community)
    services.setup_editorial()
    start, wording = tomorrow_at_22()
    client.force_login(editor)
    form = nested_form_data(
        {
            "title": TITLE,
            "slug": "south-gate",
            "date": timezone.localdate().isoformat(),
            "urgent": "on",
            "valid_from": timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
            "target_communities": [community.pk],
            "summary": "自明日22:00起，南门每晚关闭，夜间请走北门。",
            "body": streamfield([]),
            "attachments": inline_formset([]),
            "comments": inline_formset([]),
            "action-submit": "1",
        }
    )
    add = reverse("wagtailadmin_pages:add", args=("content", "noticepage", site["section"].pk))
    response = client.post(add, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    notice = NoticePage.objects.get(slug="south-gate")
    assert not notice.live  # waiting for approval
    assert notice.valid_from == start
    client.force_login(approver)
    task = notice.current_workflow_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(notice.pk, "approve", task.pk)),
        {"comment": ""},
    )
    assert response.status_code in (200, 302)
    notice.refresh_from_db()
    assert notice.live
    return notice, wording


def publish_lesson_and_others(site):
    """Step 3: the disinfection lesson with a quiz; and newer pages that mention 消毒 only in
    passing, which search must rank below it."""
    course = add_course(site["courses"], title="社区消杀", summary="志愿者上岗前必学。")
    lesson = add_lesson(
        course,
        title="84消毒液的配比",
        body=[paragraph("按1:100稀释：10毫升84消毒液加990毫升清水；电梯按钮、门把手每天两次。")],
        quiz=[question("一般表面按什么比例稀释？", ["1:10", "1:100"], {1})],
    )
    add_story(
        site["stories"],
        title="一袋口罩，没有留下名字",
        body=[paragraph("小伙放下口罩就走了，社区工作人员随后给门把手消毒。")],
    )
    return lesson


def test_an_editor_publishes_a_notice_and_a_lesson_and_residents_find_them(
    browser, live_server, client, site, community
):
    assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH
    checks = PageChecks()
    notice, wording = write_and_approve_notice(client, site, community)
    lesson = publish_lesson_and_others(site)

    # The community's page: the urgent notice, with when it starts.
    browser.get(live_server.url + site["section"].url)
    item = browser.find_element(By.CSS_SELECTOR, ".items .item.urgent")
    assert TITLE in item.text and "紧急" in item.text
    assert item.find_element(By.CSS_SELECTOR, ".validity").text == wording
    assert_fits(browser)
    shot(browser, "1-community-page")
    checks(browser, "community section")

    # The home page, among the latest notices.
    browser.get(live_server.url + "/")
    latest = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=notices-title]")
    first = latest.find_element(By.CSS_SELECTOR, ".item")
    assert TITLE in first.text and wording in first.text
    assert_fits(browser)
    browser.execute_script("arguments[0].scrollIntoView()", latest)
    shot(browser, "2-home")
    checks(browser, "home")

    # The notice itself: announced, not struck through as expired.
    click_and_wait(browser, first.find_element(By.TAG_NAME, "a"))
    validity = browser.find_element(By.CSS_SELECTOR, ".validity")
    assert validity.text == wording
    assert "line-through" not in validity.value_of_css_property("text-decoration")
    assert "已失效" not in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "3-notice")
    checks(browser, "notice")

    # The feed.
    browser.get(live_server.url + "/feeds/notices.rss")
    assert f"【紧急】{TITLE}" in browser.page_source

    # A resident searches 消毒 from the home page: the lesson first, the word marked.
    browser.get(live_server.url + "/")
    box = browser.find_element(By.ID, "home-q")
    box.send_keys("消毒", Keys.ENTER)
    results = browser.find_elements(By.CSS_SELECTOR, "ol.results > li")
    assert len(results) == 2
    top = results[0].find_element(By.TAG_NAME, "a")
    assert top.text == lesson.title
    assert top.find_element(By.TAG_NAME, "mark").text == "消毒"
    assert_fits(browser)
    shot(browser, "4-search")
    checks(browser, "search results")
    click_and_wait(browser, top)
    assert browser.find_element(By.TAG_NAME, "h1").text == lesson.title
    checks(browser, "lesson")

    # A pasted essay as a query neither widens the page nor is echoed whole.
    browser.get(live_server.url + "/search/?q=" + "消毒" + "x" * 3000)
    assert_fits(browser)
    assert "x" * 60 not in browser.page_source
    shot(browser, "5-long-query")

    # The same site in English: the frame is English, the notice as written.
    browser.get(live_server.url + "/en/")
    nav = browser.find_element(By.CSS_SELECTOR, "nav.main-nav").text
    assert "Notices" in nav and "通知公告" not in nav
    assert TITLE in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "6-english-home")
    checks(browser, "home in English")
    checks.assert_valid()
