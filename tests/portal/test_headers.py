"""Response headers (issue 10, point 9): personal responses are never cached, scripts run only
with the request's nonce, browser features are off, HSTS reaches sub-domains only on request,
and the admin asks no outside host for avatars."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from portal import roles
from portal.pdf import pdf_response
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def directives(response, header="Content-Security-Policy"):
    policy = {}
    for part in response[header].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


# --- Cache-Control ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_to_a_signed_in_person_is_private_and_not_stored(client, volunteer_user):
    anonymous = client.get("/donations/")
    assert anonymous.status_code == 200
    assert "no-store" not in cache_control(anonymous)  # public pages stay cacheable
    client.force_login(volunteer_user)
    for url in ("/", "/volunteers/me/", "/donations/", "/me/", "/assistance/help/"):
        response = client.get(url)
        assert {"private", "no-store"} <= cache_control(response), url
        assert "public" not in cache_control(response), url


def test_every_pdf_response_is_private_and_not_stored():
    response = pdf_response(("证明.pdf", "application/pdf", b"%PDF-1.7 test"))
    assert {"private", "no-store"} <= cache_control(response)


@pytest.mark.django_db
def test_a_personal_pdf_is_private_even_when_a_view_says_public(rf):
    from django.utils.cache import patch_cache_control

    from portal.security import private_response

    @private_response
    def view(request):
        response = pdf_response(("receipt.pdf", "application/pdf", b"%PDF"))
        patch_cache_control(response, public=True, max_age=3600)
        return response

    header = cache_control(view(rf.get("/")))
    assert {"private", "no-store"} <= header and "public" not in header


@pytest.mark.django_db
def test_a_volunteers_calendar_feed_is_private_though_fetched_without_a_session(client, community):
    from tests.factories import VolunteerProfileFactory

    profile = VolunteerProfileFactory(community=community)
    response = client.get(f"/volunteers/calendar/{profile.calendar_token}.ics")
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)


# --- Content-Security-Policy -----------------------------------------------------------------


def inline_tags(html):
    """(tag, nonce) of every <script> without src and every <style> element."""
    found = []
    for match in re.finditer(r"<(script|style)\b([^>]*)>", html):
        tag, attrs = match.groups()
        if tag == "script" and "src=" in attrs:
            continue
        if tag == "script" and re.search(r'type="application/(ld\+)?json"', attrs):
            continue
        nonce = re.search(r'nonce="([^"]*)"', attrs)
        found.append((tag, nonce.group(1) if nonce else None))
    return found


@pytest.mark.django_db
def test_public_pages_run_inline_code_only_with_the_requests_nonce(
    client, volunteer_user, community
):
    from tests.factories import VolunteerProfileFactory

    VolunteerProfileFactory(user=volunteer_user, community=community)
    client.force_login(volunteer_user)
    pages = [
        "/assistance/help/",
        "/volunteers/profile/",
        "/volunteers/me/",
        "/me/",
        "/accounts/email/",
    ]
    seen = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        nonce = re.search(r"'nonce-([^']+)'", " ".join(policy["script-src"])).group(1)
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        assert f"'nonce-{nonce}'" in policy["style-src"]
        assert policy["object-src"] == ["'none'"]
        assert policy["default-src"] == ["'self'"]
        for tag, tag_nonce in inline_tags(response.content.decode()):
            assert tag_nonce == nonce, (url, tag)
            seen += 1
    assert seen >= 4  # the pages above do carry inline scripts and styles


@pytest.mark.django_db
def test_each_request_gets_a_new_nonce(client):
    first = directives(client.get("/accounts/login/"))["script-src"]
    second = directives(client.get("/accounts/login/"))["script-src"]
    assert first != second


@pytest.mark.django_db
@pytest.mark.urls("tests.portal.boom_urls")
def test_the_server_error_page_keeps_its_style_under_the_policy(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert inline_tags(response.content.decode()) == [("style", nonce)]


@pytest.fixture
def admin_pages(home):
    return [
        "/admin/",
        f"/admin/pages/{home.pk}/edit/",
        f"/admin/pages/{home.pk}/",
        reverse("compounds:index"),
        reverse("compounds:add"),
        "/admin/images/",
    ]


@pytest.fixture
def home(db):
    from portal import demo

    return demo.load_site()


@pytest.mark.django_db
def test_the_wagtail_admin_works_under_its_own_policy(client, admin_user, admin_pages):
    client.force_login(admin_user)
    for url in admin_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        # Wagtail still writes inline scripts (date pickers, inline panels): they must run.
        assert "'unsafe-inline'" in policy["script-src"], url
        assert not any(v.startswith("'nonce-") for v in policy["script-src"]), url
        assert "'unsafe-eval'" not in policy["script-src"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
        assert {"private", "no-store"} <= cache_control(response)


@pytest.mark.django_db
def test_the_admin_asks_no_outside_host_for_avatars(client, admin_user, admin_pages):
    admin_user.email = "admin@example.org"
    admin_user.save()
    client.force_login(admin_user)
    for url in admin_pages[:2]:
        html = client.get(url).content.decode()
        assert "gravatar" not in html.lower(), url


# --- Permissions-Policy ----------------------------------------------------------------------


@pytest.mark.django_db
def test_browser_features_are_off(client):
    response = client.get("/donations/")
    features = dict(
        part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


# --- HSTS ------------------------------------------------------------------------------------

from tests.portal.test_settings import GOOD_KEYS  # noqa: E402

GOOD_SECRET = "x" * 20 + "a-long-random-production-secret-key-for-tests-0123456789"


def production_hsts(**env):
    code = (
        "import json, importlib;"
        "s = importlib.import_module('portal.settings.production');"
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SECURE_HSTS")}
    clean.update(
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL="https://portal.example.org",
        **GOOD_KEYS,
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_hsts_covers_subdomains_and_preload_only_when_asked():
    assert production_hsts() == [31536000, False, False]
    assert production_hsts(SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true") == [
        31536000,
        True,
        True,
    ]


@pytest.fixture
def volunteer_user(db):
    return make_user(roles.VOLUNTEER, username="headers-volunteer", phone="13700000001")
