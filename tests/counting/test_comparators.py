"""FPTP and Condorcet (Schulze) on hand-checked elections."""

from __future__ import annotations

from hustings.counting import Ballots, Method, Rules, TieBreak, TieBreakMode, count

CYCLE = [["A", "B", "C"]] * 4 + [["B", "C", "A"]] * 3 + [["C", "A", "B"]] * 2


def test_schulze_breaks_a_cycle_by_the_strongest_paths():
    # A>B 6-3, B>C 7-2, C>A 5-4: a cycle. Strongest paths: A->B 6, A->C min(6,7)=6,
    # C->A 5: A beats both, so A wins.
    result = count(Rules(tuple("ABC"), method=Method.CONDORCET),
                   Ballots.from_rankings("ABC", CYCLE))
    assert result.pairwise == ((0, 6, 4), (3, 0, 7), (5, 2, 0))
    assert result.winners == ("A",)
    note = result.rounds[0].tie_breaks[0]
    assert note.chosen == "A"
    assert note.reason.startswith("no Condorcet winner")
    assert dict(result.rounds[0].tally) == {"A": 4, "B": 3, "C": 2}


def test_condorcet_winner_who_loses_irv():
    # B is everyone's second choice and beats A and C head to head, but has the fewest
    # first preferences, so IRV eliminates B first.
    rankings = [["A", "B", "C"]] * 4 + [["C", "B", "A"]] * 4 + [["B", "A", "C"]] * 2
    ballots = Ballots.from_rankings("ABC", rankings)
    schulze = count(Rules(tuple("ABC"), method=Method.CONDORCET), ballots)
    assert schulze.winners == ("B",)
    assert not schulze.rounds[0].tie_breaks
    irv = count(Rules(tuple("ABC")), ballots)
    assert irv.rounds[0].eliminated == ("B",)
    assert irv.winners == ("A",)


def test_fptp_several_seats_and_a_tie_for_the_last():
    ballots = Ballots.from_rankings("ABCD", [["A"]] * 5 + [["B"]] * 3 + [["C"]] * 3 + [["D"]])
    rules = Rules(tuple("ABCD"), method=Method.FPTP, seats=2,
                  tie_break=TieBreak(TieBreakMode.CANDIDATE_ORDER))
    result = count(rules, ballots)
    assert result.winners == ("A", "B")
    (note,) = result.rounds[0].tie_breaks
    assert note.tied == ("B", "C") and note.purpose == "election"
    assert result.rounds[0].threshold == 3
