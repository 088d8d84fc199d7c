"""Tests of the model-independent matching core (volunteers.matching: core, scoring, solver,
checks). No database needed."""

import random
from datetime import datetime, timedelta

import pytest

from volunteers.matching import (
    Candidate,
    CandidatePool,
    ShiftSpec,
    Weights,
    assignment_score,
    auto_assign,
    check_violations,
    eligibility,
    exact_optimum,
    greedy_assign,
    rank,
    recommend_shifts,
    score,
)
from volunteers.matching.solver import clique_rows

MON = datetime(2026, 12, 7)  # a Monday


def at(day, hour, minute=0):
    return MON + timedelta(days=day, hours=hour, minutes=minute)


def cand(cid, **kw):
    kw.setdefault("community_id", 1)
    return Candidate(id=cid, **kw)


def shift(sid, day=0, h0=8, h1=12, **kw):
    kw.setdefault("community_id", 1)
    return ShiftSpec(id=sid, start=at(day, h0), end=at(day, h1), **kw)


# --------------------------------------------------------------------------- eligibility


def test_eligible_when_every_rule_holds():
    c = cand("a", skills={"driving"}, completed_courses={"disinfection"}, weekly_cap_hours=20)
    s = shift(
        "s",
        accepted_community_ids={1},
        required_skills={"driving"},
        required_courses={"disinfection"},
    )
    assert eligibility(c, s, {}) == (True, [])


def test_course_gate():
    s = shift("s", required_courses={"disinfection", "ppe"})
    ok, reasons = eligibility(cand("a", completed_courses={"ppe"}), s)
    assert not ok
    assert reasons == ["missing_course:disinfection"]
    assert eligibility(cand("b", completed_courses={"ppe", "disinfection"}), s)[0]


def test_required_skills():
    s = shift("s", required_skills={"driving", "medical"})
    ok, reasons = eligibility(cand("a", skills={"driving"}), s)
    assert not ok and reasons == ["missing_skill:medical"]
    assert eligibility(cand("b", skills={"driving", "medical", "it"}), s)[0]
    # optional skills are never required
    assert eligibility(cand("c"), shift("t", optional_skills={"driving"}))[0]


def test_community_must_be_accepted():
    s = shift("s", community_id=1, accepted_community_ids={1, 2})
    assert eligibility(cand("a", community_id=2), s)[0]
    ok, reasons = eligibility(cand("b", community_id=3), s)
    assert not ok and reasons == ["community_not_accepted"]
    # None = the whole subdistrict
    assert eligibility(cand("c", community_id=3), shift("t", accepted_community_ids=None))[0]


def test_overlapping_commitment_refused_but_touching_is_fine():
    s = shift("s", h0=8, h1=12)
    busy = {
        "a": [(at(0, 11), at(0, 13))],
        "b": [(at(0, 12), at(0, 19))],
        "c": [(at(1, 8), at(1, 12))],
    }
    assert eligibility(cand("a"), s, busy) == (False, ["overlapping_commitment"])
    assert eligibility(cand("b"), s, busy)[0]  # 12:00 end/start do not overlap
    assert eligibility(cand("c"), s, busy)[0]  # another day


def test_weekly_cap_counts_the_shift_hours():
    s = shift("s", h0=8, h1=12)  # 4 hours
    assert eligibility(cand("a", hours_this_week=16, weekly_cap_hours=20), s)[0]
    ok, reasons = eligibility(cand("b", hours_this_week=17, weekly_cap_hours=20), s)
    assert not ok and reasons == ["weekly_cap_exceeded"]
    assert eligibility(cand("c", hours_this_week=100, weekly_cap_hours=None), s)[0]
    # per-week hours mapping: only the shift's ISO week counts
    wk = MON.isocalendar()[:2]
    other = (wk[0], wk[1] + 1)
    assert eligibility(cand("d", hours_this_week={other: 19}, weekly_cap_hours=20), s)[0]
    assert not eligibility(cand("e", hours_this_week={wk: 19}, weekly_cap_hours=20), s)[0]


def test_unverified_and_several_reasons_at_once():
    s = shift("s", accepted_community_ids={2}, required_skills={"it"})
    ok, reasons = eligibility(cand("a", verified=False), s)
    assert not ok
    assert reasons == ["not_verified", "community_not_accepted", "missing_skill:it"]


