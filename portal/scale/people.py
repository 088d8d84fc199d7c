"""The year's volunteers, and their tasks, shifts, sign-ups and attendance."""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from faker import Faker

from portal import demo as portal_demo
from portal.models import Community, Post, User

from . import SEED, historical_times

BATCH = 2000
USERNAME_PREFIX = "yv"  # yv00001 ...: the year's volunteers (the demo's are vol0001 ...)
TASK_PREFIX = "日常值守 · "
SLOTS = [("07:00", "12:00"), ("12:00", "19:00")]
KINDS = ["gate_duty", "gate_duty", "gate_duty", "temperature", "disinfection"]
WORK_UNITS = ["丰台区税务局", "丰台区第八中学", "卢沟桥街道办事处", "丰台区市场监督管理局"]


def username(n):
    return f"{USERNAME_PREFIX}{n:05d}"


def load_volunteers(sizes):
    from volunteers.models import AVAILABILITY_SLOTS, Skill, VolunteerProfile

    if User.objects.filter(username=username(1)).exists():
        return "already there"
    rng = random.Random(SEED)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    communities = list(Community.objects.prefetch_related("compounds").order_by("pk"))
    compounds = {c.pk: list(c.compounds.all()) for c in communities}
    skills = list(Skill.objects.all())
    coordinator = User.objects.filter(username="coordinator").first()
    password = make_password(portal_demo.DEMO_PASSWORD)
    now = timezone.now()
    year_ago = now - timedelta(days=7 * sizes.weeks)
    ids = set()
    created = 0
    through = VolunteerProfile.skills.through
    profile_fields = VolunteerProfile._meta
    with historical_times(
        profile_fields.get_field("created_at"), profile_fields.get_field("updated_at")
    ):
        for first in range(1, sizes.volunteers + 1, BATCH):
            numbers = range(first, min(first + BATCH, sizes.volunteers + 1))
            users, profiles = [], []
            for n in numbers:
                name = fake.name()
                joined = year_ago + timedelta(seconds=rng.randint(0, 7 * sizes.weeks * 86400))
                user = User(
                    username=username(n),
                    phone=f"135{n:08d}",
                    phone_verified=True,
                    password=password,
                    last_name=name[0],
                    first_name=name[1:],
                    date_joined=joined,
                )
                users.append(user)
                community = communities[rng.randrange(len(communities))]
                roll = rng.random()
                status = "verified" if roll < 0.85 else "pending" if roll < 0.95 else "rejected"
                id_number = ""
                if rng.random() < 0.7:
                    id_number = fake.ssn()
                    while id_number in ids:
                        id_number = fake.ssn()
                    ids.add(id_number)
                availability = {}
                for day in range(7):
                    slots = [s for s in AVAILABILITY_SLOTS if rng.random() < 0.4]
                    if slots:
                        availability[str(day)] = [[s[2], s[3]] for s in slots]
                party = rng.random() < 0.25
                profiles.append(
                    VolunteerProfile(
                        user=user,
                        real_name=name,
                        mobile=user.phone,
                        community=community,
                        compound=rng.choice(compounds[community.pk] or [None]),
                        availability=availability,
                        is_party_member=party,
                        work_unit=rng.choice(WORK_UNITS) if party else "",
                        id_number=id_number,
                        emergency_contact_name=fake.name(),
                        emergency_contact_phone=f"139{rng.randrange(10**8):08d}",
                        consent=True,
                        consent_at=joined,
                        status=status,
                        rejection_reason="请填写真实姓名" if status == "rejected" else "",
                        verified_by=coordinator if status != "pending" else None,
                        verified_at=joined + timedelta(days=1) if status != "pending" else None,
                        created_at=joined,
                        updated_at=joined,
                    )
                )
            User.objects.bulk_create(users)
            VolunteerProfile.objects.bulk_create(profiles)
            through.objects.bulk_create(
                [
                    through(volunteerprofile_id=p.pk, skill_id=s.pk)
                    for p in profiles
                    for s in rng.sample(skills, min(len(skills), rng.randint(0, 3)))
                ]
            )
            created += len(users)
    return f"{created} volunteers"


