"""Accounts through the real allauth pages: sign-up and log-in by SMS code, sign-up by email
with mandatory verification, rate limits, the site's own templates in both languages, and who
may reach the Wagtail admin."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, override_settings

from portal import roles, sms
from portal.models import User
from tests.factories import UserFactory, add_totp, make_user, totp_code

PASSWORD = "pass-1234-word"  # UserFactory's


def last_code(text):
    match = re.search(r"(?<!\d)(\d{6})(?!\d)", text)
    assert match, f"no code in {text!r}"
    return match.group(1)


def sms_code():
    assert sms.outbox, "no SMS was sent"
    return last_code(sms.outbox[-1].text)


def logged_in_user(client):
    from django.contrib.auth import get_user

    user = get_user(client)
    return user if user.is_authenticated else None


# --- Sign-up and log-in by mobile number ---------------------------------------------------


@pytest.mark.django_db
def test_sign_up_by_phone_with_sms_code_and_no_password(client):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "注册" in html and 'name="phone"' in html
    assert 'name="password1"' not in html and 'name="email"' not in html

    response = client.post("/accounts/signup/", {"phone": "+86 138 0013 8000"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/phone/verify/"
    assert logged_in_user(client) is None
    assert len(sms.outbox) == 1
    assert sms.outbox[0].phone == "13800138000"
    assert sms.outbox[0].text.startswith("【卢沟桥街道】")
    assert "验证码" in sms.outbox[0].text

    page = client.get("/accounts/phone/verify/")
    assert page.status_code == 200
    assert 'inputmode="numeric"' in page.content.decode()

    code = sms_code()
    response = client.post(
        "/accounts/phone/verify/", {"code": "111111" if code == "000000" else "000000"}
    )
    assert response.status_code == 200
    assert "验证码" in response.content.decode()
    assert logged_in_user(client) is None

    response = client.post("/accounts/phone/verify/", {"code": code})
    assert response.status_code == 302
    user = logged_in_user(client)
    assert user is not None
    assert user.phone == "13800138000"
    assert user.phone_verified
    assert not user.has_usable_password()
    assert user.language == "zh-hans"
    assert client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_log_in_by_phone_code(client):
    user = UserFactory(phone="13912345678", password=None)
    page = client.get("/accounts/login/")
    assert page.status_code == 200

    response = client.post("/accounts/login/", {"login": "139 1234 5678"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/confirm/")
    assert [m.phone for m in sms.outbox] == ["13912345678"]

    response = client.post("/accounts/login/code/confirm/", {"code": sms_code()})
    assert response.status_code == 302
    assert logged_in_user(client) == user


@pytest.mark.django_db
def test_log_in_with_an_unknown_number_says_so_and_offers_sign_up_keeping_next(client):
    response = client.post("/accounts/login/", {"login": "137 0000 0000", "next": "/me/"})
    # Said on the page, beside the field; no code "sent", no SMS paid for.
    assert response.status_code == 200
    html = response.content.decode()
    assert "这个手机号还没有账户" in html
    assert 'href="/accounts/signup/?next=%2Fme%2F"' in html
    assert not sms.outbox
    assert not User.objects.filter(phone="13700000000").exists()

    # She follows the offer: sign-up by the same number ends where she was going.
    page = client.get("/accounts/signup/?next=%2Fme%2F")
    assert 'value="/me/"' in page.content.decode()
    client.post("/accounts/signup/", {"phone": "13700000000", "next": "/me/"})
    response = client.post("/accounts/phone/verify/", {"code": sms_code()})
    assert response["Location"] == "/me/"
    assert logged_in_user(client).phone == "13700000000"


@pytest.mark.django_db
def test_code_request_page_with_an_unknown_number_says_so(client):
    response = client.post("/accounts/login/code/?next=/me/", {"phone": "13700000000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "这个手机号还没有账户" in html and "/accounts/signup/?next=%2Fme%2F" in html
    assert not sms.outbox


@pytest.mark.django_db
def test_unknown_numbers_still_count_against_the_code_request_limit(client):
    # Probing numbers one after another is held by allauth's request_login_code limit per
    # number and per address, like asking codes for a real account.
    for _ in range(3):
        client.post("/accounts/login/", {"login": "13700000000"})
    response = client.post("/accounts/login/", {"login": "13700000000"})
    assert "这个手机号还没有账户" not in response.content.decode()
    assert not sms.outbox


@pytest.mark.django_db
def test_cancelling_the_code_page_goes_back_to_log_in_keeping_next(client):
    UserFactory(phone="13912345678", password=None)
    response = client.post("/accounts/login/", {"login": "13912345678", "next": "/me/"})
    page = client.get(response["Location"])
    assert 'name="next" value="/accounts/login/?next=/me/"' in page.content.decode()
    response = client.post("/accounts/logout/", {"next": "/accounts/login/?next=/me/"})
    assert response["Location"] == "/accounts/login/?next=/me/"


@pytest.mark.django_db
def test_signing_up_again_with_a_known_number_creates_no_second_account(client):
    UserFactory(phone="13912345678")
    response = client.post("/accounts/signup/", {"phone": "13912345678"})
    assert response.status_code == 302
    assert User.objects.filter(phone="13912345678").count() == 1
    assert len(sms.outbox) == 1  # "this number already has an account", no code
    assert not re.search(r"\d{6}", sms.outbox[0].text.replace("13912345678", ""))


@pytest.mark.django_db
def test_losing_a_sign_up_race_for_a_number_is_not_an_error_page(client, monkeypatch):
    # The other person's account is committed after this form checked that the number was
    # free: the unique constraint stops the save, and the loser is answered like a known number.
    from portal.accounts.adapter import AccountAdapter

    UserFactory(phone="13912345679")
    original = AccountAdapter.get_user_by_phone
    calls = []

    def not_yet_there(self, phone):
        calls.append(phone)
        return None if len(calls) == 1 else original(self, phone)

    monkeypatch.setattr(AccountAdapter, "get_user_by_phone", not_yet_there)
    response = client.post("/accounts/signup/", {"phone": "13912345679"})
    assert response.status_code == 302
    assert User.objects.filter(phone="13912345679").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["12345", "12800138000", "1380013800a", "+1 650 555 0100"])
def test_invalid_mobile_number_gets_chinese_error_next_to_the_field(client, number):
    response = client.post("/accounts/signup/", {"phone": number})
    assert response.status_code == 200
    html = response.content.decode()
    field = re.search(r'<div class="field has-error">(.*?)</div>', html, re.S)
    assert field, "the phone field is not marked as having an error"
    assert 'for="id_phone"' in field.group(1)
    assert "请输入有效的中国大陆手机号" in field.group(1)
    assert 'aria-invalid="true"' in field.group(1)
    assert not User.objects.exists()
    assert not sms.outbox


@pytest.mark.django_db
def test_invalid_mobile_number_error_in_english_under_en(client):
    response = client.post("/en/accounts/signup/", {"phone": "12345"})
    html = response.content.decode()
    assert "Enter a valid mainland China mobile number" in html
    assert '<html lang="en">' in html


# --- Sign-up by email, verification mandatory ------------------------------------------------


@pytest.mark.django_db
def test_sign_up_by_email_requires_the_emailed_code(client):
    page = client.get("/accounts/signup/email/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="email"' in html and 'name="password1"' in html and 'name="phone"' not in html

    response = client.post(
        "/accounts/signup/email/", {"email": "Li.Na@Example.org", "password1": "Zhufang-2022!"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert logged_in_user(client) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li.na@example.org"]
    assert mail.outbox[0].subject.startswith("[卢沟桥街道] ")
    assert "卢沟桥街道志愿与捐赠平台" in mail.outbox[0].body
    code = last_code(mail.outbox[0].body)
    user = User.objects.get(email="li.na@example.org")
    assert user.phone is None
    assert not EmailAddress.objects.get(user=user).verified

    # Not usable yet: /me/ sends them to log in.
    assert client.get("/me/").status_code == 302

    response = client.post("/accounts/confirm-email/", {"code": code})
    assert response.status_code == 302
    assert logged_in_user(client) == user
    assert EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db
def test_email_account_cannot_log_in_before_verifying(client):
    client.post(
        "/accounts/signup/email/", {"email": "wang@example.org", "password1": "Zhufang-2022!"}
    )
    client.logout()
    mail.outbox.clear()
    from tests.cache import clear_this_runs_cache

    clear_this_runs_cache()  # the per-address resend limit is not what this test is about

    response = client.post(
        "/accounts/login/", {"login": "wang@example.org", "password": "Zhufang-2022!"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert logged_in_user(client) is None
    assert len(mail.outbox) == 1  # a fresh code

    response = client.post("/accounts/confirm-email/", {"code": last_code(mail.outbox[0].body)})
    assert response.status_code == 302
    assert logged_in_user(client).email == "wang@example.org"


@pytest.mark.django_db
def test_verified_email_account_logs_in_with_password(client):
    user = UserFactory(phone=None, email="zhao@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/accounts/login/", {"login": "zhao@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user(client) == user


@pytest.mark.django_db
def test_wrong_password_error_is_shown_on_the_login_page(client):
    UserFactory(phone="13912345678")
    response = client.post("/accounts/login/", {"login": "13912345678", "password": "wrong-one"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "您输入的电话号码和/或密码不正确。" in html
    assert "<details" in html and "open" in html.split("<details", 1)[1].split(">", 1)[0]
    assert logged_in_user(client) is None


# --- Rate limits -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_code_requests_for_one_number_are_rate_limited():
    # Fresh sessions each time, as a script would do: the limit is per number, in the cache.
    UserFactory(phone="13912345678")
    for _attempt in range(3):
        response = Client().post("/accounts/login/", {"login": "13912345678"})
        assert response.status_code == 302
    response = Client().post("/accounts/login/", {"login": "139 1234 5678"})
    assert response.status_code == 200
    html = response.content.decode()
    field = re.search(r'<div class="field has-error">(.*?)</div>', html, re.S)
    assert field and "登录失败次数过多" in field.group(1)
    assert len(sms.outbox) == 3


@pytest.mark.django_db
def test_sign_ups_from_one_address_are_rate_limited(client):
    # 20 sign-up posts a minute from one IP (ACCOUNT_RATE_LIMITS["signup"]), then 429.
    for _attempt in range(20):
        assert client.post("/accounts/signup/", {"phone": "12345"}).status_code == 200
    response = client.post("/accounts/signup/", {"phone": "12345"})
    assert response.status_code == 429
    assert "尝试次数太多" in response.content.decode()


@pytest.mark.django_db
def test_failed_password_logins_are_rate_limited(client):
    UserFactory(phone="13912345678")
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": "13912345678", "password": "wrong-one"})
    # The right password is refused too while the limit holds.
    response = client.post("/accounts/login/", {"login": "13912345678", "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert logged_in_user(client) is None


@pytest.mark.django_db
@override_settings(ACCOUNT_RATE_LIMITS={"login": "2/m/ip"})
def test_the_admin_login_is_guarded_by_allauths_login_limit(client):
    # /admin/login/ has no form of its own: it sends people to allauth's login.
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/admin/")
    for _attempt in range(2):
        client.post("/accounts/login/?next=/admin/", {"login": "a@example.org", "password": "x"})
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "a@example.org", "password": "x"}
    )
    assert response.status_code == 429


# --- Pages in Chinese and English -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/accounts/login/", "登录"),
        ("/en/accounts/login/", "Log in"),
        ("/accounts/signup/", "手机号"),
        ("/en/accounts/signup/", "Mobile number"),
        ("/accounts/signup/email/", "电子邮箱"),
        ("/en/accounts/signup/email/", "Email address"),
        ("/accounts/password/reset/", "密码"),
        ("/en/accounts/password/reset/", "Password"),
    ],
)
def test_account_pages_use_the_site_template_in_both_languages(client, path, text):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert text in html
    assert 'class="site-header"' in html  # the site's base.html
    assert 'name="viewport"' in html
    assert "<label" in html


# --- The Wagtail admin ------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_allauths_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    assert response.status_code == 200


@pytest.mark.django_db
def test_coordinator_logs_in_through_allauth_and_reaches_admin_in_chinese(client, coordinator):
    secret = add_totp(coordinator)  # staff need a second factor (tests/portal/test_mfa.py)
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": coordinator.phone, "password": PASSWORD, "next": "/admin/"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response["Location"] == "/admin/"
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert coordinator.wagtail_userprofile.preferred_language == "zh-hans"


@pytest.mark.django_db
def test_volunteer_is_refused_the_admin_with_a_clear_page(client, community):
    volunteer = make_user(roles.VOLUNTEER)
    client.force_login(volunteer)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    html = response.content.decode()
    assert "没有后台权限" in html or "不能进入后台" in html
    assert 'class="site-header"' in html


@pytest.mark.django_db
def test_donor_representative_logging_in_with_next_admin_is_refused(client):
    donor = make_user(roles.DONOR_REP, phone="13611112222")
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "13611112222", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert logged_in_user(client) == donor
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    response = client.get("/admin/pages/", follow=True)
    assert response.status_code == 403


@pytest.mark.django_db
def test_email_sign_up_with_a_taken_address_creates_nothing_and_says_nothing(client):
    UserFactory(email="taken@example.org")
    response = client.post(
        "/accounts/signup/email/", {"email": "taken@example.org", "password1": "Zhufang-2022!"}
    )
    # The same answer as a fresh sign-up (no enumeration); the owner gets a mail about it.
    assert response.status_code == 302
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert len(mail.outbox) == 1
    assert not re.search(r"(?<!\d)\d{6}(?!\d)", mail.outbox[0].body)


@pytest.mark.django_db
def test_staff_already_logged_in_pass_through_admin_login(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    response = client.get("/admin/login/?next=https://evil.example.org/")
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_logged_in_message_names_the_person_not_the_generated_username(client):
    UserFactory(phone="13912345678", username="user-x1", first_name="娜", last_name="李")
    response = client.post(
        "/accounts/login/?next=/me/", {"login": "13912345678", "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert "李娜" in html
    assert "user-x1" not in html


@pytest.mark.django_db
def test_code_request_page_sends_an_sms_code(client):
    user = UserFactory(phone="13912345678")
    page = client.get("/accounts/login/code/")
    assert "用验证码登录" in page.content.decode()
    response = client.post("/accounts/login/code/", {"phone": "13912345678"})
    assert response.status_code == 302
    response = client.post("/accounts/login/code/confirm/", {"code": sms_code()})
    assert response.status_code == 302
    assert logged_in_user(client) == user


@pytest.mark.django_db
def test_phone_sign_up_returns_to_the_page_that_asked_for_it(client):
    # Journey 1: the volunteer sign-up page sends her here with ?next=...
    page = client.get("/accounts/signup/?next=/me/")
    assert 'value="/me/"' in page.content.decode()
    client.post("/accounts/signup/", {"phone": "13800138000", "next": "/me/"})
    response = client.post("/accounts/phone/verify/", {"code": sms_code()})
    assert response.status_code == 302
    assert response["Location"] == "/me/"


@pytest.mark.django_db
def test_wagtails_own_login_form_cannot_be_used(client, coordinator):
    response = client.post("/admin/login/", {"username": "coord", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user(client) is None


@pytest.mark.django_db
def test_logging_out_of_the_admin_leads_back_to_allauths_login(client, coordinator):
    client.force_login(coordinator)
    response = client.post("/admin/logout/", follow=True)
    assert logged_in_user(client) is None
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


@pytest.mark.django_db
def test_demo_staff_can_also_log_in_with_their_username(client, coordinator):
    # The README's demo table lists usernames; Django's ModelBackend accepts them.
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "coord", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert logged_in_user(client) == coordinator
