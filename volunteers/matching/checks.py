"""Checking any assignment against the hard rules, and its total score (pure: no Django)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable

from .core import Candidate, Commitments, ShiftSpec, Weights, base_hours, eligibility, iso_week, ts
from .scoring import score


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
        lst = sorted(lst, key=lambda s: ts(s.start))
        for i, a in enumerate(lst):
            a1 = ts(a.end)
            for b in lst[i + 1 :]:
                if ts(b.start) >= a1:
                    break
                bad += 1
        cap = cmap[cid].weekly_cap_hours
        if cap is None:
            continue
        weeks: dict[tuple[int, int], float] = defaultdict(float)
        for s in lst:
            weeks[iso_week(s.start)] += s.hours
        for wk, h in weeks.items():
            if base_hours(cmap[cid], wk) + h > cap + 1e-6:
                bad += 1
    return bad
