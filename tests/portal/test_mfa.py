"""Staff accounts: a second factor at the admin's door, staff sessions that end, and
re-authentication before personal data is exported (portal/accounts/staff.py).

These tests are marked `mfa_enforced`: their `client.force_login` gives a session in which no
second factor has been given (tests/conftest.py explains the default)."""

import re
import time
import uuid

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from portal import roles, sms
from portal.accounts.staff import LOGIN_AT_SESSION_KEY
from portal.models import User
from tests.factories import UserFactory, VolunteerProfileFactory, add_totp, make_user, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.mfa_enforced]

PASSWORD = "pass-1234-word"  # UserFactory's
SETUP_URL = "/accounts/2fa/totp/activate/"
CODE_URL = "/accounts/2fa/authenticate/"


def sms_code():
    assert sms.outbox, "no SMS was sent"
    return re.search(r"(?<!\d)(\d{6})(?!\d)", sms.outbox[-1].text).group(1)


def logged_in_user(client):
    from django.contrib.auth import get_user

    user = get_user(client)
    return user if user.is_authenticated else None


def log_in_with_password(client, user, next_url="/admin/"):
    return client.post(
        f"/accounts/login/?next={next_url}",
        {"login": user.phone, "password": PASSWORD, "next": next_url},
    )


# --- The door ---------------------------------------------------------------------------------


def admin_paths():
    """A concrete path for every URL pattern under /admin/, found by walking the resolver (so a
    new admin view cannot be forgotten): each converter gets a plausible value."""
    values = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": str(uuid.uuid4())}

    def concrete(route):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: values.get(m.group(1) or "str", "1"), route)

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if route.startswith("^"):  # a regex pattern: keep the simple ones only
                route = route.lstrip("^").rstrip("$").replace("\\Z", "")
                if re.search(r"[()\[\]\\?*+{}|]", route):
                    continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + concrete(route))
            elif isinstance(pattern, URLPattern):
                yield prefix + concrete(route)

    admin = next(
        p
        for p in get_resolver().url_patterns
        if str(p.pattern) == "admin/" and hasattr(p, "url_patterns")
    )
    return sorted(set(walk(admin.url_patterns, "/admin/")))


def test_staff_without_an_authenticator_is_sent_to_set_one_up_from_every_admin_url(
    client, coordinator
):
    client.force_login(coordinator)
    paths = admin_paths()
    assert len(paths) > 100
    checked = 0
    for path in paths:
        if resolve(path).url_name in {"wagtailadmin_logout"}:
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SETUP_URL + "?next="), path
        checked += 1
    assert checked > 100
    # the way to the setup page stays open (allauth first asks for the password again)
    assert client.get(SETUP_URL)["Location"].startswith("/accounts/reauthenticate/")
    assert client.get("/accounts/reauthenticate/").status_code == 200


def test_superusers_are_staff_too(client):
    admin = UserFactory(is_superuser=True, phone="13911110000")
    client.force_login(admin)
    response = client.get("/admin/")
    assert response["Location"].startswith(SETUP_URL)