# --------------------------------------------------------------------------- score and rank


def test_closeness_order_and_reasons():
    w = Weights()
    s = shift("s", community_id=1, compound_id="c1")
    same_compound = score(cand("a", compound_id="c1"), s, w)
    same_community = score(cand("b", compound_id="c2"), s, w)
    elsewhere = score(cand("c", community_id=2, compound_id="c9"), s, w)
    assert same_compound[0] > same_community[0] > elsewhere[0]
    assert "same_compound" in same_compound[1]
    assert "same_community" in same_community[1]
    assert not {"same_compound", "same_community"} & set(elsewhere[1])


def test_score_reasons():
    w = Weights()
    s = shift(
        "s",
        day=2,
        h0=8,
        h1=10,
        required_skills={"driving"},
        optional_skills={"medical"},
        required_courses={"disinfection"},
        party_post=True,
    )
    c = cand(
        "a",
        skills={"driving", "medical"},
        completed_courses={"disinfection"},
        available={(2, 8), (2, 9)},
        party_member=True,
        hours_this_week=2,
        weekly_cap_hours=20,
        reliability=0.95,
    )
    total, reasons = score(c, s, w)
    assert reasons == [
        "same_community",
        "has_skill:driving",
        "has_skill:medical",
        "available",
        "completed_course:disinfection",
        "light_load",
        "reliable",
        "party_member_priority",
    ]
    expected = (
        w.same_community
        + w.availability
        + w.optional_skills
        + w.fairness * (1 - 2 / 20)
        + w.reliability * 0.95
        + w.party_priority
    )
    assert total == pytest.approx(expected)
    half = cand("b", available={(2, 8)}, reliability=0.5, hours_this_week=15, weekly_cap_hours=20)
    _, reasons = score(half, s, w)
    assert "partly_available" in reasons
    assert "light_load" not in reasons and "reliable" not in reasons
    assert "party_member_priority" not in reasons


def test_party_priority_only_on_party_posts():
    w = Weights()
    member, other = cand("a", party_member=True), cand("b")
    post = shift("p", party_post=True)
    plain = shift("q")
    assert score(member, post, w)[0] - score(other, post, w)[0] == pytest.approx(w.party_priority)
    assert score(member, plain, w)[0] == pytest.approx(score(other, plain, w)[0])


def test_fairness_prefers_light_load():
    w = Weights()
    s = shift("s")
    light = score(cand("a", hours_this_week=0, weekly_cap_hours=20), s, w)[0]
    heavy = score(cand("b", hours_this_week=15, weekly_cap_hours=20), s, w)[0]
    assert light > heavy


def test_availability_callable():
    s = shift("s", h0=8, h1=12)
    c = cand("a", available=lambda start, end: start.hour >= 8)
    assert "available" in score(c, s)[1]


def test_rank_orders_best_first_filters_ineligible_and_matches_score():
    w = Weights()
    s = shift(
        "s",
        compound_id="c1",
        required_courses={"ppe"},
        accepted_community_ids={1, 2},
        optional_skills={"medical"},
    )
    cands = [
        cand("far", community_id=2, completed_courses={"ppe"}),
        cand("near", compound_id="c1", completed_courses={"ppe"}),
        cand("mid", compound_id="c2", completed_courses={"ppe"}),
        cand("no_course", compound_id="c1"),
        cand("outside", community_id=3, completed_courses={"ppe"}),
        cand("busy", compound_id="c1", completed_courses={"ppe"}),
        cand("skilled", compound_id="c2", completed_courses={"ppe"}, skills={"medical"}),
    ]
    busy = {"busy": [(at(0, 9), at(0, 10))]}
    ranked = rank(cands, s, w, top=20, commitments=busy)
    assert [r.candidate_id for r in ranked] == ["near", "skilled", "mid", "far"]
    by_id = {c.id: c for c in cands}
    for r in ranked:
        sc, reasons = score(by_id[r.candidate_id], s, w)
        assert r.score == pytest.approx(sc)
        assert list(r.reasons) == reasons
    assert "has_skill:medical" in ranked[1].reasons
    assert [r.candidate_id for r in rank(cands, s, w, top=2, commitments=busy)] == [
        "near",
        "skilled",
    ]
    assert [r.candidate_id for r in rank(cands, s, w, commitments=busy, exclude={"near"})][
        0
    ] == "skilled"


