"""Demo data for volunteering: ~300 volunteers (invented by Faker zh_CN, seeded) across the
communities, gate-duty templates for the gates of the named communities, a week of shifts
behind and ahead, sign-ups and attendance. Idempotent: a second run finds the demo tasks and
adds nothing."""

import random
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db.models import Count, Q
from django.utils import timezone
from faker import Faker

from portal import demo as portal_demo
from portal.models import Community, Post, User

from .models import (
    AVAILABILITY_SLOTS,
    Attendance,
    Shift,
    ShiftTemplate,
    Signup,
    Skill,
    Task,
    VolunteerProfile,
)
from .services import generate_from_template

VOLUNTEERS = 300
SEED = 20260101
GATE_RANGES = [["07:00", "12:00"], ["12:00", "19:00"]]
WORK_UNITS = [
    "丰台区税务局",
    "丰台区第八中学",
    "北京市丰台区人民医院",
    "卢沟桥街道办事处",
    "丰台区市场监督管理局",
    "北京西站地区管委会",
]


def load(home=None, stdout=None):
    if Task.objects.filter(title__startswith="卡口值守").exists():
        _courses_required()
        _teams_and_projects()
        return
    rng = random.Random(SEED)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    named = [slug for _name, slug in portal_demo.NAMED_COMMUNITIES]
    communities = list(Community.objects.prefetch_related("compounds").order_by("pk"))
    named_communities = [c for c in communities if c.slug in named]
    profiles = _volunteers(fake, rng, communities, named_communities)
    shifts = _tasks_and_shifts(named_communities)
    _courses_required()
    _signups(rng, profiles, shifts)
    _teams_and_projects()
    _a_season_of_service(named_communities[0])
    if stdout is not None:
        stdout.write(f"志愿者演示数据: {len(profiles)} volunteers, {len(shifts)} shifts.")


def _volunteers(fake, rng, communities, named_communities):
    password = make_password(portal_demo.DEMO_PASSWORD)
    skills = list(Skill.objects.all())
    start = 1  # demo volunteers use 137 0000 xxxx
    users = [
        User(
            username=f"vol{n:04d}",
            phone=f"1370000{n:04d}",
            phone_verified=True,
            password=password,
            last_name="",
            first_name="",
        )
        for n in range(start, start + VOLUNTEERS)
    ]
    User.objects.bulk_create(users, ignore_conflicts=True)
    users = list(User.objects.filter(username__startswith="vol0").order_by("username"))
    now = timezone.now()
    coordinator = User.objects.filter(username="coordinator").first()
    profiles = []
    for index, user in enumerate(users):
        # Most volunteers live in the seven named communities, the rest anywhere.
        community = (
            named_communities[index % len(named_communities)]
            if index < VOLUNTEERS * 0.7
            else rng.choice(communities)
        )
        compounds = list(community.compounds.all())
        roll = rng.random()
        status = "verified" if roll < 0.85 else "pending" if roll < 0.96 else "rejected"
        party = rng.random() < 0.25
        availability = {}
        for day in range(7):
            slots = [s for s in AVAILABILITY_SLOTS if rng.random() < 0.4]
            if slots:
                availability[str(day)] = [[s[2], s[3]] for s in slots]
        name = fake.name()
        user.last_name, user.first_name = name[0], name[1:]
        profiles.append(
            VolunteerProfile(
                user=user,
                real_name=name,
                mobile=user.phone,
                community=community,
                compound=rng.choice(compounds) if compounds else None,
                availability=availability,
                is_party_member=party,
                work_unit=rng.choice(WORK_UNITS) if party else "",
                emergency_contact_name=fake.name(),
                emergency_contact_phone=fake.phone_number(),
                consent=True,
                consent_at=now - timedelta(days=rng.randint(1, 40)),
                status=status,
                rejection_reason="请填写真实姓名" if status == "rejected" else "",
                verified_by=coordinator if status != "pending" else None,
                verified_at=now if status != "pending" else None,
            )
        )
    User.objects.bulk_update(users, ["last_name", "first_name"])
    VolunteerProfile.objects.bulk_create(profiles)
    through = VolunteerProfile.skills.through
    links = [
        through(volunteerprofile_id=p.pk, skill_id=s.pk)
        for p in profiles
        for s in rng.sample(skills, min(len(skills), rng.randint(0, 3)))
    ]
    through.objects.bulk_create(links)
    # The demo "volunteer" account is a verified volunteer of 民岳家园社区.
    account = User.objects.filter(username="volunteer").first()
    if account is not None and not VolunteerProfile.objects.filter(user=account).exists():
        minyue = next(c for c in named_communities if c.slug == "minyue-jiayuan")
        profile = VolunteerProfile.objects.create(
            user=account,
            real_name="李晓红",
            mobile=account.phone,
            community=minyue,
            compound=minyue.compounds.order_by("name").first(),
            availability={str(d): [["07:00", "12:00"]] for d in range(7)},
            consent=True,
            consent_at=now,
            status="verified",
            verified_by=coordinator,
            verified_at=now,
        )
        profiles.append(profile)
    return [p for p in profiles if p.status == "verified"]


