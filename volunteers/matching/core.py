"""The matching core's data types, reason codes and hard rules (pure Python, no Django).

The volunteers app turns its rows into these types; docs/matching.md describes the conventions
(aware or naive datetimes, half-open intervals, hours per ISO week, commitments).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

# Eligibility reason codes (stable; the caller maps them to translated messages).
NOT_VERIFIED = "not_verified"
COMMUNITY_NOT_ACCEPTED = "community_not_accepted"
MISSING_SKILL = "missing_skill"  # "missing_skill:<skill>"
MISSING_COURSE = "missing_course"  # "missing_course:<course>"
OVERLAPPING_COMMITMENT = "overlapping_commitment"
WEEKLY_CAP_EXCEEDED = "weekly_cap_exceeded"
NOT_A_MEMBER = "not_a_member"  # the shift takes only its listed members (a team-only project)

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
    NOT_A_MEMBER,
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

EPS = 1e-9
Commitments = Mapping[Hashable, Sequence[tuple[datetime, datetime]]]
Availability = set | frozenset | Callable[[datetime, datetime], float] | None


# --------------------------------------------------------------------------- data types


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
    # None = anyone the other rules accept; else only these candidate ids (the members of a
    # team-only project who are still in its team)
    member_ids: set | frozenset | None = None

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


def ts(dt: datetime) -> float:
    if dt.tzinfo is None:
        return (dt - _NAIVE_EPOCH).total_seconds()
    return dt.timestamp()


def iso_week(dt: datetime) -> tuple[int, int]:
    iso = dt.isocalendar()
    return (iso[0], iso[1])


def week_slots(start: datetime, end: datetime) -> list[int]:
    """Weekly clock-hour slots (weekday * 24 + hour) the interval touches, in order."""
    out: dict[int, None] = {}
    t = start.replace(minute=0, second=0, microsecond=0)
    while t < end and len(out) < 168:
        out[t.weekday() * 24 + t.hour] = None
        t += timedelta(hours=1)
    return list(out)


def base_hours(c: Candidate, week: tuple[int, int]) -> float:
    h = c.hours_this_week
    if isinstance(h, Mapping):
        return float(h.get(week, 0.0))
    return float(h or 0.0)


def _overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return a0 < b1 and b0 < a1


def avail_share(c: Candidate, shift: ShiftSpec, slots: list[int]) -> float:
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
    s0, s1 = ts(shift.start), ts(shift.end)
    for b0, b1 in (commitments or {}).get(candidate.id, ()):
        if _overlaps(s0, s1, ts(b0), ts(b1)):
            reasons.append(OVERLAPPING_COMMITMENT)
            break
    cap = candidate.weekly_cap_hours
    if cap is not None and base_hours(candidate, iso_week(shift.start)) + shift.hours > cap + EPS:
        reasons.append(WEEKLY_CAP_EXCEEDED)
    if shift.member_ids is not None and candidate.id not in shift.member_ids:
        reasons.append(NOT_A_MEMBER)
    return (not reasons, reasons)
