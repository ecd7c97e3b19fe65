"""Ties, broken as the rules say, with reasons a scrutineer can check."""

from __future__ import annotations

import pytest

from hustings.counting import Ballots, Rules, TieBreak, TieBreakMode, count
from hustings.counting.errors import UnbrokenTieError
from hustings.counting.tiebreak import TieBreaker

CANDS = ("Abbott", "Balls", "Burnham", "Miliband")


def rules(mode, seed=0):
    return Rules(CANDS, tie_break=TieBreak(mode, seed))


def test_previous_round_decides_and_says_so():
    # Round 1: Abbott 3, Balls 4, Burnham 1, Miliband 8. Burnham goes; his ballot moves to
    # Abbott, so round 2 has Abbott and Balls tied on 4: Abbott was lower in round 1.
    ballots = Ballots.from_rankings(
        CANDS, [["Abbott"]] * 3 + [["Balls"]] * 4 + [["Burnham", "Abbott"]] + [["Miliband"]] * 8
    )
    result = count(rules(TieBreakMode.PREVIOUS_ROUNDS), ballots)
    r2 = result.rounds[1]
    assert r2.eliminated == ("Abbott",)
    (note,) = r2.tie_breaks
    assert note.tied == ("Abbott", "Balls") and note.chosen == "Abbott"
    assert note.purpose == "elimination" and note.round == 2
    assert note.reason == "Abbott and Balls tied on 4; Abbott lower in round 1 (3 against Balls 4)"


def test_candidate_order_eliminates_the_last_declared():
    ballots = Ballots.from_rankings(CANDS, [["Abbott"]] * 2 + [["Balls"]] * 2 + [["Miliband"]] * 5
                                    + [["Burnham"]] * 3)
    note = count(rules(TieBreakMode.CANDIDATE_ORDER), ballots).rounds[0].tie_breaks[0]
    assert note.chosen == "Balls"
    assert note.reason == "Abbott and Balls tied on 2; Balls is last of them in declared order"


def test_lot_is_reproducible_from_the_seed():
    # new Random(42).nextDouble() = 0.7275...: index floor(0.7275 * 2) = 1 -> "Balls"
    ballots = Ballots.from_rankings(CANDS, [["Abbott"]] * 2 + [["Balls"]] * 2 + [["Miliband"]] * 5
                                    + [["Burnham"]] * 3)
    note = count(rules(TieBreakMode.RANDOM, 42), ballots).rounds[0].tie_breaks[0]
    assert note.chosen == "Balls"
    assert note.reason == "Abbott and Balls tied on 2; Balls drawn by lot, seed 42"
    # a three-way tie: the same first draw picks index 2 of the sorted names
    tb = TieBreaker(TieBreak(TieBreakMode.RANDOM, 42), CANDS)
    first = tb.choose(["Miliband", "Abbott", "Burnham"], round_number=1, purpose="elimination",
                      history=[], votes=1)
    assert first.chosen == "Miliband"  # sorted: Abbott, Burnham, Miliband; floor(0.7275*3) = 2


def test_previous_rounds_fall_back_to_lot_when_level_throughout():
    ballots = Ballots.from_rankings(CANDS, [["Abbott"]] * 2 + [["Balls"]] * 2 + [["Miliband"]] * 5
                                    + [["Burnham"]] * 3)
    note = count(rules(TieBreakMode.PREVIOUS_ROUNDS_THEN_RANDOM, 42), ballots).rounds[0]
    assert note.tie_breaks[0].reason == "Abbott and Balls tied on 2; Balls drawn by lot, seed 42"


def test_generated_permutation_is_the_seeded_shuffle_of_sorted_names():
    tb = TieBreaker(TieBreak(TieBreakMode.GENERATE_PERMUTATION, 12345), CANDS)
    assert sorted(tb.permutation) == sorted(CANDS)
    loser = tb.choose(["Abbott", "Balls"], round_number=1, purpose="elimination", history=[],
                      votes=2)
    later = [c for c in reversed(tb.permutation) if c in ("Abbott", "Balls")][0]
    assert loser.chosen == later
    assert "permutation drawn by lot (seed 12345)" in loser.reason


def test_stop_mode_refuses_with_a_message():
    ballots = Ballots.from_rankings(CANDS, [["Abbott"]] * 2 + [["Balls"]] * 2 + [["Miliband"]] * 4
                                    + [["Burnham"]] * 3)
    with pytest.raises(UnbrokenTieError) as err:
        count(rules(TieBreakMode.STOP), ballots)
    assert str(err.value) == (
        "round 1: Abbott and Balls tied on 2 for elimination; the rules say to stop the count "
        "(tie-break mode 'stop')"
    )


def test_election_tie_between_last_two():
    ballots = Ballots.from_rankings(CANDS[:2], [["Abbott"]] * 3 + [["Balls"]] * 3)
    result = count(Rules(CANDS[:2], tie_break=TieBreak(TieBreakMode.CANDIDATE_ORDER)), ballots)
    assert result.winners == ("Abbott",)
    assert result.rounds[0].tie_breaks[0].purpose == "election"
