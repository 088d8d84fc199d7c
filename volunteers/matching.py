"""Matching, model side: turns volunteers, shifts and course completions into the plain data of
the optimisation core (volunteers.assign) and its answers back into translated reasons and
invitations (issue 6).

* `check_eligibility(profile, shift)` - the hard rules, called by services.sign_up / invite;
  raises SignupError with a translated reason (a course gate links to the course).
* `rank_for_shift(shift, top=20)` - suggested volunteers, best first, with reasons.
* `recommend_for_profile(profile)` - the shifts a volunteer is best suited for.
* `propose(shifts)` / `send_invitations(pairs, by)` - auto-assign (MILP/HiGHS in the core),
  reviewed by a coordinator and sent through services.invite.
* `offer_declined_places(shift, by)` - a declined place goes to the next best.

Every loader reads whole sets with a fixed number of queries (profiles, their skills, course
completions, commitments, attendance record), never one query per volunteer.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import assign as core
from .availability import WeeklyMask
from .models import Shift, Signup, Skill, Task, VolunteerProfile

LIVE_STATUSES = ("invited", "confirmed", "no_show")
HOLDING_STATUSES = ("confirmed", "no_show")
# people who declined a shift or were taken off it are not suggested or proposed for it again
DECLINED_STATUSES = ("declined", "cancelled", "withdrawn")
NOT_A_CANDIDATE = gettext_lazy("not a candidate for this shift")


def weights():
    return core.Weights.from_mapping(getattr(settings, "MATCHING_WEIGHTS", None))


def weekly_cap():
    cap = getattr(settings, "MATCHING_WEEKLY_HOURS_CAP", None)
    return float(cap) if cap else None


def _week_key(dt):
    iso = timezone.localtime(dt).isocalendar()
    return (iso[0], iso[1])


def _week_window(starts):
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


def shift_specs(shifts, *, open_places=True):
    """{shift pk: ShiftSpec} for a list of Shift rows (task and post selected), 3 queries.

    places = places still open: not taken and not held by a pending invitation."""
    shifts = list(shifts)
    task_ids = {s.task_id for s in shifts}
    required, preferred, courses = defaultdict(set), defaultdict(set), defaultdict(set)
    for task_id, skill_id in Task.skills.through.objects.filter(task_id__in=task_ids).values_list(
        "task_id", "skill_id"
    ):
        required[task_id].add(skill_id)
    for task_id, skill_id in Task.preferred_skills.through.objects.filter(
        task_id__in=task_ids
    ).values_list("task_id", "skill_id"):
        preferred[task_id].add(skill_id)
    for task_id, course_id in Task.required_courses.through.objects.filter(
        task_id__in=task_ids
    ).values_list("task_id", "coursepage_id"):
        courses[task_id].add(course_id)
    invited = dict(
        Signup.objects.filter(shift__in=[s.pk for s in shifts], status="invited")
        .values("shift_id")
        .annotate(n=Count("id"))
        .values_list("shift_id", "n")
    )
    specs = {}
    for s in shifts:
        task = s.task
        compound_id = task.compound_id or (task.post.compound_id if task.post_id else None)
        places = s.places - s.taken - invited.get(s.pk, 0) if open_places else s.places
        specs[s.pk] = core.ShiftSpec(
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
        )
    return specs


def _shift_rows(queryset):
    return list(queryset.select_related("task__post", "task__community"))


# --- profiles -> Candidate ----------------------------------------------------------------------


def reliability_since():
    """Reliability counts the shifts of the last MATCHING_RELIABILITY_DAYS (by start): recent
    behaviour, and a bounded amount of history to read however long the portal has run."""
    return timezone.now() - timedelta(days=getattr(settings, "MATCHING_RELIABILITY_DAYS", 60))


def _attendance_record(signups):
    """{profile id: (past shifts held, attended)} among `signups`: confirmed or no-show places
    on shifts that started since reliability_since(), have ended and were not cancelled."""
    rows = (
        signups.filter(
            status__in=HOLDING_STATUSES,
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


def _attendance_record_of(profile_ids, batch=5000):
    """_attendance_record of these volunteers, asked for in batches (SQLite caps the number of
    query parameters)."""
    record = {}
    for k in range(0, len(profile_ids), batch):
        record.update(
            _attendance_record(Signup.objects.filter(profile_id__in=profile_ids[k : k + batch]))
        )
    return record


def load_candidates(profiles, window, *, statuses=LIVE_STATUSES, ignore_shift=None):
    """(candidates, commitments) for a VolunteerProfile queryset; six queries in all.

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
    skills = defaultdict(set)
    for pid, sid in VolunteerProfile.skills.through.objects.filter(
        volunteerprofile_id__in=ids
    ).values_list("volunteerprofile_id", "skill_id"):
        skills[pid].add(sid)
    from content.models import CourseCompletion

    courses = defaultdict(set)
    for uid, cid in CourseCompletion.objects.filter(user__volunteer_profile__in=ids).values_list(
        "user_id", "course_id"
    ):
        courses[uid].add(cid)
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
    record = _attendance_record(Signup.objects.filter(profile_id__in=ids))
    cap = weekly_cap()
    verified = VolunteerProfile.Status.VERIFIED
    candidates = []
    for pid, user_id, community_id, compound_id, availability, party, status in rows:
        total, attended = record.get(pid, (0, 0))
        candidates.append(
            core.Candidate(
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


def _profiles_for(specs):
    """Verified volunteers any of these shifts accepts."""
    qs = VolunteerProfile.objects.filter(status=VolunteerProfile.Status.VERIFIED)
    accepted = [s.accepted_community_ids for s in specs]
    if accepted and all(a is not None for a in accepted):
        qs = qs.filter(community_id__in=set().union(*accepted))
    return qs


def _eligible_profiles(spec, statuses=LIVE_STATUSES):
    """Verified volunteers `spec` accepts who hold its required skills, completed its required
    courses and have no booking (sign-up of `statuses`) overlapping it: the hard rules but the
    weekly cap, in SQL, so only those rows are read. The core checks every rule again."""
    from content.models import CourseCompletion

    qs = _profiles_for([spec])
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


# --- reasons ------------------------------------------------------------------------------


def _names(codes):
    """Skill and course names for the ids inside reason codes (two queries at most)."""
    skill_ids, course_ids = set(), set()
    for code in codes:
        kind, _sep, value = code.partition(":")
        if kind in (core.HAS_SKILL, core.MISSING_SKILL):
            skill_ids.add(int(value))
        elif kind in (core.COMPLETED_COURSE, core.MISSING_COURSE):
            course_ids.add(int(value))
    skills = dict(Skill.objects.filter(pk__in=skill_ids).values_list("pk", "name"))
    courses = {}
    if course_ids:
        from content.models import CoursePage

        courses = {c.pk: c for c in CoursePage.objects.filter(pk__in=course_ids)}
    return skills, courses


def reason_text(code, skills, courses):
    kind, _sep, value = code.partition(":")
    if kind == core.SAME_COMPOUND:
        return _("lives in the same compound")
    if kind == core.SAME_COMMUNITY:
        return _("same community")
    if kind == core.HAS_SKILL:
        return _("has the skill “%(skill)s”") % {"skill": skills.get(int(value), value)}
    if kind == core.AVAILABLE:
        return _("available then")
    if kind == core.PARTLY_AVAILABLE:
        return _("partly available then")
    if kind == core.COMPLETED_COURSE:
        course = courses.get(int(value))
        return _("completed the course “%(course)s”") % {
            "course": course.title if course else value
        }
    if kind == core.LIGHT_LOAD:
        return _("few hours this week")
    if kind == core.RELIABLE:
        return _("reliable attendance")
    if kind == core.PARTY_MEMBER_PRIORITY:
        return _("party member on a party-member post")
    return code


def _course_url(course):
    try:
        return course.get_url() or ""
    except Exception:  # pragma: no cover - a page outside any site has no URL
        return ""


def refusal(code, skills, courses, shift):
    """(message, code) of a failed eligibility rule, translated; a course gate links to it."""
    kind, _sep, value = code.partition(":")
    if kind == core.NOT_VERIFIED:
        return _("Only verified volunteers can take shifts."), "not_verified"
    if kind == core.COMMUNITY_NOT_ACCEPTED:
        return (
            _("This shift is for volunteers of %(community)s only.")
            % {"community": shift.task.community.name}
        ), "community"
    if kind == core.MISSING_SKILL:
        return (
            _("This shift needs the skill “%(skill)s”; add it to your profile if you have it.")
            % {"skill": skills.get(int(value), value)}
        ), "skill"
    if kind == core.MISSING_COURSE:
        course = courses.get(int(value))
        title = course.title if course else value
        text = _("Please complete the course “%(course)s” first.") % {"course": title}
        url = _course_url(course) if course else ""
        if url:
            return format_html('{} <a href="{}">{}</a>', text, url, _("Open the course")), "course"
        return text, "course"
    if kind == core.OVERLAPPING_COMMITMENT:
        return _("This overlaps a shift you have already signed up for."), "overlap"
    if kind == core.WEEKLY_CAP_EXCEEDED:
        return (
            _("This would take you over %(hours)s hours of shifts this week.")
            % {"hours": f"{weekly_cap():g}"}
        ), "weekly_cap"
    return code, "ineligible"


# --- eligibility at sign-up -----------------------------------------------------------------


def check_eligibility(profile, shift):
    """Raise SignupError (first failed rule, translated) unless `profile` may take `shift`.

    The same rules as ranking and auto-assign: verified, community accepted, required skills,
    required courses, no overlap with a place held, weekly hours cap."""
    from .services import SignupError

    if not isinstance(shift, Shift) or not hasattr(shift, "task"):
        shift = Shift.objects.select_related("task__post", "task__community").get(pk=shift.pk)
    spec = shift_specs([shift], open_places=False)[shift.pk]
    window = _week_window([shift.start, shift.end])
    candidates, commitments = load_candidates(
        VolunteerProfile.objects.filter(pk=profile.pk),
        window,
        statuses=HOLDING_STATUSES,
        ignore_shift=shift.pk,
    )
    ok, reasons = core.eligibility(candidates[0], spec, commitments)
    if ok:
        return
    skills, courses = _names(reasons)
    message, code = refusal(reasons[0], skills, courses, shift)
    raise SignupError(message, code=code)


# --- ranking -------------------------------------------------------------------------------


@dataclass
class Suggestion:
    profile: VolunteerProfile
    score: float
    reasons: list


def _rank_rows(spec, slots, exclude):
    """For every volunteer who passes `spec`'s hard rules in SQL, the profile's components of
    the score as numbers, ordered by id: closeness tier (2 same compound, 1 same community,
    0 elsewhere), free hours of the shift's slots (from the availability mask), optional skills
    held, party member. Nothing is decoded per volunteer in Python."""
    tiers = [When(community_id=spec.community_id, then=Value(1))]
    if spec.compound_id is not None:
        tiers.insert(0, When(compound_id=spec.compound_id, then=Value(2)))
    flags = [
        Case(
            When(Exact(Substr("availability_mask", slot + 1, 1), "1"), then=Value(1)),
            default=Value(0),
        )
        for slot in slots
    ]
    flags_opt = [
        Case(
            When(
                Exists(
                    VolunteerProfile.skills.through.objects.filter(
                        volunteerprofile_id=OuterRef("pk"), skill_id=skill_id
                    )
                ),
                then=Value(1),
            ),
            default=Value(0),
        )
        for skill_id in sorted(spec.optional_skills)
    ]
    qs = _eligible_profiles(spec)
    if exclude is not None:
        qs = qs.exclude(exclude)
    return (
        qs.annotate(
            tier=Case(*tiers, default=Value(0), output_field=IntegerField()),
            free=sum(flags[1:], flags[0]) if flags else Value(0),
            held=sum(flags_opt[1:], flags_opt[0]) if flags_opt else Value(0),
        )
        .values_list("id", "tier", "free", "held", "is_party_member")
        .order_by("id")
    )


def _booked_seconds(week):
    """{profile id: seconds booked on shifts starting in `week`} (live sign-ups), everyone's:
    bounded by one week of shifts, whatever the history. The week's shifts are found by their
    start (indexed) first, then their sign-ups by shift (indexed)."""
    shifts = Shift.objects.filter(start__gte=week[0], start__lt=week[1], cancelled_at__isnull=True)
    rows = (
        Signup.objects.filter(status__in=LIVE_STATUSES, shift__in=shifts.values("pk"))
        .values("profile_id")
        .annotate(booked=Sum(F("shift__end") - F("shift__start"), output_field=DurationField()))
        .values_list("profile_id", "booked")
    )
    return {pid: booked.total_seconds() for pid, booked in rows if booked}


def _ranked_ids(spec, w, top, exclude):
    """[(profile id, score)] of the `top` best for `spec`: the arithmetic of
    volunteers.assign.CandidatePool on the numbers of `_rank_rows`, the attendance record and
    the week's bookings, through the same combine_scores and top_order, so the answer is the
    core's."""
    slots = core._slots(spec.start, spec.end)
    rows = list(_rank_rows(spec, slots, exclude))
    if not rows or top <= 0:
        return []
    booked = _booked_seconds(_week_window([spec.start]))
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    tier = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    free = np.fromiter((r[2] for r in rows), dtype=np.float64, count=n)
    held = np.fromiter((r[3] for r in rows), dtype=np.float64, count=n)
    party = np.fromiter((bool(r[4]) for r in rows), dtype=bool, count=n)
    hours = np.fromiter((booked.get(pid, 0.0) for pid in ids.tolist()), np.float64, n) / 3600
    cap = weekly_cap()
    if cap is not None:
        keep = hours + spec.hours <= cap + core._EPS
        ids, tier, free, held, party, hours = (
            a[keep] for a in (ids, tier, free, held, party, hours)
        )
        if not ids.size:
            return []
    close = np.choose(tier, [w.elsewhere, w.same_community, w.same_compound])
    avail = free / len(slots) if slots else np.zeros(ids.size)
    opt = spec.optional_skills
    opt_share = held / len(opt) if opt else np.zeros(ids.size)
    ref = cap if (cap is not None and cap > 0) else w.load_reference_hours
    load = np.clip(1.0 - hours / ref, 0.0, 1.0)
    party = (party & bool(spec.party_post)).astype(np.float64)
    # Reliability (0..1) is the one part read from the sign-up history. Everyone's score lies
    # in [without it, without it + w.reliability]; whoever's best cannot reach the top-th
    # lowest is out, so only the rest's history is read.
    without = core.combine_scores(w, close, avail, opt_share, load, np.zeros(ids.size), party)
    if ids.size > top:
        floor = np.partition(without, ids.size - top)[ids.size - top]
        keep = without + w.reliability >= floor - 1e-9
        ids, close, avail, opt_share, load, party = (
            a[keep] for a in (ids, close, avail, opt_share, load, party)
        )
    record = _attendance_record_of(ids.tolist())
    total = np.fromiter((record.get(pid, (0, 0))[0] for pid in ids.tolist()), np.float64, ids.size)
    attended = np.fromiter(
        (record.get(pid, (0, 0))[1] for pid in ids.tolist()), np.float64, ids.size
    )
    rel = np.clip((attended + 1) / (total + 2), 0, 1)
    scores = core.combine_scores(w, close, avail, opt_share, load, rel, party)
    order = core.top_order(ids, scores, top)
    return [(int(ids[k]), float(scores[k])) for k in order]


def rank_for_shift(shift, top=20, exclude=None):
    """Suggested volunteers for `shift`, best first: [Suggestion(profile, score, reasons)].

    The score of everyone eligible is computed from one query (`_rank_rows`); only the top are
    read in full, for their reasons. A fixed number of queries whatever the number of
    volunteers."""
    shift = Shift.objects.select_related("task__post", "task__community").get(pk=shift.pk)
    spec = shift_specs([shift], open_places=False)[shift.pk]
    w = weights()
    declined = Signup.objects.filter(shift=shift, status__in=DECLINED_STATUSES)
    excluded = Q(pk__in=declined.values("profile_id"))
    if exclude is not None:
        # ids or a values_list queryset (read as a subquery)
        excluded |= Q(pk__in=exclude)
    best = _ranked_ids(spec, w, top, excluded)
    if not best:
        return []
    candidates, _commitments = load_candidates(
        VolunteerProfile.objects.filter(pk__in=[pid for pid, _score in best]),
        _week_window([shift.start, shift.end]),
    )
    by_id = {c.id: c for c in candidates}
    codes = {pid: core.score(by_id[pid], spec, w)[1] for pid, _score in best}
    profiles = VolunteerProfile.objects.select_related("community", "compound").in_bulk(
        [pid for pid, _score in best]
    )
    skills, courses = _names([code for reasons in codes.values() for code in reasons])
    return [
        Suggestion(
            profiles[pid],
            round(score, 2),
            [reason_text(code, skills, courses) for code in codes[pid]],
        )
        for pid, score in best
    ]


def recommend_for_profile(profile, top=5, days=14):
    """Open shifts in the next `days` the volunteer may take, best first: [(shift, reasons)]."""
    if profile.status != VolunteerProfile.Status.VERIFIED:
        return []
    now = timezone.now()
    shifts = _shift_rows(
        Shift.objects.open()
        .public()
        .filter(start__lt=now + timedelta(days=days), task__active=True)
        .filter(Q(task__own_community_only=False) | Q(task__community_id=profile.community_id))
        .exclude(signups__profile=profile)
        .order_by("start", "pk")[:500]
    )
    if not shifts:
        return []
    specs = shift_specs(shifts)
    candidates, commitments = load_candidates(
        VolunteerProfile.objects.filter(pk=profile.pk),
        _week_window([s.start for s in shifts] + [s.end for s in shifts]),
    )
    best = core.recommend_shifts(
        candidates[0],
        [specs[s.pk] for s in shifts if specs[s.pk].places],
        weights(),
        commitments,
        top=top,
    )
    by_id = {s.pk: s for s in shifts}
    skills, courses = _names([code for _sid, _sc, reasons in best for code in reasons])
    return [
        (by_id[sid], [reason_text(c, skills, courses) for c in reasons])
        for sid, _score, reasons in best
    ]


# --- auto-assign ---------------------------------------------------------------------------


@dataclass
class Proposal:
    shift: Shift
    profile: VolunteerProfile
    score: float

    @property
    def key(self):
        return f"{self.shift.pk}:{self.profile.pk}"


def propose(shifts, *, time_limit=None):
    """Invitations filling as many open places of `shifts` as possible with the best total score,
    every hard rule respected (volunteers.assign.auto_assign). Nothing is written.

    Returns (proposals sorted by shift start, Assignment)."""
    rows = [
        s
        for s in _shift_rows(
            shifts.filter(cancelled_at__isnull=True, start__gt=timezone.now()).order_by(
                "start", "pk"
            )
        )
    ]
    if not rows:
        return [], core.Assignment()
    specs = shift_specs(rows)
    spec_list = [specs[s.pk] for s in rows if specs[s.pk].places > 0]
    if not spec_list:
        return [], core.Assignment()
    candidates, commitments = load_candidates(
        _profiles_for(spec_list), _week_window([s.start for s in rows] + [s.end for s in rows])
    )
    excluded = set(
        Signup.objects.filter(
            shift__in=[s.id for s in spec_list],
            status__in=DECLINED_STATUSES,
        ).values_list("profile_id", "shift_id")
    )
    if excluded:
        # a person who declined a shift is not proposed for it again
        for pid, sid in excluded:
            commitments.setdefault(pid, []).append((specs[sid].start, specs[sid].end))
    limit = (
        time_limit
        if time_limit is not None
        else getattr(settings, "MATCHING_ASSIGN_TIME_LIMIT", 8.0)
    )
    result = core.auto_assign(candidates, spec_list, weights(), commitments, time_limit=limit)
    by_cand = {c.id: c for c in candidates}
    w = weights()
    profiles = VolunteerProfile.objects.select_related("community").in_bulk(
        [cid for cid, _sid in result]
    )
    by_shift = {s.pk: s for s in rows}
    proposals = [
        Proposal(by_shift[sid], profiles[cid], round(core.score(by_cand[cid], specs[sid], w)[0], 2))
        for cid, sid in result
    ]
    proposals.sort(key=lambda p: (p.shift.start, p.shift.pk, -p.score, p.profile.pk))
    return proposals, result


def candidates_among(shift, profile_ids):
    """The ids among `profile_ids` that the matching screens may offer for `shift`: verified
    volunteers it accepts who pass its hard rules in SQL, are not booked at that time and have
    not declined it (the set rank_for_shift and propose draw from). A matching screen accepts
    no other id, so a posted id cannot reach someone the coordinator was never shown."""
    ids = {int(pid) for pid in profile_ids if pid is not None}
    if not ids:
        return set()
    shift = Shift.objects.select_related("task__post", "task__community").get(pk=shift.pk)
    spec = shift_specs([shift], open_places=False)[shift.pk]
    declined = Signup.objects.filter(shift=shift, status__in=DECLINED_STATUSES)
    return set(
        _eligible_profiles(spec)
        .filter(pk__in=ids)
        .exclude(pk__in=declined.values("profile_id"))
        .values_list("pk", flat=True)
    )


def send_invitations(pairs, by):
    """Invite each (shift pk, profile pk) through services.invite (which checks scope and every
    rule again). A pair whose person is not a candidate of its shift (candidates_among), or
    whose shift does not exist, is refused without a word about that person.

    Returns (signups sent, [(shift id, profile id, message)] refused); the messages are for
    logs and tests, a screen shows only how many were refused."""
    from .services import SignupError, invite
    from .services.base import _ensure_staff

    sent, refused = [], []
    pairs = [(int(s), int(p)) for s, p in pairs]
    shifts = Shift.objects.in_bulk({s for s, _p in pairs})
    for shift in shifts.values():
        # scope first: another community's shift is refused before anyone is looked at
        _ensure_staff(by, shift)
    wanted = defaultdict(set)
    for shift_id, profile_id in pairs:
        wanted[shift_id].add(profile_id)
    allowed = {
        shift_id: candidates_among(shifts[shift_id], ids)
        for shift_id, ids in wanted.items()
        if shift_id in shifts
    }
    profiles = VolunteerProfile.objects.in_bulk({p for ids in allowed.values() for p in ids})
    for shift_id, profile_id in pairs:
        if profile_id not in allowed.get(shift_id, ()):
            refused.append((shift_id, profile_id, str(NOT_A_CANDIDATE)))
            continue
        try:
            sent.append(invite(shifts[shift_id], profiles[profile_id], by))
        except SignupError as error:
            refused.append((shift_id, profile_id, " ".join(error.messages)))
    return sent, refused


def offer_declined_places(shift, by):
    """Offer the places still open (after declines) to the next best volunteers, excluding
    everyone who declined. Returns the invitations sent."""
    with transaction.atomic():
        # One offer at a time per shift: two declines at once cannot both fill the same place.
        Shift.objects.select_for_update().filter(pk=shift.pk).first()
        spec = shift_specs(_shift_rows(Shift.objects.filter(pk=shift.pk)))[shift.pk]
        if spec.places <= 0:
            return []
        on_shift = Signup.objects.filter(shift=shift).values_list("profile_id", flat=True)
        suggestions = rank_for_shift(shift, top=spec.places, exclude=on_shift)
        sent, _refused = send_invitations([(shift.pk, s.profile.pk) for s in suggestions], by)
    return sent
