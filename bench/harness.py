"""What the benchmarks share: Django with the test settings, a database of the benchmark's own
(Django's test-database machinery, so real data is never touched), and threads that start at
the same instant.

A benchmark run as `python bench/NAME.py` finds this module beside it: `from harness import
bench_database`."""

import os
import random
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


@contextmanager
def bench_database(name):
    """A test database of the benchmark's own for the block, destroyed after it. On SQLite, a
    file (`bench-NAME.sqlite3` in the checkout), not shared memory, so that threads each get a
    real connection; the WAL files SQLite leaves beside it go too."""
    setup_test_environment()
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(ROOT / f"bench-{name}.sqlite3")
    else:
        db.setdefault("TEST", {})["NAME"] = f"bench_{db['NAME']}_{name}"
    old_name = db["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        for leftover in ROOT.glob(f"bench-{name}.sqlite3*"):
            leftover.unlink()


def race(threads, calls_of, refused=()):
    """Runs `threads` threads released at the same instant; thread i makes each call that
    `calls_of(i, rng)` gives (rng: a random.Random of its own, seeded with i). An exception in
    `refused` is the rules saying no; any other is an error, counted by its kind. Returns
    {"calls", "refused", "errors", "error_kinds", "elapsed"}."""
    counts = {"calls": 0, "refused": 0, "errors": 0, "error_kinds": {}}
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker(index):
        made = said_no = errors = 0
        barrier.wait()
        try:
            for call in calls_of(index, random.Random(index)):
                made += 1
                try:
                    call()
                except refused:
                    said_no += 1
                except Exception as error:  # noqa: BLE001 - counted as a server error
                    errors += 1
                    kind = f"{type(error).__name__}: {error}"[:80]
                    with lock:
                        counts["error_kinds"][kind] = counts["error_kinds"].get(kind, 0) + 1
        finally:
            connections.close_all()
        with lock:
            counts["calls"] += made
            counts["refused"] += said_no
            counts["errors"] += errors

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    began = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    counts["elapsed"] = time.perf_counter() - began
    return counts
