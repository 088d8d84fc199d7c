"""Journey 5 on a 375 px phone: an editor publishes a notice and a lesson, and residents find
them (issue 12).

The community editor logs in to the Wagtail admin (password and authenticator code), writes
the notice in the page editor (title, urgent, valid from, her community, summary, a paragraph
typed into the rich-text box) and submits it for approval; the subdistrict editor logs in,
reads it and approves it from her dashboard. Residents then find it on the community's page,
the home page, the notices list and the feed; and a resident taps the community page's
"向本社区求助" and finds the help form set to that community. The editor's menus and block chooser are tapped
by their click events where headless Chromium reports them under the admin's bars (steps.tap);
no field is filled by JavaScript. Each step is saved as a screenshot (steps.SCREENSHOTS)."""

import datetime

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from content import demo as content_demo
from content import services
from content.models import NoticePage
from portal import demo, roles
from tests.factories import (
    add_course,
    add_lesson,
    add_story,
    add_totp,
    make_user,
    paragraph,
    question,
)

from .conftest import PHONE_WIDTH
from .steps import (
    PageChecks,
    assert_fits,
    click_and_wait,
    log_in_to_admin,
    page_text,
    screenshot,
    tap,
    type_and_send,
    waiter,
)

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "民岳家园南门每晚22:00关闭"
SUMMARY = "自明日22:00起，南门每晚关闭，夜间请走北门。"
BODY = "南门每晚22:00关闭，次日6:00开启；夜间出入请走北门，出示出入证。"
EDITOR_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - a test authenticator's
APPROVER_SECRET = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"  # noqa: S105


def shot(browser, name):
    screenshot(browser, f"journey5-{name}")


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


def write_notice(browser, live_server, site, community, checks):
    """Step 1, as the community editor does it on her phone: she logs in (password, then her
    authenticator's code), adds a notice under her community's section in the page editor,
    fills in its fields and submits it for approval."""
    editor = make_user(roles.EDITOR, [community], username="minyue_editor")
    services.sync_community_editors(community)
    services.setup_editorial()
    log_in_to_admin(browser, live_server.url, editor, add_totp(editor, EDITOR_SECRET))
    section = site["section"]
    browser.get(f"{live_server.url}/admin/pages/{section.pk}/")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, f"a[href='/admin/pages/{section.pk}/add_subpage/']"))  # fmt: skip
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "a[href*='/add/content/noticepage/']"))  # fmt: skip
    assert "新建: 通知" in page_text(browser)

    start, wording = tomorrow_at_22()
    browser.find_element(By.NAME, "title").send_keys(TITLE)
    tap(browser, browser.find_element(By.NAME, "urgent"))
    valid_from = browser.find_element(By.NAME, "valid_from")
    tap(browser, valid_from)  # the date-and-time picker opens, all of it on the screen
    picker = waiter(browser, 10).until(
        lambda b: next(
            (
                p
                for p in b.find_elements(By.CSS_SELECTOR, ".xdsoft_datetimepicker")
                if p.is_displayed()
            ),
            None,
        )
    )
    waiter(browser, 5).until(lambda _b: picker.rect["x"] >= 0)
    assert picker.rect["x"] + picker.rect["width"] <= PHONE_WIDTH, picker.rect
    valid_from.send_keys(timezone.localtime(start).strftime("%Y-%m-%d %H:%M"), Keys.ENTER)
    Select(browser.find_element(By.NAME, "target_communities")).select_by_visible_text(community.name)  # fmt: skip
    browser.find_element(By.NAME, "summary").send_keys(SUMMARY)
    # The body (a StreamField): "+", the paragraph block, then typing into its rich-text box.
    tap(browser, browser.find_element(By.CSS_SELECTOR, "button.c-sf-add-button"))
    tap(browser, browser.find_element(By.XPATH, "//*[@role='option'][.//*[text()='段落']]"))
    box = waiter(browser, 10).until(
        lambda b: b.find_element(By.CSS_SELECTOR, ".Draftail-Editor [contenteditable=true]")
    )
    tap(browser, box)
    box.send_keys(BODY)
    shot(browser, "0a-editor")
    checks(browser, "page editor", markup=False)

    # Submit for approval: the footer's menu, beside "save draft".
    tap(browser, browser.find_element(By.CSS_SELECTOR, "footer .w-dropdown__toggle"))
    click_and_wait(browser, browser.find_element(By.NAME, "action-submit"))
    assert "已经提交进行审核" in page_text(browser)
    shot(browser, "0b-submitted")
    notice = NoticePage.objects.get(title=TITLE)
    assert not notice.live  # waiting for approval
    assert notice.urgent and notice.valid_from == start
    assert list(notice.target_communities.all()) == [community]
    assert BODY in str(notice.get_latest_revision_as_object().body)
    return notice, wording


