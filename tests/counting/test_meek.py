"""Meek STV: the textbook election, and what Meek must share with IRV and Gregory STV."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from test_properties import ballots_of, elections
from test_stv import FOOD, FOOD_BALLOTS

from hustings.counting import Ballots, Method, Rules, TieBreak, TieBreakMode, count

ORDER = TieBreak(TieBreakMode.CANDIDATE_ORDER)


def test_food_election_by_meek():
    result = count(Rules(FOOD, method=Method.MEEK_STV, seats=3),
                   Ballots.from_rankings(FOOD, FOOD_BALLOTS))
    assert set(result.winners) == {"Chocolate", "Oranges", "Strawberries"}
    r1, r2 = result.rounds[:2]
    assert r1.threshold == 5  # (20 - 0) / (3 + 1); more than the quota is needed
    assert r1.elected == ("Chocolate",)
    # Chocolate keeps 5/12 of each vote: Strawberries 1 + 8 x 7/12, Hamburgers 1 + 4 x 7/12
    assert abs(r2.tally["Strawberries"] - Fraction(17, 3)) < Fraction(1, 10**4)
    assert abs(r2.tally["Hamburgers"] - Fraction(10, 3)) < Fraction(1, 10**4)
    assert r2.elected == ("Strawberries",)


@settings(max_examples=30, deadline=None)
@given(elections(min_candidates=2, max_candidates=5))
def test_one_seat_meek_is_irv(election):
    cands, rankings, weights = election
    ballots = ballots_of(cands, rankings, weights)
    meek = count(Rules(cands, method=Method.MEEK_STV, tie_break=ORDER), ballots)
    irv = count(Rules(cands, tie_break=ORDER), ballots)
    assert meek.winners == irv.winners


@settings(max_examples=30, deadline=None)
@given(elections(min_candidates=3, max_candidates=5))
def test_meek_conserves_votes_and_fills_the_seats(election):
    cands, rankings, weights = election
    result = count(Rules(cands, method=Method.MEEK_STV, seats=2, tie_break=ORDER),
                   ballots_of(cands, rankings, weights))
    assert len(result.winners) == 2 and len(set(result.winners)) == 2
    valid = result.total_ballots - result.undervotes
    for rnd in result.rounds:
        assert rnd.sections[0].continuing + rnd.sections[0].exhausted == valid
