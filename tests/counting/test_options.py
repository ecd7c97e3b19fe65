"""RCTab's tabulation options on small hand-checked elections."""

from __future__ import annotations

from fractions import Fraction

from hustings.counting import Ballots, Method, Rules, TieBreak, TieBreakMode, count

CANDS = ("A", "B", "C", "D", "E")
# A 10, B 8, C 3, D 2, E 1 (24). C+D+E = 6 < B's 8: all three can go at once.
BALLOTS = Ballots.from_rankings(
    CANDS, [["A"]] * 10 + [["B"]] * 8 + [["C", "B"]] * 3 + [["D", "B"]] * 2 + [["E", "A"]],
)


def test_batch_elimination_removes_everyone_who_cannot_catch_up():
    result = count(Rules(CANDS, batch_elimination=True), BALLOTS)
    r1 = result.rounds[0]
    assert set(r1.eliminated) == {"C", "D", "E"}
    assert r1.eliminated == ("E", "D", "C")  # lowest first
    assert dict(result.rounds[1].tally) == {"A": 11, "B": 13}
    plain = count(Rules(CANDS), BALLOTS)
    assert [r.eliminated for r in plain.rounds[:3]] == [("E",), ("D",), ("C",)]
    assert plain.winners == result.winners == ("B",)


def test_stop_after_round():
    result = count(Rules(CANDS, stop_after_round=2), BALLOTS)
    assert len(result.rounds) == 2
    assert result.winners == ()


def test_continue_until_two_remain_keeps_counting_after_a_majority():
    ballots = Ballots.from_rankings(CANDS[:3], [["A"]] * 6 + [["B"]] * 3 + [["C", "B"]] * 2)
    plain = count(Rules(CANDS[:3]), ballots)
    assert len(plain.rounds) == 1 and plain.winners == ("A",)
    longer = count(Rules(CANDS[:3], continue_until_two_remain=True), ballots)
    assert longer.winners == ("A",)
    assert dict(longer.rounds[-1].tally) == {"A": 6, "B": 5}
    # the threshold is frozen once someone has won
    assert longer.rounds[-1].threshold == longer.rounds[0].threshold == 6


def test_undeclared_write_ins_go_first_and_cannot_win():
    ballots = Ballots.from_rankings(
        ("A", "B", "Write-in"), [["Write-in", "B"]] * 5 + [["A"]] * 4 + [["B"]] * 2,
    )
    rules = Rules(("A", "B"), undeclared_write_in="Write-in")
    result = count(rules, ballots)
    assert result.rounds[0].eliminated == ("Write-in",)
    assert result.rounds[0].elected == ()
    assert result.winners == ("B",)


def test_first_round_determines_the_threshold():
    rules = Rules(CANDS, first_round_determines_threshold=True)
    result = count(rules, BALLOTS)
    assert {r.threshold for r in result.rounds} == {13}


def test_bottoms_up_until_the_seats_are_left():
    result = count(Rules(CANDS, method=Method.BOTTOMS_UP, seats=2), BALLOTS)
    assert set(result.winners) == {"A", "B"}
    assert [r.eliminated for r in result.rounds[:3]] == [("E",), ("D",), ("C",)]
    # no surplus moves in bottoms-up
    assert not result.rounds[-1].transfers


def test_bottoms_up_percentage():
    rules = Rules(CANDS, method=Method.BOTTOMS_UP_PERCENTAGE,
                  bottoms_up_threshold=Fraction(20, 100))
    result = count(rules, BALLOTS)
    assert result.rounds[0].threshold == Fraction(24 * 20, 100)
    assert set(result.winners) == {"A", "B"}
    cut = count(Rules(CANDS, method=Method.BOTTOMS_UP_PERCENTAGE, cutoff_elimination=True,
                      bottoms_up_threshold=Fraction(20, 100)), BALLOTS)
    assert set(cut.rounds[0].eliminated) == {"C", "D", "E"}


def test_multi_pass_irv_excludes_earlier_winners():
    rules = Rules(CANDS, method=Method.MULTI_PASS_IRV, seats=2,
                  tie_break=TieBreak(TieBreakMode.CANDIDATE_ORDER))
    result = count(rules, BALLOTS)
    assert result.winners == ("B", "A")
    assert len(result.passes) == 2
    assert "B" not in result.passes[1][0].tally
    assert result.passes[1][0].tally["A"] == 10
