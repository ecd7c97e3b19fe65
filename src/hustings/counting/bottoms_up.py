"""RCTab's bottoms-up modes: eliminate from the bottom, no surplus ever moves.

* ``bottomsUp`` (``Method.BOTTOMS_UP``): eliminate one (or a batch) per round until no
  more candidates continue than there are seats; they all win.
* ``bottomsUpUsingPercentageThreshold`` (``Method.BOTTOMS_UP_PERCENTAGE``): eliminate
  until every continuing candidate holds at least a share of the votes
  (``Rules.bottoms_up_threshold``); they all win. With ``cutoff_elimination`` everyone
  under the share goes at once.
"""

from __future__ import annotations

from fractions import Fraction

from hustings.counting.elimination import losers
from hustings.counting.quota import Threshold, percentage_threshold, quota_threshold
from hustings.counting.rules import Rules
from hustings.counting.standing import Progress, Standing, Ties


class BottomsUp:
    """Eliminate until the continuing candidates fit the seats."""

    moves_surplus = False

    def __init__(self, rules: Rules, ties: Ties) -> None:
        self.rules, self.ties = rules, ties

    def threshold(self, active_votes: Fraction) -> Threshold:
        # Reported as RCTab does; no one is elected on it.
        return quota_threshold(self.rules, active_votes, self.rules.seats)

    def more_rounds(self, progress: Progress) -> bool:
        return progress.unfilled > 0 and progress.anyone_continuing()

    def elect(self, standing: Standing, progress: Progress) -> list[str]:
        if progress.unfilled <= 0 or standing.write_ins_hold_votes():
            return []
        figures, contenders = standing.figures, standing.contenders
        if len(figures) <= progress.unfilled:
            chosen = contenders  # they fit the seats left
        elif (self.rules.first_round_determines_threshold
              and len(figures) == progress.seats + 1):
            # RCTab identifyWinners: one more candidate than seats, the highest wins.
            best = max(figures.values())
            chosen = [c for c in contenders if figures[c] == best]
        elif progress.seats == 1 and len(figures) == 2:
            # RCTab: a one-seat count never leaves one candidate alone; the higher wins.
            return [self.ties.top(standing, contenders)]
        else:
            return []
        if len(chosen) > 1 and (self.rules.stv_one_winner_per_round
                                or self.rules.first_round_determines_threshold):
            chosen = [self.ties.top(standing, chosen)]
        return standing.by_votes(chosen)

    def must_eliminate(self, progress: Progress) -> bool:
        return progress.unfilled > 0

    def eliminate(self, standing: Standing, progress: Progress) -> list[str]:
        return losers(self.rules, standing, progress, self.ties)


class BottomsUpPercentage:
    """Eliminate until everyone left holds the threshold share; then they all win."""

    moves_surplus = False

    def __init__(self, rules: Rules, ties: Ties) -> None:
        assert rules.bottoms_up_threshold is not None, "count() checks the rules first"
        self.rules, self.ties = rules, ties
        self.share = Fraction(rules.bottoms_up_threshold)

    def threshold(self, active_votes: Fraction) -> Threshold:
        return percentage_threshold(self.share, active_votes)

    def more_rounds(self, progress: Progress) -> bool:
        return not progress.won_in  # the count ends the round its winners are found

    def elect(self, standing: Standing, progress: Progress) -> list[str]:
        figures = standing.figures
        if standing.write_ins_hold_votes() or not figures:
            return []
        if all(standing.threshold.met_by(v) for v in figures.values()):
            return standing.by_votes(standing.contenders)
        return []

    def must_eliminate(self, progress: Progress) -> bool:
        return True  # until everyone left holds the share

    def eliminate(self, standing: Standing, progress: Progress) -> list[str]:
        return losers(self.rules, standing, progress, self.ties,
                      cutoff=self.rules.cutoff_elimination)
