"""Anonymous public pages from the shared cache (portal/pagecache.py): what is stored, who gets
it, when it goes stale, and the proxy in front being purged."""

import re

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import Page

from content import demo as content_demo
from portal import demo
from tests.factories import make_user
from tests.factories.content import add_notice

pytestmark = pytest.mark.django_db

HEADER = "X-Page-Cache"
purged = []


class FakeFrontendCache:
    """A wagtail.contrib.frontend_cache backend that writes down what it was asked to purge."""

    def __init__(self, params):
        self.hostnames = ["*"]

    def invalidates_hostname(self, hostname):
        return True

    def purge(self, url):
        purged.append(url)

    def purge_batch(self, urls):
        purged.extend(urls)


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    settings.WAGTAILFRONTENDCACHE = {"fake": {"BACKEND": f"{__name__}.FakeFrontendCache"}}
    purged.clear()


@pytest.fixture
def home(db):
    return demo.load_site()


@pytest.fixture
def notice_index(home):
    return content_demo.load_indexes(home)[0]


def get_twice(client, url, **extra):
    return client.get(url, **extra), client.get(url, **extra)


def test_the_second_anonymous_visit_comes_from_the_cache(client, home, django_assert_num_queries):
    first = client.get("/")
    assert first.status_code == 200
    assert first[HEADER] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second[HEADER] == "hit"
    assert second.content == first.content
    for response in (first, second):
        assert "Set-Cookie" not in response
        assert not response.cookies
        assert "public" in response["Cache-Control"]
        assert "max-age=60" in response["Cache-Control"]  # the home page's figures
        assert response["ETag"].startswith('W/"')
    assert second["ETag"] == first["ETag"]


def test_languages_have_their_own_entries(client, home):
    client.get("/")
    english = client.get("/en/")
    assert english[HEADER] == "miss"
    assert english["Content-Language"] == "en"
    assert client.get("/en/")[HEADER] == "hit"
    chinese = client.get("/")
    assert chinese[HEADER] == "hit"
    assert chinese["Content-Language"] == "zh-hans"
    assert chinese.content != english.content


def test_signed_in_people_never_get_or_fill_the_cache(client, home):
    client.get("/")  # stored for anonymous visitors
    client.force_login(make_user(username="reader"))
    response = client.get("/")
    assert HEADER not in response
    assert "private" in response["Cache-Control"]
    assert b"/me/" in response.content or "My account" in response.content.decode()
    # and what they see is not stored for the next anonymous visitor
    anonymous = Client()
    assert b'href="/me/"' not in anonymous.get("/").content


def test_a_flash_message_cookie_bypasses_the_cache(client, home):
    client.get("/")
    client.cookies["messages"] = "something"
    assert HEADER not in client.get("/")


def test_publishing_unpublishing_and_deleting_make_lists_fresh(client, notice_index):
    for url in ("/", notice_index.url):
        get_twice(client, url)
        assert client.get(url)[HEADER] == "hit"
    notice = add_notice(notice_index, title="停水通知 Water off")
    for url in ("/", notice_index.url):
        response = client.get(url)
        assert response[HEADER] == "miss", url
        assert "停水通知" in response.content.decode()
    notice.unpublish()
    assert "停水通知" not in client.get(notice_index.url).content.decode()
    notice.save_revision().publish()
    assert "停水通知" in client.get(notice_index.url).content.decode()
    Page.objects.get(pk=notice.pk).delete()
    assert "停水通知" not in client.get(notice_index.url).content.decode()


def test_moving_a_page_makes_both_places_fresh(client, home, notice_index):
    notice = add_notice(notice_index, title="搬家的通知")
    get_twice(client, notice_index.url)
    old_url = notice.url
    get_twice(client, old_url)
    notice.move(home, pos="last-child")
    assert client.get(notice_index.url)[HEADER] == "miss"
    assert client.get(old_url).status_code == 301  # Wagtail's automatic redirect


