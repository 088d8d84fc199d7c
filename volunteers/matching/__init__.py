"""Matching volunteers to shifts: eligibility, scoring, ranking and auto-assignment (issue 6).

The pure core needs no Django and is importable without settings:

  core        data types (`Candidate`, `ShiftSpec`, `Weights`, `Assignment`), reason codes and
              the hard rules (`eligibility`)
  scoring     `score`, the vectorised `CandidatePool`, `rank`, `recommend_shifts`
  heuristics  the pair instance, greedy and local improvement
  solver      the 0/1 programme on HiGHS: `auto_assign`, `greedy_assign`, `exact_optimum`
  checks      `check_violations`, `assignment_score`

On the models (loaded on first use, so importing the core never imports Django):

  loaders     rows -> core data (`load_candidates`, `shift_specs`), the hard rules as SQL
  ranking     `rank_for_shift` (SQL + the core's arithmetic), `recommend_for_profile`
  reasons     reason codes -> translated text, refusals
  signup      `check_eligibility`, the one check of taking a place
  proposals   `propose`, `send_invitations`, `candidates_among`, `offer_declined_places`

docs/matching.md explains the rules, the score, the programme and the figures.
"""

from importlib import import_module

from .checks import assignment_score, check_violations
from .core import (
    ELIGIBILITY_CODES,
    SCORE_CODES,
    Assignment,
    Candidate,
    Ranked,
    ShiftSpec,
    Weights,
    eligibility,
)
from .scoring import CandidatePool, combine_scores, rank, recommend_shifts, score, top_order
from .solver import auto_assign, exact_optimum, greedy_assign, lp_bound

# name -> the module (on the models) that defines it, imported when the name is first used
_ON_THE_MODELS = {
    "load_candidates": "loaders",
    "shift_specs": "loaders",
    "week_window": "loaders",
    "weekly_cap": "loaders",
    "weights": "loaders",
    "Suggestion": "ranking",
    "rank_for_shift": "ranking",
    "recommend_for_profile": "ranking",
    "reason_text": "reasons",
    "refusal": "reasons",
    "check_eligibility": "signup",
    "Proposal": "proposals",
    "candidates_among": "proposals",
    "offer_declined_places": "proposals",
    "propose": "proposals",
    "send_invitations": "proposals",
}

__all__ = [
    "ELIGIBILITY_CODES",
    "SCORE_CODES",
    "Assignment",
    "Candidate",
    "CandidatePool",
    "Ranked",
    "ShiftSpec",
    "Weights",
    "assignment_score",
    "auto_assign",
    "check_violations",
    "combine_scores",
    "eligibility",
    "exact_optimum",
    "greedy_assign",
    "lp_bound",
    "rank",
    "recommend_shifts",
    "score",
    "top_order",
    *_ON_THE_MODELS,
]


def __getattr__(name):
    module = _ON_THE_MODELS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
