"""STV on textbook examples whose results are known.

The "food election" (Wikipedia, *Single transferable vote*, worked example; 20 voters,
3 seats, Droop quota 6): Chocolate is elected on first preferences with a surplus of 6,
half of each Chocolate ballot moves on (Strawberries +4, Hamburgers +2), Pears is
eliminated and elects Oranges, Hamburgers is eliminated and Strawberries takes the last
seat. Winners: Chocolate, Oranges, Strawberries.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from hustings.counting import (
    RESIDUAL,
    Ballots,
    Method,
    Quota,
    Rules,
    count,
)
from hustings.counting.errors import CountingError

FOOD = ("Oranges", "Pears", "Chocolate", "Strawberries", "Hamburgers")
FOOD_BALLOTS = (
    [["Oranges"]] * 4 + [["Pears", "Oranges"]] * 2 + [["Chocolate", "Strawberries"]] * 8
    + [["Chocolate", "Hamburgers"]] * 4 + [["Strawberries"]] + [["Hamburgers"]]
)


def food(**kw):
    rules = Rules(FOOD, method=Method.STV, seats=3, **kw)
    return count(rules, Ballots.from_rankings(FOOD, FOOD_BALLOTS))


@pytest.mark.parametrize("places", [4, 1, None])
def test_food_election(places):
    result = food(decimal_places=places)
    assert result.winners == ("Chocolate", "Oranges", "Strawberries")
    r1, r2, r3 = result.rounds[:3]
    assert r1.threshold == 6
    assert r1.elected == ("Chocolate",)
    moved = {t.target: t.votes for t in r1.transfers}
    assert moved == {"Strawberries": 4, "Hamburgers": 2}
    assert dict(r2.tally) == {
        "Oranges": 4, "Pears": 2, "Chocolate": 6, "Strawberries": 5, "Hamburgers": 3,
    }
    assert r2.eliminated == ("Pears",)
    assert r3.elected == ("Oranges",)
    assert result.rounds[3].eliminated == ("Hamburgers",)


def test_surplus_rounds_down_and_leaves_a_residual():
    # 7 for A (then B), 3 for B, 2 for C; 2 seats: quota floor(12/3)+1 = 5.
    # A's surplus fraction 2/7 = 0.2857 (4 places): each ballot moves 0.2857, 7 of them
    # 1.9999; the 0.0001 rounding leaves goes to the residual.
    ballots = Ballots.from_rankings("ABC", [["A", "B"]] * 7 + [["B"]] * 3 + [["C"]] * 2)
    result = count(Rules(tuple("ABC"), method=Method.STV, seats=2), ballots)
    r1, r2 = result.rounds[:2]
    assert r1.threshold == 5
    moved = {t.target: t.votes for t in r1.transfers}
    assert moved == {"B": Fraction("1.9999"), RESIDUAL: Fraction("0.0001")}
    assert r2.tally["B"] == Fraction("4.9999")
    assert r2.tally["A"] == 5
    assert result.winners[0] == "A"
    # exact fractions: no residual at all
    exact = count(Rules(tuple("ABC"), method=Method.STV, seats=2, decimal_places=None),
                  ballots)
    assert {t.target: t.votes for t in exact.rounds[0].transfers} == {"B": 2}
    assert exact.rounds[1].tally["B"] == 5


def test_hare_quota_rounds_up():
    result = food(quota=Quota.HARE)
    assert result.rounds[0].threshold == 7  # ceil(20 / 3)
    assert result.winners[0] == "Chocolate"


def test_non_integer_droop():
    result = food(non_integer_threshold=True)
    assert result.rounds[0].threshold == Fraction("5.0001")  # 20/4 + 0.0001


def test_one_winner_per_round():
    # A and B both over quota in round 1; one per round: A (more votes) first.
    ballots = Ballots.from_rankings("ABCD", [["A"]] * 5 + [["B"]] * 4 + [["C"]] * 2
                                    + [["D"]] * 1)
    rules = Rules(tuple("ABCD"), method=Method.STV, seats=2, stv_one_winner_per_round=True)
    result = count(rules, ballots)
    assert result.rounds[0].threshold == 5  # floor(12/3) + 1 ... B has 4, so only A
    assert result.rounds[0].elected == ("A",)
    both = count(Rules(tuple("ABCD"), method=Method.STV, seats=2),
                 Ballots.from_rankings("ABCD", [["A"]] * 5 + [["B"]] * 5 + [["C"]] * 2))
    assert set(both.rounds[0].elected) == {"A", "B"}
    single = count(Rules(tuple("ABCD"), method=Method.STV, seats=2,
                         stv_one_winner_per_round=True),
                   Ballots.from_rankings("ABCD", [["A"]] * 6 + [["B"]] * 5 + [["C"]] * 2))
    assert single.rounds[0].elected == ("A",)
    assert single.rounds[1].elected == ("B",)


def test_last_surplus_is_booked_as_final_round_surplus():
    result = food()
    last = result.rounds[-1]
    from hustings.counting import InactiveReason
    assert InactiveReason.FINAL_ROUND_SURPLUS in last.sections[0].inactive
    assert all(InactiveReason.FINAL_ROUND_SURPLUS not in r.sections[0].inactive
               for r in result.rounds[:-1])
    for rnd in result.rounds:
        residual = sum(t.votes for r in result.rounds[:rnd.number - 1] for t in r.transfers
                       if t.target == RESIDUAL)
        assert sum(rnd.tally.values()) + rnd.sections[0].exhausted + residual == 20


def test_college_is_for_irv_only():
    from hustings.counting import Section
    rules = Rules(FOOD, method=Method.STV, seats=2,
                  sections=(Section("a", Fraction(1, 2)), Section("b", Fraction(1, 2))))
    with pytest.raises(CountingError, match="electoral college .* IRV only, not stv"):
        count(rules, Ballots.from_rankings(FOOD, FOOD_BALLOTS, sections=["a"] * 20,
                                           section_names=("a", "b")))
