"""A real browser (Debian's headless Chromium through Selenium) at a phone's width, against
pytest-django's live server: what the test client cannot see - JavaScript, and layout.

`make test` installs chromium and chromium-driver (Makefile SYSTEM_PACKAGES); run elsewhere
without them, these tests are skipped and say why."""

import shutil

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
PHONE_WIDTH = 375


def _chromium(javascript=True):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs chromium and chromium-driver (make test installs them)")
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--lang=zh-CN",
        # nothing of Google's: no first-run work, no component or sync downloads, no background
        # lookups (the test machines have no outside network; each attempt costs time)
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
    ):
        options.add_argument(argument)
    if not javascript:
        options.add_argument("--blink-settings=scriptEnabled=false")
    # The console log, read by csp_violations().
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    driver.set_window_size(PHONE_WIDTH, 900)
    return driver


def csp_violations(driver):
    """Console messages of the pages loaded since the last call that report something the
    Content-Security-Policy refused (an inline script without the nonce, an outside host...)."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Permissions-Policy" in entry["message"]
    ]


@pytest.fixture(scope="session")
def _worker_chromium():
    """One Chromium per test worker, started when a test first needs it: starting one costs
    about a second of CPU, and the suite's journeys used to start one each."""
    drivers = []
    yield drivers
    for driver in drivers:
        driver.quit()


@pytest.fixture
def browser(_worker_chromium, request):
    """The worker's Chromium as a new one is: no cookies, nothing stored or cached by any
    earlier test (a page it was shown must not come back from the cache), a new tab (its
    session storage empty), a phone's window, the console log emptied."""
    driver = _fresh(_worker_chromium, request)
    yield driver
    if getattr(driver, "_authenticator_id", None):  # a test's virtual security key
        driver.remove_virtual_authenticator()


def _fresh(drivers, request):
    from selenium.common.exceptions import WebDriverException
    from urllib3.exceptions import HTTPError

    gone = (WebDriverException, HTTPError, OSError)  # crashed, stuck, or its driver stopped
    if drivers:
        driver = drivers[0]
        try:
            old_tab = driver.current_window_handle
            driver.switch_to.new_window("tab")
            driver.switch_to.window(old_tab)
            driver.close()
            driver.switch_to.window(driver.window_handles[0])
        except gone:  # the browser went away or is stuck: start another
            try:
                driver.quit()
            except gone:
                pass
            drivers.clear()
    if not drivers:
        drivers.append(_chromium())
    driver = drivers[0]
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    if "live_server" in request.fixturenames:
        origin = request.getfixturevalue("live_server").url
        driver.execute_cdp_cmd(
            "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
        )
    driver.set_window_size(PHONE_WIDTH, 900)
    driver.get_log("browser")
    return driver


@pytest.fixture
def browser_without_js():
    driver = _chromium(javascript=False)
    yield driver
    driver.quit()


@pytest.fixture
def sign_in(live_server, client):
    """sign_in(driver, user): the browser carries a session of `user` (made by the test
    client)."""

    def sign_in(driver, user):
        client.force_login(user)
        driver.get(live_server.url + "/robots.txt")  # any URL of the site, to set its cookie
        driver.add_cookie(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "path": "/",
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            }
        )

    return sign_in
