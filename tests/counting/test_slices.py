"""Slice reports (RCTab's tabulate by precinct / batch): the whole count's decisions, each
slice's own figures; slices add up to the whole."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from hustings.counting import Ballots, InactiveReason, Method, Rules, count

CANDS = ("A", "B", "C")


def ballots_with_precincts(rankings, precincts):
    base = Ballots.from_rankings(CANDS, rankings)
    labels = tuple(dict.fromkeys(precincts))
    codes = np.array([labels.index(p) for p in precincts], dtype=np.int32)
    return Ballots(base.candidates, base.ranks, base.weights, base.sections,
                   slices={"precinct": (labels, codes)})


RANKINGS = [["A"]] * 4 + [["B"]] * 3 + [["C", "B"]] * 2 + [["C"]] + [[None]]
PRECINCTS = ["p1", "p2"] * 5 + ["p1"]


def test_slices_add_up_to_the_whole_and_share_its_decisions():
    result = count(Rules(CANDS), ballots_with_precincts(RANKINGS, PRECINCTS))
    p1, p2 = result.slices["precinct"]["p1"], result.slices["precinct"]["p2"]
    assert p1.total_ballots + p2.total_ballots == result.total_ballots == 11
    assert p1.undervotes == 1 and p2.undervotes == 0
    for whole, a, b in zip(result.rounds, p1.rounds, p2.rounds):
        assert a.eliminated == b.eliminated == whole.eliminated
        assert a.threshold == whole.threshold
        for c, v in whole.tally.items():
            assert a.tally[c] + b.tally[c] == v
        assert (a.sections[0].exhausted + b.sections[0].exhausted
                == whole.sections[0].exhausted)
        moved = sum(t.votes for t in a.transfers) + sum(t.votes for t in b.transfers)
        assert moved == sum(t.votes for t in whole.transfers)
    # C's ballots: (C, B) in p1 and p2, C alone in p2 (rows 8, 9, 10 -> p2, p1, p2)
    r1 = p2.rounds[0]
    assert {t.target: t.votes for t in r1.transfers} == {"B": 1, "exhausted": 1}
    assert p2.rounds[1].sections[0].inactive[InactiveReason.EXHAUSTED_CHOICES] == 1


def test_stv_winner_slices_hold_what_their_ballots_kept():
    rankings = [["A", "B"]] * 7 + [["B"]] * 3 + [["C"]] * 2
    precincts = ["x"] * 4 + ["y"] * 3 + ["x"] * 5
    rules = Rules(CANDS, method=Method.STV, seats=2)
    result = count(rules, ballots_with_precincts(rankings, precincts))
    x, y = (result.slices["precinct"][k] for k in ("x", "y"))
    # A: 7 votes, quota 5, fraction 0.2857: each ballot keeps 0.7143
    assert x.rounds[1].tally["A"] == 4 * Fraction("0.7143")
    assert y.rounds[1].tally["A"] == 3 * Fraction("0.7143")
    assert result.rounds[1].tally["A"] == 5  # the whole count holds the quota (residual)
