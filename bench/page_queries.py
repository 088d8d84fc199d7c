"""The signed-in pages' queries on the data in the database (issue 13, point 2): for the
volunteer's page, the shift list, the donor's page and the coordinator's dashboard, each page
is asked for twice through Django's test client (a cold cache, then warm); for each, the number
of queries and their time, and for every query slower than --slow ms PostgreSQL's plan (with
its sequential scans named).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale python bench/page_queries.py

Meant for a database with `manage.py load_demo_data --scale year` in it; it only reads (the
sessions it makes are in the cache). Prints one JSON line per page: page, queries_cold,
queries_warm, ms_cold, ms_warm, db_ms_warm, slow (the slow queries, with their plans' seq scans).
Without PostgreSQL in DATABASE_URL it says why on stderr and exits 0 (`make bench`).
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def people():
    """(label, user, url) for each of the four pages: the year's volunteer with the most
    sign-ups ahead, a donor's representative, the demo coordinator."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from portal.models import User
    from volunteers.models import VolunteerProfile

    volunteer = (
        VolunteerProfile.objects.filter(status="verified", user__isnull=False)
        .annotate(ahead=Count("signups", filter=Q(signups__shift__start__gt=timezone.now())))
        .order_by("-ahead", "pk")
        .select_related("user")
        .first()
    )
    donor = User.objects.filter(donor_representations__isnull=False).order_by("pk").first()
    coordinator = User.objects.filter(username="coordinator").first()
    pages = []
    if volunteer is not None:
        pages += [
            ("volunteer_me", volunteer.user, "/volunteers/me/"),
            ("shift_list", volunteer.user, "/volunteers/shifts/"),
        ]
    if donor is not None:
        pages.append(("donor_page", donor, "/donations/mine/"))
    if coordinator is not None:
        pages.append(("coordinator_dashboard", coordinator, "/admin/"))
    return pages


def sign_in(client, user):
    """A session as after a log-in (with a second factor given: staff pass the door)."""
    import time as clock

    from allauth.account.internal.flows.login import record_authentication
    from django.http import HttpRequest

    from portal.accounts.staff import LOGIN_AT_SESSION_KEY

    client.force_login(user)
    fake = HttpRequest()
    fake.session = client.session
    record_authentication(fake, user, "mfa", type="totp", reauthenticated=True)
    fake.session[LOGIN_AT_SESSION_KEY] = clock.time()
    fake.session.save()


def seq_scans(plan):
    return sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def measure(client, label, url, slow_ms, show_plans):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cache import clear_this_runs_cache

    clear_this_runs_cache(keep_sessions=True)  # only this server's keys (its KEY_PREFIX)
    result = {"page": label, "url": url}
    for run in ("cold", "warm"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        result[f"ms_{run}"] = round((time.perf_counter() - started) * 1000, 1)
        result[f"queries_{run}"] = len(captured)
        result["status"] = response.status_code
    result["db_ms_warm"] = round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1)
    slow = []
    for query in captured.captured_queries:
        if float(query["time"]) * 1000 < slow_ms:
            continue
        sql = query["sql"]
        entry = {"ms": round(float(query["time"]) * 1000, 1), "sql": sql[:300]}
        if sql.lstrip().upper().startswith("SELECT"):
            # the logged SQL has its parameters inlined: explain it as it is
            plan = explain(sql, None)
            entry["seq_scans"] = seq_scans(plan)
            found = re.search(r"Execution Time: ([0-9.]+) ms", plan)
            entry["plan_ms"] = float(found.group(1)) if found else None
            if show_plans:
                entry["plan"] = plan
        slow.append(entry)
    result["slow"] = slow
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=float, default=2.0, help="explain queries over this (ms)")
    parser.add_argument("--plans", action="store_true", help="print the whole plans")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/page_queries.py: set DATABASE_URL=postgres://...; skipped.", file=sys.stderr)
        return
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host; no e-mail or SMS leaves
    client = Client()
    for label, user, url in people():
        client.cookies.clear()
        sign_in(client, user)
        client.get(url)  # the first request after a log-in writes to the session
        print(json.dumps(measure(client, label, url, args.slow, args.plans), ensure_ascii=False))


if __name__ == "__main__":
    main()
