"""Steps the journey tests share: what the page says, whether it fits a phone, a tap that
sends a form or follows a link, and the quality gates on each kind of page a journey visits."""

import os
import tempfile
from pathlib import Path

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from .quality import assert_accessible, assert_valid_html


def page_text(browser):
    return browser.find_element(By.TAG_NAME, "body").text


def assert_fits(browser):
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, browser.current_url


def _gone(element):
    """Whether the page `element` belonged to has been replaced. Chromium reports a node of a
    page being unloaded either as stale or, in a short window, as "does not belong to the
    document" (a plain WebDriverException): both mean the next page is on its way."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise
    return False


# Selenium asks every half second by default: each page change a journey waits for cost up to
# that long doing nothing (a journey waits for dozens).
POLL_SECONDS = 0.05


def waiter(browser, seconds):
    """Selenium's WebDriverWait, asking every POLL_SECONDS."""
    return WebDriverWait(browser, seconds, poll_frequency=POLL_SECONDS)


def tap(browser, element):
    """Tap something that changes the page in place (a menu, a block chooser's option): in
    the middle of the screen, and, where headless Chromium reports it under the admin's bars or
    below its window at 375 px (see click_and_wait), by its click event."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        element.click()
    except ElementClickInterceptedException:
        browser.execute_script("arguments[0].click()", element)


def click_and_wait(browser, element):
    """Tap a button or link that loads another page, then wait for that page (loaded) before
    the test looks at the database or the screen."""
    page = browser.find_element(By.TAG_NAME, "html")
    # in the middle of the screen, clear of the admin's sticky bars
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        element.click()
    except ElementClickInterceptedException:
        # headless Chromium reports the admin's last button below its 900 px window at 375 px;
        # a person taps it (the screenshots show it on screen)
        browser.execute_script("arguments[0].click()", element)
    _wait_for_the_next_page(browser, page)


def type_and_send(browser, field, text):
    """Type `text` into a field and press Enter, as a person sends a search box or a one-field
    form from the phone's keyboard, then wait for the page that answers (the answer is not on
    the screen the instant the key is pressed)."""
    page = browser.find_element(By.TAG_NAME, "html")
    field.clear()
    field.send_keys(text, Keys.ENTER)
    _wait_for_the_next_page(browser, page)


def _wait_for_the_next_page(browser, page):
    """Wait until the page whose <html> is `page` has been replaced and the next one has loaded,
    with its back-office messages shown."""
    waiter(browser, 20).until(lambda _browser: _gone(page))
    waiter(browser, 20).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )
    # The back office's messages fade in: let them be shown before the test reads the screen.
    try:
        waiter(browser, 5).until(
            lambda b: all(
                m.is_displayed() for m in b.find_elements(By.CSS_SELECTOR, ".messages li")
            )
        )
    except TimeoutException:
        pass


def submit(browser, form_css="main form", element=None):
    """Send a form by its submit button: the first of `form_css`, or that of `element`'s form."""
    if element is not None:
        form = element.find_element(By.XPATH, "./ancestor::form[1]")
        button = form.find_element(By.CSS_SELECTOR, "[type=submit]")
    else:
        button = browser.find_element(By.CSS_SELECTOR, f"{form_css} [type=submit]")
    click_and_wait(browser, button)


def wait_for_url(browser, fragment):
    waiter(browser, 20).until(lambda b: fragment in b.current_url)


def page_html(browser):
    """The page as the browser holds it, as a document the Nu checker reads."""
    return "<!DOCTYPE html>\n" + browser.execute_script("return document.documentElement.outerHTML")


class PageChecks:
    """The quality gates on every kind of page a journey visits: axe-core at once, on the page
    as shown; the Nu HTML checker on all of them in one run at the end (`assert_valid`)."""

    def __init__(self):
        self.pages = {}
        self.axe_only = set()

    def __call__(self, browser, kind, *, markup=True):
        """`markup=False` for Wagtail's own screens (the page editor, the moderation panel),
        whose markup is Wagtail's (see quality.VNU_IGNORED_WAGTAIL): axe-core only."""
        if kind in self.pages or kind in self.axe_only:
            return
        assert_accessible(browser)
        if markup:
            self.pages[kind] = page_html(browser)
        else:
            self.axe_only.add(kind)

    def assert_valid(self):
        assert self.pages, "the journey checked no page"
        assert_valid_html(self.pages)


# Where the journeys leave what a person looks at: each step's screenshot (journeyN-step.png),
# and the PDFs and spreadsheets they download or upload. `SCREENSHOTS=<folder> make test`.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS") or Path(tempfile.gettempdir()) / "journeys")


def screenshot(browser, name, *, whole_page=False):
    """Save what the phone shows as SCREENSHOTS/name.png (for a person to look at); with
    `whole_page`, the window is made as tall as the page first."""
    folder = SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    if whole_page:
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(
            browser.execute_script("return window.innerWidth"), max(900, min(height, 4000))
        )
    browser.save_screenshot(str(folder / f"{name}.png"))


def log_in_to_admin(browser, base_url, user, secret, password="pass-1234-word"):  # noqa: S107
    """Staff log in as a person does: the log-in page's password form (mobile number and
    password), then the authenticator app's code (`secret` is the app's, tests.factories.add_totp),
    landing on the Wagtail admin's dashboard."""
    from tests.factories import totp_code

    browser.delete_all_cookies()
    browser.get(base_url + "/accounts/login/?next=/admin/")
    browser.find_element(By.CSS_SELECTOR, "details.password-login summary").click()
    browser.find_element(By.NAME, "login").send_keys(user.phone)
    browser.find_element(By.NAME, "password").send_keys(password)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "details.password-login button"))
    assert "/accounts/2fa/authenticate/" in browser.current_url, page_text(browser)
    browser.find_element(By.NAME, "code").send_keys(totp_code(secret))
    submit(browser, element=browser.find_element(By.NAME, "code"))
    assert browser.current_url == base_url + "/admin/", page_text(browser)
