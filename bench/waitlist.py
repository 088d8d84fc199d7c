"""Waiting lists under load, through the real services (volunteers.services.waitlist).

Builds its own data (in a test database of its own when run as a script; `run()` alone uses
the current database, so other benchmarks can call it). Full shifts each get a waiting list;
then 16 threads at once free places (withdrawals), accept, decline and let offers lapse, sign
newcomers up and put people back on the lists. Prints one JSON line:

  waitlist_promotions  offers accepted: waiting volunteers who got a place from the list
  offers               places offered from a list (accepted, declined or lapsed)
  double_promotions    shifts holding more than their places, or whose count disagrees with
                       the sign-ups and offers holding places, plus people on a shift twice
                       (must be 0)
  errors               anything other than a clear SignupError (must be 0)
  operations_per_s     service calls handled per second
"""

import json
import os
import random
import threading
from datetime import timedelta

from harness import bench_database, race  # sets up Django on the test settings


def build(shifts, places, waiters, prefix):
    from django.utils import timezone

    from portal.models import Community, Subdistrict, User
    from volunteers import services
    from volunteers.models import Shift, Task, VolunteerProfile

    subdistrict, _ = Subdistrict.objects.get_or_create(name="基准街道")
    community = Community.objects.create(
        subdistrict=subdistrict, name=f"候补基准社区{prefix}", slug=f"bench-waitlist-{prefix}"
    )
    task = Task.objects.create(community=community, title="卡口值守", kind="gate_duty")
    start = timezone.now() + timedelta(days=2)
    # one shift per 6-hour slot, so nobody's shifts overlap
    made = Shift.objects.bulk_create(
        [
            Shift(
                task=task,
                start=start + timedelta(hours=6 * i),
                end=start + timedelta(hours=6 * i + 4),
                places=places,
            )
            for i in range(shifts)
        ]
    )
    people = shifts * (places + waiters) + shifts * 2
    users = User.objects.bulk_create(
        [User(username=f"bw{prefix}-{i}", phone=f"139{prefix:02d}{i:06d}") for i in range(people)]
    )
    profiles = VolunteerProfile.objects.bulk_create(
        [
            VolunteerProfile(
                user=u,
                real_name=f"候补{i}",
                community=community,
                consent=True,
                status="verified",
                calendar_token=f"bw-{prefix}-{i}",
            )
            for i, u in enumerate(users)
        ]
    )
    pool = iter(profiles)
    for shift in made:
        for _ in range(places):
            services.sign_up(next(pool), shift)
        for _ in range(waiters):
            services.join_waitlist(next(pool), shift)
    return made, list(pool)


def count_double_promotions(shift_ids):
    from django.db.models import Count, F, Q

    from volunteers.models import Shift, Signup

    over = (
        Shift.objects.filter(pk__in=shift_ids)
        .annotate(
            holding=Count("signups", filter=Q(signups__status__in=Signup.HOLDING), distinct=True),
            offered=Count("waitlist", filter=Q(waitlist__status="offered"), distinct=True),
        )
        .filter(
            Q(holding__gt=F("places"))
            | ~Q(taken=F("holding") + F("offered"))
            | Q(taken__gt=F("places"))
        )
        .count()
    )
    twice = (
        Signup.objects.live()
        .filter(shift_id__in=shift_ids)
        .values("shift", "profile")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return over + twice


def waitlist_race(shift_ids, newcomers, threads, operations):
    """`threads` threads at once, each making `operations` of the calls below on the shifts."""
    from django.utils import timezone

    from volunteers import services
    from volunteers.models import Signup, WaitlistEntry

    spare = list(newcomers)
    lock = threading.Lock()

    def one(rng):
        shift_id = rng.choice(shift_ids)
        roll = rng.random()
        if roll < 0.35:  # someone on the shift withdraws: the place goes to the list
            signup = Signup.objects.filter(shift_id=shift_id, status="confirmed").order_by("?")
            signup = signup.select_related("profile").first()
            if signup:
                services.withdraw(signup.profile, signup)
                if rng.random() < 0.5:  # and queues again
                    services.join_waitlist(signup.profile, signup.shift)
        elif roll < 0.75:  # an offered volunteer accepts (maybe twice, as a double tap)
            entry = WaitlistEntry.objects.filter(shift_id=shift_id, status="offered").first()
            if entry:
                for _ in range(1 + (rng.random() < 0.3)):
                    services.accept_offer(entry.profile, entry)
        elif roll < 0.82:  # declines
            entry = WaitlistEntry.objects.filter(shift_id=shift_id, status="offered").last()
            if entry:
                services.decline_offer(entry.profile, entry)
        elif roll < 0.9:  # an offer lapses and the expiry job passes it on
            entry = WaitlistEntry.objects.filter(shift_id=shift_id, status="offered").first()
            if entry:
                WaitlistEntry.objects.filter(pk=entry.pk, status="offered").update(
                    offer_expires_at=timezone.now() - timedelta(seconds=1)
                )
                services.expire_offers(shift_id=shift_id)
        else:  # a newcomer tries the shift directly, or queues
            with lock:
                profile = spare.pop() if spare else None
            if profile:
                from volunteers.models import Shift

                shift = Shift.objects.get(pk=shift_id)
                try:
                    services.sign_up(profile, shift)
                except services.SignupError:
                    services.join_waitlist(profile, shift)

    def calls_of(index, rng):
        return (lambda: one(rng) for _ in range(operations))

    return race(threads, calls_of, refused=services.SignupError)


def run(shifts=8, places=3, waiters=6, threads=16, operations=40, prefix=None):
    """Race on the current database; returns the figures (see the module docstring)."""
    from django.db import connection

    from volunteers.models import WaitlistEntry

    prefix = random.randint(10, 99) if prefix is None else prefix  # noqa: S311
    made, newcomers = build(shifts, places, waiters, prefix)
    shift_ids = [s.pk for s in made]
    counts = waitlist_race(shift_ids, newcomers, threads, operations)
    entries = WaitlistEntry.objects.filter(shift_id__in=shift_ids)
    return {
        "waitlist_promotions": entries.filter(status="accepted").count(),
        "offers": entries.exclude(offered_at=None).count(),
        "double_promotions": count_double_promotions(shift_ids),
        "errors": counts["errors"],
        "operations_per_s": round(counts["calls"] / counts["elapsed"], 1),
        "operations": counts["calls"],
        "threads": threads,
        "database": connection.vendor,
        "error_kinds": counts["error_kinds"],
    }


if __name__ == "__main__":
    with bench_database("waitlist"):
        figures = run(
            shifts=int(os.environ.get("BENCH_SHIFTS", "8")),
            threads=int(os.environ.get("BENCH_THREADS", "16")),
            operations=int(os.environ.get("BENCH_OPERATIONS", "40")),
        )
    print(json.dumps(figures))
