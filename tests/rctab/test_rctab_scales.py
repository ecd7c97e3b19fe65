"""RCTab's BigDecimal text: ``bigdecimal_text`` against Java's ``BigDecimal.toString``, and
the scale rules on one published case (figures read from RCTab's expected report)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from rctab_oracle import RCTAB, all_cases, counted, load

from hustings.counting import InactiveReason
from hustings.formats.rctab.scales import bigdecimal_text, exact_scale, trace


@pytest.mark.parametrize(("value", "scale", "java"), [
    (Fraction(14866), 0, "14866"),
    (Fraction(14866), 4, "14866.0000"),
    (Fraction(0), 4, "0.0000"),
    (Fraction(405, 100), 2, "4.05"),
    (Fraction(-5, 2), 4, "-2.5000"),
    (Fraction(1, 10**6), 6, "0.000001"),
    (Fraction(0), 7, "0E-7"),  # Java switches to scientific notation below 10^-6
    (Fraction(12, 10**8), 8, "1.2E-7"),
])
def test_bigdecimal_text_is_javas(value: Fraction, scale: int, java: str) -> None:
    assert bigdecimal_text(value, scale) == java


def test_bigdecimal_text_refuses_a_value_finer_than_its_scale() -> None:
    with pytest.raises(ValueError, match="more than 2 decimal places"):
        bigdecimal_text(Fraction(1, 3), 2)


def test_exact_scale_is_the_exact_quotients() -> None:
    # BigDecimal("15").divide(BigDecimal(100)) is 0.15; "10" / 100 is 0.1
    assert (exact_scale(Fraction(15, 100)), exact_scale(Fraction(10, 100))) == (2, 1)


def test_a_winner_on_the_threshold_scales_the_ballots_it_passes_on() -> None:
    """minneapolis_multi_seat_threshold: C is elected on exactly 8 in round 2, so its
    ballots move on worth 0.0000 (no transfer is booked) yet E and F's round-3 tallies take
    scale 4, as do the inactive categories they later reach."""
    case = next(c for c in all_cases() if c["name"] == "minneapolis_multi_seat_threshold")
    contest, result = load(case), counted(case)
    scales = trace(result, contest.ballots)
    expected = json.loads((RCTAB / case["expected"]["detailed_json"][0]).read_text())
    r3 = expected["results"][2]["tally"]
    assert (r3["A"], r3["E"], r3["F"]) == ("6", "6.0000", "3.0000")
    assert [scales.tally_scale(3, c) for c in "AEF"] == [0, 4, 4]
    assert scales.tally_scale(3, "C") == 4  # kept 8 x 1.0000, no residual
    assert scales.inactive_scale(5, InactiveReason.SKIPPED_RANKINGS) == 4
    assert scales.inactive_scale(4, InactiveReason.SKIPPED_RANKINGS) == 0
    assert scales.transfer_scale(5, "A", "exhausted") == 4
    assert scales.transfer_scale(3, "F", "A") == 0


SURPLUS_CASES = [c["name"] for c in all_cases()
                 if c["kind"] == "tabulation" and c["inputs_complete"]
                 and c["rules"].get("winnerElectionMode") in (
                     "multiWinnerAllowMultipleWinnersPerRound",
                     "multiWinnerAllowOnlyOneWinnerPerRound")
                 and int(c["rules"].get("numberOfWinners") or 1) > 1]


@pytest.mark.parametrize("name", SURPLUS_CASES)
def test_the_replay_adds_up_to_the_count(name: str) -> None:
    """The per-ballot replay behind the scales must hold, round by round, exactly the
    votes the counting core reports (else its scales would describe another count)."""
    case = next(c for c in all_cases() if c["name"] == name)
    trace(counted(case), load(case).ballots, verify=True)


def test_there_are_surplus_cases_to_replay() -> None:
    assert len(SURPLUS_CASES) >= 8
