"""Each ballot-interpretation rule on small hand-checked ballots.

Three candidates A, B, C. The ballots are built so that C is eliminated first, and we
look at where C's ballots (or the odd ballot) go in round 2.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from hustings.counting import (
    BallotRules,
    Ballots,
    InactiveReason,
    OvervoteRule,
    Rules,
    count,
)
from hustings.counting.ballots import OVERVOTE

CANDS = ("A", "B", "C")
# Background: A 5, B 4 first preferences, neither transferring; C is eliminated first.
BACKGROUND = [["A"]] * 5 + [["B"]] * 4


def run(extra, **ballot_rules):
    ballots = Ballots.from_rankings(CANDS, BACKGROUND + extra)
    return count(Rules(CANDS, ballot_rules=BallotRules(**ballot_rules)), ballots)


def inactive(rnd, reason):
    return rnd.sections[0].inactive[reason]


def test_blank_ranks_are_skipped_without_a_limit():
    result = run([["C", None, None, "B"]] * 3)
    assert result.rounds[1].tally["B"] == 7


def test_too_many_skipped_ranks_exhaust_the_ballot():
    # Two blanks before B: more than one allowed, so the ballot is inactive when C goes.
    result = run([["C", None, None, "B"]] * 3, max_skipped_ranks=1)
    r2 = result.rounds[1]
    assert r2.tally["B"] == 4
    assert inactive(r2, InactiveReason.SKIPPED_RANKINGS) == 3
    # One blank is allowed.
    result = run([["C", None, "B"]] * 3, max_skipped_ranks=1)
    assert result.rounds[1].tally["B"] == 7


def test_leading_blanks_count_as_skipped_ranks():
    result = run([[None, None, "C"]] * 1, max_skipped_ranks=1)
    r1 = result.rounds[0]
    assert inactive(r1, InactiveReason.SKIPPED_RANKINGS) == 1
    assert "C" in r1.tally and r1.tally["C"] == 0


def test_max_rankings_ignores_later_ranks():
    result = run([["C", "A", "B"]] * 3, max_rankings=1)
    r2 = result.rounds[1]
    assert r2.tally["A"] == 5
    assert inactive(r2, InactiveReason.EXHAUSTED_CHOICES) == 3


def test_duplicate_candidate_exhausts_only_when_asked():
    dup = [["C", "C", "B"]] * 2
    assert run(dup).rounds[1].tally["B"] == 6
    r2 = run(dup, exhaust_on_duplicate=True).rounds[1]
    assert r2.tally["B"] == 4
    assert inactive(r2, InactiveReason.REPEATED_RANKINGS) == 2


def test_overvote_exhaust_immediately():
    r1 = run([[{"A", "B"}, "C"]] * 2).rounds[0]
    assert inactive(r1, InactiveReason.OVERVOTE) == 2
    assert r1.tally == {"A": 5, "B": 4, "C": 0}


def test_overvote_always_skip_goes_to_the_next_rank():
    r1 = run([[{"A", "B"}, "C"]] * 2, overvote=OvervoteRule.ALWAYS_SKIP).rounds[0]
    assert r1.tally["C"] == 2
    assert inactive(r1, InactiveReason.OVERVOTE) == 0


def test_final_overvote_under_always_skip_is_exhausted_choices():
    r1 = run([[{"A", "B"}]] * 2, overvote=OvervoteRule.ALWAYS_SKIP).rounds[0]
    assert inactive(r1, InactiveReason.EXHAUSTED_CHOICES) == 2
    assert inactive(r1, InactiveReason.OVERVOTE) == 0


def test_exhaust_if_multiple_continuing_counts_for_the_one_left():
    # Round 1: A and B both continue, so the overvote exhausts... unless only one does.
    rule = OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING
    r1 = run([[{"A", "B"}, "C"]] * 2, overvote=rule).rounds[0]
    assert inactive(r1, InactiveReason.OVERVOTE) == 2
    # Ballots C, {C, B}: when C is eliminated only B is still continuing: counts for B.
    r2 = run([["C", {"C", "B"}]] * 3, overvote=rule).rounds[1]
    assert r2.tally["B"] == 7
    assert inactive(r2, InactiveReason.OVERVOTE) == 0


def test_explicit_overvote_label():
    ranks = Ballots.from_rankings(CANDS, BACKGROUND + [["C", None, "B"]] * 2).ranks.copy()
    ranks[-2:, 1] = OVERVOTE  # C, overvote, B
    base = Ballots.from_rankings(CANDS, BACKGROUND + [["C", None, "B"]] * 2)
    ballots = Ballots(CANDS, ranks, base.weights, base.sections)
    exhaust = count(Rules(CANDS), ballots).rounds[1]
    assert inactive(exhaust, InactiveReason.OVERVOTE) == 2
    skip = count(
        Rules(CANDS, ballot_rules=BallotRules(overvote=OvervoteRule.ALWAYS_SKIP)), ballots
    ).rounds[1]
    assert skip.tally["B"] == 6


def test_undervotes_are_reported_apart_and_never_inactive():
    result = run([[None, None], [None]])
    assert result.undervotes == 2
    assert result.total_ballots == 11
    for rnd in result.rounds:
        assert rnd.sections[0].exhausted + sum(rnd.tally.values()) == 9


def test_excluded_candidates_are_passed_over_from_round_one():
    ballots = Ballots.from_rankings(CANDS, BACKGROUND + [["C", "B"]] * 3)
    result = count(Rules(CANDS, excluded=frozenset({"C"})), ballots)
    assert "C" not in result.rounds[0].tally
    assert result.rounds[0].tally == {"A": 5, "B": 7}
    assert result.winners == ("B",)


def test_weights_count_as_that_many_ballots():
    ballots = Ballots.from_rankings(CANDS, [["A"], ["B"], ["C", "B"]], weights=[5, 4, 3])
    result = count(Rules(CANDS), ballots)
    assert result.rounds[0].tally == {"A": 5, "B": 4, "C": 3}
    assert result.rounds[1].tally == {"A": 5, "B": 7}
    assert result.total_ballots == 12
    assert all(isinstance(v, Fraction) for v in result.rounds[1].tally.values())


@pytest.mark.parametrize("rule", list(OvervoteRule))
def test_every_rule_conserves_votes(rule):
    extra = [["C", {"A", "B"}, "B"], [None, "C", "C", "A"], ["C", None, None, "A"], [{"B", "C"}]]
    result = run(extra * 2, overvote=rule, max_skipped_ranks=1, exhaust_on_duplicate=True)
    for rnd in result.rounds:
        assert sum(rnd.tally.values()) + rnd.sections[0].exhausted == 17
