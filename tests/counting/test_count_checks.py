"""``count()`` checks the rules, then dispatches: a rule set a method cannot count is
refused in one place, with one message, before any ballot is read."""

from __future__ import annotations

from fractions import Fraction

import pytest

from hustings.counting import (
    BallotRules,
    Ballots,
    Method,
    OvervoteRule,
    Rules,
    RulesError,
    Section,
    count,
)

CANDS = ("A", "B")
COLLEGE = (Section("MPs", Fraction(1, 3)), Section("members", Fraction(2, 3)))
# Ballots naming someone the rules do not know: reading them would raise BallotsError, so a
# RulesError shows the rules were refused first.
STRANGER = Ballots.from_rankings(("A", "B", "Z"), [["Z"]])


@pytest.mark.parametrize("method", [m for m in Method if m is not Method.IRV])
def test_a_college_is_counted_by_irv_only(method: Method) -> None:
    rules = Rules(CANDS, method=method, sections=COLLEGE, bottoms_up_threshold=Fraction(1, 10))
    with pytest.raises(RulesError, match=f"^an electoral college \\(several sections\\) is "
                                         f"counted by IRV only, not {method.value}$"):
        count(rules, STRANGER)


@pytest.mark.parametrize(("rules", "message"), [
    (Rules(CANDS, method=Method.BOTTOMS_UP_PERCENTAGE),
     "method bottoms-up-percentage needs bottoms_up_threshold (a share such as 15%)"),
    (Rules(CANDS, method=Method.MEEK_PRF, decimal_places=None),
     "meek-prf counts in fixed decimal places (9 in the rule); exact fractions are what "
     "method meek-stv does"),
    (Rules(CANDS, method=Method.SCOTTISH_STV, ballot_rules=BallotRules(
        OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING)),
     "method scottish-stv reads each paper's preferences once; overvote rule "
     "'exhaust-if-multiple-continuing' is not one it can apply (use exhaust-immediately or "
     "always-skip)"),
])
def test_rules_a_method_cannot_count_are_refused_before_the_ballots(rules: Rules,
                                                                    message: str) -> None:
    with pytest.raises(RulesError) as refused:
        count(rules, STRANGER)
    assert str(refused.value) == message


def test_good_rules_go_on_to_the_ballots() -> None:
    from hustings.counting import BallotsError

    with pytest.raises(BallotsError, match="the ballots name 'Z'"):
        count(Rules(CANDS), STRANGER)


def test_the_bottoms_up_share_is_a_threshold_for_bottoms_up_percentage_only() -> None:
    """RCTab setWinningThreshold uses multiSeatBottomsUpPercentageThreshold only in that
    mode; a share left in another rule set does not change the STV quota."""
    cands = ("A", "B", "C")
    ballots = Ballots.from_rankings(cands, [["A"]] * 5 + [["B"]] * 3 + [["C"]] * 2)
    stv = count(Rules(cands, method=Method.STV, seats=2,
                      bottoms_up_threshold=Fraction(15, 100)), ballots)
    assert stv.rounds[0].threshold == 4  # Droop: floor(10 / 3) + 1, not 15% of 10
    share = count(Rules(cands, method=Method.BOTTOMS_UP_PERCENTAGE, seats=2,
                        bottoms_up_threshold=Fraction(15, 100)), ballots)
    assert share.rounds[0].threshold == Fraction(3, 2)
