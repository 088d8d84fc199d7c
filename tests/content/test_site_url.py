"""Every link that leaves the site points at SITE_URL, whatever Host header the request came
with: canonical and og:url tags, the sitemap, the feed, the API, printed QR codes; and Wagtail's
settings and Site record agree with it (issue 12)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from wagtail.models import Site

from portal import demo
from tests.factories import add_notice

PUBLIC = "https://portal.example.gov.cn"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def public_site(settings):
    settings.SITE_URL = PUBLIC
    settings.WAGTAILADMIN_BASE_URL = settings.WAGTAILAPI_BASE_URL = PUBLIC


def test_wagtails_addresses_follow_site_url():
    code = (
        "import json; from portal.settings import base as s;"
        "print(json.dumps([s.SITE_URL, s.WAGTAILADMIN_BASE_URL, s.WAGTAILAPI_BASE_URL]))"
    )
    env = {**os.environ, "SITE_URL": PUBLIC + "/"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == [PUBLIC] * 3


def test_the_default_site_record_is_set_from_site_url(db, public_site):
    home = demo.load_site()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("portal.example.gov.cn", 443)
    assert home.full_url == PUBLIC + "/"


def test_canonical_and_og_url_use_the_site_address_not_the_host_header(
    client, notice_index, public_site
):
    notice = add_notice(notice_index, title="南门关闭")
    html = client.get(notice.url, HTTP_HOST="attacker.example").content.decode()
    assert f'<link rel="canonical" href="{PUBLIC}{notice.url}">' in html
    assert f'<meta property="og:url" content="{PUBLIC}{notice.url}">' in html
    assert "attacker.example" not in html and "localhost" not in html


def test_sitemap_feed_and_api_use_the_site_address(client, notice_index, public_site):
    demo.load_site()  # the Site record follows SITE_URL
    notice = add_notice(notice_index, title="地图通知")
    sitemap = client.get("/sitemap.xml", HTTP_HOST="attacker.example").content.decode()
    assert f"<loc>{PUBLIC}{notice.url}</loc>" in sitemap
    feed = client.get("/feeds/notices.rss", HTTP_HOST="attacker.example").content.decode()
    assert f"<link>{PUBLIC}{notice.url}</link>" in feed
    api = client.get(f"/api/v2/pages/{notice.pk}/", HTTP_HOST="attacker.example").json()
    assert api["meta"]["html_url"] == f"{PUBLIC}{notice.url}"
    assert api["meta"]["detail_url"].startswith(PUBLIC)


def test_a_posts_qr_code_and_a_certificates_point_at_the_site_address(post, public_site):
    from volunteers.views import post_checkin_url

    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")
    assert post_checkin_url(request, post).startswith(f"{PUBLIC}/volunteers/")
