"""What it takes to be elected: majorities, quotas and college shares.

* Plain AV (one section): more than half the continuing votes, i.e. floor(votes/2) + 1
  (Labour Rule Book, Chapter 4, Clause II, procedural rules for the ballot: a candidate
  with more than half the votes is elected, else the lowest is eliminated and their
  votes redistributed; RCTab's ``singleWinnerMajority`` threshold).
* Electoral college (several sections, Rule Book 2007-2010, Chapter 4, Clause II): each
  section's votes are taken as percentages of that section's votes and weighted by the
  section's share of the college; more than 50% of the weighted total wins. Exhausted
  ballots leave a section's denominator, so each round every section again shares out its
  full weight (the published tables show each round as 100%).
* STV: Droop, floor(votes / (seats + 1)) + 1, or Hare, votes / seats rounded *up*, taken
  once from the first round's active votes (RCTab ``setWinningThreshold``); with
  ``non_integer_threshold`` the Droop quota is votes / (seats + 1) rounded down to the
  declared decimal places plus one unit of the last place (also ``Quota.DROOP_EXACT``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from hustings.counting.rules import Quota, Rules


def floor_to(x: Fraction, places: int) -> Fraction:
    unit = 10**places
    return Fraction(math.floor(x * unit), unit)


def ceil_to(x: Fraction, places: int) -> Fraction:
    unit = 10**places
    return Fraction(math.ceil(x * unit), unit)


@dataclass(frozen=True)
class Threshold:
    """What it takes to be elected in a round: ``votes`` or more (more than, when strict)."""

    votes: Fraction
    strict: bool = False  # "more than": the college's half, or an exact Droop quota

    def met_by(self, figure: Fraction) -> bool:
        return figure > self.votes if self.strict else figure >= self.votes


def college_threshold(rules: Rules) -> Threshold:
    """Half the weighted total, in percent: strictly more is needed to win."""
    return Threshold(sum((s.weight for s in rules.sections), Fraction(0)) * 100 / 2, strict=True)


def quota_threshold(rules: Rules, active_votes: Fraction, seats: int) -> Threshold:
    """RCTab ``setWinningThreshold``: Droop (``floor(votes / (seats + 1)) + 1``) or Hare
    (``ceil(votes / seats)``), in whole votes or, unrounded, in the declared places; with
    exact fractions an unrounded Droop quota is "more than votes / (seats + 1)"."""
    hare = rules.quota is Quota.HARE
    divisor = seats if hare else seats + 1
    unrounded = rules.non_integer_threshold or rules.quota is Quota.DROOP_EXACT
    if unrounded and rules.decimal_places is None:
        # Exact arithmetic: "more than votes/(seats+1)" cannot be written as a figure.
        return Threshold(active_votes / divisor, strict=not hare)
    places = rules.decimal_places if unrounded and rules.decimal_places is not None else 0
    if hare:
        return Threshold(ceil_to(active_votes / divisor, places))
    return Threshold(floor_to(active_votes / divisor, places) + Fraction(1, 10**places))


def percentage_threshold(share: Fraction, active_votes: Fraction) -> Threshold:
    """Bottoms-up by percentage: ``share`` of the active votes, met at or above it
    (RCTab ``setWinningThreshold`` in ``bottomsUpUsingPercentageThreshold`` mode)."""
    return Threshold(active_votes * share)


def college_shares(
    votes: Mapping[str, Fraction], weight: Fraction
) -> dict[str, Fraction]:
    """One section's weighted shares (percent of the whole college).

    Exhausted ballots leave the section's denominator, so every round each section again
    shares out its full weight among the continuing candidates.
    """
    total = sum(votes.values(), Fraction(0))
    if total == 0:
        return {c: Fraction(0) for c in votes}
    return {c: v / total * weight * 100 for c, v in votes.items()}
