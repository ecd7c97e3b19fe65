"""What a round's decisions read: the count's progress, the round's standing, its ties.

The methods counted round by round (``irv``, ``stv``, ``bottoms_up``) decide from these
alone; ``rounds`` keeps them up to date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from hustings.counting.quota import Threshold
from hustings.counting.result import TieBreakNote
from hustings.counting.rules import Rules
from hustings.counting.tiebreak import TieBreaker


@dataclass
class Progress:
    """Who has won or gone so far, and in which round."""

    seats: int
    in_count: int  # candidates the count started with (the excluded never are)
    continuing: np.ndarray  # bool per candidate
    won_in: dict[str, int] = field(default_factory=dict)  # in the order elected
    eliminated_in: dict[str, int] = field(default_factory=dict)
    rounds_counted: int = 0

    @property
    def winners(self) -> list[str]:
        return list(self.won_in)

    @property
    def unfilled(self) -> int:
        return self.seats - len(self.won_in)

    def anyone_continuing(self) -> bool:
        return bool(self.continuing.any())


@dataclass(frozen=True)
class Standing:
    """One round's figures as decisions see them."""

    number: int
    figures: Mapping[str, Fraction]  # continuing candidates: votes, or college shares
    threshold: Threshold
    write_in: str | None  # the undeclared write-in pseudo-candidate, if the rules have one

    @property
    def contenders(self) -> list[str]:
        """Continuing candidates who can win: everyone but the undeclared write-in."""
        return [c for c in self.figures if c != self.write_in]

    def write_ins_hold_votes(self) -> bool:
        return self.write_in is not None and self.figures.get(self.write_in, 0) != 0

    def by_votes(self, names: Sequence[str]) -> list[str]:
        """Most votes first; equal figures by name."""
        return sorted(names, key=lambda c: (-self.figures[c], c))


class Ties:
    """The count's tie-breaker, and the ties broken in the current round."""

    def __init__(self, rules: Rules) -> None:
        self.breaker = TieBreaker(rules.tie_break, rules.candidates)
        self.history: list[Mapping[str, Fraction]] = []  # earlier rounds' tallies
        self.notes: list[TieBreakNote] = []
        self.round = 0

    def start(self, number: int, history: Sequence[Mapping[str, Fraction]]) -> None:
        self.round, self.history, self.notes = number, list(history), []

    def top(self, standing: Standing, among: Sequence[str]) -> str:
        """The one of ``among`` with most votes, a tie broken by the rules."""
        best = max(standing.figures[c] for c in among)
        return self._one([c for c in among if standing.figures[c] == best], "election", best)

    def lowest(self, standing: Standing) -> str:
        """The continuing candidate with fewest votes, a tie broken by the rules."""
        low = min(standing.figures.values())
        tied = [c for c in standing.figures if standing.figures[c] == low]
        return self._one(tied, "elimination", low)

    def _one(self, tied: list[str], purpose: str, votes: Fraction) -> str:
        if len(tied) == 1:
            return tied[0]
        note = self.breaker.choose(tied, round_number=self.round, purpose=purpose,
                                   history=self.history, votes=votes)
        self.notes.append(note)
        return note.chosen
