"""Auto-assign proposals reviewed by a coordinator, the invitations sent from them, and the
re-offer of a declined place."""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from portal.scoping import can_access

from ..models import Shift, Signup, VolunteerProfile
from .core import Assignment
from .loaders import (
    NOT_A_CANDIDATE,
    eligible_profiles,
    load_candidates,
    profiles_for,
    shift_rows,
    shift_specs,
    week_window,
    weights,
)
from .ranking import rank_for_shift
from .scoring import score
from .solver import auto_assign


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
    every hard rule respected (matching.solver.auto_assign). Nothing is written.

    Returns (proposals sorted by shift start, Assignment)."""
    rows = [
        s
        for s in shift_rows(
            shifts.filter(cancelled_at__isnull=True, start__gt=timezone.now()).order_by(
                "start", "pk"
            )
        )
    ]
    if not rows:
        return [], Assignment()
    specs = shift_specs(rows)
    spec_list = [specs[s.pk] for s in rows if specs[s.pk].places > 0]
    if not spec_list:
        return [], Assignment()
    candidates, commitments = load_candidates(
        profiles_for(spec_list), week_window([s.start for s in rows] + [s.end for s in rows])
    )
    excluded = set(
        Signup.objects.ended()
        .filter(shift__in=[s.id for s in spec_list])
        .values_list("profile_id", "shift_id")
    )
    if excluded:
        # a person who declined a shift is not proposed for it again
        for pid, sid in excluded:
            commitments.setdefault(pid, []).append((specs[sid].start, specs[sid].end))
    limit = time_limit if time_limit is not None else settings.MATCHING_ASSIGN_TIME_LIMIT
    result = auto_assign(candidates, spec_list, weights(), commitments, time_limit=limit)
    by_cand = {c.id: c for c in candidates}
    w = weights()
    profiles = VolunteerProfile.objects.select_related("community").in_bulk(
        [cid for cid, _sid in result]
    )
    by_shift = {s.pk: s for s in rows}
    proposals = [
        Proposal(by_shift[sid], profiles[cid], round(score(by_cand[cid], specs[sid], w)[0], 2))
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
    declined = Signup.objects.ended().filter(shift=shift)
    return set(
        eligible_profiles(spec)
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
    from ..services import SignupError, invite

    sent, refused = [], []
    pairs = [(int(s), int(p)) for s, p in pairs]
    shifts = Shift.objects.in_bulk({s for s, _p in pairs})
    for shift in shifts.values():
        # scope first: another community's shift is refused before anyone is looked at
        if by is not None and not can_access(by, shift):
            raise PermissionDenied
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
        spec = shift_specs(shift_rows(Shift.objects.filter(pk=shift.pk)))[shift.pk]
        if spec.places <= 0:
            return []
        on_shift = Signup.objects.filter(shift=shift).values_list("profile_id", flat=True)
        suggestions = rank_for_shift(shift, top=spec.places, exclude=on_shift)
        sent, _refused = send_invitations([(shift.pk, s.profile.pk) for s in suggestions], by)
    return sent
