"""Auto-assignment: the 0/1 programme over eligible pairs, solved with HiGHS, and the entry
points `auto_assign`, `greedy_assign`, `exact_optimum`, `lp_bound` (pure: no Django).
docs/matching.md gives the formulation and how a solve proceeds."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Sequence

import highspy
import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from .core import EPS, Assignment, Candidate, Commitments, ShiftSpec, Weights
from .heuristics import Instance, greedy_fill, improve, repair, select_columns
from .scoring import CandidatePool


def clique_rows(starts: list[float], ends: list[float], cols: list[int]) -> list[list[int]]:
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


def build_model(inst: Instance, cols: np.ndarray):
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
        for clique in clique_rows([st_all[s] for s in sh], [en_all[s] for s in sh], gl):
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
            if sum(hr_all[ps_l[k]] for k in ks) <= rem + EPS:
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


def run_mip(A, rhs, obj, time_limit, start=None):
    """Branch and cut through highspy (which, unlike scipy's milp, takes a starting solution)
    -> (x | None, optimal)."""
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


def run_lp(A, rhs, obj, time_limit):
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


def solve_model(
    inst: Instance,
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
    A, rhs, obj, big_m = build_model(inst, cols)
    left = deadline - time.monotonic()
    x_lp, bound = run_lp(A, rhs, obj, left)
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
        x, optimal = run_mip(A, rhs, obj, left, x0)
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
        x, _opt = run_mip(sub[rows], resid[rows], obj[free], deadline - time.monotonic())
        if x is not None:
            chosen += cols[free[np.flatnonzero(x > 0.5)]].tolist()
    return chosen, False, bound, big_m, "lp_fix"


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
    True/False force it.  ``strategy``: "auto", "mip" or "lp_fix" (see `solve_model`).
    Always returns a feasible assignment, never worse than `greedy_assign`, within about
    ``time_limit`` seconds of wall clock (everything counts, from scoring the pairs on; the
    final local polish may overrun by up to half a second).
    """
    if strategy not in ("auto", "mip", "lp_fix"):
        raise ValueError(f"unknown strategy {strategy!r}")
    t0 = time.monotonic()
    deadline = t0 + float(time_limit)
    inst = Instance(candidates, shifts, weights, commitments)
    n = inst.pc.size
    do_prune = (n > prune_above) if prune is None else bool(prune)
    cols = select_columns(inst, top_k, candidate_top) if do_prune else np.arange(n)
    greedy = greedy_fill(inst)
    g_val = inst.value(greedy.chosen)
    if do_prune:
        cols = np.union1d(cols, np.fromiter(greedy.chosen, dtype=np.int64))
    chosen, optimal, bound, big_m, how = None, False, None, 1.0, "none"
    # the solver gets all but a last half second (kept for the local-improvement fallback)
    solve_deadline = deadline - min(0.5, 0.1 * float(time_limit))
    if solve_deadline - time.monotonic() > 0.05:
        chosen, optimal, bound, big_m, how = solve_model(
            inst, cols, solve_deadline, start=greedy.chosen, strategy=strategy
        )
    method = "heuristic"
    best_sel, best_val = greedy.chosen, g_val
    if chosen is not None:
        milp_sel = repair(inst, chosen).chosen
        if len(milp_sel) != len(chosen):
            optimal = False
        milp_val = inst.value(milp_sel)
        if optimal or not _better(g_val, milp_val):
            best_sel, best_val = milp_sel, milp_val
            method = how if optimal or how == "lp_fix" else "mip_incumbent"
    if not optimal:
        # time limit, LP-and-fix or no solution: polish the best so far with local moves
        base = repair(inst, list(best_sel))
        imp = improve(inst, base, cols, max(deadline, time.monotonic() + 0.5))
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
    inst = Instance(candidates, shifts, weights, commitments)
    st = greedy_fill(inst)
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
    inst = Instance(candidates, shifts, weights, commitments)
    deadline = time.monotonic() + (time_limit if time_limit is not None else 10**9)
    chosen, optimal, bound, big_m, _how = solve_model(
        inst, np.arange(inst.pc.size), deadline, strategy="mip"
    )
    st = repair(inst, chosen or [])
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
    inst = Instance(candidates, shifts, weights, commitments)
    cols = np.arange(inst.pc.size)
    if cols.size == 0:
        return (0.0, 0.0)
    A, rhs, obj, big_m = build_model(inst, cols)
    _x, bound = run_lp(A, rhs, obj, time_limit)
    if bound is None:
        return None
    places = float(np.floor(bound / big_m + 1e-9))
    return places, float(bound - big_m * places)
