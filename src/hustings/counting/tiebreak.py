"""Breaking ties for elimination or election, with a reason a scrutineer can check.

The ``PREVIOUS_ROUNDS`` mode is the usual returning-officer practice for a tie for
last place (the one lower at the latest earlier stage where they differed goes; lot if
they never differed). Which mode a contest uses is part of its rule book preset
(``[count.tie_break]``), never assumed here. The lot and permutation modes
reproduce RCTab's ``Tiebreak`` exactly (same ``java.util.Random`` draws, same name order),
so RCTab's published results can be checked here.

One ``TieBreaker`` lives for one count: the random generator is created once from the
seed, and every draw advances it, as RCTab does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

from hustings.counting.errors import UnbrokenTieError
from hustings.counting.javarandom import (
    JavaRandom,
    java_hash_set_order,
    java_sorted,
)
from hustings.counting.result import TieBreakNote
from hustings.counting.rules import TieBreak, TieBreakMode

_RANDOM_MODES = (
    TieBreakMode.RANDOM,
    TieBreakMode.PREVIOUS_ROUNDS,
    TieBreakMode.PREVIOUS_ROUNDS_THEN_RANDOM,
)


def fmt(x: Fraction) -> str:
    """A vote figure as people write it: 5, 2.5 or 1/3."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:  # a terminating decimal
        digits = 0
        while (x * 10**digits).denominator != 1:
            digits += 1
        return f"{x.numerator / x.denominator:.{digits}f}" if digits < 15 else str(x)
    return str(x)


def and_list(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class TieBreaker:
    """Decides ties for one count and writes down why."""

    def __init__(self, tie_break: TieBreak, declared: Sequence[str]) -> None:
        self.mode = tie_break.mode
        self.seed = tie_break.seed
        self.random: JavaRandom | None = None
        self.permutation = list(declared)
        if self.mode is TieBreakMode.GENERATE_PERMUTATION:
            # RCTab sorts the candidate list, then shuffles it once with the seeded generator.
            self.permutation = java_sorted(declared)
            JavaRandom(self.seed).shuffle(self.permutation)
        elif self.mode in _RANDOM_MODES:
            self.random = JavaRandom(self.seed)

    def _lot(self, tied: list[str]) -> str:
        assert self.random is not None
        return tied[math.floor(self.random.next_double() * len(tied))]

    def choose(
        self,
        tied: Sequence[str],
        *,
        round_number: int,
        purpose: str,
        history: Sequence[Mapping[str, Fraction]],
        votes: Fraction,
    ) -> TieBreakNote:
        """Pick the loser (``purpose="elimination"``) or winner (``"election"``) among ``tied``.

        ``history`` holds the tallies of earlier rounds (round 1 first), each a map
        candidate -> the figure the decision is taken on (votes, or college shares).
        """
        winner = purpose == "election"
        names = java_sorted(tied)
        said = f"{and_list(names)} tied on {fmt(votes)}"
        mode = self.mode
        if mode is TieBreakMode.STOP:
            raise UnbrokenTieError(
                f"round {round_number}: {said} for {purpose}; the rules say to stop the count "
                "(tie-break mode 'stop')"
            )
        if mode in (TieBreakMode.CANDIDATE_ORDER, TieBreakMode.GENERATE_PERMUTATION):
            order = self.permutation if winner else self.permutation[::-1]
            chosen = next(c for c in order if c in set(names))
            where = "declared order" if mode is TieBreakMode.CANDIDATE_ORDER else (
                f"the permutation drawn by lot (seed {self.seed})"
            )
            reason = f"{said}; {chosen} is {'first' if winner else 'last'} of them in {where}"
            return TieBreakNote(round_number, purpose, tuple(names), chosen, reason)
        if mode is TieBreakMode.RANDOM:
            chosen = self._lot(names)
            return TieBreakNote(
                round_number, purpose, tuple(names), chosen,
                f"{said}; {chosen} drawn by lot, seed {self.seed}",
            )
        # Previous rounds: go back round by round, keeping those lowest (highest for an
        # election) each time, until one is left; then lot among those still level.
        contention = names
        for back in range(round_number - 1, 0, -1):
            tally = history[back - 1]
            # RCTab iterates a HashSet here; the order matters only for a later lot.
            contention = java_hash_set_order(contention)
            figures = {c: tally.get(c, Fraction(0)) for c in contention}
            pick = max(figures.values()) if winner else min(figures.values())
            contention = [c for c in contention if figures[c] == pick]
            if len(contention) == 1:
                chosen = contention[0]
                others = " ".join(
                    f"{c} {fmt(figures[c])}" for c in java_sorted(figures) if c != chosen
                )
                reason = (
                    f"{said}; {chosen} {'higher' if winner else 'lower'} in round {back} "
                    f"({fmt(pick)} against {others})"
                )
                return TieBreakNote(round_number, purpose, tuple(names), chosen, reason)
        chosen = self._lot(contention)
        level = "" if round_number == 1 else " and in every earlier round"
        reason = f"{said}{level}; {chosen} drawn by lot, seed {self.seed}"
        return TieBreakNote(round_number, purpose, tuple(names), chosen, reason)
