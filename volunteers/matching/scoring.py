"""Scoring of (volunteer, shift) pairs: the score and its reasons, one pair at a time or
vectorised over a `CandidatePool`, and the rankings built on it (pure: no Django)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np

from .core import (
    AVAILABLE,
    COMPLETED_COURSE,
    EPS,
    HAS_SKILL,
    LIGHT_LOAD,
    PARTLY_AVAILABLE,
    PARTY_MEMBER_PRIORITY,
    RELIABLE,
    SAME_COMMUNITY,
    SAME_COMPOUND,
    Candidate,
    Commitments,
    Ranked,
    ShiftSpec,
    Weights,
    avail_share,
    base_hours,
    eligibility,
    iso_week,
    ts,
    week_slots,
)


def _components(c: Candidate, shift: ShiftSpec, w: Weights, slots: list[int]):
    if shift.compound_id is not None and c.compound_id == shift.compound_id:
        close, close_reason = w.same_compound, SAME_COMPOUND
    elif c.community_id == shift.community_id:
        close, close_reason = w.same_community, SAME_COMMUNITY
    else:
        close, close_reason = w.elsewhere, None
    avail = avail_share(c, shift, slots)
    opt = shift.optional_skills
    opt_share = (len(set(opt) & set(c.skills)) / len(opt)) if opt else 0.0
    cap = c.weekly_cap_hours
    ref = cap if (cap is not None and cap > 0) else w.load_reference_hours
    base = base_hours(c, iso_week(shift.start))
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
    if avail >= 1.0 - EPS:
        out.append(AVAILABLE)
    elif avail > 0:
        out.append(PARTLY_AVAILABLE)
    for co in sorted(set(shift.required_courses) & set(c.completed_courses), key=str):
        out.append(f"{COMPLETED_COURSE}:{co}")
    if load_share <= w.light_load_share + EPS:
        out.append(LIGHT_LOAD)
    if rel >= w.reliable_threshold - EPS:
        out.append(RELIABLE)
    if party:
        out.append(PARTY_MEMBER_PRIORITY)
    return out


def score(
    candidate: Candidate, shift: ShiftSpec, weights: Weights | None = None
) -> tuple[float, list[str]]:
    """Soft score of one pair (eligibility is not checked) and its reason codes."""
    w = weights or Weights()
    comps = _components(candidate, shift, w, week_slots(shift.start, shift.end))
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
                cs.append(ts(b0))
                ce.append(ts(b1))
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
                arr[i] = base_hours(self.candidates[i], week)
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
        if shift.member_ids is not None and idx.size:
            members = [self.index[m] for m in shift.member_ids if m in self.index]
            idx = np.intersect1d(idx, np.asarray(members, dtype=np.int64))
        if idx.size == 0:
            return idx, np.empty(0)
        keep = self.verified[idx]
        for kind, req in (("skill", shift.required_skills), ("course", shift.required_courses)):
            for r in req:
                keep &= self.has(kind, r)[idx]
        week = iso_week(shift.start)
        hours_all = self.hours_for_week(week)
        keep &= hours_all[idx] + shift.hours <= self.cap[idx] + EPS
        idx = idx[keep]
        if idx.size and self.com_idx.size:
            s0, s1 = ts(shift.start), ts(shift.end)
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
        slots = week_slots(shift.start, shift.end)
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
                avail[p] = avail_share(self.candidates[idx[p]], shift, slots)
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


def top_order(
    keys: np.ndarray, scores: np.ndarray, top: int, first: np.ndarray | None = None
) -> np.ndarray:
    """Positions of the `top` best scores, best first; ties go to the smaller key.

    `first` (booleans, one per key): those come before all the others whatever their score
    (a task's own community before volunteers from elsewhere), each part in score order."""
    if first is not None and first.any() and not first.all():
        ahead = np.flatnonzero(first)
        behind = np.flatnonzero(~first)
        head = ahead[top_order(keys[ahead], scores[ahead], top)]
        tail = behind[top_order(keys[behind], scores[behind], top - head.size)]
        return np.concatenate([head, tail])
    if top <= 0:
        return np.array([], dtype=np.int64)
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
    """Eligible candidates for a shift, best first (ties: input order), with reasons. When the
    shift is open to other communities, its own community's candidates come first.

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
    own = np.fromiter(
        (pool.candidates[i].community_id == shift.community_id for i in idx), bool, idx.size
    )
    order = top_order(idx, sc, top, first=own)
    out = []
    slots = week_slots(shift.start, shift.end)
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
