"""Journeys' pages on a 375 px phone in a real browser: nothing wider than the screen, and the
help form's item rows added and removed by its script."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from assistance.models import HelpRequest
from donations.models import Item
from tests.browser.steps import waiter
from tests.factories import make_user

from .conftest import PHONE_WIDTH, csp_violations

pytestmark = pytest.mark.django_db(transaction=True)


def _width_overflow(browser):
    """How far the page sticks out beyond the screen, in CSS pixels (0 when it fits)."""
    return browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")


def test_public_pages_fit_a_phone_screen(browser, live_server, community, compound):
    from portal.models import Community
    from volunteers.models import Task

    Task.objects.create(community=community, compound=compound, title="北门值守")
    assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH
    slug = Community.objects.get(pk=community.pk).slug
    for path in (
        f"/volunteers/join/{slug}/",
        "/donations/",
        "/donations/board/",
        "/accounts/login/",
        "/en/volunteers/join/" + slug + "/",
    ):
        browser.get(live_server.url + path)
        assert browser.find_element(By.TAG_NAME, "h1").text, path
        assert _width_overflow(browser) <= 0, path
        assert csp_violations(browser) == [], path


def test_help_form_rows_are_added_and_removed_in_the_page(
    browser, live_server, sign_in, community, compound
):
    milk = Item.objects.create(name="婴儿奶粉", category=Item.Category.FOOD, unit="罐")
    bread = Item.objects.create(name="面包", category=Item.Category.FOOD, unit="袋")
    resident = make_user(username="resident", phone="13911112222")
    sign_in(browser, resident)
    browser.get(live_server.url + "/assistance/help/")
    assert _width_overflow(browser) <= 0

    def rows():
        return browser.find_elements(By.CSS_SELECTOR, "[data-rows] [data-item-row]")

    def total():
        return browser.find_element(By.NAME, "items-TOTAL_FORMS").get_attribute("value")

    assert len(rows()) == 1 and total() == "1"
    add = browser.find_element(By.CSS_SELECTOR, "[data-add-row]")
    add.click()
    add.click()
    assert len(rows()) == 3 and total() == "3"
    # focus went to the new row, and the change was announced
    assert browser.switch_to.active_element.get_attribute("name") == "items-2-item"
    status = browser.find_element(By.CSS_SELECTOR, "[data-row-status]")
    waiter(browser, 5).until(lambda _b: "3" in status.text)
    # take out the middle row: the last one is numbered 1 again
    rows()[1].find_element(By.CSS_SELECTOR, "[data-remove-row]").click()
    assert len(rows()) == 2 and total() == "2"
    names = [
        el.get_attribute("name")
        for el in browser.find_elements(By.CSS_SELECTOR, "[data-rows] select")
    ]
    assert names == ["items-0-item", "items-1-item"]

    Select(browser.find_element(By.NAME, "community")).select_by_value(str(community.pk))
    Select(browser.find_element(By.NAME, "compound")).select_by_value(str(compound.pk))
    browser.find_element(By.NAME, "building").send_keys("3-2-501")
    Select(browser.find_element(By.NAME, "items-0-item")).select_by_value(str(milk.pk))
    browser.find_element(By.NAME, "items-0-quantity").send_keys("2")
    Select(browser.find_element(By.NAME, "items-1-item")).select_by_value(str(bread.pk))
    browser.find_element(By.NAME, "items-1-quantity").send_keys("1")
    browser.find_element(By.CSS_SELECTOR, "[data-send]").click()
    waiter(browser, 10).until(lambda b: "/assistance/help/mine/" in b.current_url)

    assert csp_violations(browser) == []  # the form's scripts ran under the policy

    help_request = HelpRequest.objects.get()
    assert help_request.requester == resident and help_request.building == "3-2-501"
    assert sorted((line.item.name, line.quantity) for line in help_request.lines.all()) == [
        ("婴儿奶粉", 2),
        ("面包", 1),
    ]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_enter_in_a_field_sends_the_help_form(
    request, live_server, sign_in, community, compound, javascript
):
    """Enter sends the request - it does not press "+ add another item", the first visible
    submit button - with JavaScript or without."""
    from selenium.webdriver.common.keys import Keys

    browser = request.getfixturevalue("browser" if javascript else "browser_without_js")
    sign_in(browser, make_user(username="resident", phone="13911112222"))
    browser.get(live_server.url + "/assistance/help/")
    Select(browser.find_element(By.NAME, "community")).select_by_value(str(community.pk))
    Select(browser.find_element(By.NAME, "compound")).select_by_value(str(compound.pk))
    browser.find_element(By.NAME, "building").send_keys("5-1-302")
    browser.find_element(By.NAME, "need").send_keys("降压药一盒")
    browser.find_element(By.NAME, "contact_name").send_keys("李阿姨" + Keys.ENTER)
    waiter(browser, 10).until(lambda b: "/assistance/help/mine/" in b.current_url)
    assert HelpRequest.objects.get().building == "5-1-302"
    if javascript:
        assert csp_violations(browser) == []


def test_signed_in_pages_and_the_wagtail_admin_run_under_their_policies(
    browser, live_server, sign_in, community, compound
):
    """The volunteer's pages with inline scripts (nonces) and the Wagtail admin's editor,
    listings and chooser pages (its own policy) load without a refused script or style."""
    from wagtail.models import Locale, Page

    from portal import demo, roles
    from tests.factories import VolunteerProfileFactory

    if not Page.objects.exists():  # a transactional test starts without Wagtail's root page
        Locale.objects.get_or_create(language_code="zh-hans")
        Page.add_root(instance=Page(title="Root", slug="root"))
    home = demo.load_site()
    volunteer = make_user(roles.VOLUNTEER, username="csp-volunteer", phone="13911113333")
    VolunteerProfileFactory(user=volunteer, community=community, compound=compound)
    sign_in(browser, volunteer)
    for path in ("/volunteers/profile/", "/volunteers/me/", "/me/"):
        browser.get(live_server.url + path)
        assert browser.find_element(By.TAG_NAME, "h1").text, path
        assert csp_violations(browser) == [], path
    # ... while a script injected into the page (as an XSS would) does not run.
    injected = browser.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        "document.body.appendChild(s); return window.injected;"
    )
    assert injected is None
    assert len(csp_violations(browser)) == 1

    sign_in(browser, make_user(username="csp-admin", is_superuser=True, is_staff=True))
    for path in (
        "/admin/",
        f"/admin/pages/{home.pk}/edit/",
        f"/admin/pages/{home.pk}/",
        "/admin/images/",
        "/admin/places/compounds/",
        "/admin/places/compounds/add/",
    ):
        browser.get(live_server.url + path)
        waiter(browser, 10).until(
            lambda b: b.execute_script("return document.readyState") == "complete"
        )
        assert browser.current_url == live_server.url + path
        assert browser.execute_script("return typeof window.wagtail") == "object", path
        assert csp_violations(browser) == [], path
