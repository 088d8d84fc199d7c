"""Matching on the models (volunteers.matching, its loaders and its pure core), issue 6.

Builds its own test database (never touches real data) with the synthetic subdistrict of
bench/matching_core.py stored as models: 10,000 volunteers (users, profiles, skills, course
completions, existing confirmed sign-ups), 37 communities, 2,000 shifts over next week (one task
each, with required/preferred skills, required courses, party posts). Prints ONE JSON line:

  rank_ms, rank_queries   volunteers.matching.rank_for_shift(shift, top=20) on the shift open
                          to the most people: wall time (best of 3) and SQL queries;
                          rank_cpu_ms its CPU time in this process (best of 3)
  assign_seconds          volunteers.matching.propose(all 2,000 shifts): loading from the DB +
                          auto_assign; places_total, places_filled, total_score, assign_method
  violations              hard-rule violations of that proposal (check_violations; must be 0)
  optimum_ratio           on 2,000 volunteers x 300 shifts loaded through the same adapter:
                          auto_assign's total score / exact_optimum's; greedy_ratio the same for
                          greedy_assign
  rank_ms_history         rank_ms again after half a year of history is added: BENCH_HISTORY
                          (30) past shifts per volunteer over 180 days, 80 % attended
                          (history_signups of them); ranking reads only the reliability window

Usage: python bench/matching.py   (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)

A full run takes several minutes; each phase says on stderr when it is done.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from datetime import datetime, timedelta  # noqa: E402

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import matching_core  # noqa: E402

N_VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", "10000"))
N_SHIFTS = int(os.environ.get("BENCH_SHIFTS", "2000"))
N_HISTORY = int(os.environ.get("BENCH_HISTORY", "30"))
STARTED = time.perf_counter()


def done(phase):
    """Tells stderr that `phase` is done, and when (the JSON line comes only at the end)."""
    elapsed = time.perf_counter() - STARTED
    print(f"bench/matching.py: {phase} ({elapsed:.0f} s)", file=sys.stderr, flush=True)


def _week_start():
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, datetime.min.time())


def build(seed=42):
    from content import demo as content_demo
    from content.models import CourseCompletion
    from portal import demo
    from portal.models import Community, Compound, Post, Subdistrict, User
    from tests.factories import add_course
    from volunteers.models import Shift, Signup, Skill, Task, VolunteerProfile

    week = _week_start()
    matching_core.WEEK_START = week
    cands, specs, commitments = matching_core.make_subdistrict(N_VOLUNTEERS, N_SHIFTS, seed=seed)
    tz = timezone.get_current_timezone()

    def aware(dt):
        return timezone.make_aware(dt, tz)

    subdistrict = Subdistrict.objects.create(name="基准街道")
    communities = Community.objects.bulk_create(
        [
            Community(subdistrict=subdistrict, name=f"基准社区{k}", slug=f"bench-{k}")
            for k in range(37)
        ]
    )
    compound_names = sorted(
        {c.compound_id for c in cands} | {s.compound_id for s in specs if s.compound_id}
    )
    compounds = {}
    for name in compound_names:
        k = int(name[1:].split("-")[0])
        compounds[name] = Compound(community=communities[k], name=name)
    Compound.objects.bulk_create(compounds.values())
    skills = {
        code: Skill.objects.get_or_create(code=f"bench-{code}", defaults={"name": code})[0]
        for code in matching_core.SKILLS
    }
    home = demo.load_site()
    course_index = content_demo.load_indexes(home)[1]
    courses = {
        code: add_course(course_index, title=code, slug=f"bench-{code}", publish=False)
        for code in matching_core.COURSES
    }

    users = User.objects.bulk_create([User(username=f"bench{c.id}") for c in cands])
    profiles = VolunteerProfile.objects.bulk_create(
        [
            VolunteerProfile(
                user=u,
                real_name=f"志愿者{c.id}",
                community=communities[c.community_id],
                compound=compounds[c.compound_id],
                is_party_member=c.party_member,
                consent=True,
                status="verified",
                calendar_token=f"bench-{c.id}",
                availability=_availability(c.available),
            )
            for c, u in zip(cands, users, strict=True)
        ]
    )
    through = VolunteerProfile.skills.through
    through.objects.bulk_create(
        [
            through(volunteerprofile_id=p.pk, skill_id=skills[s].pk)
            for c, p in zip(cands, profiles, strict=True)
            for s in c.skills
        ],
        batch_size=5000,
    )
    CourseCompletion.objects.bulk_create(
        [
            CourseCompletion(user_id=u.pk, course_id=courses[co].pk)
            for c, u in zip(cands, users, strict=True)
            for co in c.completed_courses
        ],
        batch_size=5000,
    )

    party_posts = {}
    tasks = []
    for s in specs:
        community = communities[s.community_id]
        post = None
        if s.party_post:
            compound = compounds.get(s.compound_id) or next(
                v for v in compounds.values() if v.community_id == community.pk
            )
            post = party_posts.get(compound.pk)
            if post is None:
                post = party_posts[compound.pk] = Post.objects.create(
                    compound=compound, name=f"党员先锋岗{compound.pk}", is_party_post=True
                )
        tasks.append(
            Task(
                community=community,
                title=str(s.id),
                compound=compounds.get(s.compound_id),
                post=post,
                own_community_only=s.accepted_community_ids is not None,
            )
        )
    Task.objects.bulk_create(tasks)
    rows = []
    for s, t in zip(specs, tasks, strict=True):
        rows += [("skills", t.pk, skills[x].pk) for x in s.required_skills]
        rows += [("preferred_skills", t.pk, skills[x].pk) for x in s.optional_skills]
        rows += [("required_courses", t.pk, courses[x].pk) for x in s.required_courses]
    Task.skills.through.objects.bulk_create(
        [Task.skills.through(task_id=a, skill_id=b) for f, a, b in rows if f == "skills"]
    )
    Task.preferred_skills.through.objects.bulk_create(
        [
            Task.preferred_skills.through(task_id=a, skill_id=b)
            for f, a, b in rows
            if f == "preferred_skills"
        ]
    )
    Task.required_courses.through.objects.bulk_create(
        [
            Task.required_courses.through(task_id=a, coursepage_id=b)
            for f, a, b in rows
            if f == "required_courses"
        ]
    )
    Shift.objects.bulk_create(
        [
            Shift(task=t, start=aware(s.start), end=aware(s.end), places=s.places)
            for s, t in zip(specs, tasks, strict=True)
        ]
    )

    # existing commitments: confirmed places on other shifts of a "booked" task
    booked_task = Task.objects.create(community=communities[0], title="已排班")
    booked = []
    for cid, intervals in commitments.items():
        for start, end in intervals:
            booked.append(
                (
                    cid,
                    Shift(task=booked_task, start=aware(start), end=aware(end), places=1, taken=1),
                )
            )
    Shift.objects.bulk_create([sh for _cid, sh in booked], batch_size=5000)
    Signup.objects.bulk_create(
        [
            Signup(shift=sh, profile=profiles[cid], status="confirmed", confirmed_at=timezone.now())
            for cid, sh in booked
        ],
        batch_size=5000,
    )
    return Shift.objects.exclude(task=booked_task)


def _availability(slots):
    grid = {}
    for day in sorted({d for d, _h in slots}):
        hours = sorted(h for d, h in slots if d == day)
        ranges, begin, prev = [], hours[0], hours[0]
        for h in hours[1:] + [None]:
            if h is None or h != prev + 1:
                ranges.append([f"{begin:02d}:00", f"{prev + 1:02d}:00"])
                begin = h
            if h is not None:
                prev = h
        grid[str(day)] = ranges
    return grid


def run():
    from volunteers import matching
    from volunteers.models import Shift, VolunteerProfile

    out = {"volunteers": N_VOLUNTEERS, "shifts": N_SHIFTS, "database": connection.vendor}
    t = time.perf_counter()
    shifts = build()
    if connection.vendor == "postgresql":
        # what autovacuum does shortly after a bulk load: without statistics the planner
        # picks nested loops for the eligibility subqueries of ranking
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out["build_seconds"] = round(time.perf_counter() - t, 1)
    done(f"{N_VOLUNTEERS} volunteers and {N_SHIFTS} shifts built")

    open_all = shifts.filter(task__own_community_only=False).order_by("-places", "pk").first()
    walls, cpus = [], []
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            t, c = time.perf_counter(), time.process_time()
            top = matching.rank_for_shift(open_all, top=20)
            walls.append((time.perf_counter() - t) * 1000)
            cpus.append((time.process_time() - c) * 1000)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(matching.rank_for_shift, open_all, top=20)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        return out
    out["rank_ms"] = round(min(walls), 1)
    # CPU time of this process (the shared machine's load inflates wall time; the database
    # server's own work on PostgreSQL is not in it)
    out["rank_cpu_ms"] = round(min(cpus), 1)
    out["rank_queries"] = len(ctx.captured_queries)
    out["rank_returned"] = len(top)
    done("ranked")

    t = time.perf_counter()
    proposals, result = matching.propose(shifts)
    out["assign_seconds"] = round(time.perf_counter() - t, 2)
    out["places_total"] = sum(s.places for s in shifts)
    out["places_filled"] = len(proposals)
    out["total_score"] = round(result.total_score, 2)
    out["assign_method"] = result.method
    done("all shifts assigned")

    rows = list(shifts.select_related("task__post"))
    specs = matching.shift_specs(rows)
    window = matching.week_window([s.start for s in rows] + [s.end for s in rows])
    cands, commitments = matching.load_candidates(
        VolunteerProfile.objects.filter(status="verified"), window
    )
    out["violations"] = matching.check_violations(
        list(result), cands, list(specs.values()), commitments
    )

    # small instance, same adapter: 2,000 volunteers x 300 shifts
    small_rows = sorted(rows, key=lambda s: s.pk)[:300]
    small_specs = [specs[s.pk] for s in small_rows]
    small_cands = sorted(cands, key=lambda c: c.id)[:2000]
    w = matching.weights()
    exact = matching.exact_optimum(small_cands, small_specs, w, commitments, time_limit=120)
    auto = matching.auto_assign(small_cands, small_specs, w, commitments, time_limit=8)
    greedy = matching.greedy_assign(small_cands, small_specs, w, commitments)
    out["small_exact_optimal"] = bool(exact.optimal)
    out["small_places_filled"] = [exact.places_filled, auto.places_filled, greedy.places_filled]
    out["optimum_ratio"] = round(auto.total_score / exact.total_score, 4)
    out["greedy_ratio"] = round(greedy.total_score / exact.total_score, 4)
    assert Shift.objects.exists()
    done("checked against the exact optimum")

    out["history_signups"] = add_history(N_HISTORY)
    done(f"{out['history_signups']} past sign-ups added")
    walls = []
    for _ in range(3):
        t = time.perf_counter()
        matching.rank_for_shift(open_all, top=20)
        walls.append((time.perf_counter() - t) * 1000)
    out["rank_ms_history"] = round(min(walls), 1)
    return out


def add_history(per_volunteer, seed=7):
    """Past shifts of the last 180 days, per_volunteer each, 80 % checked in."""
    import random

    from volunteers.models import Attendance, Shift, Signup, Task, VolunteerProfile

    rnd = random.Random(seed)
    now = timezone.now()
    task = Task.objects.create(
        community_id=Task.objects.values_list("community_id", flat=True).first(), title="往期班次"
    )
    shifts, owners = [], []
    for pid in VolunteerProfile.objects.values_list("id", flat=True):
        for _ in range(per_volunteer):
            start = now - timedelta(days=rnd.randint(1, 180), hours=rnd.randint(4, 12))
            shifts.append(
                Shift(task=task, start=start, end=start + timedelta(hours=4), places=1, taken=1)
            )
            owners.append(pid)
    Shift.objects.bulk_create(shifts, batch_size=10000)
    signups = Signup.objects.bulk_create(
        [
            Signup(shift=sh, profile_id=pid, status="confirmed", confirmed_at=sh.start)
            for sh, pid in zip(shifts, owners, strict=True)
        ],
        batch_size=10000,
    )
    Attendance.objects.bulk_create(
        [
            Attendance(signup=su, check_in_at=su.shift.start, check_out_at=su.shift.end)
            for su in signups
            if rnd.random() < 0.8
        ],
        batch_size=10000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(signups)


def main():
    matching_core.silence_highs_banner()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    done("test database made")
    try:
        out = run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
