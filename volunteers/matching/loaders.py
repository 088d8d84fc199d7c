"""Loaders: volunteers, shifts and course completions read as the core's plain data
(`Candidate`, `ShiftSpec`, commitments), each set with a fixed number of queries, never one
query per volunteer; and the same hard rules as SQL filters, so that only eligible rows are
read."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..availability import WeeklyMask
from ..models import Signup, Task, VolunteerProfile
from .core import Candidate, ShiftSpec, Weights

NOT_A_CANDIDATE = gettext_lazy("not a candidate for this shift")


def weights():
    return Weights.from_mapping(settings.MATCHING_WEIGHTS)


def weekly_cap():
    cap = settings.MATCHING_WEEKLY_HOURS_CAP
    return float(cap) if cap else None


def _week_key(dt):
    iso = timezone.localtime(dt).isocalendar()
    return (iso[0], iso[1])


def week_window(starts):
    """[Monday 00:00 of the first week, Monday 00:00 after the last week) as aware datetimes."""
    days = [timezone.localtime(s).date() for s in starts]
    first = min(days) - timedelta(days=min(days).weekday())
    last = max(days) - timedelta(days=max(days).weekday()) + timedelta(days=7)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, datetime.min.time()), tz),
        timezone.make_aware(datetime.combine(last, datetime.min.time()), tz),
    )


# --- shifts -> ShiftSpec ----------------------------------------------------------------------


REQUIRED_SKILL, PREFERRED_SKILL, REQUIRED_COURSE = 0, 1, 2


def _task_requirements(task_ids, batch=5000):
    """(task id, skill or course id, kind) of the tasks' three requirement lists: one query
    (UNION ALL of the three link tables) per `batch` tasks (each id is sent three times;
    SQLite takes at most 32,766 parameters)."""
    task_ids = sorted(task_ids)
    links = (
        (Task.skills.through, "skill_id", REQUIRED_SKILL),
        (Task.preferred_skills.through, "skill_id", PREFERRED_SKILL),
        (Task.required_courses.through, "coursepage_id", REQUIRED_COURSE),
    )
    rows = []
    for start in range(0, len(task_ids), batch):
        part = task_ids[start : start + batch]
        first, *rest = (
            through.objects.filter(task_id__in=part)
            .annotate(kind=Value(kind, output_field=IntegerField()))
            .values_list("task_id", column, "kind")
            .order_by()
            for through, column, kind in links
        )
        rows += first.union(*rest, all=True)
    return rows


def shift_specs(shifts, *, open_places=True):
    """{shift pk: ShiftSpec} for a list of Shift rows (task and post selected): one query for
    what the tasks ask for (required and preferred skills, required courses), one for the
    pending invitations when `open_places`, one more for team-only projects' members.

    places = places still open: not taken and not held by a pending invitation; with
    `open_places=False`, the shift's places as they are (an eligibility check counts none)."""
    shifts = list(shifts)
    task_ids = {s.task_id for s in shifts}
    required, preferred, courses = defaultdict(set), defaultdict(set), defaultdict(set)
    asked = {REQUIRED_SKILL: required, PREFERRED_SKILL: preferred, REQUIRED_COURSE: courses}
    for task_id, asked_id, kind in _task_requirements(task_ids):
        asked[kind][task_id].add(asked_id)
    invited = {}
    if open_places:
        invited = dict(
            Signup.objects.filter(shift__in=[s.pk for s in shifts], status=Signup.Status.INVITED)
            .values("shift_id")
            .annotate(n=Count("id"))
            .values_list("shift_id", "n")
        )
    # only a project's task can be team-only: no query for shifts outside projects
    members = _team_only_members({s.task_id for s in shifts if s.task.project_id})
    specs = {}
    for s in shifts:
        task = s.task
        compound_id = task.compound_id or (task.post.compound_id if task.post_id else None)
        places = s.places - s.taken - invited.get(s.pk, 0) if open_places else s.places
        specs[s.pk] = ShiftSpec(
            id=s.pk,
            community_id=task.community_id,
            start=timezone.localtime(s.start),
            end=timezone.localtime(s.end),
            places=max(places, 0),
            compound_id=compound_id,
            accepted_community_ids={task.community_id} if task.own_community_only else None,
            required_skills=frozenset(required[task.pk]),
            optional_skills=frozenset(preferred[task.pk] - required[task.pk]),
            required_courses=frozenset(courses[task.pk]),
            party_post=bool(task.post_id and task.post.is_party_post),
            member_ids=members.get(task.pk),
        )
    return specs


