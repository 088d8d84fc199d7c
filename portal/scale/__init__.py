"""A subdistrict after a year, for load tests: `manage.py load_demo_data --scale year`.

On top of the normal demo data (which it needs: communities, sections, items, stores), it adds
10,000 volunteers, 2,000 shifts a week for 52 weeks with sign-ups and attendance, 1,000 notices
and stories, 100,000 stock movements (with their documents and balances) and 5,000 help
requests. Everyone is invented (Faker zh_CN, seeded). `--scale 0.01` takes a hundredth of each
count; the hidden `--volunteers N` ... options set one count (the tests use them).

Fast and still correct: rows are written with bulk_create in batches (one statement per few
hundred rows), pages are added to the tree by computing their treebeard paths (one insert per
batch for the Page rows and one for the specific rows, then one numchild update per parent),
and the stock ledger is simulated in memory and its balances written once, equal to the sum of
the movements. `check()` verifies the page tree and the ledger; the command runs it and rolls
everything back if either is wrong, then `analyze()` gives PostgreSQL the new statistics.

Idempotent: each part finds its own marker (the usernames, slugs, serials it uses) and does
nothing a second time, so running it twice leaves the same data.

This package reads every app's models (like portal.demo and the load_demo_data command, it
sits above the apps it fills; nothing imports it).
"""

import contextlib
import math
import time
from dataclasses import dataclass, fields

SEED = 20260202

# The year: counts for --scale year (a factor multiplies them).
YEAR = {
    "volunteers": 10_000,
    "shifts_per_week": 2_000,
    "weeks": 52,
    "pages": 1_000,
    "movements": 100_000,
    "help_requests": 5_000,
}


@dataclass
class Sizes:
    volunteers: int
    shifts_per_week: int
    weeks: int
    pages: int
    movements: int
    help_requests: int

    @classmethod
    def build(cls, scale="year", **overrides):
        factor = 1.0 if scale in (None, "", "year") else float(scale)
        if factor <= 0:
            raise ValueError("The scale must be positive.")
        values = {
            name: (count if name == "weeks" else max(1, math.ceil(count * factor)))
            for name, count in YEAR.items()
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def as_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}


@contextlib.contextmanager
def historical_times(*model_fields):
    """Let bulk_create keep the times we give to `auto_now`/`auto_now_add` fields (a year of
    history was not all created today); restored on the way out."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in model_fields]
    try:
        for f, _now, _add in saved:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def load(sizes, stdout=None):
    """Add the year's data (inside the caller's transaction); return {part: seconds}."""
    from . import assistance, pages, people, stock

    timings = {}
    for name, part in [
        ("volunteers", people.load_volunteers),
        ("shifts", people.load_shifts),
        ("pages", pages.load),
        ("stock", stock.load),
        ("help_requests", assistance.load),
    ]:
        started = time.monotonic()
        done = part(sizes)
        timings[name] = round(time.monotonic() - started, 1)
        if stdout is not None:
            stdout.write(f"  {name}: {done} ({timings[name]} s)")
    return timings


def analyze():
    """Give PostgreSQL's planner the new tables' statistics now. Autovacuum would gather them
    in its own time; until then the planner takes a year of shifts for an empty table and
    picks sequential scans (the volunteer's hours took 200 ms instead of 0.1 ms)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def check():
    """What is wrong with the page tree and the stock ledger (an empty list when nothing)."""
    from wagtail.models import Page

    from donations.services.flows import check_flows
    from donations.services.ledger import check_balances

    problems = []
    names = ["evil characters", "bad step length", "orphans", "wrong depth", "wrong numchild"]
    for name, found in zip(names, Page.find_problems(), strict=True):
        if found:
            problems.append(f"page tree: {name}: {list(found)[:5]}")
    mismatches = check_balances()
    if mismatches:
        problems.append(f"stock ledger: {len(mismatches)} balances differ, e.g. {mismatches[:3]}")
    mismatches = check_flows()
    if mismatches:
        problems.append(f"weekly totals: {len(mismatches)} differ, e.g. {mismatches[:3]}")
    return problems
