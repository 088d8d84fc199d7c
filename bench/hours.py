"""Hours, star levels and service records at a subdistrict's scale (issue 14, items 3-5).

Builds its own test database (never real data; SQLite by default, PostgreSQL when DATABASE_URL
is set): 37 communities, --volunteers verified volunteers (default 10,000, with encrypted ID
numbers) and a year of attendance, about 100 shifts of 5 hours each per volunteer (about a
million rows at full size), written with bulk_create in batches. Attendance of the last week is
recorded, the rest confirmed. Then it times the real services and prints one JSON line:

  confirm_shift_ms       one coordinator bulk-confirms the recorded attendance of one shift
                         (services.hours.confirm_shift: one UPDATE, the audit event and the star
                         applications of the people on it), median of 5 shifts
  star_levels_seconds    recompute every volunteer's level from confirmed hours and create the
                         applications (services.stars.apply_for_reached_levels) plus the grant
                         step (grant_due)
  record_export_seconds  one community's year of service records as xlsx, ID numbers masked
                         (volunteers.records: query, rows, workbook bytes)
  waitlist_promotions    waiting volunteers who got a freed place, with 16 threads freeing
                         and taking places at once (bench/waitlist.py's run(), imported)
  double_promotions      shifts holding more than their places or counting them wrong, and
                         people on a shift twice, after that race (must be 0)
  *_cpu_*                the same steps in this process's CPU time (SQLite: including the
                         database), for a loaded machine
  attendance_rows, records_exported, applications, build_seconds, database

    python bench/hours.py                    # full size (slow to build: run it once)
    python bench/hours.py --volunteers 500   # a quick run
"""

import argparse
import json
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import waitlist as waitlist_bench  # noqa: E402  (bench/waitlist.py: the waiting-list race)
from harness import bench_database  # noqa: E402  (sets up Django on the test settings)