def _team_only_members(task_ids):
    """{task id: frozenset of profile ids} for the tasks of team-only projects: the project's
    joined volunteers who are still approved members of its team (one query each)."""
    from ..models import ProjectMembership, TeamMembership

    if not task_ids:
        return {}
    projects = dict(
        Task.objects.filter(
            pk__in=task_ids, project__team_only=True, project__team__isnull=False
        ).values_list("pk", "project_id")
    )
    if not projects:
        return {}
    in_team = TeamMembership.objects.approved().filter(
        team_id=OuterRef("project__team_id"), profile_id=OuterRef("profile_id")
    )
    joined = defaultdict(set)
    for project_id, profile_id in (
        ProjectMembership.objects.filter(
            project_id__in=set(projects.values()), status=ProjectMembership.Status.JOINED
        )
        .filter(Exists(in_team))
        .values_list("project_id", "profile_id")
    ):
        joined[project_id].add(profile_id)
    return {task_id: frozenset(joined[project_id]) for task_id, project_id in projects.items()}


def shift_rows(queryset):
    return list(queryset.select_related("task__post", "task__community"))


# --- profiles -> Candidate ----------------------------------------------------------------------


def reliability_since():
    """Reliability counts the shifts of the last MATCHING_RELIABILITY_DAYS (by start): recent
    behaviour, and a bounded amount of history to read however long the portal has run."""
    return timezone.now() - timedelta(days=settings.MATCHING_RELIABILITY_DAYS)


def _attendance_record(signups):
    """{profile id: (past shifts held, attended)} among `signups`: confirmed or no-show places
    on shifts that started since reliability_since(), have ended and were not cancelled."""
    rows = (
        signups.holding()
        .filter(
            shift__start__gte=reliability_since(),
            shift__end__lt=timezone.now(),
            shift__cancelled_at__isnull=True,
        )
        .values("profile_id")
        .annotate(
            total=Count("id"), attended=Count("id", filter=Q(attendance__check_in_at__isnull=False))
        )
        .values_list("profile_id", "total", "attended")
    )
    return {pid: (total, attended) for pid, total, attended in rows}


def attendance_record_of(profile_ids, batch=5000):
    """_attendance_record of these volunteers, asked for in batches (SQLite caps the number of
    query parameters)."""
    record = {}
    for k in range(0, len(profile_ids), batch):
        record.update(
            _attendance_record(Signup.objects.filter(profile_id__in=profile_ids[k : k + batch]))
        )
    return record


def _skills_and_courses(profile_ids):
    """({profile id: skill ids}, {user id: completed course ids}) of these volunteers (a
    VolunteerProfile id subquery), in one query: UNION ALL of the two link tables, each row
    tagged with its kind."""
    from content.models import CourseCompletion

    skills, courses = defaultdict(set), defaultdict(set)
    skill_rows = (
        VolunteerProfile.skills.through.objects.filter(volunteerprofile_id__in=profile_ids)
        .annotate(kind=Value(0, output_field=IntegerField()))
        .values_list("volunteerprofile_id", "skill_id", "kind")
        .order_by()
    )
    course_rows = (
        CourseCompletion.objects.filter(user__volunteer_profile__in=profile_ids)
        .annotate(kind=Value(1, output_field=IntegerField()))
        .values_list("user_id", "course_id", "kind")
        .order_by()  # a union's parts take no ORDER BY (CourseCompletion has one)
    )
    for owner_id, thing_id, kind in skill_rows.union(course_rows, all=True):
        (courses if kind else skills)[owner_id].add(thing_id)
    return skills, courses


