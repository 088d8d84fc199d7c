"""Benchmark: anonymous public pages with the page cache (portal/pagecache.py) off and on,
through Django's test client, with 100 notices and 100 stories in the tree.

    python bench/page_cache.py        # SQLite and local memory, or with DATABASE_URL=postgres://...
                                      # and REDIS_URL=redis://... as in production

"uncached" is a warm site with the page cache off (fragment caches and figures still cached),
so each request renders; "cached" serves the stored page (one cache round trip, no query).
Prints one JSON line: home_rps_uncached, home_rps_cached, notices_rps_uncached,
notices_rps_cached, home_queries_uncached, home_queries_cached, speedup_home, cache, database.
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

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)

CHILDREN = 100
DURATION = float(os.environ.get("BENCH_SECONDS", "3"))


def build():
    from content import demo as content_demo
    from content.models import NoticePage, StoryPage
    from portal import demo

    demo.load_places()
    home = demo.load_site()
    notices, _courses, stories = content_demo.load_indexes(home)
    body = [{"type": "paragraph_block", "value": "<p>即日起实行封闭式管理，请居民配合。</p>"}]
    for n in range(CHILDREN):
        notices.add_child(
            instance=NoticePage(
                title=f"关于第{n}号小区封闭管理的通知", slug=f"notice-{n}", live=True, body=body
            )
        )
        stories.add_child(
            instance=StoryPage(title=f"暖心故事第{n}篇", slug=f"story-{n}", live=True, body=body)
        )
    return notices.url


def rate(client, url, expect):
    client.get(url)  # warm up (and store, when the page cache is on)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < DURATION:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response.get("X-Page-Cache") == expect, (url, response.get("X-Page-Cache"))
        count += 1
    return round(count / (time.perf_counter() - start), 1)


def queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def main():
    from tests.cache import clear_this_runs_cache

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        clear_this_runs_cache()
        notices_url = build()
        client = Client()
        with override_settings(PAGE_CACHE_ENABLED=False):
            figures = {
                "home_rps_uncached": rate(client, "/", None),
                "notices_rps_uncached": rate(client, notices_url, None),
                "home_queries_uncached": queries(client, "/"),
            }
        with override_settings(PAGE_CACHE_ENABLED=True):
            figures["home_rps_cached"] = rate(client, "/", "hit")
            figures["notices_rps_cached"] = rate(client, notices_url, "hit")
            figures["home_queries_cached"] = queries(client, "/")
        figures["speedup_home"] = round(
            figures["home_rps_cached"] / figures["home_rps_uncached"], 1
        )
        figures["cache"] = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        figures["database"] = connection.vendor
    finally:
        clear_this_runs_cache()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
