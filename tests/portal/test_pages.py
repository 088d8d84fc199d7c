import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import demo
from tests.factories import CompoundFactory


@pytest.fixture
def site(db):
    # A few communities with compounds: enough for a query per community to show.
    for _ in range(4):
        CompoundFactory()
    return demo.load_site()


def test_home_page_is_chinese_by_default(client, site):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-Hans"' in html
    assert "我要当志愿者" in html


def test_home_page_in_english_under_en_prefix(client, site):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Become a volunteer" in html


def test_language_switcher_links_to_same_page(client, site):
    html = client.get("/").content.decode()
    assert 'href="/en/"' in html
    html = client.get("/en/").content.decode()
    assert 'href="/"' in html


def test_home_page_renders_with_bounded_queries(client, site):
    client.get("/")  # warm the site and page caches
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) <= 10


def test_unknown_page_gets_friendly_404_in_both_languages(client, site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