def _tasks(sizes, rng):
    from volunteers.models import Task

    communities = list(Community.objects.order_by("pk"))
    posts = defaultdict(list)
    for post in Post.objects.select_related("compound").order_by("pk"):
        posts[post.compound.community_id].append(post)
    count = max(1, -(-sizes.shifts_per_week // (7 * len(SLOTS))))
    tasks = []
    for n in range(count):
        community = communities[n % len(communities)]
        kind = KINDS[n % len(KINDS)]
        options = posts[community.pk]
        post = options[(n // len(communities)) % len(options)] if options else None
        place = f"{post.compound.name}{post.name}" if post else community.name
        tasks.append(
            Task(
                community=community,
                compound=post.compound if post else None,
                post=post if kind == "gate_duty" else None,
                title=f"{TASK_PREFIX}{place} · {n + 1}",
                kind=kind,
                instructions="提前5分钟到岗，佩戴口罩，扫码签到、签退。",
            )
        )
    Task.objects.bulk_create(tasks)
    return tasks


def load_shifts(sizes):
    from volunteers.models import Attendance, Shift, Signup, Task, VolunteerProfile

    if Task.objects.filter(title__startswith=TASK_PREFIX).exists():
        return "already there"
    rng = random.Random(SEED + 1)
    tasks = _tasks(sizes, rng)
    pools = defaultdict(list)
    for pk, community_id in (
        VolunteerProfile.objects.filter(
            user__username__startswith=USERNAME_PREFIX, status="verified"
        )
        .order_by("pk")
        .values_list("pk", "community_id")
    ):
        pools[community_id].append(pk)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate()
    first_day = today - timedelta(days=7 * (sizes.weeks - 1))
    per_day = max(1, round(sizes.shifts_per_week / 7))
    combos = [(task, slot) for slot in SLOTS for task in tasks][:per_day]
    totals = {"shifts": 0, "signups": 0, "attendance": 0}
    with historical_times(Signup._meta.get_field("created_at")):
        for week in range(sizes.weeks):
            shifts, signups = [], []
            for offset in range(7):
                day = first_day + timedelta(days=7 * week + offset)
                _day(day, combos, pools, rng, tz, now, shifts, signups)
            Shift.objects.bulk_create(shifts, batch_size=BATCH)
            # (bulk_create takes each shift's new key from the shift itself, keeping it cached:
            # attendance below reads signup.shift without a query)
            Signup.objects.bulk_create(signups, batch_size=BATCH)
            attendance = [_attendance(s, rng) for s in signups if _attended(s, now)]
            Attendance.objects.bulk_create(attendance, batch_size=BATCH)
            totals["shifts"] += len(shifts)
            totals["signups"] += len(signups)
            totals["attendance"] += len(attendance)
    return ", ".join(f"{n} {name}" for name, n in totals.items())


def _day(day, combos, pools, rng, tz, now, shifts, signups):
    from volunteers.models import Shift, Signup

    # (community, slot) -> volunteers not yet on a shift then; a volunteer chosen leaves it
    # (swapped with the last one: each choice costs the same whatever the pool's size)
    free = {}
    for task, (begin, finish) in combos:
        start = timezone.make_aware(datetime.combine(day, time.fromisoformat(begin)), tz)
        end = timezone.make_aware(datetime.combine(day, time.fromisoformat(finish)), tz)
        places = 2 if task.kind == "gate_duty" else 3
        shift = Shift(task=task, start=start, end=end, places=places)
        past = end < now
        # Past shifts were (nearly) always full; future ones keep places open for sign-ups.
        wanted = places - (rng.random() < 0.1) if past else rng.randint(0, places - 1)
        key = (task.community_id, begin)
        if key not in free:
            free[key] = list(pools.get(task.community_id, []))
        available = free[key]
        chosen = []
        for _ in range(min(len(available), wanted)):
            index = rng.randrange(len(available))
            chosen.append(available[index])
            available[index] = available[-1]
            available.pop()
        taken = 0
        for profile_id in chosen:
            roll = rng.random()
            status = "confirmed"
            if past and roll < 0.04:
                status = "no_show"
            elif roll > 0.95:
                status = "withdrawn"
            taken += status in ("confirmed", "no_show")
            confirmed = start - timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 600))
            signups.append(
                Signup(
                    shift=shift,
                    profile_id=profile_id,
                    status=status,
                    created_at=confirmed,
                    confirmed_at=confirmed,
                    ended_at=confirmed + timedelta(hours=8) if status == "withdrawn" else None,
                )
            )
        shift.taken = taken
        shifts.append(shift)


def _attended(signup, now):
    return signup.status == "confirmed" and signup.shift.end < now


def _attendance(signup, rng):
    from volunteers.models import Attendance

    check_in = signup.shift.start + timedelta(minutes=rng.randint(-10, 5))
    check_out = signup.shift.end + timedelta(minutes=rng.randint(-5, 10))
    item = Attendance(
        signup=signup,
        check_in_at=check_in,
        check_out_at=check_out,
        source="qr" if rng.random() < 0.8 else "coordinator",
    )
    item.minutes = item.compute_minutes()
    return item