def test_rank_ties_keep_input_order_and_pool_reuse():
    cands = [cand(i) for i in range(50)]
    pool = CandidatePool(cands)
    ranked = rank(pool, shift("s"), top=10)
    assert [r.candidate_id for r in ranked] == list(range(10))


def test_vectorised_scores_equal_scalar_scores_on_random_candidates():
    cands, shifts, commitments = random_instance(random.Random(5), 80, 12)
    w = Weights()
    pool = CandidatePool(cands, commitments)
    for s in shifts:
        ranked = rank(pool, s, w, top=1000)
        ok_ids = {c.id for c in cands if eligibility(c, s, commitments)[0]}
        assert {r.candidate_id for r in ranked} == ok_ids
        by_id = {c.id: c for c in cands}
        for r in ranked:
            assert r.score == pytest.approx(score(by_id[r.candidate_id], s, w)[0], abs=1e-12)


def test_recommend_shifts_for_a_volunteer():
    c = cand("a", compound_id="c1", completed_courses={"ppe"})
    shifts = [
        shift("far", community_id=2),
        shift("gated", required_courses={"disinfection"}),
        shift("near", compound_id="c1"),
        shift("plain", day=1),
    ]
    rec = recommend_shifts(c, shifts)
    # same compound > same community (no compound) > elsewhere; the course-gated shift is out
    assert [r[0] for r in rec] == ["near", "plain", "far"]
    assert rec[0][1] == pytest.approx(score(c, shifts[2])[0])
    assert "same_compound" in rec[0][2]


def test_weights_from_mapping_rejects_typos_and_negatives():
    assert Weights.from_mapping({"same_compound": 9}).same_compound == 9.0
    with pytest.raises(ValueError):
        Weights.from_mapping({"same_compund": 9})
    with pytest.raises(ValueError):
        Weights(fairness=-1)


# --------------------------------------------------------------------------- assignment


def random_instance(rnd, n_cands, n_shifts, n_comm=3):
    skills = ["driving", "medical", "it"]
    courses = ["ppe", "disinfection"]
    cands = []
    for i in range(n_cands):
        k = rnd.randrange(n_comm)
        cands.append(
            Candidate(
                id=f"v{i}",
                community_id=k,
                compound_id=f"{k}-{rnd.randrange(3)}",
                skills={s for s in skills if rnd.random() < 0.4},
                completed_courses={c for c in courses if rnd.random() < 0.5},
                available={(d, h) for d in rnd.sample(range(3), 2) for h in range(8, 16)},
                party_member=rnd.random() < 0.3,
                hours_this_week=rnd.choice([0, 2, 4, 8]),
                reliability=round(rnd.random(), 2),
                weekly_cap_hours=rnd.choice([8, 10, 12, None]),
            )
        )
    shifts = []
    for j in range(n_shifts):
        k = rnd.randrange(n_comm)
        day, h0 = rnd.randrange(3), rnd.randrange(6, 18)
        length = rnd.choice([2, 3, 4, 5])
        shifts.append(
            ShiftSpec(
                id=f"s{j}",
                community_id=k,
                compound_id=f"{k}-{rnd.randrange(3)}",
                accepted_community_ids=rnd.choice([{k}, {k, (k + 1) % n_comm}, None]),
                start=at(day, h0, rnd.choice([0, 30])),
                end=at(day, h0 + length),
                places=rnd.randint(1, 3),
                required_skills=set(rnd.sample(skills, rnd.choice([0, 0, 1]))),
                optional_skills=set(rnd.sample(skills, rnd.choice([0, 1, 2]))),
                required_courses=set(rnd.sample(courses, rnd.choice([0, 0, 1]))),
                party_post=rnd.random() < 0.2,
            )
        )
    commitments = {}
    for c in cands:
        if rnd.random() < 0.4:
            day, h0 = rnd.randrange(3), rnd.randrange(6, 18)
            commitments[c.id] = [(at(day, h0), at(day, h0 + rnd.choice([1, 2, 3])))]
    return cands, shifts, commitments


