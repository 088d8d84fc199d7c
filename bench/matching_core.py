"""Benchmark of the model-independent matching core (volunteers.matching: core, solver, ...).

Generates a synthetic subdistrict in plain Python (seeded): 10,000 volunteers in 37
communities, 2,000 shifts over one week with existing commitments, and prints ONE JSON line:

  rank_ms          top 20 for one shift, from the list of Candidate objects (pool build included)
  rank_ms_pooled   the same with a prebuilt CandidatePool (several shifts ranked in a row)
  assign_seconds   auto_assign of all 2,000 shifts, places_filled, places_total, total_score,
                   violations (hard rules, must be 0), assign_method
  greedy_*         the plain greedy pass on the same instance
  on 2,000 volunteers x 300 shifts:
  optimum_ratio    auto_assign forced onto its large-instance path (top-K shortlists, LP
                   relaxation, LP-and-fix, local moves), total score over the exact optimum;
                   optimum_ratio_default with auto_assign's own choice (at this size: all pairs,
                   branch and cut); heuristic_ratio the time-limit fallback alone (greedy + local
                   improvement); greedy_ratio the plain greedy pass.
  load_average, *cpu*: the machine may be shared; CPU seconds show the work done.
  unhurried        auto_assign on the big instance with a 120 s limit and the LP bound of its
                   pruned model.

  full_lp_bound    with --full-bound: the LP relaxation on all pairs of the big instance (an
                   upper bound on its true optimum) and the ratios to it.

Usage: python bench/matching_core.py [--seed N] [--full-bound]
No database is needed (the model-backed bench/matching.py comes with the volunteers models).
"""

import json
import os
import random
import sys
import time
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from volunteers.matching import (  # noqa: I001
    Candidate,
    CandidatePool,
    ShiftSpec,
    Weights,
    auto_assign,
    check_violations,
    exact_optimum,
    greedy_assign,
    lp_bound,
    rank,
)

SKILLS = [
    "driving",
    "medical",
    "nursing",
    "translation",
    "it",
    "logistics",
    "psychology",
    "elderly_care",
    "electrician",
    "cooking",
]
COURSES = ["disinfection", "ppe", "first_aid", "data_privacy", "cold_chain"]
WEEK_START = datetime(2026, 12, 7)  # a Monday
CAP_HOURS = 20.0

TASKS = [
    # (name, weight, hours choices, places range, required skills, optional skills,
    #  required courses, party post share)
    ("gate", 40, [(7, 5), (12, 7), (19, 4)], (2, 4), [], ["elderly_care"], [], 0.3),
    ("testing_site", 20, [(7, 4), (11, 4), (15, 4)], (3, 8), [], ["medical", "it"], ["ppe"], 0.2),
    ("disinfection", 10, [(8, 3), (14, 3)], (1, 3), [], ["logistics"], ["disinfection"], 0.1),
    ("delivery", 15, [(9, 3), (13, 3), (17, 3)], (1, 4), ["driving"], ["logistics"], [], 0.1),
    (
        "hotline",
        8,
        [(8, 4), (12, 4), (16, 4), (20, 3)],
        (1, 2),
        [],
        ["psychology", "translation"],
        ["data_privacy"],
        0.0,
    ),
    ("medical_support", 7, [(9, 4), (14, 4)], (1, 3), ["medical"], ["nursing"], ["ppe"], 0.2),
]


def make_subdistrict(n_volunteers, n_shifts, n_communities=37, seed=42):
    rnd = random.Random(seed)
    compounds = {k: [f"c{k}-{j}" for j in range(rnd.randint(3, 9))] for k in range(n_communities)}
    comm_weights = [rnd.uniform(0.5, 1.5) for _ in range(n_communities)]
    candidates = []
    commitments = {}
    for i in range(n_volunteers):
        k = rnd.choices(range(n_communities), comm_weights)[0]
        skills = {s for s in SKILLS if rnd.random() < (0.35 if s == "driving" else 0.12)}
        courses = {c for c in COURSES if rnd.random() < 0.4}
        days = rnd.sample(range(7), rnd.randint(1, 6))
        h0 = rnd.choice([7, 8, 9, 12, 14, 17, 18])
        h1 = min(24, h0 + rnd.randint(3, 10))
        available = {(d, h) for d in days for h in range(h0, h1)}
        hours = float(rnd.choice([0, 0, 0, 2, 3, 4, 5, 6, 8, 10, 12]))
        candidates.append(
            Candidate(
                id=i,
                community_id=k,
                compound_id=rnd.choice(compounds[k]),
                skills=skills,
                available=available,
                party_member=rnd.random() < 0.25,
                hours_this_week=hours,
                reliability=round(rnd.betavariate(5, 1.5), 2),
                completed_courses=courses,
                weekly_cap_hours=CAP_HOURS,
            )
        )
        booked = []
        for _ in range(rnd.choice([0, 0, 1, 1, 2])):
            d, h = rnd.randrange(7), rnd.randrange(6, 20)
            start = WEEK_START + timedelta(days=d, hours=h)
            booked.append((start, start + timedelta(hours=rnd.choice([2, 3, 4]))))
        if booked:
            commitments[i] = booked
    shifts = []
    for j in range(n_shifts):
        task = rnd.choices(TASKS, [t[1] for t in TASKS])[0]
        name, _w, times, (p0, p1), req, opt, courses, party_share = task
        k = rnd.choices(range(n_communities), comm_weights)[0]
        h0, length = rnd.choice(times)
        start = WEEK_START + timedelta(days=rnd.randrange(7), hours=h0)
        r = rnd.random()
        if r < 0.8:
            accepted = {k}
        elif r < 0.95:
            accepted = {k, (k + 1) % n_communities, (k - 1) % n_communities}
        else:
            accepted = None  # whole subdistrict
        shifts.append(
            ShiftSpec(
                id=f"s{j}",
                community_id=k,
                compound_id=rnd.choice(compounds[k]) if name in ("gate", "disinfection") else None,
                accepted_community_ids=accepted,
                start=start,
                end=start + timedelta(hours=length),
                places=rnd.randint(p0, p1),
                required_skills=set(req),
                optional_skills=set(opt),
                required_courses=set(courses),
                party_post=rnd.random() < party_share,
            )
        )
    return candidates, shifts, commitments


