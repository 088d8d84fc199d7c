"""Each test gets the worker's one Chromium as a new one is (tests/browser/conftest.py)."""

import pytest

from .conftest import PHONE_WIDTH

pytestmark = pytest.mark.django_db(transaction=True)


def test_nothing_of_an_earlier_test_is_left_in_the_browser(browser, live_server, request):
    from .conftest import _fresh

    browser.get(live_server.url + "/robots.txt")
    browser.add_cookie({"name": "left_behind", "value": "1", "path": "/"})
    browser.execute_script(
        "localStorage.setItem('left', '1'); sessionStorage.setItem('left', '1');"
        "console.error('an earlier test said this');"
    )
    browser.set_window_size(1200, 700)
    first_tab = browser.current_window_handle

    again = _fresh(request.getfixturevalue("_worker_chromium"), request)

    assert again is browser  # the same Chromium, not a new one
    assert again.current_window_handle != first_tab and len(again.window_handles) == 1
    assert again.get_log("browser") == []
    assert again.execute_script("return window.innerWidth") == PHONE_WIDTH
    again.get(live_server.url + "/robots.txt")
    assert again.get_cookies() == []
    assert again.execute_script(
        "return [localStorage.getItem('left'), sessionStorage.getItem('left')]"
    ) == [None, None]


def test_a_browser_that_went_away_is_replaced(browser, live_server, request):
    from .conftest import _fresh

    drivers = request.getfixturevalue("_worker_chromium")
    browser.quit()  # as if Chromium had crashed in an earlier test
    again = _fresh(drivers, request)
    assert again is not browser and drivers == [again]
    again.get(live_server.url + "/healthz")
    assert again.execute_script("return window.innerWidth") == PHONE_WIDTH