@pytest.mark.parametrize("seed", range(8))
def test_auto_assign_never_breaks_a_rule(seed):
    rnd = random.Random(seed)
    cands, shifts, commitments = random_instance(rnd, rnd.randint(15, 60), rnd.randint(8, 30))
    w = Weights()
    runs = [
        auto_assign(cands, shifts, w, commitments),
        auto_assign(cands, shifts, w, commitments, prune=True, top_k=2, candidate_top=1),
        auto_assign(cands, shifts, w, commitments, strategy="lp_fix"),
        auto_assign(cands, shifts, w, commitments, time_limit=0),  # heuristic fallback
        greedy_assign(cands, shifts, w, commitments),
        exact_optimum(cands, shifts, w, commitments),
    ]
    for res in runs:
        assert check_violations(res, cands, shifts, commitments) == 0, res.method
        assert res.total_score == pytest.approx(assignment_score(res, cands, shifts, w))
        assert res.places_filled == len(res)


def test_instance_has_overlaps_and_commitments_that_matter():
    """Guard for the test above: the random instances really exercise the overlap rule."""
    cands, shifts, commitments = random_instance(random.Random(3), 40, 25)
    overlapping = sum(
        1 for a in shifts for b in shifts if a.id < b.id and a.start < b.end and b.start < a.end
    )
    assert overlapping > 10
    blocked = sum(
        1
        for c in cands
        for s in shifts
        if "overlapping_commitment" in eligibility(c, s, commitments)[1]
    )
    assert blocked > 5


@pytest.mark.parametrize("seed", range(10))
def test_auto_assign_matches_exact_optimum_and_beats_greedy(seed):
    rnd = random.Random(100 + seed)
    cands, shifts, commitments = random_instance(rnd, rnd.randint(10, 40), rnd.randint(6, 25))
    w = Weights()
    auto = auto_assign(cands, shifts, w, commitments)
    exact = exact_optimum(cands, shifts, w, commitments)
    greedy = greedy_assign(cands, shifts, w, commitments)
    assert exact.optimal and auto.optimal
    assert auto.places_filled == exact.places_filled
    assert auto.total_score == pytest.approx(exact.total_score, abs=1e-6)
    assert (greedy.places_filled, greedy.total_score) <= (
        auto.places_filled,
        auto.total_score + 1e-9,
    )


def test_check_violations_counts_each_kind():
    a = cand("a", weekly_cap_hours=6)
    b = cand("b", community_id=2)
    s1 = shift("s1", h0=8, h1=12, accepted_community_ids={1})
    s2 = shift("s2", h0=10, h1=14)
    s3 = shift("s3", day=1, h0=8, h1=11)
    cands, shifts = [a, b], [s1, s2, s3]
    assert check_violations([("a", "s1")], cands, shifts) == 0
    assert check_violations([("a", "s1"), ("a", "s2")], cands, shifts) == 2  # overlap + cap
    assert check_violations([("a", "s1"), ("a", "s3")], cands, shifts) == 1  # cap (7 h > 6)
    assert check_violations([("b", "s1")], cands, shifts) == 1  # community
    assert check_violations([("a", "s3"), ("b", "s3")], cands, shifts) == 1  # places
    assert check_violations([("a", "s1"), ("a", "s1")], cands, shifts) == 1  # duplicate
    assert check_violations([("a", "s9")], cands, shifts) == 1  # unknown
    busy = {"b": [(at(0, 11), at(0, 12))]}
    assert check_violations([("b", "s2")], cands, shifts, busy) == 1


def test_overlap_rule_inside_auto_assign():
    """One volunteer, three shifts: two overlap each other, the third only touches one."""
    c = cand("a", compound_id="c1")
    shifts = [
        shift("morning", h0=7, h1=12, compound_id="c1"),
        shift("late_morning", h0=10, h1=13, compound_id="c1"),
        shift("afternoon", h0=12, h1=19, compound_id="c1"),
    ]
    res = auto_assign([c], shifts, Weights())
    assert check_violations(res, [c], shifts) == 0
    assert sorted(s for _c, s in res) == ["afternoon", "morning"]
    busy = {"a": [(at(0, 18), at(0, 20))]}
    res = auto_assign([c], shifts, Weights(), busy)
    assert [s for _c, s in res] == ["morning"]


