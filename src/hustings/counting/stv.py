"""STV counted round by round, as RCTab's multi-winner modes (``Tabulator.tabulate``).

The quota is set once, from round 1's active votes. Each round those on or above it are
elected (with ``stv_one_winner_per_round``, only the highest); when no one is, a candidate
is eliminated as in ``elimination``. When the continuing candidates are no more than the
seats left, they all win.

Surplus (weighted inclusive Gregory, as RCTab's ``Tabulator`` and Scottish STV practice):
when a candidate reaches the quota with ``votes``, the surplus fraction is
``(votes - quota) / votes`` rounded *down* to the declared decimal places; every ballot
the candidate holds then moves on at its value times that fraction, again rounded down.
What rounding leaves with the winner above the quota is the "residual surplus". After the
last seat is filled the count shows one more round, in which the last surplus moves
(unless ``stop_when_seats_filled``).
"""

from __future__ import annotations

from fractions import Fraction

from hustings.counting.elimination import losers
from hustings.counting.quota import Threshold, floor_to, quota_threshold
from hustings.counting.rules import Rules
from hustings.counting.standing import Progress, Standing, Ties


def surplus_fraction(extra: Fraction, votes: Fraction, rules: Rules) -> Fraction:
    """The share of each ballot's value that moves on (0 when there is no surplus)."""
    if extra <= 0 or votes <= 0:
        return Fraction(0)
    exact = extra / votes
    if rules.decimal_places is None:
        return exact
    return floor_to(exact, rules.decimal_places)


class Stv:
    """Several seats, a quota, and surpluses moved on."""

    moves_surplus = True

    def __init__(self, rules: Rules, ties: Ties) -> None:
        self.rules, self.ties = rules, ties

    def threshold(self, active_votes: Fraction) -> Threshold:
        return quota_threshold(self.rules, active_votes, self.rules.seats)

    def more_rounds(self, progress: Progress) -> bool:
        if progress.unfilled > 0:
            return progress.anyone_continuing()
        # One more round shows the surplus of the last winners moved.
        last_round = max(progress.won_in.values(), default=0)
        return (not self.rules.stop_when_seats_filled
                and last_round == progress.rounds_counted)

    def elect(self, standing: Standing, progress: Progress) -> list[str]:
        if progress.unfilled <= 0 or standing.write_ins_hold_votes():
            return []  # the seats are filled, or write-ins must go first (RCTab)
        chosen = self._reaching(standing, progress)
        rules = self.rules
        if len(chosen) > 1 and (rules.stv_one_winner_per_round
                                or rules.first_round_determines_threshold):
            chosen = [self.ties.top(standing, chosen)]  # the others wait a round
        return standing.by_votes(chosen)

    def _reaching(self, standing: Standing, progress: Progress) -> list[str]:
        """RCTab ``identifyWinners``, before the one-per-round rule."""
        contenders = standing.contenders
        if len(standing.figures) <= progress.unfilled:
            return contenders  # no more continuing candidates than seats: all win
        if (self.rules.first_round_determines_threshold
                and len(standing.figures) == progress.seats + 1):
            # RCTab: with the threshold fixed in round 1 it may be out of reach; one more
            # candidate than seats left, the highest wins.
            best = max(standing.figures.values())
            return [c for c in contenders if standing.figures[c] == best]
        return [c for c in contenders if standing.threshold.met_by(standing.figures[c])]

    def must_eliminate(self, progress: Progress) -> bool:
        return progress.unfilled > 0

    def eliminate(self, standing: Standing, progress: Progress) -> list[str]:
        return losers(self.rules, standing, progress, self.ties)
