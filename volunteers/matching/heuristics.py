"""An assignment instance as flat arrays of eligible pairs, an incremental feasible state over
it, and the heuristics that work on that state: greedy, local improvement, repair, shortlists
(pure: no Django)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable, Iterable

import numpy as np

from .core import EPS, ShiftSpec, Weights, iso_week, ts
from .scoring import CandidatePool


class Instance:
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
        self.s_start = np.array([ts(s.start) for s in self.shifts], dtype=np.float64)
        self.s_end = np.array([ts(s.end) for s in self.shifts], dtype=np.float64)
        self.s_hours = np.array([s.hours for s in self.shifts], dtype=np.float64)
        weeks = [iso_week(s.start) for s in self.shifts]
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


class State:
    """Incremental feasible assignment over a set of pair indices (for greedy / local search)."""

    def __init__(self, inst: Instance):
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
        if self.used[(c, w)] - freed + self.hr[s] > self.inst.remaining[w][c] + EPS:
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


def greedy_fill(inst: Instance, subset: np.ndarray | None = None) -> State:
    st = State(inst)
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


def improve(inst: Instance, st: State, subset: np.ndarray, deadline: float) -> State:
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
                if score[r] <= score[p] + EPS:
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


def repair(inst: Instance, chosen: list[int]) -> State:
    """Re-add chosen pairs through the feasibility checks (drops any numerically bad pair)."""
    st = State(inst)
    for p in sorted(chosen, key=lambda p: (-inst.score[p], p)):
        if st.can_add(p):
            st.add(p)
    return st


def select_columns(inst: Instance, top_k: int, candidate_top: int) -> np.ndarray:
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
