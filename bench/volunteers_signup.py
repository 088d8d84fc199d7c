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
from datetime import timedelta

from django.db import connection
from django.utils import timezone
from harness import bench_database, race  # sets up Django on the test settings

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


def sign_up_race(shifts, profiles):
    """THREADS threads at once, each with its share of the volunteers, trying every shift in
    an order of its own."""
    from volunteers import services

    def calls_of(index, rng):
        for profile in profiles[index::THREADS]:
            for shift in rng.sample(shifts, len(shifts)):
                yield lambda profile=profile, shift=shift: services.sign_up(profile, shift)

    return race(THREADS, calls_of, refused=services.SignupError)


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
    with bench_database("volunteers"):
        from volunteers.models import Signup

        shifts, profiles = build()
        counts = sign_up_race(shifts, profiles)
        accepted = Signup.objects.filter(status="confirmed").count()
        figures = {
            "places": SHIFTS * PLACES,
            "accepted": accepted,
            "double_bookings": double_bookings(),
            "errors": counts["errors"],
            "signups_per_s": round(counts["calls"] / counts["elapsed"], 1),
            "attempts": counts["calls"],
            "threads": THREADS,
            "database": connection.vendor,
            "error_kinds": counts["error_kinds"],
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
