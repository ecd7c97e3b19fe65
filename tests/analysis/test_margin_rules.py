"""What the margin refuses, and how ballots are read for it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from hustings.analysis import UnsupportedRulesError
from hustings.analysis.margin import college_margins, margin
from hustings.analysis.preferences import read_profile
from hustings.counting import (
    BallotRules,
    Ballots,
    Method,
    OvervoteRule,
    Rules,
    Section,
)

CANDS = ("A", "B", "C")


def test_stv_is_refused():
    ballots = Ballots.from_rankings(CANDS, [["A"], ["B"]])
    with pytest.raises(UnsupportedRulesError, match="alternative vote .*not stv for 2"):
        margin(Rules(CANDS, method=Method.STV, seats=2), ballots)


def test_a_college_is_asked_per_section():
    rules = Rules(CANDS, sections=(Section("X", Fraction(1, 2)), Section("Y", Fraction(1, 2))))
    ballots = Ballots.from_rankings(CANDS, [["A"], ["B"]], sections=["X", "Y"],
                                    section_names=("X", "Y"))
    with pytest.raises(UnsupportedRulesError, match="college_margins"):
        margin(rules, ballots)
    x, y = college_margins(rules, ballots)
    assert (x.section, y.section) == ("X", "Y")


def test_an_overvote_rule_that_depends_on_who_continues_is_refused():
    rules = Rules(CANDS, ballot_rules=BallotRules(
        overvote=OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING))
    ballots = Ballots.from_rankings(CANDS, [[{"A", "B"}, "C"], ["B"]])
    with pytest.raises(UnsupportedRulesError, match="exhaust-if-multiple-continuing"):
        margin(rules, ballots)


def test_ballots_are_read_as_the_count_reads_them():
    ballots = Ballots.from_rankings(
        CANDS, [["A", None, "B"], [{"A", "B"}, "C"], ["B", "B", "C"], ["C", "A"]])
    plain = read_profile(Rules(CANDS), ballots).counts[0]
    # a skipped rank is passed over; an overvote exhausts; a repeat is passed over
    assert plain == {(0, 1): 1, (): 1, (1, 2): 1, (2, 0): 1}
    strict = Rules(CANDS, excluded=frozenset({"A"}), ballot_rules=BallotRules(
        max_skipped_ranks=0, exhaust_on_duplicate=True, overvote=OvervoteRule.ALWAYS_SKIP))
    profile = read_profile(strict, ballots)
    assert profile.candidates == ("B", "C")
    assert profile.counts[0] == {(): 1, (1,): 2, (0,): 1}


def test_one_candidate_has_no_margin():
    m = margin(Rules(("A",)), Ballots.from_rankings(("A",), [["A"]]))
    assert m.ballots is None and m.winner == "A"