def test_weekly_cap_inside_auto_assign():
    c = cand("a", hours_this_week=4, weekly_cap_hours=12)
    shifts = [shift(f"d{d}", day=d, h0=8, h1=12) for d in range(4)]
    res = auto_assign([c], shifts, Weights())
    assert len(res) == 2  # 4 + 2 x 4 = 12
    assert check_violations(res, [c], shifts) == 0


def crafted_weights():
    z = dict(availability=0, optional_skills=0, fairness=0)
    return Weights(
        same_compound=10, same_community=8, elsewhere=0, party_priority=9, reliability=1, **z
    )


def test_greedy_fills_fewer_places_than_optimum():
    """X is best for A, but only X can do B (overlapping A); Y can only do A."""
    w = Weights(
        same_compound=10,
        same_community=5,
        elsewhere=0,
        availability=0,
        optional_skills=0,
        fairness=0,
        reliability=0,
        party_priority=0,
    )
    x = Candidate(id="X", community_id=1, compound_id="a1", skills={"driving"})
    y = Candidate(id="Y", community_id=1, compound_id="a2")
    shifts = [
        ShiftSpec(id="A", community_id=1, compound_id="a1", start=at(0, 8), end=at(0, 12)),
        ShiftSpec(
            id="B",
            community_id=2,
            compound_id="b1",
            start=at(0, 10),
            end=at(0, 14),
            required_skills={"driving"},
        ),
    ]
    greedy = greedy_assign([x, y], shifts, w)
    auto = auto_assign([x, y], shifts, w)
    assert sorted(greedy) == [("X", "A")]
    assert sorted(auto) == [("X", "B"), ("Y", "A")]
    assert auto.places_filled == 2 and auto.total_score == pytest.approx(5)


def test_greedy_scores_less_than_optimum():
    """Same places filled; greedy takes X->A (10) then Y->B (1); optimum X->B, Y->A (18)."""
    w = crafted_weights()
    x = Candidate(id="X", community_id=1, compound_id="a", party_member=True, reliability=0)
    y = Candidate(id="Y", community_id=1, compound_id="a2", reliability=1)
    shifts = [
        ShiftSpec(id="A", community_id=1, compound_id="a", start=at(0, 8), end=at(0, 12)),
        ShiftSpec(
            id="B", community_id=2, compound_id="b", start=at(0, 9), end=at(0, 13), party_post=True
        ),
    ]
    assert score(x, shifts[0], w)[0] == 10 and score(x, shifts[1], w)[0] == 9
    assert score(y, shifts[0], w)[0] == 9 and score(y, shifts[1], w)[0] == 1
    greedy = greedy_assign([x, y], shifts, w)
    auto = auto_assign([x, y], shifts, w)
    assert greedy.total_score == pytest.approx(11)
    assert sorted(auto) == [("X", "B"), ("Y", "A")]
    assert auto.total_score == pytest.approx(18)
    assert exact_optimum([x, y], shifts, w).total_score == pytest.approx(18)


def test_filling_places_comes_before_score():
    """A high-score pair that blocks two places loses to two low-score pairs."""
    w = Weights(
        same_compound=10,
        same_community=1,
        elsewhere=0,
        availability=0,
        optional_skills=0,
        fairness=0,
        reliability=0,
        party_priority=0,
    )
    x = Candidate(id="X", community_id=1, compound_id="a")
    shifts = [
        ShiftSpec(id="long", community_id=1, compound_id="a", start=at(0, 8), end=at(0, 18)),
        ShiftSpec(id="am", community_id=1, start=at(0, 8), end=at(0, 12)),
        ShiftSpec(id="pm", community_id=1, start=at(0, 13), end=at(0, 17)),
    ]
    auto = auto_assign([x], shifts, w)
    assert sorted(auto) == [("X", "am"), ("X", "pm")]
    assert greedy_assign([x], shifts, w) == [("X", "long")]


def test_auto_assign_is_deterministic():
    rnd = random.Random(77)
    cands, shifts, commitments = random_instance(rnd, 50, 25)
    first = auto_assign(cands, shifts, Weights(), commitments)
    for _ in range(2):
        again = auto_assign(cands, shifts, Weights(), commitments)
        assert list(again) == list(first)
    pruned = [
        auto_assign(cands, shifts, Weights(), commitments, prune=True, top_k=3) for _ in range(2)
    ]
    assert list(pruned[0]) == list(pruned[1])


