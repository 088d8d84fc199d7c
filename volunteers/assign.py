"""Matching core: eligibility, ranking and auto-assignment of volunteers to shifts (issue 6).

Pure Python + numpy/scipy; no Django imports.  The volunteers app turns its model rows into the
plain data types below (`Candidate`, `ShiftSpec`, a commitments mapping, `Weights` read from
settings), calls these functions, and maps the stable reason codes to translated messages.

Data conventions
----------------
* Datetimes are compared as instants (aware datetimes) or as wall-clock times (naive ones);
  do not mix the two.  Weekday/hour for stated availability are read from the datetimes as
  given, so pass *local* times (``timezone.localtime``) for aware datetimes.
* Intervals are half-open: a 07:00-12:00 shift does not overlap a 12:00-19:00 shift.
* ``Candidate.hours_this_week`` is the hours already committed in the week of the shift (it
  already includes the ``commitments`` passed alongside); it may be a mapping from ISO
  ``(year, week)`` to hours when the shifts span several weeks.  A shift counts in the week of
  its start.  ``weekly_cap_hours=None`` means no cap.
* ``ShiftSpec.accepted_community_ids=None`` means the task accepts volunteers from every
  community of the subdistrict; pass ``{community_id}`` for "own community only".
* ``commitments`` maps a candidate id to the ``(start, end)`` intervals they are already booked
  on (accepted or pending invitations, other shifts).  A candidate already on a shift is thus
  never proposed for it again (the intervals coincide).

Eligibility (hard rules, `eligibility`)
---------------------------------------
verified; community accepted by the shift; all required skills; all required courses completed;
no overlap with a commitment; ``hours_this_week + shift hours <= weekly_cap_hours``.  Each
failure yields a reason code: ``not_verified``, ``community_not_accepted``,
``missing_skill:<skill>``, ``missing_course:<course>``, ``overlapping_commitment``,
``weekly_cap_exceeded``.

Score (soft preferences, `score` / `rank`)
------------------------------------------
For an eligible pair, with the weights of `Weights` (all >= 0, so every score is >= 0)::

    score = closeness                        same_compound > same_community > elsewhere
          + availability   * share of the shift's clock hours in the stated weekly availability
          + optional_skills * share of the shift's optional skills held
          + fairness       * max(0, 1 - hours_this_week / weekly cap (or load_reference_hours))
          + reliability    * reliability (0..1, past attendance)
          + party_priority * [party post and party member]

Reason codes: ``same_compound``, ``same_community``, ``has_skill:<skill>``, ``available`` /
``partly_available``, ``completed_course:<course>``, ``light_load``, ``reliable``,
``party_member_priority``.  `rank` scores all candidates of one shift with numpy array
operations on a `CandidatePool` (pre-encoded candidates) and builds reasons only for the top N.

Auto-assignment (`auto_assign`) - formulation
---------------------------------------------
A 0/1 integer programme over the eligible (candidate c, shift s) pairs, solved with HiGHS
(scipy's linprog for the LP relaxation, highspy - or ``scipy.optimize.milp`` without it - for
branch and cut)::

    maximise   sum_p (M + score_p) x_p                     x_p in {0, 1}, one per eligible pair
    subject to sum_{c} x_{c,s} <= places_s                 for every shift s
               sum_{s in K} x_{c,s} <= 1                   for every candidate c and every maximal
                                                           clique K of c's mutually overlapping
                                                           candidate shifts
               sum_{s in week w} hours_s x_{c,s} <= cap_c - hours_c(w)
                                                           for every candidate c and week w where
                                                           the row can bind (a knapsack row)

* Lexicographic objective: with ``M = 1 + score_max * min(total places, number of pairs)``
  (scores are >= 0), any assignment filling one more place beats every assignment filling fewer,
  whatever the scores; among assignments filling the most places, the total score decides.
* Overlaps are modelled exactly: the candidate shifts of one person are intervals, and an
  interval graph's maximal cliques are found at start points (sort by start; the set of intervals
  containing a start point t, taken just before the next interval ends).  "At most one shift
  active at time t" for those points forbids exactly the overlapping pairs, with far fewer and
  much tighter rows than one row per overlapping pair (the clique rows of one person form a
  consecutive-ones matrix, and every variable sits in exactly one shift row, so the LP
  relaxation is nearly integral: on the benchmark a few hundred of ~50,000 variables are
  fractional).  Existing commitments are handled exactly by eligibility: a pair that overlaps a
  commitment is not a variable.
* "At most once per shift" holds because there is one binary per (candidate, shift) pair.

Solving (`_solve_model`).  First the LP relaxation (HiGHS dual simplex, via scipy's linprog).
If it is integral it is optimal (often so on small instances).  Otherwise:

* up to 25,000 variables: branch and cut on the whole programme (HiGHS through highspy, which,
  unlike ``scipy.optimize.milp``, takes the greedy solution as a starting incumbent; scipy's
  milp is the fallback when highspy is missing), to proven optimality or the time limit;
* larger: LP-and-fix.  Pairs the LP sets to 1 are kept; a MIP on the residual capacities then
  decides the fractional pairs and every pair of a shift with places left (a few thousand
  variables, solved to optimality in well under a second); local moves polish the result.
  The LP value is an upper bound, so the result's distance to the optimum of the (pruned)
  programme is known: `Assignment.score_bound`.

Scaling down (pruning).  Instances of at most ``prune_above`` eligible pairs are solved on all
pairs, so the result is the proven optimum when HiGHS finishes (``Assignment.optimal``).  Larger
ones keep as variables each shift's top-K candidates by score (K = max(``top_k``=20, 3 x
places)), each candidate's ``candidate_top``=2 best shifts (so no volunteer is forgotten just
because better-placed people outrank them everywhere), and every pair of the greedy solution
(so the programme always contains a solution at least as good as greedy).  A shift's 21st-best
candidate matters only when the 20 better ones are all taken elsewhere; those scarce places are
what the candidate-side shortlist covers.  On the benchmark (bench/matching_core.py) the LP
bound of the pruned programme (~50,000 pairs) equals, to the cent, the LP bound over all 1.15
million eligible pairs, the result is within 0.14% of that bound (so of the true optimum), and
on 2,000 x 300 the pruned path reaches 0.9999 of the exact optimum.

Fallback: the whole call honours ``time_limit`` (wall clock).  If HiGHS stops on the limit, its
incumbent is used when it exists; every solver answer is re-checked against the hard rules
(`_repair`); the result is compared with the greedy solution and polished by a local-improvement
heuristic (refill open places, one-step augmenting moves that move a blocking volunteer to free
a place, score-improving swaps); the lexicographically best is returned.  The returned
assignment is therefore always feasible, and never worse than `greedy_assign`.

`greedy_assign` is the plain one-pass baseline (best score first); `exact_optimum` solves the
same programme on all eligible pairs without pruning; `check_violations` counts hard-rule
violations of any assignment.

Not modelled: fairness is static (computed from hours before this assignment, not updated as the
assignment fills a week); the weekly cap is what stops one person taking everything.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

__all__ = [
    "Assignment",
    "Candidate",
    "CandidatePool",
    "Ranked",
    "ShiftSpec",
    "Weights",
    "assignment_score",
    "auto_assign",
    "check_violations",
    "eligibility",
    "exact_optimum",
    "greedy_assign",
    "lp_bound",
    "rank",
    "recommend_shifts",
    "score",
]

# Eligibility reason codes (stable; the caller maps them to translated messages).
NOT_VERIFIED = "not_verified"
COMMUNITY_NOT_ACCEPTED = "community_not_accepted"
MISSING_SKILL = "missing_skill"  # "missing_skill:<skill>"
MISSING_COURSE = "missing_course"  # "missing_course:<course>"
OVERLAPPING_COMMITMENT = "overlapping_commitment"
WEEKLY_CAP_EXCEEDED = "weekly_cap_exceeded"

# Score reason codes.
SAME_COMPOUND = "same_compound"
SAME_COMMUNITY = "same_community"
HAS_SKILL = "has_skill"  # "has_skill:<skill>"
AVAILABLE = "available"
PARTLY_AVAILABLE = "partly_available"
COMPLETED_COURSE = "completed_course"  # "completed_course:<course>"
LIGHT_LOAD = "light_load"
RELIABLE = "reliable"
PARTY_MEMBER_PRIORITY = "party_member_priority"

#: every eligibility code (those ending in ":" take a skill / course name after the colon)
ELIGIBILITY_CODES = (
    NOT_VERIFIED,
    COMMUNITY_NOT_ACCEPTED,
    MISSING_SKILL + ":",
    MISSING_COURSE + ":",
    OVERLAPPING_COMMITMENT,
    WEEKLY_CAP_EXCEEDED,
)
#: every score reason code (same convention)
SCORE_CODES = (
    SAME_COMPOUND,
    SAME_COMMUNITY,
    HAS_SKILL + ":",
    AVAILABLE,
    PARTLY_AVAILABLE,
    COMPLETED_COURSE + ":",
    LIGHT_LOAD,
    RELIABLE,
    PARTY_MEMBER_PRIORITY,
)

_EPS = 1e-9
Commitments = Mapping[Hashable, Sequence[tuple[datetime, datetime]]]
Availability = set | frozenset | Callable[[datetime, datetime], float] | None


# --------------------------------------------------------------------------- data types


@dataclass(kw_only=True, eq=False)
class Candidate:
    """A verified-or-not volunteer as the matcher sees them."""

    id: Hashable
    community_id: Hashable
    compound_id: Hashable | None = None
    skills: set | frozenset = field(default_factory=frozenset)
    # Set of (weekday 0=Monday..6, hour 0..23) slots, or a callable (start, end) -> share 0..1
    # (or bool) of the interval the person is available for; empty/None = not stated.
    available: Availability = field(default_factory=frozenset)
    party_member: bool = False
    hours_this_week: float | Mapping[tuple[int, int], float] = 0.0
    reliability: float = 0.5
    completed_courses: set | frozenset = field(default_factory=frozenset)
    weekly_cap_hours: float | None = None
    verified: bool = True


@dataclass(kw_only=True, eq=False)
class ShiftSpec:
    """A shift to fill: times, places and the task's requirements."""

    id: Hashable
    community_id: Hashable
    start: datetime
    end: datetime
    places: int = 1  # open places still to fill (places taken already are not counted)
    compound_id: Hashable | None = None
    accepted_community_ids: set | frozenset | None = None  # None = every community
    required_skills: set | frozenset = field(default_factory=frozenset)
    optional_skills: set | frozenset = field(default_factory=frozenset)
    required_courses: set | frozenset = field(default_factory=frozenset)
    party_post: bool = False

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600.0