def _tasks_and_shifts(named_communities):
    today = timezone.localdate()
    gates = Post.objects.filter(
        compound__community__in=named_communities, kind=Post.Kind.GATE
    ).select_related("compound__community")
    tasks = []
    for post in gates:
        tasks.append(
            Task(
                community=post.compound.community,
                compound=post.compound,
                post=post,
                title=f"卡口值守 · {post.compound.name}{post.name}",
                kind=Task.Kind.GATE_DUTY,
                instructions="查验出入证、测体温、登记外来人员。请佩戴口罩，提前5分钟到岗，扫码签到。",
            )
        )
    for community in named_communities:
        tasks += [
            Task(
                community=community,
                title="楼道消杀",
                kind=Task.Kind.DISINFECTION,
                instructions="按1:100稀释84消毒液，擦拭电梯按钮和门把手，每天两次。",
            ),
            Task(
                community=community,
                title="隔离户物资配送",
                kind=Task.Kind.DELIVERY,
                instructions="将物资放在门口，敲门后离开，不与住户接触。",
            ),
            Task(
                community=community,
                title="返京人员电话排查",
                kind=Task.Kind.PHONE,
                instructions="按名单逐户电话询问，填写登记表。",
            ),
        ]
    Task.objects.bulk_create(tasks)
    templates = [
        ShiftTemplate(
            task=task,
            weekdays=list(range(7)),
            time_ranges=GATE_RANGES,
            places=2,
            start_date=today - timedelta(days=7),
            end_date=None,  # rolling: shifts always exist two weeks ahead
        )
        for task in tasks
        if task.kind == Task.Kind.GATE_DUTY
    ]
    ShiftTemplate.objects.bulk_create(templates)
    tz = timezone.get_current_timezone()
    past = []
    for template in templates:
        generate_from_template(template)
        # The week behind: shifts that already happened (the generator only makes future ones).
        for days_ago in range(7, 0, -1):
            day = today - timedelta(days=days_ago)
            for begin, finish in GATE_RANGES:
                start = timezone.make_aware(datetime.combine(day, _t(begin)), tz)
                end = timezone.make_aware(datetime.combine(day, _t(finish)), tz)
                past.append(
                    Shift(
                        task_id=template.task_id, template=template, start=start, end=end, places=2
                    )
                )
    for task in tasks:
        if task.kind == Task.Kind.GATE_DUTY:
            continue
        for days_ahead in range(1, 7, 2):
            day = today + timedelta(days=days_ahead)
            start = timezone.make_aware(datetime.combine(day, _t("14:00")), tz)
            past.append(Shift(task=task, start=start, end=start + timedelta(hours=3), places=3))
    Shift.objects.bulk_create(past)
    return list(Shift.objects.filter(task__in=tasks).select_related("task"))


def _courses_required():
    """Disinfection tasks need the disinfection course (content's demo course "disinfection"):
    an untrained volunteer is refused and sent to the course. Idempotent."""
    from content.models import CoursePage

    course = CoursePage.objects.filter(slug="disinfection").first()
    if course is None:
        return
    for task in Task.objects.filter(kind=Task.Kind.DISINFECTION).exclude(required_courses=course):
        task.required_courses.add(course)


def _t(value):
    hours, minutes = value.split(":")
    return datetime.min.replace(hour=int(hours), minute=int(minutes)).time()


def _signups(rng, profiles, shifts):
    """Each verified volunteer takes a few shifts of their own community, never two at once,
    never more than a shift needs; past shifts get attendance (a few no-shows)."""
    now = timezone.now()
    by_community = {}
    for shift in shifts:
        by_community.setdefault(shift.task.community_id, []).append(shift)
    taken = {shift.pk: 0 for shift in shifts}
    signups, busy = [], {}
    for profile in profiles:
        options = by_community.get(profile.community_id, [])
        for shift in rng.sample(options, min(len(options), 6)):
            spans = busy.setdefault(profile.pk, [])
            if taken[shift.pk] >= shift.places or any(
                shift.start < end and start < shift.end for start, end in spans
            ):
                continue
            spans.append((shift.start, shift.end))
            taken[shift.pk] += 1
            no_show = shift.end < now and rng.random() < 0.08
            signups.append(
                Signup(
                    shift=shift,
                    profile=profile,
                    status="no_show" if no_show else "confirmed",
                    confirmed_at=shift.start - timedelta(days=2),
                )
            )
    Signup.objects.bulk_create(signups)
    for shift in shifts:
        shift.taken = taken[shift.pk]
    Shift.objects.bulk_update([s for s in shifts if s.taken], ["taken"])
    attendance = []
    for signup in signups:
        if signup.status == "confirmed" and signup.shift.end < now:
            check_in = signup.shift.start + timedelta(minutes=rng.randint(-10, 5))
            check_out = signup.shift.end + timedelta(minutes=rng.randint(-5, 10))
            item = Attendance(
                signup=signup,
                check_in_at=check_in,
                check_out_at=check_out,
                source=rng.choice(["qr", "qr", "qr", "coordinator"]),
            )
            item.minutes = item.compute_minutes()
            attendance.append(item)
    Attendance.objects.bulk_create(attendance)


