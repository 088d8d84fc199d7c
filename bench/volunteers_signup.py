"""Concurrent sign-ups through the real service (volunteers.services.sign_up).

Builds its own test database (never touches real data), creates shifts with few places in a
handful of overlapping time slots, and lets many volunteers, spread over threads, try every
shift in random order at once. Prints one JSON line:

  places          places offered in total
  accepted        confirmed sign-ups at the end (must equal places)
  double_bookings shifts over capacity + people on two overlapping shifts (must be 0)
  errors          anything other than a clear SignupError (must be 0)
  signups_per_s   sign-up attempts handled per second
"""

import json
import os
import random
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

SHIFTS = int(os.environ.get("BENCH_SHIFTS", "20"))
PLACES = int(os.environ.get("BENCH_PLACES", "3"))
SLOTS = int(os.environ.get("BENCH_SLOTS", "4"))
VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", "120"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))


def build():
    from portal.models import Community, Subdistrict, User
    from volunteers.models import Shift, Task, VolunteerProfile

    subdistrict = Subdistrict.objects.create(name="基准街道")
    community = Community.objects.create(subdistrict=subdistrict, name="基准社区", slug="bench")
    task = Task.objects.create(community=community, title="卡口值守", kind="gate_duty")
    start = timezone.now() + timedelta(days=1)
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                task=task,
                start=start + timedelta(hours=2 * (i % SLOTS)),
                end=start + timedelta(hours=2 * (i % SLOTS) + 3),
                places=PLACES,
            )
            for i in range(SHIFTS)
        ]
    )
    users = User.objects.bulk_create(
        [User(username=f"bench{i}", phone=f"1380000{i:04d}") for i in range(VOLUNTEERS)]
    )
    profiles = VolunteerProfile.objects.bulk_create(
        [
            VolunteerProfile(
                user=u,
                real_name=f"志愿者{i}",
                community=community,
                consent=True,
                status="verified",
                calendar_token=f"bench-{i}",
            )
            for i, u in enumerate(users)
        ]
    )
    return shifts, profiles


def race(shifts, profiles):
    from volunteers import services

    counts = {"attempts": 0, "errors": 0, "error_kinds": {}}
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(index):
        rng = random.Random(index)
        mine = profiles[index::THREADS]
        attempts = errors = 0
        barrier.wait()
        try:
            for profile in mine:
                for shift in rng.sample(shifts, len(shifts)):
                    attempts += 1
                    try:
                        services.sign_up(profile, shift)
                    except services.SignupError:
                        pass
                    except Exception as error:  # noqa: BLE001 - counted as a server error
                        errors += 1
                        kind = f"{type(error).__name__}: {error}"[:80]
                        with lock:
                            counts["error_kinds"][kind] = counts["error_kinds"].get(kind, 0) + 1
        finally:
            connections.close_all()
        with lock:
            counts["attempts"] += attempts
            counts["errors"] += errors

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts["elapsed"] = time.perf_counter() - began
    return counts


def double_bookings():
    from django.db.models import Count, F, Q

    from volunteers.models import Shift, Signup

    over = (
        Shift.objects.annotate(people=Count("signups", filter=Q(signups__status="confirmed")))
        .filter(Q(people__gt=F("places")) | ~Q(people=F("taken")))
        .count()
    )
    overlapping = 0
    live = list(
        Signup.objects.filter(status="confirmed")
        .select_related("shift")
        .order_by("profile_id", "shift__start")
    )
    for before, after in zip(live, live[1:], strict=False):
        if before.profile_id == after.profile_id and after.shift.start < before.shift.end:
            overlapping += 1
    return over + overlapping


def main():
    setup_test_environment()
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        # Threads need a file, not a private in-memory database.
        db.setdefault("TEST", {})["NAME"] = str(ROOT / "bench-volunteers.sqlite3")
    else:
        db.setdefault("TEST", {})["NAME"] = f"bench_{db['NAME']}_volunteers"
    old_name = db["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from volunteers.models import Signup

        shifts, profiles = build()
        counts = race(shifts, profiles)
        accepted = Signup.objects.filter(status="confirmed").count()
        figures = {
            "places": SHIFTS * PLACES,
            "accepted": accepted,
            "double_bookings": double_bookings(),
            "errors": counts["errors"],
            "signups_per_s": round(counts["attempts"] / counts["elapsed"], 1),
            "attempts": counts["attempts"],
            "threads": THREADS,
            "database": connection.vendor,
            "error_kinds": counts["error_kinds"],
        }
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        for leftover in ROOT.glob("bench-volunteers.sqlite3-*"):
            leftover.unlink()  # SQLite's WAL files outlive the database Django removes
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
