"""The staff's second factor in a real browser on a 375 px phone: sent from the admin to set up
an authenticator app, the QR page, the recovery codes, then the code asked at the next log-in;
and a security key (WebAuthn). Every page fits the screen."""

import pytest
from allauth.mfa.models import Authenticator
from selenium.webdriver.common.by import By
from selenium.webdriver.common.virtual_authenticator import (
    Protocol,
    Transport,
    VirtualAuthenticatorOptions,
)

from tests.browser.steps import type_and_send, waiter
from tests.factories import totp_code

from .conftest import PHONE_WIDTH

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-1234-word"  # UserFactory's


def _fits(browser):
    assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    assert overflow <= 0, browser.current_url


def _submit(browser, name, value):
    type_and_send(browser, browser.find_element(By.NAME, name), value)


@pytest.mark.mfa_enforced
def test_staff_set_up_an_app_on_a_phone_then_give_its_code_at_log_in(
    browser, live_server, sign_in, coordinator
):
    sign_in(browser, coordinator)  # logged in, no second factor given yet
    browser.get(live_server.url + "/admin/")
    # allauth first asks for the password again before an authenticator is added
    assert "/reauthenticate/" in browser.current_url
    assert "工作人员账号须启用双重验证" in browser.page_source
    _fits(browser)
    _submit(browser, "password", PASSWORD)

    assert "/accounts/2fa/totp/activate/" in browser.current_url
    _fits(browser)
    qr = browser.find_element(By.CSS_SELECTOR, "img.qr")
    assert 0 < qr.size["width"] <= PHONE_WIDTH
    assert browser.execute_script("return arguments[0].naturalWidth", qr) > 0  # it is drawn
    code = browser.find_element(By.NAME, "code")
    assert code.get_attribute("inputmode") == "numeric"
    secret = browser.find_element(By.ID, "authenticator_secret").get_attribute("value")
    _submit(browser, "code", totp_code(secret))

    assert "/accounts/2fa/recovery-codes/" in browser.current_url
    _fits(browser)
    codes = browser.find_element(By.ID, "recovery_codes").get_attribute("value").split()
    assert len(codes) == 10
    assert len(browser.find_elements(By.LINK_TEXT, "进入后台")) == 1
    browser.find_element(By.LINK_TEXT, "进入后台").click()
    assert browser.current_url == live_server.url + "/admin/"
    _fits(browser)

    # The next log-in asks for the app's code before it completes.
    browser.delete_all_cookies()
    browser.get(live_server.url + "/accounts/login/?next=/admin/")
    browser.find_element(By.CSS_SELECTOR, "details.password-login summary").click()
    browser.find_element(By.NAME, "login").send_keys(coordinator.phone)
    _submit(browser, "password", PASSWORD)
    assert "/accounts/2fa/authenticate/" in browser.current_url
    _fits(browser)
    _submit(browser, "code", totp_code(secret, step=1))
    assert browser.current_url == live_server.url + "/admin/"


@pytest.mark.mfa_enforced
def test_staff_add_a_security_key_at_the_door_and_log_in_with_it(
    browser, live_server, sign_in, coordinator, settings
):
    """WebAuthn, with Chromium's virtual authenticator (DevTools) standing in for the key or
    the phone's fingerprint unlock."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks http
    options = VirtualAuthenticatorOptions(
        protocol=Protocol.CTAP2,
        transport=Transport.USB,
        has_resident_key=False,
        has_user_verification=True,
        is_user_consenting=True,
        is_user_verified=True,
    )
    browser.add_virtual_authenticator(options)
    sign_in(browser, coordinator)  # logged in, no second factor given yet
    browser.get(live_server.url + "/admin/")
    _submit(browser, "password", PASSWORD)  # allauth's re-authentication
    assert "/accounts/2fa/totp/activate/" in browser.current_url
    browser.find_element(By.PARTIAL_LINK_TEXT, "安全密钥").click()
    assert "/accounts/2fa/webauthn/add/" in browser.current_url
    _fits(browser)
    assert "密钥名称" in browser.page_source
    browser.find_element(By.ID, "mfa_webauthn_add").click()
    waiter(browser, 10).until(lambda b: "/webauthn/add/" not in b.current_url)
    assert Authenticator.objects.filter(user=coordinator, type="webauthn").exists()
    browser.find_element(By.LINK_TEXT, "进入后台").click()
    assert browser.current_url == live_server.url + "/admin/"
    browser.delete_all_cookies()
    browser.get(live_server.url + "/accounts/login/?next=/admin/")
    browser.find_element(By.CSS_SELECTOR, "details.password-login summary").click()
    browser.find_element(By.NAME, "login").send_keys(coordinator.phone)
    type_and_send(browser, browser.find_element(By.NAME, "password"), PASSWORD)
    assert "/accounts/2fa/authenticate/" in browser.current_url
    _fits(browser)
    browser.find_element(By.ID, "mfa_webauthn_authenticate").click()
    waiter(browser, 10).until(lambda b: "/authenticate/" not in b.current_url)
    assert browser.current_url == live_server.url + "/admin/"