def _a_season_of_service(community, weeks=36):
    """One volunteer of the first named community has served every Saturday morning since
    spring: 36 confirmed three-hour gate duties, 108 hours, past the first star level, so the
    subdistrict's star-level review has an application to look at."""
    from .services import stars

    profile = (
        VolunteerProfile.objects.filter(
            community=community, status=VolunteerProfile.Status.VERIFIED
        )
        .exclude(user__username__in=["volunteer", "teamleader"])
        .order_by("pk")
        .first()
    )
    task = Task.objects.filter(community=community, kind=Task.Kind.GATE_DUTY).first()
    if profile is None or task is None:
        return
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    saturday = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
    shifts = Shift.objects.bulk_create(
        Shift(
            task=task,
            start=timezone.make_aware(
                datetime.combine(saturday - timedelta(weeks=n), _t("08:00")), tz
            ),
            end=timezone.make_aware(
                datetime.combine(saturday - timedelta(weeks=n), _t("11:00")), tz
            ),
            places=1,
            taken=1,
        )
        for n in range(weeks)
    )
    signups = Signup.objects.bulk_create(
        Signup(
            shift=shift,
            profile=profile,
            status="confirmed",
            confirmed_at=shift.start - timedelta(days=2),
        )
        for shift in shifts
    )
    Attendance.objects.bulk_create(
        Attendance(
            signup=signup,
            check_in_at=signup.shift.start,
            check_out_at=signup.shift.end,
            minutes=180,
            source="qr",
            status=Attendance.Status.CONFIRMED,
            confirmed_at=signup.shift.end + timedelta(days=1),
        )
        for signup in signups
    )
    stars.apply_for_reached_levels(VolunteerProfile.objects.filter(pk=profile.pk))


def _teams_and_projects():
    """Three teams of 民岳家园 (the bus company's party branch led by the demo account
    "teamleader", the community's own, the subdistrict's youth team) and the branch's project
    for the next four weeks, with its gate duty. Idempotent: finds the branch team and stops."""
    from .models import Project, Team, TeamMembership
    from .services import create_template
    from .services import projects as project_services
    from .services import teams as team_services

    branch_name = "公交集团在职党员服务队"
    if Team.objects.filter(name=branch_name).exists():
        return
    community = Community.objects.filter(slug="minyue-jiayuan").first()
    leader_user = User.objects.filter(username="teamleader").first()
    if community is None or leader_user is None:
        return
    leader, _created = VolunteerProfile.objects.get_or_create(
        user=leader_user,
        defaults={
            "real_name": "刘建华",  # invented
            "mobile": leader_user.phone,
            "community": community,
            "is_party_member": True,
            "work_unit": "北京公共交通控股(集团)有限公司",
            "consent": True,
            "consent_at": timezone.now(),
            "status": VolunteerProfile.Status.VERIFIED,
        },
    )
    branch = team_services.create_team(
        name=branch_name,
        kind=Team.Kind.PARTY_BRANCH,
        community=community,
        work_unit="北京公共交通控股(集团)有限公司",
        description="公交集团在民岳家园周边居住的在职党员，到社区报到，承担卡口值守。",
    )
    team_services.create_team(
        name="民岳家园社区志愿服务队",
        community=community,
        description="社区居民志愿者，楼道消杀、物资配送、电话随访。",
    )
    team_services.create_team(
        name="卢沟桥街道青年突击队",
        kind=Team.Kind.SUBDISTRICT,
        subdistrict=community.subdistrict,
        description="街道青年志愿者，哪里需要去哪里。",
    )
    team_services.set_leader(branch, leader)
    neighbours = list(
        VolunteerProfile.objects.filter(community=community, status="verified")
        .exclude(pk=leader.pk)
        .order_by("pk")[:8]
    )
    for index, profile in enumerate(neighbours):
        membership = team_services.request_to_join(profile, branch)
        if index < 5:  # three requests are left for the leader to decide
            team_services.approve_membership(membership)
    today = timezone.localdate()
    project = project_services.create_project(
        title=f"民岳家园卡口值守 · {today.month}月",
        team=branch,
        description="北门、南门卡口值守，每天两班，每班两人。先加入项目，再认领班次。",
        start_date=today,
        end_date=today + timedelta(days=27),
        places=40,
        status=Project.Status.PUBLISHED,
    )
    post = Post.objects.filter(compound__community=community, kind=Post.Kind.GATE).first()
    if post is not None:
        task = project_services.add_project_task(project, title="党员卡口值守", post=post)
        create_template(
            task=task,
            weekdays=list(range(7)),
            time_ranges=GATE_RANGES,
            places=2,
            start_date=project.start_date,
            end_date=project.end_date,
        )
    for membership in TeamMembership.objects.approved().filter(team=branch)[:4]:
        project_services.join_project(membership.profile, project)


def counts():
    """A summary used by tests and the load command's output."""
    return VolunteerProfile.objects.aggregate(
        total=Count("pk"), verified=Count("pk", filter=Q(status="verified"))
    )
