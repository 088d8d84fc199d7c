"""Ranking on the database: the score's components of every eligible volunteer from one SQL
query, put through the core's own arithmetic (`combine_scores`, `top_order`), so the order is
the core's; and the shifts recommended to a volunteer."""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db.models import (
    Case,
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

from portal.fragments import cached_under

from ..models import ProjectMembership, Shift, Signup, VolunteerProfile
from .core import EPS, week_slots
from .loaders import (
    attendance_record_of,
    eligible_profiles,
    load_candidates,
    shift_rows,
    shift_specs,
    week_window,
    weekly_cap,
    weights,
)
from .reasons import reason_names, reason_text
from .scoring import combine_scores, recommend_shifts, score, top_order


@dataclass
class Suggestion:
    profile: VolunteerProfile
    score: float
    reasons: list
    # from another community than the task's (listed after its own, and marked as such)
    elsewhere: bool = False
    # on call tonight (assistance's 备勤 roster; set by assistance for urgent deliveries)
    on_call: bool = False
    # the shift is a project's and this volunteer has not joined it (listed after its members;
    # they must join before they can take the shift)
    outside_project: bool = False


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
    qs = eligible_profiles(spec)
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
        Signup.objects.live()
        .filter(shift__in=shifts.values("pk"))
        .values("profile_id")
        .annotate(booked=Sum(F("shift__end") - F("shift__start"), output_field=DurationField()))
        .values_list("profile_id", "booked")
    )
    return {pid: booked.total_seconds() for pid, booked in rows if booked}


def _ranked_ids(spec, w, top, exclude):
    """[(profile id, score)] of the `top` best for `spec`: the arithmetic of
    matching.scoring.CandidatePool on the numbers of `_rank_rows`, the attendance record and
    the week's bookings, through the same combine_scores and top_order, so the answer is the
    core's."""
    slots = week_slots(spec.start, spec.end)
    rows = list(_rank_rows(spec, slots, exclude))
    if not rows or top <= 0:
        return []
    booked = _booked_seconds(week_window([spec.start]))
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    tier = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    free = np.fromiter((r[2] for r in rows), dtype=np.float64, count=n)
    held = np.fromiter((r[3] for r in rows), dtype=np.float64, count=n)
    party = np.fromiter((bool(r[4]) for r in rows), dtype=bool, count=n)
    hours = np.fromiter((booked.get(pid, 0.0) for pid in ids.tolist()), np.float64, n) / 3600
    cap = weekly_cap()
    if cap is not None:
        keep = hours + spec.hours <= cap + EPS
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
    without = combine_scores(w, close, avail, opt_share, load, np.zeros(ids.size), party)
    # The task's own community comes first (tier 1 or 2); the others fill what is left.
    own = tier >= 1
    wanted = {True: top, False: top - min(top, int(own.sum()))}
    keep = np.zeros(ids.size, dtype=bool)
    for group, k in wanted.items():
        members = np.flatnonzero(own == group)
        if k <= 0 or not members.size:
            continue
        if members.size <= k:
            keep[members] = True
            continue
        part = without[members]
        floor = np.partition(part, part.size - k)[part.size - k]
        keep[members[part + w.reliability >= floor - 1e-9]] = True
    ids, close, avail, opt_share, load, party, own = (
        a[keep] for a in (ids, close, avail, opt_share, load, party, own)
    )
    record = attendance_record_of(ids.tolist())
    total = np.fromiter((record.get(pid, (0, 0))[0] for pid in ids.tolist()), np.float64, ids.size)
    attended = np.fromiter(
        (record.get(pid, (0, 0))[1] for pid in ids.tolist()), np.float64, ids.size
    )
    rel = np.clip((attended + 1) / (total + 2), 0, 1)
    scores = combine_scores(w, close, avail, opt_share, load, rel, party)
    order = top_order(ids, scores, top, first=own)
    return [(int(ids[k]), float(scores[k])) for k in order]


def rank_for_shift(shift, top=20, exclude=None, among=None):
    """Suggested volunteers for `shift`, best first: [Suggestion(profile, score, reasons)];
    the task's own community first, then (on a task open to others) the rest, marked
    `elsewhere`; on a project's shift, the project's volunteers before everyone else (marked
    `outside_project`), and on a team-only project's only its members. `among`: only these
    profile ids (or a values_list queryset).

    The score of everyone eligible is computed from one query (`_rank_rows`); only the top are
    read in full, for their reasons. A fixed number of queries whatever the number of
    volunteers."""
    shift = Shift.objects.select_related("task__post", "task__community").get(pk=shift.pk)
    spec = shift_specs([shift], open_places=False)[shift.pk]
    w = weights()
    declined = Signup.objects.ended().filter(shift=shift)
    excluded = Q(pk__in=declined.values("profile_id"))
    if exclude is not None:
        # ids or a values_list queryset (read as a subquery)
        excluded |= Q(pk__in=exclude)
    if among is not None:
        excluded |= ~Q(pk__in=among)
    project_id = shift.task.project_id
    members = set()
    if project_id:
        # a project's own volunteers first (a team-only project's are the only ones: the
        # spec's member_ids), then the rest of the order fills what is left
        joined = ProjectMembership.objects.filter(
            project_id=project_id, status=ProjectMembership.Status.JOINED
        ).values("profile_id")
        best = _ranked_ids(spec, w, top, excluded | ~Q(pk__in=joined))
        members = {pid for pid, _score in best}
        if len(best) < top:
            best += _ranked_ids(spec, w, top - len(best), excluded | Q(pk__in=joined))
    else:
        best = _ranked_ids(spec, w, top, excluded)
    if not best:
        return []
    candidates, _commitments = load_candidates(
        VolunteerProfile.objects.filter(pk__in=[pid for pid, _score in best]),
        week_window([shift.start, shift.end]),
    )
    by_id = {c.id: c for c in candidates}
    codes = {pid: score(by_id[pid], spec, w)[1] for pid, _score in best}
    profiles = VolunteerProfile.objects.select_related("community", "compound").in_bulk(
        [pid for pid, _score in best]
    )
    skills, courses = reason_names([code for reasons in codes.values() for code in reasons])
    return [
        Suggestion(
            profiles[pid],
            round(score, 2),
            [reason_text(code, skills, courses) for code in codes[pid]],
            elsewhere=profiles[pid].community_id != spec.community_id,
            outside_project=bool(project_id) and pid not in members,
        )
        for pid, score in best
    ]


