"""The per-ballot trace (``hustings.counting.trace``): it is the count, ballot by ballot,
on RCTab's conformance cases and on random elections; and the formats that read it (the
CDF export's per-ballot snapshots, ``export.count_per_ballot``; RCTab's scales,
``scales.trace`` / ``trace_slices``) take the trace a caller already counted with instead
of counting again. Their output is checked against RCTab's own files in ``tests/rctab``."""

from __future__ import annotations

import functools
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import elections

from hustings.counting import (
    Ballots,
    CountingError,
    InactiveReason,
    Method,
    Rules,
    RulesError,
    count,
)
from hustings.counting.trace import Trace, reason, trace

RCTAB = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "rctab"


@functools.cache
def _cases() -> tuple[dict[str, Any], ...]:
    path = RCTAB / "cases.json"
    return tuple(json.loads(path.read_text(encoding="utf-8"))["cases"]) if path.exists() else ()


@functools.cache
def _contest(name: str) -> Any:
    from hustings.formats.rctab import load_contest

    case = next(c for c in _cases() if c["name"] == name)
    subs = {s["config_filePath"]: RCTAB / s["csv_rendering"] for s in case["cvr_sources"]
            if not s.get("present") and s.get("csv_rendering")}
    return load_contest(RCTAB / case["config"], substitutes=subs)


@functools.cache
def _trace(name: str) -> Trace:
    contest = _contest(name)
    return trace(contest.rules, contest.ballots)


CDF_CASES = [c["name"] for c in _cases() if c["kind"] == "tabulation" and c["inputs_complete"]
             and c["expected"].get("cdf_cvr_json")]
SURPLUS_CASES = [c["name"] for c in _cases()
                 if c["kind"] == "tabulation" and c["inputs_complete"]
                 and c["rules"].get("winnerElectionMode") in (
                     "multiWinnerAllowMultipleWinnersPerRound",
                     "multiWinnerAllowOnlyOneWinnerPerRound")
                 and int(c["rules"].get("numberOfWinners") or 1) > 1]


def test_there_are_cases_to_compare() -> None:
    assert len(CDF_CASES) >= 10 and len(SURPLUS_CASES) >= 8


# --- the CDF export: what each ballot counts for in each round ------------------------------

@pytest.mark.parametrize("name", CDF_CASES)
def test_counted_for_is_the_per_ballot_count_of_the_cdf_export(name: str) -> None:
    from hustings.formats.rctab.export import count_per_ballot

    contest = _contest(name)
    per_ballot = count_per_ballot(contest)
    assert per_ballot is not None
    counted = per_ballot.counted_for()
    assert per_ballot.result == count(contest.rules, contest.ballots)
    assert len(counted) == len(contest.ballots)
    # every ballot's values add up to each round's tally of a candidate still in the count
    won_in = {w: rnd.number for rnd in per_ballot.result.rounds for w in rnd.elected}
    for k, rnd in enumerate(per_ballot.result.rounds):
        for c, votes in rnd.tally.items():
            if rnd.number > won_in.get(c, rnd.number):
                continue  # a winner whose surplus moved holds the quota, not ballots
            assert sum((b[k].get(c, Fraction(0)) for b in counted), Fraction(0)) == votes


# --- RCTab's scales: where the ballots a surplus re-valued are ------------------------------

@pytest.mark.parametrize("name", SURPLUS_CASES)
def test_the_scales_read_the_trace_they_are_given(name: str) -> None:
    from hustings.formats.rctab.scales import scales_from_trace, trace_slices
    from hustings.formats.rctab.scales import trace as scales

    contest, tr = _contest(name), _trace(name)
    own = scales(tr.result, contest.ballots, verify=True)  # traces the count itself
    assert scales(tr.result, contest.ballots, traced=tr) == own == scales_from_trace(tr)[0]
    for kind, (labels, codes) in contest.ballots.slices.items():
        books = scales_from_trace(tr, np.asarray(codes, dtype=np.int64), len(labels))
        assert dict(zip(labels, books)) == trace_slices(tr.result, contest.ballots, kind,
                                                        traced=tr)


def test_the_scales_refuse_a_trace_of_another_count() -> None:
    from hustings.formats.rctab.scales import trace as scales

    contest = _contest(SURPLUS_CASES[0])
    other = trace(STV, STV_BALLOTS)
    with pytest.raises(ValueError, match="^the trace is of another count than the result$"):
        scales(count(contest.rules, contest.ballots), contest.ballots, traced=other,
               verify=True)


@pytest.mark.parametrize("name", SURPLUS_CASES + CDF_CASES)
def test_the_trace_result_is_the_count(name: str) -> None:
    contest = _contest(name)
    assert _trace(name).result == count(contest.rules, contest.ballots)


# --- the trace itself ------------------------------------------------------------------------

