"""IRV (the alternative vote) and the electoral college: one seat, a majority to win.

Labour Rule Book, Chapter 4, Clause II: a candidate with more than half the votes is
elected; else the lowest is eliminated and their ballots move on. The college takes each
section's votes as percentages of that section, weighted by its share of the college, and
needs more than half the weighted total. RCTab calls IRV ``singleWinnerMajority``.
"""

from __future__ import annotations

from fractions import Fraction

from hustings.counting.elimination import losers
from hustings.counting.quota import Threshold, college_threshold, quota_threshold
from hustings.counting.rules import Rules
from hustings.counting.standing import Progress, Standing, Ties


class Irv:
    """One seat: the majority of the continuing votes wins."""

    moves_surplus = False

    def __init__(self, rules: Rules, ties: Ties) -> None:
        assert rules.seats == 1, "several seats are counted by STV"
        self.rules, self.ties = rules, ties

    def threshold(self, active_votes: Fraction) -> Threshold:
        return quota_threshold(self.rules, active_votes, 1)

    def more_rounds(self, progress: Progress) -> bool:
        return progress.unfilled > 0 and progress.anyone_continuing()

    def elect(self, standing: Standing, progress: Progress) -> list[str]:
        if progress.won_in or standing.write_ins_hold_votes():
            return []  # the seat is filled, or write-ins must go first (RCTab)
        contenders = standing.contenders
        if len(standing.figures) == 1:
            return contenders  # the last one left
        if len(standing.figures) == 2:
            # RCTab identifyWinners: with two left the higher wins, even short of the
            # threshold (exhausted ballots, or a threshold fixed in round 1 by
            # first_round_determines_threshold, can leave both short of it); a tie is
            # broken by the rules.
            return [self.ties.top(standing, contenders)]
        # Two candidates cannot both hold more than half the votes.
        return [c for c in contenders if standing.threshold.met_by(standing.figures[c])]

    def must_eliminate(self, progress: Progress) -> bool:
        return progress.unfilled > 0

    def eliminate(self, standing: Standing, progress: Progress) -> list[str]:
        return losers(self.rules, standing, progress, self.ties)


class College(Irv):
    """The electoral college: more than half the weighted shares, the same every round."""

    def threshold(self, active_votes: Fraction) -> Threshold:
        return college_threshold(self.rules)
