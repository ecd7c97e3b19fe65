"""The round loop shared by IRV, the electoral college, STV and the bottoms-up modes.

Each round (Labour Rule Book, Chapter 4, Clause II; RCTab ``Tabulator.tabulate``):

1. count: round 1 reads every ballot; later rounds move on only the ballots of the
   candidates eliminated, or elected with a surplus, at the end of the round before (an
   STV winner's ballots at the surplus fraction of their value; what rounding leaves
   above the quota is booked as residual surplus);
2. set the threshold (several seats: once, in round 1; one seat: every round);
3. elect those who reach it – or, when no one does, eliminate (``elimination``).

What is elected and when is the method's: ``irv`` (IRV and the college), ``stv``,
``bottoms_up``. The count goes on while the method has seats to fill (STV shows one more
round, for the last surplus to move), or until two candidates remain if the rules say so,
or until the round the rules stop at. A round becomes a ``Round`` once, when the moves its
decisions cause are known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Protocol

import numpy as np

from hustings.counting.ballots import Ballots
from hustings.counting.bottoms_up import BottomsUp, BottomsUpPercentage
from hustings.counting.errors import BallotsError
from hustings.counting.irv import College, Irv
from hustings.counting.ledger import Ledger, Recorder
from hustings.counting.quota import Threshold
from hustings.counting.result import (
    RESIDUAL,
    Result,
    Round,
    SectionRound,
    TieBreakNote,
    Transfer,
    frozen_map,
)
from hustings.counting.rules import InactiveReason, Method, Rules
from hustings.counting.slices import SliceRounds
from hustings.counting.standing import Progress, Standing, Ties
from hustings.counting.stv import Stv, surplus_fraction
from hustings.counting.tallies import REPORTED, inactive_by_reason, section_round, transfers

FINAL = InactiveReason.FINAL_ROUND_SURPLUS


class RoundMethod(Protocol):
    """What differs between the methods counted round by round."""

    moves_surplus: bool  # elected candidates' ballots move on at the surplus fraction

    def threshold(self, active_votes: Fraction) -> Threshold: ...
    def more_rounds(self, progress: Progress) -> bool: ...
    def elect(self, standing: Standing, progress: Progress) -> list[str]: ...
    def must_eliminate(self, progress: Progress) -> bool: ...
    def eliminate(self, standing: Standing, progress: Progress) -> list[str]: ...


def round_method(rules: Rules, ties: Ties) -> RoundMethod:
    if rules.method is Method.BOTTOMS_UP_PERCENTAGE:
        return BottomsUpPercentage(rules, ties)
    if rules.method is Method.BOTTOMS_UP:
        return BottomsUp(rules, ties)
    if rules.seats > 1:
        return Stv(rules, ties)  # IRV for several seats is STV
    return College(rules, ties) if rules.is_college else Irv(rules, ties)


def candidate_names(rules: Rules, ballots: Ballots) -> list[str]:
    """Ballot candidate indices first (so the rank array is used as it is), then any
    declared candidate no ballot can name."""
    declared = set(rules.candidates)
    for c in ballots.candidates:
        if c not in declared and c != rules.undeclared_write_in:
            raise BallotsError(
                f"the ballots name {c!r}, who is not a candidate in the rules; "
                f"expected one of {list(rules.candidates)}"
            )
    names = list(ballots.candidates)
    names += [c for c in rules.candidates if c not in set(names)]
    if rules.undeclared_write_in is not None and rules.undeclared_write_in not in names:
        names.append(rules.undeclared_write_in)  # RCTab shows it even when no one used it
    return names


@dataclass(frozen=True)
class _Decided:
    """A round counted and decided, waiting for the transfers its decisions cause."""

    number: int
    sections: tuple[SectionRound, ...]
    tally: Mapping[str, Fraction]
    threshold: Fraction
    elected: tuple[str, ...]
    eliminated: tuple[str, ...]
    tie_breaks: tuple[TieBreakNote, ...]

    def close(self, moved: Iterable[Transfer], *, final_surplus: bool = False) -> Round:
        """The ``Round``, once the moves its decisions caused are known; ``final_surplus``
        shows the final-round surplus category (0 if nothing went there)."""
        sections = self.sections
        if final_surplus:
            sections = tuple(replace(sr, inactive=frozen_map(
                {**sr.inactive, FINAL: sr.inactive.get(FINAL, Fraction(0))})) for sr in sections)
        return Round(self.number, sections, frozen_map(self.tally), self.threshold,
                     self.elected, self.eliminated, tuple(moved), self.tie_breaks)


def count_rounds(rules: Rules, ballots: Ballots, *, also_excluded: frozenset[str] = frozenset(),
                 recorder: Recorder | None = None) -> Result:
    """Count ``ballots`` round by round (``count`` has checked the rules)."""
    return _RoundLoop(rules, ballots, also_excluded, recorder).run()


class _RoundLoop:
    """One count: the ledger's sums, the progress, and the rounds closed so far."""

    def __init__(self, rules: Rules, ballots: Ballots, also_excluded: frozenset[str],
                 recorder: Recorder | None) -> None:
        self.rules, self.ballots = rules, ballots
        self.ties = Ties(rules)
        self.method = round_method(rules, self.ties)
        self.names = candidate_names(rules, ballots)
        self.index = {c: i for i, c in enumerate(self.names)}
        excluded = rules.excluded | also_excluded
        continuing = np.array([c not in excluded for c in self.names], dtype=bool)
        self.progress = Progress(rules.seats, int(continuing.sum()), continuing)
        self.ledger = Ledger(rules, ballots, len(self.names), self._units_per_vote(),
                             fractional=self.method.moves_surplus, recorder=recorder)
        books = {} if rules.is_college else self.ledger.slices
        self.slices = SliceRounds(books, rules, self.names, self.ledger.frac)
        self.threshold: Threshold | None = None
        self.held: dict[str, Fraction] = {}  # STV winners' votes, once their surplus moved
        self.kept: dict[str, Fraction] = {}  # what a new STV winner keeps of its ballots
        self.rounds: list[Round] = []

    def _units_per_vote(self) -> int | None:
        """Whole votes, unless surpluses move: then the declared places (None: exact)."""
        places = self.rules.decimal_places
        if not self.method.moves_surplus:
            return 1
        return None if places is None else 10**places

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> Result:
        decided: _Decided | None = None
        moving: list[int] = []
        while self._more_rounds():
            self.progress.rounds_counted += 1
            moved, settled = self._count(moving)
            if decided is not None:
                self._close(decided, moved)
            decided, moving = self._decide(self._tallies(settled))
        if decided is not None:
            self._close(decided, (), last=True)
        slices = self.slices.results(self.rules, tuple(self.progress.winners))
        return Result(self.rules, tuple(self.rounds), tuple(self.progress.winners),
                      self.ballots.total, self.ledger.undervotes, slices=slices or None)

    def _more_rounds(self) -> bool:
        rules, progress, r = self.rules, self.progress, self.progress.rounds_counted
        if rules.stop_after_round is not None and r >= rules.stop_after_round:
            return False
        if rules.continue_until_two_remain:
            # RCTab shouldContinueTabulating: until two remain, and one more round to show
            # the last elimination's transfers.
            gone = len(progress.eliminated_in) + len(progress.won_in)
            return gone + 1 < progress.in_count or r in progress.eliminated_in.values()
        return self.method.more_rounds(progress)

    def _close(self, decided: _Decided, moved: Iterable[Transfer], *, last: bool = False
               ) -> None:
        # RCTab reports the final-round surplus in an STV count's last round.
        rnd = decided.close(moved, final_surplus=last and self.method.moves_surplus)
        self.rounds.append(rnd)
        self.slices.close(rnd)

    # -- counting ------------------------------------------------------------------------

    def _count(self, moving: list[int]) -> tuple[list[Transfer], list[int]]:
        """Count this round's ballots. Returns the transfers, which belong to the round
        before (ballots moved, then residual surplus), and the STV winners settled."""
        progress = self.progress
        if progress.rounds_counted == 1:
            self.ledger.first_count(progress.continuing)
            return [], []
        final = self.method.moves_surplus and progress.unfilled <= 0
        moved = self.ledger.move(moving, progress.continuing, final_surplus=final)
        self.slices.move(moving)
        booked = [t for s, section in enumerate(self.rules.sections)
                  for t in transfers(moved[s], moving, section.name, self.names,
                                     self.ledger.frac)]
        settled = [w for w, won in progress.won_in.items()
                   if won == progress.rounds_counted - 1 and w in self.kept]
        booked += self._settle(settled)
        return booked, [self.index[w] for w in settled]

    def _settle(self, winners: list[str]) -> list[Transfer]:
        """STV winners of the round before hold the threshold; the crumbs rounding left
        them above it are residual surplus."""
        assert self.threshold is not None
        residual: list[Transfer] = []
        section = self.rules.sections[0].name
        for w in winners:
            kept = self.kept.pop(w)
            if kept > self.threshold.votes:
                residual.append(Transfer(w, RESIDUAL, kept - self.threshold.votes, section))
                kept = self.threshold.votes
            self.held[w] = kept
        return residual

    def _tallies(self, settled: list[int]) -> tuple[SectionRound, ...]:
        """Each section's figures for the round just counted (and each slice's)."""
        self.slices.count(self.progress.continuing, settled)
        return tuple(self._section(s) for s in range(len(self.rules.sections)))

    def _section(self, s: int) -> SectionRound:
        ledger, section = self.ledger, self.rules.sections[s]
        votes = {self.names[i]: ledger.frac(ledger.tally[s, i])
                 for i in np.flatnonzero(self.progress.continuing)}
        votes.update(self.held)
        # After the last seat is filled, STV reports the surplus that goes to no one.
        filled = self.method.moves_surplus and self.progress.unfilled <= 0
        reasons = (*REPORTED, FINAL) if filled else REPORTED
        inactive = inactive_by_reason(lambda code: ledger.frac(ledger.inactive[s, code]),
                                      reasons)
        return section_round(section, votes, inactive)

    # -- deciding ------------------------------------------------------------------------

    def _decide(self, sections: tuple[SectionRound, ...]) -> tuple[_Decided, list[int]]:
        """Elect or eliminate at the end of this round; returns the round and whose
        ballots move next."""
        r = self.progress.rounds_counted
        tally, figures = self._figures(sections)
        threshold = self._threshold(figures)
        standing = Standing(r, figures, threshold, self.rules.undeclared_write_in)
        self.ties.start(r, [rnd.tally for rnd in self.rounds])
        elected = self.method.elect(standing, self.progress)
        eliminated: list[str] = []
        if elected:
            moving = self._elected(elected, standing)
        elif self._must_eliminate():
            eliminated = self.method.eliminate(standing, self.progress)
            moving = self._eliminated(eliminated)
        else:
            moving = []
        decided = _Decided(r, sections, tally, threshold.votes, tuple(elected),
                           tuple(eliminated), tuple(self.ties.notes))
        return decided, moving

    def _figures(self, sections: tuple[SectionRound, ...]
                 ) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
        """(the round's tally, the continuing candidates' figures decisions are taken on):
        votes, or for a college the weighted shares summed over the sections."""
        continuing = [self.names[i] for i in np.flatnonzero(self.progress.continuing)]
        if self.rules.is_college:
            tally = {c: sum((sr.share[c] for sr in sections), Fraction(0))
                     for c in continuing}
        else:
            tally = dict(sections[0].tally)
        return tally, {c: tally[c] for c in continuing}

    def _threshold(self, figures: Mapping[str, Fraction]) -> Threshold:
        # RCTab setWinningThreshold: several seats, from round 1's active votes; one seat,
        # from each round's (a majority of what is still active) until someone has won,
        # or from round 1's alone with first_round_determines_threshold.
        progress, r = self.progress, self.progress.rounds_counted
        one_seat = progress.seats == 1 and not self.rules.first_round_determines_threshold
        if self.threshold is None or r == 1 or (one_seat and not progress.won_in):
            self.threshold = self.method.threshold(sum(figures.values(), Fraction(0)))
        return self.threshold

    def _must_eliminate(self) -> bool:
        progress = self.progress
        if self.rules.continue_until_two_remain and (
                len(progress.eliminated_in) < progress.in_count - 2):
            return True
        return self.method.must_eliminate(progress)

    def _elected(self, winners: list[str], standing: Standing) -> list[int]:
        progress = self.progress
        for w in winners:
            progress.won_in[w] = standing.number
        if not self.method.moves_surplus:
            # RCTab isCandidateContinuing: with continue_until_two_remain a winner stays in
            # the count (its ballots stay with it).
            if not self.rules.continue_until_two_remain:
                progress.continuing[[self.index[w] for w in winners]] = False
            return []
        for w in winners:
            progress.continuing[self.index[w]] = False
            self.kept[w] = self._take_surplus(w, standing)
        return [self.index[w] for w in winners]

    def _take_surplus(self, winner: str, standing: Standing) -> Fraction:
        votes = standing.figures[winner]
        fraction = surplus_fraction(votes - standing.threshold.votes, votes, self.rules)
        scale = self.ledger.scale
        return self.ledger.take_surplus(
            self.index[winner], fraction if scale is None else int(fraction * scale))

    def _eliminated(self, losers: list[str]) -> list[int]:
        for c in losers:
            self.progress.eliminated_in[c] = self.progress.rounds_counted
            self.progress.continuing[self.index[c]] = False
        return [self.index[c] for c in losers]