def test_a_query_string_the_page_does_not_know_is_not_stored(client, notice_index):
    assert HEADER not in client.get(notice_index.url + "?x=1")
    assert HEADER not in client.get(notice_index.url + "?x=1")
    assert client.get(notice_index.url + "?page=1")[HEADER] == "miss"
    assert client.get(notice_index.url + "?page=1")[HEADER] == "hit"


def test_if_none_match_gets_a_304_from_the_cache(client, home):
    etag = client.get("/")["ETag"]
    response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response[HEADER] == "hit"
    assert not response.content
    # the browser keeps its copy and the policy that came with it (its nonce)
    assert "Content-Security-Policy" not in response


@pytest.mark.urls("tests.portal.pagecache_urls")
def test_each_hit_gets_a_nonce_of_its_own_in_page_and_header(client, home):
    seen = set()
    for expected in ("miss", "hit", "hit"):
        response = client.get("/script/")
        assert response[HEADER] == expected
        header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        body = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert header == body
        seen.add(body)
    assert len(seen) == 3


@pytest.mark.urls("tests.portal.pagecache_urls")
def test_a_page_with_a_csrf_token_is_never_stored(client, home):
    for _ in range(2):
        response = client.get("/form/")
        assert response[HEADER] == "skip"
        assert "csrftoken" in response.cookies
    # even for a visitor who already has the cookie (no new Set-Cookie would be needed)
    other = Client()
    other.cookies["csrftoken"] = "x" * 32
    assert other.get("/form/")[HEADER] == "skip"


def test_pages_with_live_figures_and_lists_are_cached_briefly(client, home, settings):
    response = client.get("/volunteers/shifts/")
    assert response[HEADER] == "miss"
    assert f"max-age={settings.PAGE_CACHE_SHIFTS_SECONDS}" in response["Cache-Control"]
    assert client.get("/volunteers/shifts/")[HEADER] == "hit"
    assert client.get("/donations/board/")[HEADER] == "miss"
    assert client.get("/donations/board/")[HEADER] == "hit"


def test_the_admin_and_health_checks_are_never_cached(client, home):
    for url in ("/healthz", "/readyz", "/admin/login/"):
        assert HEADER not in client.get(url)


def test_the_cache_off_switch(client, home, settings):
    settings.PAGE_CACHE_ENABLED = False
    assert HEADER not in client.get("/")


def test_home_page_uncached_runs_few_queries(client, notice_index, django_assert_max_num_queries):
    for index in range(5):
        add_notice(notice_index, title=f"通知 {index}")
    client.get("/en/")  # the site root and figures are warm, as after any first visitor
    with django_assert_max_num_queries(8):
        response = client.get("/")
    assert response[HEADER] == "miss"


def test_publishing_purges_the_page_and_its_lists_from_the_proxy(client, home, notice_index):
    notice = add_notice(notice_index, title="通知")
    base = settings.SITE_URL  # the Site record follows SITE_URL
    assert f"{base}{notice.url}" in purged
    assert f"{base}/en{notice.url}" in purged
    assert f"{base}{notice_index.url}" in purged
    assert f"{base}/" in purged and f"{base}/en/" in purged
    purged.clear()
    notice.unpublish()
    assert f"{base}{notice.url}" in purged
    purged.clear()
    Page.objects.get(pk=notice.pk).specific.save_revision().publish()
    purged.clear()
    Page.objects.get(pk=notice.pk).delete()
    assert f"{base}{notice.url}" in purged


def test_a_page_that_gets_a_view_restriction_leaves_the_cache(client, notice_index):
    from wagtail.models import PageViewRestriction

    notice = add_notice(notice_index, title="内部通知")
    get_twice(client, notice.url)
    get_twice(client, notice_index.url)
    purged.clear()
    PageViewRestriction.objects.create(page=notice, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(notice.url).status_code == 302  # to the login page, not the cached copy
    assert "内部通知" not in client.get(notice_index.url).content.decode()
    assert f"{settings.SITE_URL}{notice.url}" in purged
