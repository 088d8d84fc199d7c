"""Steps the journey tests share: what the page says, whether it fits a phone, a tap that
sends a form."""

from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait


def page_text(browser):
    return browser.find_element(By.TAG_NAME, "body").text


def assert_fits(browser):
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, browser.current_url


def click_and_wait(browser, element):
    """Tap a button that sends a form, then wait for the next page before the test looks at
    the database."""
    # in the middle of the screen, clear of the admin's sticky bars
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        element.click()
    except ElementClickInterceptedException:
        # headless Chromium reports the admin's last button below its 900 px window at 375 px;
        # a person taps it (the screenshots show it on screen)
        browser.execute_script("arguments[0].click()", element)
    WebDriverWait(browser, 20).until(staleness_of(element))