@dataclass(kw_only=True, frozen=True)
class Weights:
    """Score weights (all >= 0) and the thresholds of the score reasons.

    Read them from Django settings in the caller, e.g.
    ``Weights.from_mapping(settings.VOLUNTEER_MATCHING_WEIGHTS)``.
    """

    #: closeness: the volunteer lives in the shift's compound (小区)
    same_compound: float = 4.0
    #: closeness: same community (社区) but another compound (or the shift has no compound)
    same_community: float = 2.5
    #: closeness: elsewhere in the subdistrict (街道)
    elsewhere: float = 0.0
    #: times the share of the shift's hours inside the volunteer's stated weekly availability
    availability: float = 2.0
    #: times the share of the task's optional skills the volunteer has
    optional_skills: float = 1.5
    #: times 1 - hours_this_week / weekly cap (fairness of load: the less done, the higher)
    fairness: float = 1.5
    #: times the reliability 0..1 (share of past shifts attended)
    reliability: float = 2.0
    #: added when the shift is a party-member post (党员先锋岗) and the volunteer a party member
    party_priority: float = 3.0
    #: the load reference for volunteers without a weekly cap
    load_reference_hours: float = 20.0
    #: reason "light_load" when hours_this_week <= this share of the cap/reference
    light_load_share: float = 0.25
    #: reason "reliable" when reliability >= this
    reliable_threshold: float = 0.9

    def __post_init__(self):
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"weight {f.name} must be >= 0")
        if self.load_reference_hours <= 0:
            raise ValueError("load_reference_hours must be > 0")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, float] | None) -> Weights:
        """Build from a settings dict; unknown keys are an error (typos would pass silently)."""
        mapping = dict(mapping or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise ValueError(f"unknown matching weights: {', '.join(unknown)}")
        return cls(**{k: float(v) for k, v in mapping.items()})

    @property
    def max_score(self) -> float:
        return (
            max(self.same_compound, self.same_community, self.elsewhere)
            + self.availability
            + self.optional_skills
            + self.fairness
            + self.reliability
            + self.party_priority
        )


@dataclass(frozen=True)
class Ranked:
    candidate_id: Hashable
    score: float
    reasons: tuple[str, ...]


class Assignment(list):
    """A list of (candidate_id, shift_id) pairs, with how it was obtained.

    method: "lp_integral" (the LP relaxation was integral: optimal on the pairs it was given),
    "mip" (branch and cut finished: optimal on those pairs), "mip_incumbent" (time limit:
    HiGHS's best solution), "lp_fix" (LP-and-fix, large instances), "heuristic" (greedy won);
    "+local" when local improvement then helped; "greedy" (greedy_assign), "exact".
    optimal: proven optimal for the whole instance (exact_optimum, or unpruned auto_assign).
    score_bound: an upper bound on the total score of the programme that was solved (LP bound),
    when the places filled are provably maximal; None otherwise.
    """

    def __init__(
        self,
        pairs=(),
        *,
        method="",
        optimal=False,
        places_filled=0,
        total_score=0.0,
        seconds=0.0,
        variables=0,
        pruned=False,
        score_bound=None,
    ):
        super().__init__(pairs)
        self.method = method
        self.optimal = optimal
        self.places_filled = places_filled
        self.total_score = total_score
        self.seconds = seconds
        self.variables = variables
        self.pruned = pruned
        self.score_bound = score_bound


# --------------------------------------------------------------------------- helpers


_NAIVE_EPOCH = datetime(1970, 1, 1)


def _ts(dt: datetime) -> float:
    if dt.tzinfo is None:
        return (dt - _NAIVE_EPOCH).total_seconds()
    return dt.timestamp()


def _week(dt: datetime) -> tuple[int, int]:
    iso = dt.isocalendar()
    return (iso[0], iso[1])


def _slots(start: datetime, end: datetime) -> list[int]:
    """Weekly clock-hour slots (weekday * 24 + hour) the interval touches, in order."""
    out: dict[int, None] = {}
    t = start.replace(minute=0, second=0, microsecond=0)
    while t < end and len(out) < 168:
        out[t.weekday() * 24 + t.hour] = None
        t += timedelta(hours=1)
    return list(out)


def _base_hours(c: Candidate, week: tuple[int, int]) -> float:
    h = c.hours_this_week
    if isinstance(h, Mapping):
        return float(h.get(week, 0.0))
    return float(h or 0.0)


def _overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return a0 < b1 and b0 < a1


def _avail_share(c: Candidate, shift: ShiftSpec, slots: list[int]) -> float:
    av = c.available
    if callable(av):
        return min(1.0, max(0.0, float(av(shift.start, shift.end))))
    if not av or not slots:
        return 0.0
    n = sum(1 for s in slots if (s // 24, s % 24) in av)
    return n / len(slots)


# --------------------------------------------------------------------------- eligibility


def eligibility(
    candidate: Candidate, shift: ShiftSpec, commitments: Commitments | None = None
) -> tuple[bool, list[str]]:
    """Hard rules for one pair -> (ok, reason codes of every failed rule)."""
    reasons: list[str] = []
    if not candidate.verified:
        reasons.append(NOT_VERIFIED)
    acc = shift.accepted_community_ids
    if acc is not None and candidate.community_id not in acc:
        reasons.append(COMMUNITY_NOT_ACCEPTED)
    for sk in sorted(set(shift.required_skills) - set(candidate.skills), key=str):
        reasons.append(f"{MISSING_SKILL}:{sk}")
    for co in sorted(set(shift.required_courses) - set(candidate.completed_courses), key=str):
        reasons.append(f"{MISSING_COURSE}:{co}")
    s0, s1 = _ts(shift.start), _ts(shift.end)
    for b0, b1 in (commitments or {}).get(candidate.id, ()):
        if _overlaps(s0, s1, _ts(b0), _ts(b1)):
            reasons.append(OVERLAPPING_COMMITMENT)
            break
    cap = candidate.weekly_cap_hours
    if cap is not None and _base_hours(candidate, _week(shift.start)) + shift.hours > cap + _EPS:
        reasons.append(WEEKLY_CAP_EXCEEDED)
    return (not reasons, reasons)


# --------------------------------------------------------------------------- scoring


def _components(c: Candidate, shift: ShiftSpec, w: Weights, slots: list[int]):
    if shift.compound_id is not None and c.compound_id == shift.compound_id:
        close, close_reason = w.same_compound, SAME_COMPOUND
    elif c.community_id == shift.community_id:
        close, close_reason = w.same_community, SAME_COMMUNITY
    else:
        close, close_reason = w.elsewhere, None
    avail = _avail_share(c, shift, slots)
    opt = shift.optional_skills
    opt_share = (len(set(opt) & set(c.skills)) / len(opt)) if opt else 0.0
    cap = c.weekly_cap_hours
    ref = cap if (cap is not None and cap > 0) else w.load_reference_hours
    base = _base_hours(c, _week(shift.start))
    load = min(1.0, max(0.0, 1.0 - base / ref))
    rel = min(1.0, max(0.0, float(c.reliability)))
    party = bool(shift.party_post and c.party_member)
    return close, close_reason, avail, opt_share, load, base / ref, rel, party


def _reasons(c: Candidate, shift: ShiftSpec, w: Weights, comps) -> list[str]:
    close, close_reason, avail, _opt, _load, load_share, rel, party = comps
    out: list[str] = []
    if close_reason:
        out.append(close_reason)
    held = set(c.skills)
    for sk in sorted((set(shift.required_skills) | set(shift.optional_skills)) & held, key=str):
        out.append(f"{HAS_SKILL}:{sk}")
    if avail >= 1.0 - _EPS:
        out.append(AVAILABLE)
    elif avail > 0:
        out.append(PARTLY_AVAILABLE)
    for co in sorted(set(shift.required_courses) & set(c.completed_courses), key=str):
        out.append(f"{COMPLETED_COURSE}:{co}")
    if load_share <= w.light_load_share + _EPS:
        out.append(LIGHT_LOAD)
    if rel >= w.reliable_threshold - _EPS:
        out.append(RELIABLE)
    if party:
        out.append(PARTY_MEMBER_PRIORITY)
    return out


def score(
    candidate: Candidate, shift: ShiftSpec, weights: Weights | None = None
) -> tuple[float, list[str]]:
    """Soft score of one pair (eligibility is not checked) and its reason codes."""
    w = weights or Weights()
    comps = _components(candidate, shift, w, _slots(shift.start, shift.end))
    close, _cr, avail, opt_share, load, _ls, rel, party = comps
    total = (
        close
        + w.availability * avail
        + w.optional_skills * opt_share
        + w.fairness * load
        + w.reliability * rel
        + w.party_priority * (1.0 if party else 0.0)
    )
    return float(total), _reasons(candidate, shift, w, comps)


class CandidatePool:
    """Candidates (and their commitments) encoded as numpy arrays for vectorised scoring.

    Build once and reuse it to rank many shifts or to auto-assign.
    """

    def __init__(self, candidates: Iterable[Candidate], commitments: Commitments | None = None):
        self.candidates: list[Candidate] = list(candidates)
        cands = self.candidates
        n = len(cands)
        self.n = n
        self.ids = [c.id for c in cands]
        self.index = {cid: i for i, cid in enumerate(self.ids)}
        if len(self.index) != n:
            raise ValueError("duplicate candidate ids")

        self._comm_code: dict[Hashable, int] = {}
        self._comp_code: dict[Hashable, int] = {}
        comm = np.empty(n, dtype=np.int64)
        comp = np.full(n, -1, dtype=np.int64)
        for i, c in enumerate(cands):
            comm[i] = self._comm_code.setdefault(c.community_id, len(self._comm_code))
            if c.compound_id is not None:
                comp[i] = self._comp_code.setdefault(c.compound_id, len(self._comp_code))
        self.comm, self.comp = comm, comp
        order = np.argsort(comm, kind="stable")
        bounds = np.searchsorted(comm[order], np.arange(len(self._comm_code) + 1))
        self.by_comm = [order[bounds[k] : bounds[k + 1]] for k in range(len(self._comm_code))]

        # skills and courses, encoded lazily one name at a time
        self._sets = {
            "skill": [c.skills or () for c in cands],
            "course": [c.completed_courses or () for c in cands],
        }
        self._set_cols: dict[tuple[str, Hashable], np.ndarray] = {}

        # Stated availability, encoded lazily one weekly slot at a time (ranking one shift only
        # looks at its few slots).
        self._avail_sets = [
            c.available if (c.available and not callable(c.available)) else frozenset()
            for c in cands
        ]
        self._avail_cols: dict[int, np.ndarray] = {}
        self.avail_callables = [i for i, c in enumerate(cands) if callable(c.available)]
        self._callable_mask = np.zeros(n, dtype=bool)
        self._callable_mask[self.avail_callables] = True
        self.party = np.fromiter((bool(c.party_member) for c in cands), dtype=bool, count=n)
        self.verified = np.fromiter((bool(c.verified) for c in cands), dtype=bool, count=n)
        self.rel = np.clip(
            np.fromiter((float(c.reliability) for c in cands), dtype=np.float64, count=n), 0, 1
        )
        self.cap = np.fromiter(
            (np.inf if c.weekly_cap_hours is None else float(c.weekly_cap_hours) for c in cands),
            dtype=np.float64,
            count=n,
        )
        hours = [c.hours_this_week for c in cands]
        self._hours_mapped = [
            i
            for i, h in enumerate(hours)
            if not isinstance(h, int | float) and isinstance(h, Mapping)
        ]
        for i in self._hours_mapped:
            hours[i] = 0.0
        self._hours_flat = np.array([float(h or 0.0) for h in hours], dtype=np.float64)
        self._hours_cache: dict[tuple[int, int], np.ndarray] = {}

        ci: list[int] = []
        cs: list[float] = []
        ce: list[float] = []
        for cid, intervals in (commitments or {}).items():
            i = self.index.get(cid)
            if i is None:
                continue
            for b0, b1 in intervals:
                ci.append(i)
                cs.append(_ts(b0))
                ce.append(_ts(b1))
        o = np.argsort(np.asarray(cs, dtype=np.float64), kind="stable")
        self.com_idx = np.asarray(ci, dtype=np.int64)[o]
        self.com_start = np.asarray(cs, dtype=np.float64)[o]
        self.com_end = np.asarray(ce, dtype=np.float64)[o]
        self.commitments = commitments or {}

    def has(self, kind: str, name: Hashable) -> np.ndarray:
        """Who has skill (kind "skill") or completed course (kind "course") ``name``."""
        col = self._set_cols.get((kind, name))
        if col is None:
            col = np.fromiter((name in x for x in self._sets[kind]), dtype=bool, count=self.n)
            self._set_cols[(kind, name)] = col
        return col

    def encode_availability(self):
        """Encode every weekly slot at once (cheaper when many shifts are scored)."""
        if len(self._avail_cols) >= 168:
            return
        rows: list[int] = []
        cols: list[int] = []
        for i, av in enumerate(self._avail_sets):
            if av:
                slots = [d * 24 + h for d, h in av if 0 <= d < 7 and 0 <= h < 24]
                rows.extend([i] * len(slots))
                cols.extend(slots)
        mat = np.zeros((168, self.n), dtype=bool)
        if rows:
            mat[np.asarray(cols), np.asarray(rows)] = True
        self._avail_cols = dict(enumerate(mat))

    def avail_slot(self, slot: int) -> np.ndarray:
        """Who stated they are available in weekly slot ``weekday * 24 + hour``."""
        col = self._avail_cols.get(slot)
        if col is None:
            key = (slot // 24, slot % 24)
            col = np.fromiter((key in a for a in self._avail_sets), dtype=bool, count=self.n)
            self._avail_cols[slot] = col
        return col

    def hours_for_week(self, week: tuple[int, int]) -> np.ndarray:
        """Hours already committed by each candidate in an ISO week."""
        if not self._hours_mapped:
            return self._hours_flat
        arr = self._hours_cache.get(week)
        if arr is None:
            arr = self._hours_flat.copy()
            for i in self._hours_mapped:
                arr[i] = _base_hours(self.candidates[i], week)
            self._hours_cache[week] = arr
        return arr

    def evaluate(
        self, shift: ShiftSpec, weights: Weights, exclude: Iterable[Hashable] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        """Eligible candidate indices (ascending) for a shift and their scores."""
        w = weights
        if shift.accepted_community_ids is None:
            idx = np.arange(self.n)
        else:
            parts = [
                self.by_comm[self._comm_code[k]]
                for k in shift.accepted_community_ids
                if k in self._comm_code
            ]
            idx = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        if idx.size == 0:
            return idx, np.empty(0)
        keep = self.verified[idx]
        for kind, req in (("skill", shift.required_skills), ("course", shift.required_courses)):
            for r in req:
                keep &= self.has(kind, r)[idx]
        week = _week(shift.start)
        hours_all = self.hours_for_week(week)
        keep &= hours_all[idx] + shift.hours <= self.cap[idx] + _EPS
        idx = idx[keep]
        if idx.size and self.com_idx.size:
            s0, s1 = _ts(shift.start), _ts(shift.end)
            hi = np.searchsorted(self.com_start, s1, side="left")
            busy = self.com_idx[:hi][self.com_end[:hi] > s0]
            if busy.size:
                mask = np.zeros(self.n, dtype=bool)
                mask[busy] = True
                idx = idx[~mask[idx]]
        if exclude:
            ex = [self.index[e] for e in exclude if e in self.index]
            if ex:
                mask = np.zeros(self.n, dtype=bool)
                mask[ex] = True
                idx = idx[~mask[idx]]
        if idx.size == 0:
            return idx, np.empty(0)
        return idx, self._scores(idx, shift, w, hours_all)

    def _scores(self, idx: np.ndarray, shift: ShiftSpec, w: Weights, hours_all) -> np.ndarray:
        comm_code = self._comm_code.get(shift.community_id, -2)
        comp_code = (
            self._comp_code.get(shift.compound_id, -2) if shift.compound_id is not None else -2
        )
        close = np.where(
            self.comp[idx] == comp_code,
            w.same_compound,
            np.where(self.comm[idx] == comm_code, w.same_community, w.elsewhere),
        )
        slots = _slots(shift.start, shift.end)
        if slots:
            count = np.zeros(idx.size)
            for slot in slots:
                count += self.avail_slot(slot)[idx]
            avail = count / len(slots)
        else:
            avail = np.zeros(idx.size)
        if self.avail_callables:
            pos = np.flatnonzero(self._callable_mask[idx])
            for p in pos:
                avail[p] = _avail_share(self.candidates[idx[p]], shift, slots)
        opt = shift.optional_skills
        if opt:
            held = np.zeros(idx.size)
            for name in opt:
                held += self.has("skill", name)[idx]
            opt_share = held / len(opt)
        else:
            opt_share = np.zeros(idx.size)
        cap = self.cap[idx]
        ref = np.where(np.isfinite(cap) & (cap > 0), cap, w.load_reference_hours)
        load = np.clip(1.0 - hours_all[idx] / ref, 0.0, 1.0)
        party = (self.party[idx] & bool(shift.party_post)).astype(np.float64)
        return combine_scores(w, close, avail, opt_share, load, self.rel[idx], party)


def combine_scores(w: Weights, close, avail, opt_share, load, rel, party) -> np.ndarray:
    """The score from its components (arrays, one entry per candidate): `score()` vectorised.

    Every vectorised scorer goes through here, so rankings built from other sources of the
    same components (volunteers.matching reads them from SQL) order candidates identically."""
    return (
        close
        + w.availability * avail
        + w.optional_skills * opt_share
        + w.fairness * load
        + w.reliability * rel
        + w.party_priority * party
    )


def top_order(keys: np.ndarray, scores: np.ndarray, top: int) -> np.ndarray:
    """Positions of the `top` best scores, best first; ties go to the smaller key."""
    if keys.size > 4 * top:
        # Keep everything at least as good as the top-th score, then order exactly.
        thr = np.partition(scores, keys.size - top)[keys.size - top]
        kept = np.flatnonzero(scores >= thr)
        return kept[np.lexsort((keys[kept], -scores[kept]))[:top]]
    return np.lexsort((keys, -scores))[:top]


def rank(
    candidates: Sequence[Candidate] | CandidatePool,
    shift: ShiftSpec,
    weights: Weights | None = None,
    top: int = 20,
    commitments: Commitments | None = None,
    exclude: Iterable[Hashable] = (),
) -> list[Ranked]:
    """Eligible candidates for a shift, best first (ties: input order), with reasons.

    ``exclude``: ids not to suggest (e.g. those who declined).  ``commitments`` is ignored when
    a `CandidatePool` (which carries its own) is passed.
    """
    w = weights or Weights()
    pool = (
        candidates
        if isinstance(candidates, CandidatePool)
        else CandidatePool(candidates, commitments)
    )
    idx, sc = pool.evaluate(shift, w, exclude)
    if idx.size == 0 or top <= 0:
        return []
    order = top_order(idx, sc, top)
    out = []
    slots = _slots(shift.start, shift.end)
    for k in order:
        c = pool.candidates[idx[k]]
        reasons = _reasons(c, shift, w, _components(c, shift, w, slots))
        out.append(Ranked(c.id, float(sc[k]), tuple(reasons)))
    return out


def recommend_shifts(
    candidate: Candidate,
    shifts: Iterable[ShiftSpec],
    weights: Weights | None = None,
    commitments: Commitments | None = None,
    top: int = 10,
) -> list[tuple[Hashable, float, list[str]]]:
    """Shifts a volunteer is eligible for, ranked by the same score: (shift_id, score, reasons)."""
    w = weights or Weights()
    out = []
    for i, s in enumerate(shifts):
        ok, _ = eligibility(candidate, s, commitments)
        if ok:
            sc, reasons = score(candidate, s, w)
            out.append((-sc, i, s.id, sc, reasons))
    out.sort(key=lambda t: (t[0], t[1]))
    return [(sid, sc, reasons) for _neg, _i, sid, sc, reasons in out[:top]]


# --------------------------------------------------------------------------- assignment


class _Instance:
    """All eligible pairs of an instance as flat arrays (shift order, then candidate order)."""

    def __init__(self, candidates, shifts, weights, commitments):
        self.pool = (
            candidates
            if isinstance(candidates, CandidatePool)
            else CandidatePool(candidates, commitments)
        )
        self.shifts: list[ShiftSpec] = list(shifts)
        sids = [s.id for s in self.shifts]
        if len(set(sids)) != len(sids):
            raise ValueError("duplicate shift ids")
        self.w = weights or Weights()
        if len(self.shifts) > 20:
            self.pool.encode_availability()
        ns = len(self.shifts)
        self.places = np.array([max(0, int(s.places)) for s in self.shifts], dtype=np.int64)
        self.s_start = np.array([_ts(s.start) for s in self.shifts], dtype=np.float64)
        self.s_end = np.array([_ts(s.end) for s in self.shifts], dtype=np.float64)
        self.s_hours = np.array([s.hours for s in self.shifts], dtype=np.float64)
        weeks = [_week(s.start) for s in self.shifts]
        self.week_keys = sorted(set(weeks))
        wk_code = {k: i for i, k in enumerate(self.week_keys)}
        self.s_week = np.array([wk_code[k] for k in weeks], dtype=np.int64)
        pc, ps, psc = [], [], []
        for j, s in enumerate(self.shifts):
            if self.places[j] <= 0 or s.end <= s.start:
                continue
            idx, sc = self.pool.evaluate(s, self.w)
            if idx.size:
                pc.append(idx)
                ps.append(np.full(idx.size, j, dtype=np.int64))
                psc.append(sc)
        self.pc = np.concatenate(pc) if pc else np.empty(0, dtype=np.int64)
        self.ps = np.concatenate(ps) if ps else np.empty(0, dtype=np.int64)
        self.score = np.concatenate(psc) if psc else np.empty(0)
        # remaining hours under the cap per (candidate, week)
        self.remaining = {
            k: self.pool.cap - self.pool.hours_for_week(wk) for k, wk in enumerate(self.week_keys)
        }
        self.ns = ns
        self._lists: tuple[list[int], list[int]] | None = None

    def lists(self) -> tuple[list[int], list[int]]:
        """Pair shift / candidate indices as Python lists (cached; for the pure-Python loops)."""
        if self._lists is None:
            self._lists = (self.ps.tolist(), self.pc.tolist())
        return self._lists

    def to_pairs(self, sel: Iterable[int]) -> list[tuple[Hashable, Hashable]]:
        sel = sorted(sel, key=lambda p: (int(self.ps[p]), int(self.pc[p])))
        return [(self.pool.ids[self.pc[p]], self.shifts[self.ps[p]].id) for p in sel]

    def value(self, sel) -> tuple[int, float]:
        sel = list(sel)
        return len(sel), float(self.score[sel].sum()) if sel else 0.0


class _State:
    """Incremental feasible assignment over a set of pair indices (for greedy / local search)."""

    def __init__(self, inst: _Instance):
        self.inst = inst
        self.filled = [0] * inst.ns
        self.by_cand: dict[int, list[int]] = defaultdict(list)  # cand -> chosen pair indices
        self.used: dict[tuple[int, int], float] = defaultdict(float)  # (cand, week) -> hours
        self.chosen: set[int] = set()
        self.ps, self.pc = inst.lists()
        self.st = inst.s_start.tolist()
        self.en = inst.s_end.tolist()
        self.hr = inst.s_hours.tolist()
        self.wk = inst.s_week.tolist()
        self.places = inst.places.tolist()

    def blockers(self, p: int, ignore: int | None = None) -> list[int] | None:
        """Chosen pairs of p's candidate that stop p (overlap); None if the cap also blocks."""
        c, s = self.pc[p], self.ps[p]
        st, en = self.st[s], self.en[s]
        out = []
        freed = 0.0
        for q in self.by_cand.get(c, ()):
            if q == ignore:
                continue
            s2 = self.ps[q]
            if s2 == s or (st < self.en[s2] and self.st[s2] < en):
                out.append(q)
                if self.wk[s2] == self.wk[s]:
                    freed += self.hr[s2]
        if ignore is not None and self.wk[self.ps[ignore]] == self.wk[s]:
            freed += self.hr[self.ps[ignore]]
        w = self.wk[s]
        if self.used[(c, w)] - freed + self.hr[s] > self.inst.remaining[w][c] + _EPS:
            return None
        return out

    def can_add(self, p: int) -> bool:
        if self.filled[self.ps[p]] >= self.places[self.ps[p]]:
            return False
        b = self.blockers(p)
        return b is not None and not b

    def add(self, p: int):
        c, s = self.pc[p], self.ps[p]
        self.filled[s] += 1
        self.by_cand[c].append(p)
        self.used[(c, self.wk[s])] += self.hr[s]
        self.chosen.add(p)

    def remove(self, p: int):
        c, s = self.pc[p], self.ps[p]
        self.filled[s] -= 1
        self.by_cand[c].remove(p)
        self.used[(c, self.wk[s])] -= self.hr[s]
        self.chosen.discard(p)


def _greedy(inst: _Instance, subset: np.ndarray | None = None) -> _State:
    st = _State(inst)
    sel = np.arange(inst.pc.size) if subset is None else np.asarray(subset, dtype=np.int64)
    # pairs are stored by (shift, candidate): a stable sort on -score keeps that as tie-break
    sel = np.sort(sel)
    order = sel[np.argsort(-inst.score[sel], kind="stable")]
    open_shifts = int((inst.places > 0).sum())
    ps_arr = inst.ps
    chunk = 20_000
    for k in range(0, len(order), chunk):
        part = np.asarray(order[k : k + chunk], dtype=np.int64)
        # drop, in one vectorised step, the pairs of shifts already full
        room = np.asarray(st.filled) < inst.places
        for p in part[room[ps_arr[part]]].tolist():
            s = st.ps[p]
            if st.filled[s] >= st.places[s]:
                continue
            if st.can_add(p):
                st.add(p)
                if st.filled[s] >= st.places[s]:
                    open_shifts -= 1
        if open_shifts <= 0:
            break
    return st


def _improve(inst: _Instance, st: _State, subset: np.ndarray, deadline: float) -> _State:
    """Local improvement: refill, one-step augmenting moves, score-improving swaps."""
    ps, sc = inst.ps, inst.score
    per_shift: list[list[int]] = [[] for _ in range(inst.ns)]
    sub = np.asarray(subset, dtype=np.int64)
    for p in sub[np.lexsort((inst.pc[sub], -sc[sub], ps[sub]))].tolist():
        per_shift[st.ps[p]].append(p)
    score = sc.tolist()

    def refill() -> bool:
        changed = False
        for s in range(inst.ns):
            for p in per_shift[s]:
                if st.filled[s] >= st.places[s]:
                    break
                if p not in st.chosen and st.can_add(p):
                    st.add(p)
                    changed = True
        return changed

    improved = True
    refill()
    while improved and time.monotonic() < deadline:
        improved = False
        # one-step augmenting moves: open place on s; c blocked by exactly one pair q (c on s2);
        # move c to s and give s2 to a free candidate c2.
        for s in range(inst.ns):
            if time.monotonic() >= deadline:
                break
            for p in per_shift[s]:
                if st.filled[s] >= st.places[s]:
                    break
                if p in st.chosen:
                    continue
                b = st.blockers(p)
                if b is None or len(b) != 1:
                    continue
                q = b[0]
                if st.blockers(p, ignore=q) != []:
                    continue
                s2 = st.ps[q]
                st.remove(q)
                st.add(p)
                done = False
                for r in per_shift[s2]:
                    if r not in st.chosen and st.pc[r] != st.pc[q] and st.can_add(r):
                        st.add(r)
                        done = True
                        break
                if done:
                    improved = True
                else:  # undo
                    st.remove(p)
                    st.add(q)
        # score-improving swaps: replace c on s by a better free c2.
        for p in sorted(st.chosen):
            if time.monotonic() >= deadline:
                break
            if p not in st.chosen:
                continue
            s = st.ps[p]
            for r in per_shift[s]:
                if score[r] <= score[p] + _EPS:
                    break
                if r in st.chosen:
                    continue
                st.remove(p)
                if st.can_add(r):
                    st.add(r)
                    improved = True
                    break
                st.add(p)
        if refill():
            improved = True
    return st


def _clique_rows(starts: list[float], ends: list[float], cols: list[int]) -> list[list[int]]:
    """Maximal cliques (size >= 2) of intervals, each as a list of column ids."""
    order = sorted(range(len(cols)), key=lambda k: (starts[k], ends[k]))
    rows: list[list[int]] = []
    active: list[int] = []
    grew = False
    for k in order:
        st = starts[k]
        if any(ends[a] <= st for a in active):
            if grew and len(active) >= 2:
                rows.append([cols[a] for a in active])
            grew = False
            active = [a for a in active if ends[a] > st]
        active.append(k)
        grew = True
    if grew and len(active) >= 2:
        rows.append([cols[a] for a in active])
    return rows


def _build_model(inst: _Instance, cols: np.ndarray):
    """Constraint matrix (csr), right-hand sides and objective (to maximise) for the columns."""
    n = cols.size
    pc, ps = inst.pc[cols], inst.ps[cols]
    sc = inst.score[cols]
    r_i: list[np.ndarray] = []
    r_j: list[np.ndarray] = []
    r_v: list[np.ndarray] = []
    rhs: list[float] = []
    # capacity rows
    shifts_used, s_row = np.unique(ps, return_inverse=True)
    r_i.append(s_row)
    r_j.append(np.arange(n))
    r_v.append(np.ones(n))
    rhs.extend(inst.places[shifts_used].astype(float).tolist())
    row = len(rhs)
    # per-candidate clique and cap rows
    order = np.lexsort((inst.s_start[ps], pc))
    cuts = np.flatnonzero(np.diff(pc[order])) + 1
    st_all, en_all = inst.s_start.tolist(), inst.s_end.tolist()
    hr_all, wk_all = inst.s_hours.tolist(), inst.s_week.tolist()
    ps_l = ps.tolist()
    pc_l = pc.tolist()
    ii: list[int] = []
    jj: list[int] = []
    vv: list[float] = []
    for g in np.split(order, cuts):
        if g.size < 2:
            continue
        gl = g.tolist()
        c = pc_l[gl[0]]
        sh = [ps_l[k] for k in gl]
        for clique in _clique_rows([st_all[s] for s in sh], [en_all[s] for s in sh], gl):
            ii.extend([row] * len(clique))
            jj.extend(clique)
            vv.extend([1.0] * len(clique))
            rhs.append(1.0)
            row += 1
        by_week: dict[int, list[int]] = defaultdict(list)
        for k, s in zip(gl, sh, strict=True):
            by_week[wk_all[s]].append(k)
        for wk, ks in by_week.items():
            rem = float(inst.remaining[wk][c])
            if len(ks) < 2 or not np.isfinite(rem):
                continue
            if sum(hr_all[ps_l[k]] for k in ks) <= rem + _EPS:
                continue
            ii.extend([row] * len(ks))
            jj.extend(ks)
            vv.extend(hr_all[ps_l[k]] for k in ks)
            rhs.append(rem + 1e-7)
            row += 1
    if ii:
        r_i.append(np.asarray(ii))
        r_j.append(np.asarray(jj))
        r_v.append(np.asarray(vv))
    A = sparse.csr_array(
        (np.concatenate(r_v), (np.concatenate(r_i), np.concatenate(r_j))), shape=(row, n)
    )
    smax = float(sc.max()) if n else 0.0
    big_m = 1.0 + smax * min(int(inst.places.sum()), n)
    return A, np.asarray(rhs), big_m + sc, big_m


def _run_scipy(A, rhs, obj, time_limit):
    options = {"disp": False, "presolve": True, "mip_rel_gap": 1e-12}
    if time_limit is not None:
        options["time_limit"] = max(0.05, float(time_limit))
    res = milp(
        -obj,
        integrality=np.ones(obj.size),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(A, -np.inf, rhs),
        options=options,
    )
    return res.x, res.status == 0


def _run_highspy(A, rhs, obj, time_limit, start, highspy):
    """Same model through highspy, which (unlike scipy's milp) accepts a starting solution."""
    n = obj.size
    csc = sparse.csc_array(A)
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(os.environ.get("MATCHING_MILP_LOG")))
    h.setOptionValue("mip_rel_gap", 1e-12)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    # HiGHS's MIP presolve (probing on tens of thousands of binaries) costs more than it saves
    # here: the LP relaxation is already nearly integral.
    h.setOptionValue("presolve", "off")
    if time_limit is not None:
        h.setOptionValue("time_limit", max(0.05, float(time_limit)))
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = obj.astype(np.float64)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(A.shape[0], -highspy.kHighsInf)
    lp.row_upper_ = rhs.astype(np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = A.shape[0]
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = start.astype(np.float64).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        return None, False
    x = np.asarray(h.getSolution().col_value)
    return x, status == highspy.HighsModelStatus.kOptimal


def _run_lp(A, rhs, obj, time_limit):
    """LP relaxation (HiGHS dual simplex) -> (x | None, objective bound)."""
    # presolve off: it costs more than it saves on this model (1 s instead of 2.3 s of CPU on
    # the 10,000 x 2,000 benchmark)
    options = {"presolve": False}
    if time_limit is not None:
        options["time_limit"] = max(0.05, float(time_limit))
    res = linprog(-obj, A_ub=A, b_ub=rhs, bounds=(0, 1), method="highs-ds", options=options)
    if res.status != 0 or res.x is None:
        return None, None
    return res.x, -float(res.fun)


def _run_mip(A, rhs, obj, time_limit, x0=None):
    try:
        import highspy
    except ImportError:  # pragma: no cover - scipy bundles HiGHS anyway
        return _run_scipy(A, rhs, obj, time_limit)
    return _run_highspy(A, rhs, obj, time_limit, x0, highspy)


def _solve_model(
    inst: _Instance,
    cols: np.ndarray,
    deadline: float,
    start=None,
    strategy: str = "auto",
    full_mip_max: int = 25_000,
):
    """Solve the programme on the pair indices ``cols``.

    Returns (chosen pair indices | None, optimal on cols, LP bound | None, M, how).
    1. LP relaxation; an integral LP optimum is optimal (often the case on small instances).
    2. Up to ``full_mip_max`` columns (or strategy "mip"): branch and cut on the whole model,
       warm-started with ``start``, until optimal or the deadline (incumbent).
    3. Larger (or strategy "lp_fix"): keep the pairs the LP sets to 1 and solve the MIP on the
       residual capacities over the pairs with a fractional LP value and the pairs of shifts
       with places left (a few thousand; pairs a full row forbids are left out).
    """
    cols = np.asarray(cols, dtype=np.int64)
    if cols.size == 0:
        return [], True, 0.0, 1.0, "empty"
    A, rhs, obj, big_m = _build_model(inst, cols)
    left = deadline - time.monotonic()
    x_lp, bound = _run_lp(A, rhs, obj, left)
    if x_lp is None:
        return None, False, None, big_m, "lp_failed"
    integral = bool(np.all((x_lp < 1e-6) | (x_lp > 1 - 1e-6)))
    if integral:
        return cols[np.flatnonzero(x_lp > 0.5)].tolist(), True, bound, big_m, "lp_integral"
    left = deadline - time.monotonic()
    if strategy == "mip" or (strategy == "auto" and cols.size <= full_mip_max):
        x0 = None
        if start is not None:
            x0 = np.isin(cols, np.fromiter(start, dtype=np.int64)).astype(np.float64)
        x, optimal = _run_mip(A, rhs, obj, left, x0)
        if x is None:
            return None, False, bound, big_m, "mip"
        return cols[np.flatnonzero(x > 0.5)].tolist(), optimal, bound, big_m, "mip"
    ones = x_lp > 1 - 1e-6
    chosen = cols[np.flatnonzero(ones)].tolist()
    resid = np.maximum(rhs - A @ ones.astype(np.float64), 0.0)
    # Free pairs: fractional ones, and every other pair of a shift with places left, unless a
    # row with no room left (e.g. a clique holding a fixed pair) forbids it.
    csc = sparse.csc_array(A)
    ps = inst.ps[cols]
    filled = np.bincount(ps[ones], minlength=inst.ns)
    open_shift = filled < inst.places
    free = ~ones & ((x_lp > 1e-6) | open_shift[ps])
    too_big = csc.data > resid[csc.indices] + 1e-9
    blocked = np.zeros(cols.size, dtype=bool)
    blocked[np.repeat(np.arange(cols.size), np.diff(csc.indptr))[too_big]] = True
    free = np.flatnonzero(free & ~blocked)
    if free.size:
        sub = csc[:, free].tocsr()
        rows = np.flatnonzero(np.diff(sub.indptr) > 0)
        x, _opt = _run_mip(sub[rows], resid[rows], obj[free], deadline - time.monotonic())
        if x is not None:
            chosen += cols[free[np.flatnonzero(x > 0.5)]].tolist()
    return chosen, False, bound, big_m, "lp_fix"


def _repair(inst: _Instance, chosen: list[int]) -> _State:
    """Re-add chosen pairs through the feasibility checks (drops any numerically bad pair)."""
    st = _State(inst)
    for p in sorted(chosen, key=lambda p: (-inst.score[p], p)):
        if st.can_add(p):
            st.add(p)
    return st


def _select_columns(inst: _Instance, top_k: int, candidate_top: int) -> np.ndarray:
    """Shortlists: each shift's best max(top_k, 3 x places) pairs, each candidate's best
    ``candidate_top`` pairs (ties: input order)."""
    pc, ps, sc = inst.pc, inst.ps, inst.score
    n = pc.size
    if n == 0:
        return np.arange(0)
    keep = np.zeros(n, dtype=bool)
    span = float(sc.max() - sc.min()) + 2.0
    # pairs are stored by shift, then candidate: one stable sort on (shift, -score)
    o = np.argsort(ps * span - sc, kind="stable")
    ps_o = ps[o]
    rank_in = np.arange(n) - np.searchsorted(ps_o, ps_o, side="left")
    k_s = np.maximum(top_k, 3 * inst.places)
    keep[o[rank_in < k_s[ps_o]]] = True
    if candidate_top > 0:
        o2 = np.argsort(pc * span - sc, kind="stable")
        pc_o = pc[o2]
        rank2 = np.arange(n) - np.searchsorted(pc_o, pc_o, side="left")
        keep[o2[rank2 < candidate_top]] = True
    return np.flatnonzero(keep)


def _better(a: tuple[int, float], b: tuple[int, float]) -> bool:
    return a[0] > b[0] or (a[0] == b[0] and a[1] > b[1] + 1e-9)


def _score_bound(bound, big_m, filled):
    """Upper bound on the total score given the LP bound, if ``filled`` is provably maximal."""
    if bound is None:
        return None
    rest = bound - big_m * filled
    return float(rest) if rest < big_m - 1e-6 else None


def auto_assign(
    candidates: Sequence[Candidate] | CandidatePool,
    shifts: Sequence[ShiftSpec],
    weights: Weights | None = None,
    commitments: Commitments | None = None,
    time_limit: float = 8.0,
    top_k: int = 20,
    candidate_top: int = 2,
    prune: bool | None = None,
    prune_above: int = 60_000,
    strategy: str = "auto",
) -> Assignment:
    """Fill as many places as possible, then maximise the total score (see module docstring).

    ``prune``: None = restrict to shortlists only above ``prune_above`` eligible pairs;
    True/False force it.  ``strategy``: "auto", "mip" or "lp_fix" (see `_solve_model`).
    Always returns a feasible assignment, never worse than `greedy_assign`, within about
    ``time_limit`` seconds of wall clock (everything counts, from scoring the pairs on; the
    final local polish may overrun by up to half a second).
    """
    if strategy not in ("auto", "mip", "lp_fix"):
        raise ValueError(f"unknown strategy {strategy!r}")
    t0 = time.monotonic()
    deadline = t0 + float(time_limit)
    inst = _Instance(candidates, shifts, weights, commitments)
    n = inst.pc.size
    do_prune = (n > prune_above) if prune is None else bool(prune)
    cols = _select_columns(inst, top_k, candidate_top) if do_prune else np.arange(n)
    greedy = _greedy(inst)
    g_val = inst.value(greedy.chosen)
    if do_prune:
        cols = np.union1d(cols, np.fromiter(greedy.chosen, dtype=np.int64))
    chosen, optimal, bound, big_m, how = None, False, None, 1.0, "none"
    # the solver gets all but a last half second (kept for the local-improvement fallback)
    solve_deadline = deadline - min(0.5, 0.1 * float(time_limit))
    if solve_deadline - time.monotonic() > 0.05:
        chosen, optimal, bound, big_m, how = _solve_model(
            inst, cols, solve_deadline, start=greedy.chosen, strategy=strategy
        )
    method = "heuristic"
    best_sel, best_val = greedy.chosen, g_val
    if chosen is not None:
        milp_sel = _repair(inst, chosen).chosen
        if len(milp_sel) != len(chosen):
            optimal = False
        milp_val = inst.value(milp_sel)
        if optimal or not _better(g_val, milp_val):
            best_sel, best_val = milp_sel, milp_val
            method = how if optimal or how == "lp_fix" else "mip_incumbent"
    if not optimal:
        # time limit, LP-and-fix or no solution: polish the best so far with local moves
        base = _repair(inst, list(best_sel))
        imp = _improve(inst, base, cols, max(deadline, time.monotonic() + 0.5))
        imp_val = inst.value(imp.chosen)
        if _better(imp_val, best_val):
            best_sel, best_val = imp.chosen, imp_val
            method += "+local"
    return Assignment(
        inst.to_pairs(best_sel),
        method=method,
        optimal=bool(optimal and not do_prune),
        places_filled=best_val[0],
        total_score=best_val[1],
        seconds=time.monotonic() - t0,
        variables=int(cols.size),
        pruned=do_prune,
        score_bound=_score_bound(bound, big_m, best_val[0]),
    )


def greedy_assign(
    candidates: Sequence[Candidate] | CandidatePool,
    shifts: Sequence[ShiftSpec],
    weights: Weights | None = None,
    commitments: Commitments | None = None,
) -> Assignment:
    """Plain single pass: all eligible pairs, best score first, taken when still feasible."""
    t0 = time.monotonic()
    inst = _Instance(candidates, shifts, weights, commitments)
    st = _greedy(inst)
    val = inst.value(st.chosen)
    return Assignment(
        inst.to_pairs(st.chosen),
        method="greedy",
        places_filled=val[0],
        total_score=val[1],
        seconds=time.monotonic() - t0,
        variables=int(inst.pc.size),
    )


def exact_optimum(
    candidates: Sequence[Candidate] | CandidatePool,
    shifts: Sequence[ShiftSpec],
    weights: Weights | None = None,
    commitments: Commitments | None = None,
    time_limit: float | None = None,
) -> Assignment:
    """The same programme on every eligible pair, no pruning (for small instances).

    ``optimal`` is False if ``time_limit`` stopped HiGHS first (the incumbent is returned).
    """
    t0 = time.monotonic()
    inst = _Instance(candidates, shifts, weights, commitments)
    deadline = time.monotonic() + (time_limit if time_limit is not None else 10**9)
    chosen, optimal, bound, big_m, _how = _solve_model(
        inst, np.arange(inst.pc.size), deadline, strategy="mip"
    )
    st = _repair(inst, chosen or [])
    if chosen is not None and len(st.chosen) != len(chosen):
        optimal = False
    val = inst.value(st.chosen)
    return Assignment(
        inst.to_pairs(st.chosen),
        method="exact",
        optimal=bool(optimal),
        places_filled=val[0],
        total_score=val[1],
        seconds=time.monotonic() - t0,
        variables=int(inst.pc.size),
        score_bound=_score_bound(bound, big_m, val[0]),
    )


def lp_bound(
    candidates: Sequence[Candidate] | CandidatePool,
    shifts: Sequence[ShiftSpec],
    weights: Weights | None = None,
    commitments: Commitments | None = None,
    time_limit: float | None = None,
) -> tuple[float, float] | None:
    """Upper bounds from the LP relaxation on all eligible pairs, for judging big instances:
    (places that can be filled, total score when that many are filled); None on time limit.
    (The LP value is below M x (places + 1), so at most floor(value / M) places can be filled.)
    """
    inst = _Instance(candidates, shifts, weights, commitments)
    cols = np.arange(inst.pc.size)
    if cols.size == 0:
        return (0.0, 0.0)
    A, rhs, obj, big_m = _build_model(inst, cols)
    _x, bound = _run_lp(A, rhs, obj, time_limit)
    if bound is None:
        return None
    places = float(np.floor(bound / big_m + 1e-9))
    return places, float(bound - big_m * places)


# --------------------------------------------------------------------------- checking


def assignment_score(
    assignment: Iterable[tuple[Hashable, Hashable]],
    candidates: Iterable[Candidate],
    shifts: Iterable[ShiftSpec],
    weights: Weights | None = None,
) -> float:
    """Total score of an assignment, recomputed pair by pair with `score`."""
    cmap = {c.id: c for c in candidates}
    smap = {s.id: s for s in shifts}
    return float(sum(score(cmap[c], smap[s], weights)[0] for c, s in assignment))


def check_violations(
    assignment: Iterable[tuple[Hashable, Hashable]],
    candidates: Iterable[Candidate],
    shifts: Iterable[ShiftSpec],
    commitments: Commitments | None = None,
) -> int:
    """Count hard-rule violations: unknown ids, duplicate pairs, places over capacity, pairs
    failing `eligibility`, pairs of overlapping shifts given to one person, and (person, week)
    totals above the weekly cap."""
    cmap = {c.id: c for c in candidates}
    smap = {s.id: s for s in shifts}
    bad = 0
    seen: set = set()
    per_shift: dict[Hashable, int] = defaultdict(int)
    per_cand: dict[Hashable, list[ShiftSpec]] = defaultdict(list)
    for cid, sid in assignment:
        if cid not in cmap or sid not in smap:
            bad += 1
            continue
        if (cid, sid) in seen:
            bad += 1
            continue
        seen.add((cid, sid))
        s = smap[sid]
        per_shift[sid] += 1
        per_cand[cid].append(s)
        if not eligibility(cmap[cid], s, commitments)[0]:
            bad += 1
    for sid, k in per_shift.items():
        bad += max(0, k - int(smap[sid].places))
    for cid, lst in per_cand.items():
        lst = sorted(lst, key=lambda s: _ts(s.start))
        for i, a in enumerate(lst):
            a1 = _ts(a.end)
            for b in lst[i + 1 :]:
                if _ts(b.start) >= a1:
                    break
                bad += 1
        cap = cmap[cid].weekly_cap_hours
        if cap is None:
            continue
        weeks: dict[tuple[int, int], float] = defaultdict(float)
        for s in lst:
            weeks[_week(s.start)] += s.hours
        for wk, h in weeks.items():
            if _base_hours(cmap[cid], wk) + h > cap + 1e-6:
                bad += 1
    return bad