COMMUNITIES = 37
SHIFTS_PER_VOLUNTEER = 100
BATCH = 5000
WAITLIST_THREADS = 16
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(i):
    """A valid (checksummed) Beijing ID card number, distinct for each i."""
    born = datetime(1960, 1, 1) + timedelta(days=i // 1000)
    body = f"110105{born:%Y%m%d}{i % 1000:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
    return body + check


def build(volunteers, rng):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from portal import roles
    from portal.models import Community, StaffMembership, Subdistrict, User
    from portal.roles import sync_roles
    from volunteers.models import Attendance, Shift, Signup, Task, VolunteerProfile

    sync_roles()
    subdistrict = Subdistrict.objects.create(name="卢沟桥街道")
    communities = Community.objects.bulk_create(
        [
            Community(subdistrict=subdistrict, name=f"基准{c:02d}社区", slug=f"bench-{c}")
            for c in range(COMMUNITIES)
        ]
    )
    admin = User.objects.create(username="bench-admin", phone="13800000000")
    admin.groups.add(Group.objects.get(name=roles.SUBDISTRICT_ADMIN))
    coordinator = User.objects.create(username="bench-coord", phone="13800000001")
    coordinator.groups.add(Group.objects.get(name=roles.COORDINATOR))
    StaffMembership.objects.create(user=coordinator, community=communities[0])

    # Two tasks per community, two 5-hour shifts a day each, for a year.
    today = timezone.localdate()
    first = today - timedelta(days=365)
    tz = timezone.get_current_timezone()
    tasks = Task.objects.bulk_create(
        [
            Task(community=c, title=title, kind=kind)
            for c in communities
            for title, kind in (("北门值守", "gate_duty"), ("楼道消杀", "disinfection"))
        ]
    )
    shifts = []
    for task in tasks:
        for day in range(365):
            date = first + timedelta(days=day)
            for hour in (7, 13):
                start = timezone.make_aware(datetime(date.year, date.month, date.day, hour), tz)
                shifts.append(
                    Shift(task=task, start=start, end=start + timedelta(hours=5), places=60)
                )
    shifts = Shift.objects.bulk_create(shifts, batch_size=BATCH)
    by_community = {}
    for shift in shifts:
        by_community.setdefault(shift.task.community_id, []).append(shift)

    users = User.objects.bulk_create(
        [User(username=f"bench{i}", phone=f"139{i:08d}") for i in range(volunteers)],
        batch_size=BATCH,
    )
    profiles = VolunteerProfile.objects.bulk_create(
        [
            VolunteerProfile(
                user=user,
                real_name=f"志愿者{i}",
                community=communities[i % COMMUNITIES],
                id_number=id_number(i),
                consent=True,
                status="verified",
                calendar_token=f"bench-{i}",
            )
            for i, user in enumerate(users)
        ],
        batch_size=BATCH,
    )

    now = timezone.now()
    recent = now - timedelta(days=7)
    rows = 0
    pending_signups = []

    def flush():
        nonlocal rows
        made = Signup.objects.bulk_create(pending_signups, batch_size=BATCH)
        attendance = []
        for signup in made:
            shift = signup.shift
            late = rng.choice((0, 0, 0, 10, 30))
            check_in = shift.start + timedelta(minutes=late)
            confirmed = shift.end < recent
            attendance.append(
                Attendance(
                    signup=signup,
                    check_in_at=check_in,
                    check_out_at=shift.end,
                    minutes=int((shift.end - check_in).total_seconds() // 60),
                    status="confirmed" if confirmed else "recorded",
                    confirmed_by=coordinator if confirmed else None,
                    confirmed_at=shift.end + timedelta(days=1) if confirmed else None,
                )
            )
        Attendance.objects.bulk_create(attendance, batch_size=BATCH)
        rows += len(attendance)
        pending_signups.clear()

    for profile in profiles:
        pool = [s for s in by_community[profile.community_id] if s.end < now]
        count = min(
            len(pool), rng.randint(SHIFTS_PER_VOLUNTEER // 5, SHIFTS_PER_VOLUNTEER * 9 // 5)
        )
        for shift in rng.sample(pool, count):
            pending_signups.append(
                Signup(shift=shift, profile=profile, status="confirmed", confirmed_at=shift.start)
            )
        if len(pending_signups) >= BATCH * 4:
            flush()
    flush()
    return {
        "admin": admin,
        "coordinator": coordinator,
        "community": communities[0],
        "rows": rows,
        "first": first,
        "today": today,
    }


def main(volunteers):
    from django.db import connection
    from django.db.models import Count, Q

    from portal.importexport.exports import spreadsheet_bytes
    from volunteers import records
    from volunteers.models import Shift, StarApplication
    from volunteers.services import hours, stars

    rng = random.Random(14)
    began = time.perf_counter()
    world = build(volunteers, rng)
    build_seconds = time.perf_counter() - began

    # confirm_shift: shifts of the coordinator's community with recorded attendance
    waiting = (
        Shift.objects.filter(task__community=world["community"])
        .annotate(n=Count("signups__attendance", filter=Q(signups__attendance__status="recorded")))
        .filter(n__gt=0)
        .order_by("-n")[:5]
    )
    timings, cpu = [], []
    confirmed = 0
    for shift in waiting:
        started, cpu_started = time.perf_counter(), time.process_time()
        confirmed += hours.confirm_shift(shift, world["coordinator"])
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    StarApplication.objects.all().delete()  # the full recompute below starts from nothing

    started, cpu_started = time.perf_counter(), time.process_time()
    applications = stars.apply_for_reached_levels()
    stars.grant_due()
    star_seconds = time.perf_counter() - started
    star_cpu = time.process_time() - cpu_started

    started, cpu_started = time.perf_counter(), time.process_time()
    queryset = records.records(
        world["admin"], community=world["community"], start=world["first"], end=world["today"]
    )
    dataset = records.records_dataset(queryset, full_id_numbers=False)
    content = spreadsheet_bytes(dataset, "xlsx")
    export_seconds = time.perf_counter() - started
    export_cpu = time.process_time() - cpu_started

    # The waiting-list race of bench/waitlist.py, on its own shifts in this same database.
    race = waitlist_bench.run(threads=WAITLIST_THREADS)

    return {
        "confirm_shift_ms": round(statistics.median(timings), 1) if timings else None,
        "star_levels_seconds": round(star_seconds, 2),
        "record_export_seconds": round(export_seconds, 2),
        # This process's CPU time for the same steps (with SQLite it includes the database's
        # work): the figures to compare when the machine is shared and wall times wander.
        "confirm_shift_cpu_ms": round(statistics.median(cpu), 1) if cpu else None,
        "star_levels_cpu_seconds": round(star_cpu, 2),
        "record_export_cpu_seconds": round(export_cpu, 2),
        "waitlist_promotions": race["waitlist_promotions"],
        "double_promotions": race["double_promotions"],
        "waitlist_errors": race["errors"],
        "attendance_rows": world["rows"],
        "confirmed_in_shifts": confirmed,
        "records_exported": len(dataset),
        "xlsx_bytes": len(content),
        "applications": applications,
        "volunteers": volunteers,
        "build_seconds": round(build_seconds, 1),
        "database": connection.vendor,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=10_000)
    args = parser.parse_args()
    with bench_database(f"hours-{args.volunteers}"):
        result = main(args.volunteers)
    print(json.dumps(result))
