"""Benchmark: the home page and a story page with 200 stories and 200 notices in the tree,
through Django's test client, with caching off (DummyCache) and on (local memory).

    python bench/content_pages.py            # SQLite, or DATABASE_URL=postgres://...

Prints one JSON line: home_rps, story_rps, home_rps_cached, home_queries, story_queries.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)

CHILDREN = 200
DURATION = float(os.environ.get("BENCH_SECONDS", "3"))
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
LOCMEM = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "bench-content",
    }
}


def build():
    from content import demo as content_demo
    from content.models import NoticePage, StoryPage
    from portal import demo

    demo.load_places()
    home = demo.load_site()
    notices, _courses, stories = content_demo.load_indexes(home)
    body = [
        {
            "type": "paragraph_block",
            "value": "<p>感谢每一位在寒风中值守卡口的志愿者，感谢每一家捐赠口罩和84消毒液的企业。</p>",
        }
    ]
    for n in range(CHILDREN):
        notices.add_child(
            instance=NoticePage(
                title=f"关于第{n}号小区封闭管理的通知",
                slug=f"notice-{n}",
                live=True,
                summary="即日起实行封闭式管理。",
                body=body,
                urgent=n % 10 == 0,
            )
        )
        stories.add_child(
            instance=StoryPage(
                title=f"暖心故事第{n}篇",
                slug=f"story-{n}",
                live=True,
                summary="一袋口罩，没有留下名字。",
                body=body,
            )
        )
    return StoryPage.objects.get(slug=f"story-{CHILDREN // 2}").url


def rate(client, url):
    client.get(url)  # warm up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < DURATION:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        count += 1
    return round(count / (time.perf_counter() - start), 1)


def queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        story_url = build()
        client = Client()
        with override_settings(CACHES=DUMMY):
            figures = {
                "home_rps": rate(client, "/"),
                "story_rps": rate(client, story_url),
                "home_queries": queries(client, "/"),
                "story_queries": queries(client, story_url),
            }
        with override_settings(CACHES=LOCMEM):
            figures["home_rps_cached"] = rate(client, "/")
            figures["home_queries_cached"] = queries(client, "/")
        figures["children"] = CHILDREN
        figures["database"] = connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