def recommend_for_profile(profile, top=5, days=None):
    """Open shifts in the next `days` the volunteer may take, best first: [(shift, reasons)].

    Bounded whatever the number of shifts (issue 13): SQL picks at most
    settings.MATCHING_RECOMMEND_CANDIDATES open shifts of the next
    settings.MATCHING_RECOMMEND_DAYS, nearest first (the volunteer's compound, community, then
    the rest), and the core's score orders those. The choice (shift ids and reason codes) is
    kept in the cache for settings.MATCHING_RECOMMEND_SECONDS and dropped when the volunteer
    signs up (`forget_recommendations`); each view re-reads the shifts in one query, so a shift
    that filled up, started or was cancelled meanwhile is left out."""
    if profile.status != VolunteerProfile.Status.VERIFIED:
        return []
    chosen = cached_under(
        _recommendation_key(profile.pk),
        [_GENERATION_KEY],
        lambda: _choose_recommendations(profile, top, days or settings.MATCHING_RECOMMEND_DAYS),
        settings.MATCHING_RECOMMEND_SECONDS,
        fresh=lambda: 1,
    )
    if not chosen:
        return []
    by_id = {
        s.pk: s
        for s in _open_to(profile)
        .filter(pk__in=[sid for sid, _reasons in chosen])
        .select_related("task__community", "task__compound", "task__post__compound")
    }
    chosen = [(sid, reasons) for sid, reasons in chosen if sid in by_id]
    skills, courses = reason_names([code for _sid, reasons in chosen for code in reasons])
    return [
        (by_id[sid], [reason_text(c, skills, courses) for c in reasons]) for sid, reasons in chosen
    ]


_GENERATION_KEY = "matching:recommend:generation"


def _recommendation_key(profile_id):
    # Every cached choice is stored with its generation, moved on when a task's rules change.
    return f"matching:recommend:{profile_id}"


def forget_all_recommendations():
    """A task's rules changed (who may take it, what it needs): every volunteer's
    recommendations are computed afresh."""
    from django.core.cache import cache

    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # not in the cache (evicted or never set): any new value will do
        cache.set(_GENERATION_KEY, 2, None)


def forget_recommendations(profile_id):
    """The volunteer's sign-ups changed: their recommendations are computed afresh."""
    from django.core.cache import cache

    cache.delete(_recommendation_key(profile_id))


def _open_to(profile):
    """Open shifts the volunteer may be recommended: the rules of eligibility, in one place
    (both the choice and each view's re-reading of it go through here)."""
    from ..models import TeamMembership

    in_team = TeamMembership.objects.approved().filter(
        team_id=OuterRef("task__project__team_id"), profile=profile
    )
    return (
        Shift.objects.open()
        .public()
        .filter(task__active=True)
        .filter(Q(task__own_community_only=False) | Q(task__community_id=profile.community_id))
        # a team-only project's shifts are recommended to the team's members alone
        .filter(Q(task__project__isnull=True) | Q(task__project__team_only=False) | Exists(in_team))
        .exclude(signups__profile=profile)
    )


def _choose_recommendations(profile, top, days):
    """[(shift id, reason codes)] of the `top` shifts for the volunteer, best first."""
    now = timezone.now()
    near = Q(pk__in=[])
    if profile.compound_id:
        near = Q(task__compound_id=profile.compound_id) | Q(
            task__post__compound_id=profile.compound_id
        )
    shifts = shift_rows(
        _open_to(profile)
        .filter(start__lt=now + timedelta(days=days))
        .annotate(
            nearness=Case(
                When(near, then=Value(0)),
                When(task__community_id=profile.community_id, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("nearness", "start", "pk")[: settings.MATCHING_RECOMMEND_CANDIDATES]
    )
    if not shifts:
        return []
    specs = shift_specs(shifts)
    candidates, commitments = load_candidates(
        VolunteerProfile.objects.filter(pk=profile.pk),
        week_window([s.start for s in shifts] + [s.end for s in shifts]),
    )
    best = recommend_shifts(
        candidates[0],
        [specs[s.pk] for s in shifts if specs[s.pk].places],
        weights(),
        commitments,
        top=top,
    )
    return [(sid, list(reasons)) for sid, _score, reasons in best]


def forget_on_signup(sender, instance, **kwargs):
    """post_save of a Signup (a sign-up, an invitation, a place taken again): see
    `recommend_for_profile`. Status changes made with update() (withdrawing, declining) wait
    for the cache entry to expire, a few minutes."""
    forget_recommendations(instance.profile_id)
