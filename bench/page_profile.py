"""Where the signed-in pages' time goes (issue 13, point 2): the volunteer's page, the shift
list, the donor's page and the coordinator's dashboard, each asked for --repeat times through
Django's test client, warm (cache and session filled), in one process, with DEBUG off.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/page_profile.py [--repeat 50] [--top 30]

Prints one JSON line per page: page, cpu_ms (the process's CPU time per request, median),
wall_ms (median), queries (per request), db_ms (their time). With --top N, cProfile's N
slowest functions by cumulative time are written to stderr first. Same people as
bench/page_queries.py. Without PostgreSQL in DATABASE_URL it says why on stderr and exits 0.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(client, url, repeat, top):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm: caches, session, templates
        client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    cpu, wall = [], []
    profiler = cProfile.Profile() if top else None
    for _ in range(repeat):
        started_cpu, started = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        print(f"==== {url}\n{out.getvalue()}", file=sys.stderr)
    return {
        "status": response.status_code,
        "cpu_ms": round(statistics.median(cpu), 1),
        "wall_ms": round(statistics.median(wall), 1),
        "queries": len(captured),
        "db_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
        "profiled": bool(profiler),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--top", type=int, default=0, help="print cProfile's top N (stderr)")
    parser.add_argument("--only", help="one page: volunteer_me, shift_list, donor_page, ...")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/page_profile.py: set DATABASE_URL=postgres://...; skipped.", file=sys.stderr)
        return
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment
    from page_queries import people, sign_in

    settings.DEBUG = False  # as in production (no query log, no template debug)
    setup_test_environment()
    client = Client()
    for label, user, url in people():
        if args.only and label != args.only:
            continue
        client.cookies.clear()
        sign_in(client, user)
        result = {"page": label, "url": url, **measure(client, url, args.repeat, args.top)}
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
