"""``hustings.counting.__all__`` is the core's public surface: a name is added to it, or
taken out, on purpose (the shell imports only these, plus the rank-array dtype)."""

from __future__ import annotations

import inspect

import hustings.counting as counting

PUBLIC = {
    # the entry points
    "count", "trace",
    # rules in
    "Rules", "Method", "Quota", "Section", "TieBreak", "TieBreakMode", "BallotRules",
    "OvervoteRule", "InactiveReason",
    # ballots in
    "Ballots", "BLANK", "OVERVOTE", "OVERVOTE_SET_BASE",
    # the record out
    "Result", "Round", "SectionRound", "Transfer", "TieBreakNote", "EXHAUSTED", "RESIDUAL",
    # each ballot's path
    "Trace", "BallotRound", "Surplus",
    # errors
    "CountingError", "RulesError", "BallotsError", "UnbrokenTieError",
}


def test_all_is_the_public_surface() -> None:
    assert set(counting.__all__) == PUBLIC
    assert len(counting.__all__) == len(PUBLIC), "a name is listed twice"


def test_every_listed_name_is_there() -> None:
    missing = [n for n in counting.__all__ if not hasattr(counting, n)]
    assert not missing


def test_no_public_name_is_left_out_of_all() -> None:
    public = {n for n, v in vars(counting).items()
              if not n.startswith("_") and not inspect.ismodule(v)}
    assert public == set(counting.__all__)


def test_star_import_gives_exactly_all() -> None:
    scope: dict[str, object] = {}
    exec("from hustings.counting import *", scope)  # the guarded behaviour
    assert set(scope) - {"__builtins__"} == PUBLIC