def approve_notice(browser, live_server, notice, checks):
    """Step 2: the subdistrict editor logs in, finds the notice awaiting her review on the
    dashboard, reads it in the editor, and approves it from the dashboard's row."""
    approver = make_user(roles.EDITOR, username="subdistrict_editor")
    services.setup_editorial()  # she joins the subdistrict editors, who approve
    log_in_to_admin(browser, live_server.url, approver, add_totp(approver, APPROVER_SECRET))
    row = browser.find_element(By.CSS_SELECTOR, "#awaiting-review-section tbody tr")
    assert TITLE in row.text and "minyue_editor" in row.text
    shot(browser, "0c-to-review")
    checks(browser, "dashboard, to review", markup=False)
    click_and_wait(browser, row.find_element(By.LINK_TEXT, TITLE))
    assert browser.find_element(By.NAME, "title").get_attribute("value") == TITLE
    assert BODY in page_text(browser)
    browser.back()
    row = browser.find_element(By.CSS_SELECTOR, "#awaiting-review-section tbody tr")
    tap(browser, row.find_element(By.CSS_SELECTOR, ".w-dropdown__toggle"))
    click_and_wait(browser, row.find_element(By.XPATH, ".//button[text()='批准']"))
    notice.refresh_from_db()
    assert notice.live
    assert not browser.find_elements(By.CSS_SELECTOR, "#awaiting-review-section tbody tr")
    browser.delete_all_cookies()  # what follows is what residents see


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
    browser, live_server, sign_in, site, community
):
    assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH
    checks = PageChecks()
    notice, wording = write_notice(browser, live_server, site, community, checks)
    approve_notice(browser, live_server, notice, checks)
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

    # The notices list: urgent, first.
    browser.get(live_server.url + site["notices"].url)
    first = browser.find_element(By.CSS_SELECTOR, ".items .item")
    assert TITLE in first.text and "紧急" in first.text and wording in first.text
    assert "暂无通知" not in page_text(browser)  # not said under the urgent notice
    assert_fits(browser)
    shot(browser, "2b-notices")
    checks(browser, "notices list")
    browser.get(live_server.url + "/")
    latest = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=notices-title]")
    first = latest.find_element(By.CSS_SELECTOR, ".item")

    # The notice itself: announced, not struck through as expired.
    click_and_wait(browser, first.find_element(By.TAG_NAME, "a"))
    validity = browser.find_element(By.CSS_SELECTOR, ".validity")
    assert validity.text == wording
    assert "line-through" not in validity.value_of_css_property("text-decoration")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "已失效" not in main and f"面向：{community.name}" in main and BODY in main
    shot(browser, "3-notice")
    checks(browser, "notice")

    # The feed.
    browser.get(live_server.url + "/feeds/notices.rss")
    assert f"【紧急】{TITLE}" in browser.page_source

    # A resident searches 消毒 from the home page: the lesson first, the word marked.
    browser.get(live_server.url + "/")
    type_and_send(browser, browser.find_element(By.ID, "home-q"), "消毒")
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

    # A resident on her community's page asks it for help: the form has the community chosen.
    sign_in(browser, make_user(username="resident", phone="13911112222"))
    browser.get(live_server.url + site["section"].url)
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "向本社区求助"))
    chosen = browser.find_element(By.CSS_SELECTOR, "select[name=community] option:checked")
    assert chosen.text == community.name
    assert_fits(browser)
    shot(browser, "7-help-form")
    checks(browser, "help form")
    checks.assert_valid()