def test_empty_inputs():
    assert auto_assign([], [], Weights()) == []
    assert auto_assign([cand("a")], [], Weights()) == []
    assert auto_assign([], [shift("s")], Weights()) == []
    assert rank([], shift("s")) == []


def test_clique_rows_are_the_maximal_overlapping_sets():
    # intervals: 0:[0,4) 1:[1,3) 2:[2,6) 3:[4,5) 4:[6,8) 5:[7,9)
    starts = [0, 1, 2, 4, 6, 7]
    ends = [4, 3, 6, 5, 8, 9]
    rows = clique_rows(starts, ends, list(range(6)))
    assert sorted(sorted(r) for r in rows) == [[0, 1, 2], [2, 3], [4, 5]]


@pytest.mark.parametrize("seed", range(3))
def test_large_instance_paths_stay_near_the_optimum_and_never_below_greedy(seed):
    """The paths auto_assign takes on big inputs (shortlists, LP-and-fix, heuristic fallback),
    forced on an instance small enough to solve exactly."""
    rnd = random.Random(500 + seed)
    cands, shifts, commitments = random_instance(rnd, 150, 60, n_comm=4)
    w = Weights()
    exact = exact_optimum(cands, shifts, w, commitments)
    greedy = greedy_assign(cands, shifts, w, commitments)
    assert exact.optimal
    for res in (
        auto_assign(
            cands, shifts, w, commitments, prune=True, top_k=5, candidate_top=1, strategy="lp_fix"
        ),
        auto_assign(cands, shifts, w, commitments, strategy="lp_fix"),
        auto_assign(cands, shifts, w, commitments, time_limit=0),
    ):
        assert check_violations(res, cands, shifts, commitments) == 0
        assert (res.places_filled, res.total_score + 1e-9) >= (
            greedy.places_filled,
            greedy.total_score,
        )
        assert res.places_filled <= exact.places_filled
        if res.places_filled == exact.places_filled:
            assert res.total_score <= exact.total_score + 1e-6
            assert res.total_score >= 0.98 * exact.total_score, res.method
        if res.score_bound is not None:
            assert res.total_score <= res.score_bound + 1e-6


def test_branch_and_cut_agrees_with_scipy_milp():
    """Branch and cut goes through highspy (warm start); scipy's milp solves the same model
    independently."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    from volunteers.matching.heuristics import Instance, repair
    from volunteers.matching.solver import build_model, run_mip

    cands, shifts, commitments = random_instance(random.Random(9), 60, 30)
    inst = Instance(cands, shifts, Weights(), commitments)
    cols = np.arange(inst.pc.size)
    a, rhs, obj, _m = build_model(inst, cols)
    res = milp(
        -obj,
        integrality=np.ones(obj.size),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(a, -np.inf, rhs),
        options={"disp": False, "presolve": True, "mip_rel_gap": 1e-12, "time_limit": 30},
    )
    x1, ok1 = res.x, res.status == 0
    x2, ok2 = run_mip(a, rhs, obj, 30)
    assert ok1 and ok2
    assert float(obj @ x1) == pytest.approx(float(obj @ x2))
    for x in (x1, x2):
        chosen = cols[np.flatnonzero(x > 0.5)].tolist()
        assert len(repair(inst, chosen).chosen) == len(chosen)  # feasible as returned


def test_lp_bound_is_an_upper_bound():
    from volunteers.matching import lp_bound

    cands, shifts, commitments = random_instance(random.Random(21), 80, 40)
    w = Weights()
    exact = exact_optimum(cands, shifts, w, commitments)
    places, score_bound = lp_bound(cands, shifts, w, commitments)
    assert places == exact.places_filled
    assert exact.total_score <= score_bound + 1e-6


def test_the_core_imports_without_django():
    """The pure core (and the package's exports of it) load with no Django settings and
    import no Django module, so a benchmark or another program can use it as it is."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys\n"
        "import volunteers.matching as m\n"
        "from volunteers.matching import checks, core, heuristics, scoring, solver\n"
        "assert m.auto_assign and m.rank and m.check_violations\n"
        "print(sorted(k for k in sys.modules if k == 'django' or k.startswith('django.')))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