STV = Rules(("A", "B", "C"), method=Method.STV, seats=2)
STV_BALLOTS = Ballots.from_rankings(("A", "B", "C"),
                                    [["A", "B"]] * 7 + [["B"]] * 3 + [["C", "A"]] * 2)


def test_an_stv_ballot_keeps_part_with_the_winner_and_moves_on_with_the_rest() -> None:
    tr = trace(STV, STV_BALLOTS)
    first = tr.counted_for()[0]  # an (A, B) ballot: A wins on 7 with a quota of 5
    keep, move = Fraction("0.7143"), Fraction("0.2857")
    assert first[:2] == [{"A": 1}, {"A": keep, "B": move}]
    rounds = list(tr.rounds())
    assert rounds[1].revalued[:7].all() and not rounds[1].revalued[7:].any()
    assert list(rounds[0].surplus) == ["A"] and rounds[0].surplus["A"].ballots.tolist() == list(
        range(7))


def test_the_trace_adds_up_to_every_rounds_tally() -> None:
    tr = trace(STV, STV_BALLOTS)
    won_in = {w: rnd.number for rnd in tr.result.rounds for w in rnd.elected}
    for rnd, ballots in zip(tr.result.rounds, tr.rounds(), strict=True):
        for c, votes in rnd.tally.items():
            if rnd.number > won_in.get(c, rnd.number):
                continue  # a winner whose surplus moved holds the quota, not ballots
            held = ballots.holder == tr.candidates.index(c)
            assert tr.votes((ballots.value[held] * tr.weights[held]).sum()) == votes


def test_a_ballot_that_runs_out_says_why() -> None:
    tr = trace(Rules(("A", "B")), Ballots.from_rankings(("A", "B"), [["A"]] * 2 + [["B"]]))
    rounds = list(tr.rounds())
    assert len(rounds) == 1 and reason(int(rounds[0].status[2])) is None
    tr = trace(Rules(("A", "B", "C")),
               Ballots.from_rankings(("A", "B", "C"), [["A"]] * 2 + [["B"]] * 2 + [["C"]]))
    last = list(tr.rounds())[-1]
    assert reason(int(last.status[4])) is InactiveReason.EXHAUSTED_CHOICES
    assert last.moved.tolist() == [4] and last.came_from.tolist() == [2]


def test_a_method_outside_the_round_loop_has_no_trace() -> None:
    with pytest.raises(RulesError, match="^a per-ballot trace is kept for the round-by-round "
                                         r"methods \(irv, stv, .*\), not meek-stv$"):
        trace(Rules(("A", "B"), method=Method.MEEK_STV, seats=1),
              Ballots.from_rankings(("A", "B"), [["A"]]))


def test_the_trace_checks_the_rules_as_count_does() -> None:
    rules = Rules(("A", "B"), method=Method.BOTTOMS_UP_PERCENTAGE)
    with pytest.raises(CountingError, match="needs bottoms_up_threshold"):
        trace(rules, Ballots.from_rankings(("A", "B"), [["A"]]))


# --- property: the trace is the count, ballot by ballot ---------------------------------------


@settings(max_examples=60, deadline=None)
@given(elections(blanks=True), st.sampled_from([
    (Method.IRV, 1, 4), (Method.STV, 2, 4), (Method.STV, 3, None), (Method.STV, 2, 0),
    (Method.BOTTOMS_UP, 2, 4)]))
def test_every_rounds_figures_are_the_sum_of_its_ballots(election: Any, method: Any) -> None:
    cands, rankings, weights = election
    kind, seats, places = method
    rules = Rules(cands, method=kind, seats=seats, decimal_places=places)
    ballots = Ballots.from_rankings(cands, [list(r) for r in rankings], weights=weights)
    tr = trace(rules, ballots)
    assert tr.result == count(rules, ballots)
    won_in = {w: rnd.number for rnd in tr.result.rounds for w in rnd.elected}
    per_ballot = tr.counted_for()
    for k, (rnd, ballots) in enumerate(zip(tr.result.rounds, tr.rounds(), strict=True)):
        worth = ballots.value * tr.weights
        for c, votes in rnd.tally.items():
            if rnd.number > won_in.get(c, rnd.number) and kind is Method.STV:
                # a winner whose surplus moved: what its ballots kept, less any residual
                kept = sum((b[k].get(c, Fraction(0)) for b in per_ballot), Fraction(0))
                assert votes <= kept
                continue
            assert tr.votes(worth[ballots.holder == tr.candidates.index(c)].sum()) == votes
        for why, votes in rnd.sections[0].inactive.items():
            gone = np.array([reason(int(s)) is why for s in ballots.status], dtype=bool)
            assert tr.votes(worth[gone].sum()) == votes, (rnd.number, why)