def silence_highs_banner():
    """highspy prints a banner on the first Highs() of a process; send it to /dev/null so the
    JSON line is the only output."""
    import highspy

    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def main():
    silence_highs_banner()
    seed = 42
    if "--seed" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--seed") + 1])
    weights = Weights()
    out = {}

    out["load_average"] = round(os.getloadavg()[0], 2)
    cands, shifts, commitments = make_subdistrict(10_000, 2_000, seed=seed)
    big_shift = max(shifts, key=lambda s: (s.accepted_community_ids is None, s.places))
    walls, cpus = [], []
    for _ in range(5):
        t, cpu = time.perf_counter(), time.process_time()
        top = rank(cands, big_shift, weights, top=20, commitments=commitments)
        walls.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    out["rank_ms"] = round(min(walls), 2)
    out["rank_cpu_ms"] = round(min(cpus), 2)
    out["rank_returned"] = len(top)
    pool = CandidatePool(cands, commitments)
    times = []
    for s in shifts[:50]:
        t = time.perf_counter()
        rank(pool, s, weights, top=20)
        times.append((time.perf_counter() - t) * 1000)
    out["rank_ms_pooled"] = round(sorted(times)[len(times) // 2], 2)

    t, cpu = time.perf_counter(), time.process_time()
    res = auto_assign(cands, shifts, weights, commitments)
    out["assign_seconds"] = round(time.perf_counter() - t, 2)
    out["assign_cpu_seconds"] = round(time.process_time() - cpu, 2)
    out["assign_method"] = res.method
    out["assign_variables"] = res.variables
    out["places_filled"] = res.places_filled
    out["places_total"] = sum(s.places for s in shifts)
    out["total_score"] = round(res.total_score, 2)
    out["violations"] = check_violations(res, cands, shifts, commitments)
    # The same with time to spare (on a loaded machine the default 8 s wall-clock budget may
    # stop the LP and fall back to the heuristic): quality of the LP path and its bound.
    t, cpu = time.perf_counter(), time.process_time()
    slow = auto_assign(cands, shifts, weights, commitments, time_limit=120)
    out["unhurried"] = {
        "seconds": round(time.perf_counter() - t, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "method": slow.method,
        "places_filled": slow.places_filled,
        "total_score": round(slow.total_score, 2),
        "score_bound_of_pruned_model": round(slow.score_bound, 2) if slow.score_bound else None,
        "violations": check_violations(slow, cands, shifts, commitments),
    }
    if "--full-bound" in sys.argv:
        # LP relaxation on all ~1.1 million eligible pairs (no pruning): an upper bound on the
        # true optimum of the big instance (about 40 s of CPU).
        bound = lp_bound(cands, shifts, weights, commitments)
        if bound:
            out["full_lp_bound"] = {"places": bound[0], "score": round(bound[1], 2)}
            if bound[0] == slow.places_filled:
                out["unhurried"]["ratio_to_full_bound"] = round(slow.total_score / bound[1], 4)
            if bound[0] == res.places_filled:
                out["ratio_to_full_bound"] = round(res.total_score / bound[1], 4)
    t = time.perf_counter()
    g = greedy_assign(cands, shifts, weights, commitments)
    out["greedy_seconds"] = round(time.perf_counter() - t, 2)
    out["greedy_places_filled"] = g.places_filled
    out["greedy_total_score"] = round(g.total_score, 2)
    out["greedy_violations"] = check_violations(g, cands, shifts, commitments)

    cands, shifts, commitments = make_subdistrict(2_000, 300, seed=seed + 1)
    exact = exact_optimum(cands, shifts, weights, commitments, time_limit=300)
    runs = {
        # the large-instance path: top-K shortlists, LP relaxation, LP-and-fix, local moves
        "auto": auto_assign(
            cands, shifts, weights, commitments, prune=True, strategy="lp_fix", time_limit=60
        ),
        # auto_assign's own choice at this size (all pairs, branch and cut)
        "default": auto_assign(cands, shifts, weights, commitments, time_limit=60),
        # the fallback alone (no LP/MIP time): greedy + local improvement
        "heuristic": auto_assign(cands, shifts, weights, commitments, time_limit=0),
        "greedy": greedy_assign(cands, shifts, weights, commitments),
    }
    opt = exact.total_score
    out["small_exact_optimal"] = exact.optimal
    out["small_exact_seconds"] = round(exact.seconds, 2)
    out["small_places"] = {k: r.places_filled for k, r in runs.items()}
    out["small_places"]["exact"] = exact.places_filled
    out["small_places"]["total"] = sum(s.places for s in shifts)
    out["small_methods"] = {k: r.method for k, r in runs.items()}
    out["optimum_ratio"] = round(runs["auto"].total_score / opt, 4) if opt else 1.0
    out["optimum_ratio_default"] = round(runs["default"].total_score / opt, 4) if opt else 1.0
    out["heuristic_ratio"] = round(runs["heuristic"].total_score / opt, 4) if opt else 1.0
    out["greedy_ratio"] = round(runs["greedy"].total_score / opt, 4) if opt else 1.0
    out["small_violations"] = sum(
        check_violations(a, cands, shifts, commitments) for a in [exact, *runs.values()]
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