# Committing for real: allauth announces the new authenticator on commit of its transaction,
# inside the request (a test transaction around everything would hold that back).
@pytest.mark.django_db(transaction=True)
def test_staff_sets_up_an_app_at_the_door_and_goes_on_to_the_admin(client, coordinator):
    log_in_with_password(client, coordinator)
    assert logged_in_user(client) == coordinator
    # allauth remembers password log-ins (ACCOUNT_SESSION_REMEMBER); not a member of staff's
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""
    response = client.get("/admin/pages/")
    assert response["Location"] == f"{SETUP_URL}?next=%2Fadmin%2Fpages%2F"
    # allauth asks for the password (or an SMS code) again before a second factor is added.
    response = client.get(SETUP_URL)
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get(SETUP_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "启用身份验证器应用" in html and 'class="qr"' in html
    secret = page.context["form"].secret
    assert f"otpauth://totp/{coordinator.phone}?secret={secret}" in html
    assert client.post(SETUP_URL, {"code": "000000"}).status_code == 200  # wrong: stays
    response = client.post(SETUP_URL, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=coordinator, type="totp").exists()
    codes_page = client.get(response["Location"])
    assert "进入后台" in codes_page.content.decode()
    # Activating proved the app works: no second code is asked for.
    assert client.get("/admin/").status_code == 200


def test_staff_with_an_app_give_its_code_before_the_login_completes(client, coordinator):
    secret = add_totp(coordinator)
    response = log_in_with_password(client, coordinator)
    assert response["Location"] == CODE_URL
    assert logged_in_user(client) is None
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    page = client.get(CODE_URL)
    assert "身份验证器" in page.content.decode()
    response = client.post(CODE_URL, {"code": "123 456"})
    assert response.status_code == 200 and logged_in_user(client) is None
    response = client.post(CODE_URL, {"code": totp_code(secret)[:3] + " " + totp_code(secret)[3:]})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert logged_in_user(client) == coordinator
    assert client.get("/admin/").status_code == 200


def test_an_sms_code_login_also_asks_staff_for_the_app_code(client, coordinator):
    secret = add_totp(coordinator)
    client.post("/accounts/login/code/", {"phone": coordinator.phone})
    response = client.post("/accounts/login/code/confirm/", {"code": sms_code()})
    assert response["Location"] == CODE_URL
    assert logged_in_user(client) is None
    client.post(CODE_URL, {"code": totp_code(secret)})
    assert logged_in_user(client) == coordinator


def test_a_recovery_code_works_once(client, coordinator):
    add_totp(coordinator, recovery_codes=True)
    codes = Authenticator.objects.get(user=coordinator, type="recovery_codes").wrap()
    code = codes.get_unused_codes()[0]
    log_in_with_password(client, coordinator)
    response = client.post(CODE_URL, {"code": code})
    assert response.status_code == 302 and logged_in_user(client) == coordinator
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/logout/")
    log_in_with_password(client, coordinator)
    response = client.post(CODE_URL, {"code": code})
    assert response.status_code == 200
    assert logged_in_user(client) is None


def test_volunteers_are_not_asked_for_a_second_factor(client):
    volunteer = make_user(roles.VOLUNTEER, phone="13922223333")
    client.post("/accounts/login/code/", {"phone": volunteer.phone})
    response = client.post("/accounts/login/code/confirm/", {"code": sms_code()})
    assert response.status_code == 302 and "2fa" not in response["Location"]
    assert logged_in_user(client) == volunteer
    assert client.get("/me/").status_code == 200


def test_a_staff_session_without_the_code_is_asked_for_it(client, coordinator):
    # Say the person was made staff while logged in: the app they have must be used first.
    add_totp(coordinator)
    client.force_login(coordinator)
    response = client.get("/admin/")
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"


def test_staff_cannot_switch_off_their_only_second_factor(client, coordinator):
    volunteer = make_user(roles.VOLUNTEER, phone="13922223333")
    for user, allowed in ((coordinator, False), (volunteer, True)):
        secret = add_totp(user)
        client.force_login(user)
        client.post("/accounts/2fa/reauthenticate/", {"code": totp_code(secret)})
        response = client.post("/accounts/2fa/totp/deactivate/")
        assert Authenticator.objects.filter(user=user, type="totp").exists() is not allowed
        if not allowed:
            assert "必须保留" in response.content.decode()


# --- Session length ---------------------------------------------------------------------------


def session_cookie(client):
    return client.cookies[settings.SESSION_COOKIE_NAME]


def test_staff_sessions_end_with_the_browser_and_after_eight_hours(client, coordinator):
    secret = add_totp(coordinator)
    log_in_with_password(client, coordinator)
    client.post(CODE_URL, {"code": totp_code(secret)})
    assert logged_in_user(client) == coordinator
    # a cookie without an expiry date: the browser drops it when it closes
    assert session_cookie(client)["max-age"] == "" and session_cookie(client)["expires"] == ""
    assert client.session.get_expire_at_browser_close()

    session = client.session
    session[LOGIN_AT_SESSION_KEY] = time.time() - 8 * 3600 + 60
    session.save()
    assert client.get("/admin/").status_code == 200  # busy all day: still in

    session = client.session
    session[LOGIN_AT_SESSION_KEY] = time.time() - 8 * 3600 - 1
    session.save()
    response = client.get("/admin/pages/", follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    assert logged_in_user(client) is None
    assert "8" in response.content.decode()


def test_a_volunteer_session_is_remembered(client):
    volunteer = make_user(roles.VOLUNTEER, phone="13922223333")
    client.post("/accounts/login/", {"login": volunteer.phone, "password": PASSWORD})
    assert logged_in_user(client) == volunteer
    assert int(session_cookie(client)["max-age"]) == settings.SESSION_COOKIE_AGE
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = time.time() - 9 * 3600
    session.save()
    assert client.get("/me/").status_code == 200


def test_settings_hold_the_staff_session_rules():
    assert settings.STAFF_SESSION_MAX_AGE == 8 * 3600
    assert settings.ACCOUNT_SESSION_REMEMBER is True
    assert "allauth.mfa" in settings.INSTALLED_APPS


# --- Re-authentication before exports -------------------------------------------------------


def test_an_export_asks_for_the_app_code_then_downloads(client, coordinator, community):
    VolunteerProfileFactory(community=community, real_name="王导出")
    secret = add_totp(coordinator)
    log_in_with_password(client, coordinator)
    client.post(CODE_URL, {"code": totp_code(secret)})
    export = reverse("volunteers_profiles:export") + "?format=xlsx"
    response = client.get(export)
    # A log-in is not a re-authentication: the code is asked for again.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")
    response = client.post(response["Location"], {"code": totp_code(secret, step=1)})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # within the next five minutes other exports go straight through
    for url in (
        reverse("volunteers_admin:volunteer_export"),
        reverse("volunteers_admin:attendance_ledger"),
        reverse("donations_admin:export_ledger"),
    ):
        assert client.get(url).status_code == 200, url


def logged_in_with_app(client, user):
    """A session as allauth leaves it after a log-in with an app code (not a re-authentication)."""
    from allauth.account.internal.flows.login import record_authentication
    from django.http import HttpRequest

    client.force_login(user)
    fake = HttpRequest()
    fake.session = client.session
    record_authentication(fake, user, "mfa", type="totp")
    fake.session.save()


@pytest.mark.parametrize(
    "url_name, query",
    [
        ("volunteers_profiles:export", "format=csv"),
        ("volunteers_attendance:export", "format=xlsx"),
        ("volunteers_admin:volunteer_export", ""),
        ("volunteers_admin:attendance_ledger", ""),
        ("volunteers_admin:party_report", "format=xlsx"),
        ("volunteers_admin:party_report", "format=pdf"),
        ("donations_admin:export_ledger", ""),
        ("volunteers_records:export", "format=xlsx"),
    ],
)
def test_every_personal_data_download_asks_for_reauthentication(
    client, subdistrict_admin, url_name, query
):
    add_totp(subdistrict_admin)
    logged_in_with_app(client, subdistrict_admin)
    assert client.get("/admin/").status_code == 200
    url = f"{reverse(url_name)}?{query}"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")


def test_the_party_report_page_itself_needs_no_reauthentication(client, subdistrict_admin):
    add_totp(subdistrict_admin)
    logged_in_with_app(client, subdistrict_admin)
    assert client.get(reverse("volunteers_admin:party_report")).status_code == 200


def test_an_account_without_a_password_reauthenticates_with_an_sms_code(client, coordinator):
    coordinator.set_unusable_password()
    coordinator.save()
    secret = add_totp(coordinator)
    client.post("/accounts/login/code/", {"phone": coordinator.phone})
    client.post("/accounts/login/code/confirm/", {"code": sms_code()})
    client.post(CODE_URL, {"code": totp_code(secret)})
    assert logged_in_user(client) == coordinator
    export = reverse("volunteers_admin:volunteer_export")
    assert client.get(export).status_code == 302
    # the other way offered on the page: a code by SMS
    page = client.get(f"/accounts/2fa/reauthenticate/?next={export}")
    assert "/accounts/reauthenticate/code/" in page.content.decode()
    response = client.post(
        f"/accounts/reauthenticate/code/?next={export}", {"recipient": coordinator.phone}
    )
    assert response.status_code == 302
    response = client.post(
        "/accounts/reauthenticate/code/confirm/", {"code": sms_code(), "next": export}
    )
    assert response.status_code == 302
    assert client.get(export).status_code == 200


# --- The demo ---------------------------------------------------------------------------------


def test_demo_staff_log_in_with_the_printed_authenticator_secret(client):
    from portal import demo

    demo.load_places()
    demo.load_accounts()
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "coordinator", "password": demo.DEMO_PASSWORD, "next": "/admin/"},
    )
    assert response["Location"] == CODE_URL
    response = client.post(CODE_URL, {"code": totp_code(demo.DEMO_TOTP_SECRET)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    volunteer = User.objects.get(username="volunteer")
    assert not Authenticator.objects.filter(user=volunteer).exists()


def test_totp_secrets_are_encrypted_at_rest_and_still_work(db):
    from allauth.mfa.totp.internal.auth import TOTP

    user = make_user(roles.COORDINATOR, username="secretive")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    authenticator = TOTP.activate(user, secret).instance
    stored = Authenticator.objects.get(pk=authenticator.pk).data["secret"]
    assert secret not in stored
    assert TOTP(Authenticator.objects.get(pk=authenticator.pk)).validate_code(totp_code(secret))