def load_candidates(profiles, window, *, statuses=Signup.LIVE, ignore_shift=None, reliability=True):
    """(candidates, commitments) for a VolunteerProfile queryset; four queries in all, three
    without `reliability` (an eligibility check: the core's rules do not read it, and each
    candidate keeps the core's default).

    commitments: the intervals each person is booked on within `window` (sign-ups of
    `statuses`, except on `ignore_shift`); hours per ISO week come from the same sign-ups."""
    rows = list(
        profiles.values_list(
            "id",
            "user_id",
            "community_id",
            "compound_id",
            "availability_mask",
            "is_party_member",
            "status",
        ).order_by("id")
    )
    ids = profiles.values("id")
    skills, courses = _skills_and_courses(ids)
    commitments, seconds = defaultdict(list), defaultdict(lambda: defaultdict(float))
    booked = Signup.objects.filter(
        profile_id__in=ids,
        status__in=statuses,
        shift__cancelled_at__isnull=True,
        shift__start__lt=window[1],
        shift__end__gt=window[0],
    )
    if ignore_shift is not None:
        booked = booked.exclude(shift_id=ignore_shift)
    # the core compares commitments as instants; the week of a booking is found by its offset
    # from the window's first Monday (local), not by converting every datetime
    week_keys = []
    monday = window[0]
    while monday < window[1]:
        week_keys.append(_week_key(monday))
        monday = timezone.make_aware(
            datetime.combine(
                timezone.localtime(monday).date() + timedelta(days=7), datetime.min.time()
            ),
            timezone.get_current_timezone(),
        )
    origin = window[0]
    for pid, start, end in booked.values_list("profile_id", "shift__start", "shift__end"):
        commitments[pid].append((start, end))
        index = int((start - origin).total_seconds() // 604800)
        key = week_keys[index] if 0 <= index < len(week_keys) else _week_key(start)
        seconds[pid][key] += (end - start).total_seconds()
    # seconds first, hours at the end: the same float as ranking's SQL sum (_rank_rows)
    hours = {
        pid: {key: total / 3600 for key, total in weeks.items()} for pid, weeks in seconds.items()
    }
    record = _attendance_record(Signup.objects.filter(profile_id__in=ids)) if reliability else {}
    cap = weekly_cap()
    verified = VolunteerProfile.Status.VERIFIED
    candidates = []
    for pid, user_id, community_id, compound_id, availability, party, status in rows:
        total, attended = record.get(pid, (0, 0))  # (0 + 1) / (0 + 2): the core's default
        candidates.append(
            Candidate(
                id=pid,
                community_id=community_id,
                compound_id=compound_id,
                skills=skills.get(pid, ()),
                available=WeeklyMask(availability),
                party_member=party,
                hours_this_week=hours.get(pid, 0.0),
                # attended / past shifts, pulled towards 0.5 for people with little history
                reliability=(attended + 1) / (total + 2),
                completed_courses=courses.get(user_id, ()),
                weekly_cap_hours=cap,
                verified=status == verified,
            )
        )
    return candidates, {k: v for k, v in commitments.items()}


def profiles_for(specs):
    """Verified volunteers any of these shifts accepts."""
    qs = VolunteerProfile.objects.filter(status=VolunteerProfile.Status.VERIFIED)
    accepted = [s.accepted_community_ids for s in specs]
    if accepted and all(a is not None for a in accepted):
        qs = qs.filter(community_id__in=set().union(*accepted))
    return qs


def eligible_profiles(spec, statuses=Signup.LIVE):
    """Verified volunteers `spec` accepts who hold its required skills, completed its required
    courses and have no booking (sign-up of `statuses`) overlapping it: the hard rules but the
    weekly cap, in SQL, so only those rows are read. The core checks every rule again."""
    from content.models import CourseCompletion

    qs = profiles_for([spec])
    if spec.member_ids is not None:
        qs = qs.filter(pk__in=sorted(spec.member_ids))
    for skill_id in sorted(spec.required_skills):
        qs = qs.filter(
            Exists(
                VolunteerProfile.skills.through.objects.filter(
                    volunteerprofile_id=OuterRef("pk"), skill_id=skill_id
                )
            )
        )
    for course_id in sorted(spec.required_courses):
        qs = qs.filter(
            Exists(
                CourseCompletion.objects.filter(user_id=OuterRef("user_id"), course_id=course_id)
            )
        )
    return qs.exclude(
        Exists(
            Signup.objects.filter(
                profile_id=OuterRef("pk"),
                status__in=statuses,
                shift__cancelled_at__isnull=True,
                shift__start__lt=spec.end,
                shift__end__gt=spec.start,
            )
        )
    )
