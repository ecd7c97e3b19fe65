"""The round-by-round count shared by IRV, the electoral college, STV and bottoms-up.

Each round (Labour Rule Book, Chapter 4, Clause II; RCTab ``Tabulator.tabulate``):

1. count: round 1 reads every ballot; later rounds move on only the ballots of the
   candidates eliminated, or elected with a surplus, at the end of the round before;
2. set the threshold (every round for one seat; once, in round 1, for several seats);
3. elect those who reach it – or, when no one does, eliminate: an undeclared write-in
   first, then (if allowed) a batch of candidates who together cannot catch the next, else
   the lowest, breaking a tie by the rules' tie-break;
4. an STV winner's ballots move on at the surplus fraction of their value.

The count goes on until the seats are filled (one more round for STV, to show the last
surplus moved), or until two candidates remain if the rules say so, or until the round
the rules stop at.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

from hustings.counting.ballots import Ballots
from hustings.counting.errors import BallotsError, CountingError, RulesError
from hustings.counting.interpret import STATUS_REASON
from hustings.counting.ledger import Ledger
from hustings.counting.quota import college_shares, college_threshold, threshold
from hustings.counting.result import (
    EXHAUSTED,
    RESIDUAL,
    Result,
    Round,
    SectionRound,
    TieBreakNote,
    Transfer,
    frozen_map,
)
from hustings.counting.rules import InactiveReason, Method, Rules
from hustings.counting.stv import batch_losers, surplus_fraction
from hustings.counting.tiebreak import TieBreaker

_REPORTED = (
    InactiveReason.OVERVOTE,
    InactiveReason.SKIPPED_RANKINGS,
    InactiveReason.EXHAUSTED_CHOICES,
    InactiveReason.REPEATED_RANKINGS,
)


@dataclass
class _Open:
    """A round still being written (its transfers arrive while the next is counted)."""

    number: int
    sections: tuple[SectionRound, ...]
    tally: dict[str, Fraction]
    figures: dict[str, Fraction]  # continuing candidates only: what decisions are taken on
    threshold: Fraction = Fraction(0)
    elected: list[str] = field(default_factory=list)
    eliminated: list[str] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    tie_breaks: list[TieBreakNote] = field(default_factory=list)

    def close(self) -> Round:
        return Round(
            self.number, self.sections, frozen_map(self.tally), self.threshold,
            tuple(self.elected), tuple(self.eliminated), tuple(self.transfers),
            tuple(self.tie_breaks),
        )


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


class Tabulation:
    """One count under ``rules``; ``run()`` gives the ``Result``."""

    def __init__(self, rules: Rules, ballots: Ballots, *, also_excluded=frozenset()) -> None:
        self.rules = rules
        self.ballots = ballots
        self.bottoms_up = rules.method in (Method.BOTTOMS_UP, Method.BOTTOMS_UP_PERCENTAGE)
        self.bu_threshold = rules.method is Method.BOTTOMS_UP_PERCENTAGE
        self.seats = rules.seats
        self.multi = self.seats > 1
        self.surplus = self.multi and not self.bottoms_up
        if rules.is_college and rules.method is not Method.IRV:
            raise RulesError(
                f"an electoral college (several sections) is counted by IRV only, "
                f"not {rules.method.value}"
            )
        if self.bu_threshold and rules.bottoms_up_threshold is None:
            raise RulesError(
                "method bottoms-up-percentage needs bottoms_up_threshold (a share such as 15%)"
            )
        self.names = candidate_names(rules, ballots)
        self.index = {c: i for i, c in enumerate(self.names)}
        C = len(self.names)
        self.C = C
        self.excluded = set(rules.excluded) | set(also_excluded)
        self.continuing = np.array([c not in self.excluded for c in self.names], dtype=bool)
        self.uwi = rules.undeclared_write_in
        self.n_candidates = int(self.continuing.sum())
        scale = 1
        if self.surplus:
            scale = None if rules.decimal_places is None else 10**rules.decimal_places
        self.ledger = Ledger(rules, ballots, C, scale, fractional=self.surplus)
        self.tie = TieBreaker(rules.tie_break, rules.candidates)
        self.winners: list[str] = []
        self.won_in: dict[str, int] = {}
        self.eliminated_in: dict[str, int] = {}
        self.held: dict[str, Fraction] = {}  # STV winners' votes, once their surplus moved
        self.kept: dict[str, Fraction] = {}  # what a new STV winner keeps of its ballots
        self.rounds: list[_Open] = []
        self.threshold: Fraction = Fraction(0)
        self.strict = rules.is_college
        # kind -> label -> rounds of that slice (decisions copied from the whole count)
        self.slice_rounds: dict[str, dict[str, list[_Open]]] = {
            kind: {label: [] for label in book.labels}
            for kind, book in self.ledger.slices.items()
        } if not rules.is_college else {}
        self.slice_held: dict[str, dict[str, dict[str, Fraction]]] = {
            kind: {label: {} for label in labels} for kind, labels in self.slice_rounds.items()
        }

    # -- the loop ------------------------------------------------------------------------

    def keep_going(self, r: int) -> bool:
        rules = self.rules
        if rules.stop_after_round is not None and r >= rules.stop_after_round:
            return False
        if rules.continue_until_two_remain:
            return (
                len(self.eliminated_in) + len(self.winners) + 1 < self.n_candidates
                or r in self.eliminated_in.values()
            )
        if self.bu_threshold:
            return not self.winners
        # An STV count shows one more round, for the last surplus to move; and a count
        # with seats left but no one continuing is over.
        return (len(self.winners) < self.seats and bool(self.continuing.any())) or (
            self.surplus and r in self.won_in.values() and len(self.winners) >= self.seats
            and not rules.stop_when_seats_filled
        )

    def run(self) -> Result:
        r = 0
        pending: list[int] = []
        while self.keep_going(r):
            r += 1
            if r == 1:
                self.ledger.first_count(self.continuing)
            else:
                final = self.surplus and len(self.winners) >= self.seats
                moved = self.ledger.move(pending, self.continuing, final_surplus=final)
                self._book(self.rounds[-1], pending, moved)
                self._book_slices(pending)
            if self.surplus:
                self._settle(r)
            rnd = self._snapshot(r)
            self.rounds.append(rnd)
            self._snapshot_slices(r)
            self._set_threshold(rnd, r)
            pending = self._decide(rnd, r)
        if self.surplus and self.rounds:
            last = self.rounds[-1]
            last.sections = tuple(
                replace(sr, inactive=frozen_map(
                    {**sr.inactive, InactiveReason.FINAL_ROUND_SURPLUS:
                     sr.inactive.get(InactiveReason.FINAL_ROUND_SURPLUS, Fraction(0))}))
                for sr in last.sections
            )
        return Result(
            rules=self.rules,
            rounds=tuple(o.close() for o in self.rounds),
            winners=tuple(self.winners),
            total_ballots=self.ballots.total,
            undervotes=self.ledger.undervotes,
            slices=self._slice_results() if self.slice_rounds else None,
        )

    # -- slices (RCTab tabulate by precinct / batch) -------------------------------------

    def _book_slices(self, sources: list[int]) -> None:
        section = self.rules.sections[0].name
        for kind, book in self.ledger.slices.items():
            moved = book.transfers
            for k, label in enumerate(book.labels):
                rnd = self.slice_rounds[kind][label][-1]
                rnd.transfers.extend(self._transfers(moved[k], sources, section))

    def _snapshot_slices(self, r: int) -> None:
        led = self.ledger
        section = self.rules.sections[0]
        for kind, book in led.slices.items():
            for k, label in enumerate(book.labels):
                held = self.slice_held[kind][label]
                for w, won in self.won_in.items():
                    if self.surplus and won == r - 1 and self.index[w] in book.kept:
                        held[w] = led.frac(book.kept[self.index[w]][k])
                votes = {self.names[i]: led.frac(book.tally[k, i])
                         for i in range(self.C) if self.continuing[i]}
                votes.update(held)
                inactive = {reason: Fraction(0) for reason in _REPORTED}
                for code, reason in STATUS_REASON.items():
                    v = led.frac(book.inactive[k, code])
                    if v or reason in inactive:
                        inactive[reason] = v
                sr = SectionRound(section.name, section.weight, frozen_map(votes),
                                  frozen_map(inactive),
                                  frozen_map(college_shares(votes, section.weight)))
                self.slice_rounds[kind][label].append(
                    _Open(r, (sr,), dict(votes), {}))

    def _slice_results(self) -> dict[str, dict[str, Result]]:
        out: dict[str, dict[str, Result]] = {}
        for kind, by_label in self.slice_rounds.items():
            book = self.ledger.slices[kind]
            out[kind] = {}
            for k, label in enumerate(book.labels):
                rounds = by_label[label]
                for whole, part in zip(self.rounds, rounds):
                    part.threshold = whole.threshold
                    part.elected = list(whole.elected)
                    part.eliminated = list(whole.eliminated)
                    part.tie_breaks = list(whole.tie_breaks)
                    if InactiveReason.FINAL_ROUND_SURPLUS in whole.sections[0].inactive:
                        part.sections = tuple(
                            replace(sr, inactive=frozen_map(
                                {**sr.inactive, InactiveReason.FINAL_ROUND_SURPLUS:
                                 sr.inactive.get(InactiveReason.FINAL_ROUND_SURPLUS,
                                                 Fraction(0))}))
                            for sr in part.sections)
                out[kind][label] = Result(
                    rules=self.rules,
                    rounds=tuple(o.close() for o in rounds),
                    winners=tuple(self.winners),
                    total_ballots=int(book.total[k]),
                    undervotes=int(book.undervotes[k]),
                )
        return out

    # -- counting ------------------------------------------------------------------------

    def _book(self, rnd: _Open, sources: list[int], moved: np.ndarray) -> None:
        """Write the moves caused by round ``rnd``'s decisions into that round."""
        for s, section in enumerate(self.rules.sections):
            rnd.transfers.extend(self._transfers(moved[s], sources, section.name))

    def _transfers(self, moved: np.ndarray, sources: list[int], section: str) -> list[Transfer]:
        """Transfers out of ``sources`` in one section (or slice): ``moved[src, tgt]`` in
        units, target ``C`` being exhausted."""
        return [
            Transfer(self.names[src], EXHAUSTED if tgt == self.C else self.names[tgt],
                     self.ledger.frac(moved[src, tgt]), section)
            for src in sources
            for tgt in range(self.C + 1)
            if moved[src, tgt]
        ]

    def _settle(self, r: int) -> None:
        """Winners of the round before hold the threshold; the crumbs are residual."""
        section = self.rules.sections[0].name
        for w, won in self.won_in.items():
            if won != r - 1:
                continue
            kept = self.kept.pop(w)
            residual = kept - self.threshold
            if residual > 0:
                kept = self.threshold
                self.rounds[-1].transfers.append(Transfer(w, RESIDUAL, residual, section))
            self.held[w] = kept

    def _snapshot(self, r: int) -> _Open:
        led = self.ledger
        cont = [i for i in range(self.C) if self.continuing[i]]
        sections = []
        college = self.rules.is_college
        for s, section in enumerate(self.rules.sections):
            votes = {self.names[i]: led.frac(led.tally[s, i]) for i in cont}
            for w, v in self.held.items():
                votes[w] = v
            inactive = {reason: Fraction(0) for reason in _REPORTED}
            if self.surplus and len(self.winners) >= self.seats:
                inactive[InactiveReason.FINAL_ROUND_SURPLUS] = Fraction(0)
            for code, reason in STATUS_REASON.items():
                v = led.frac(led.inactive[s, code])
                if v or reason in inactive:
                    inactive[reason] = v
            sections.append(SectionRound(
                section.name, section.weight, frozen_map(votes), frozen_map(inactive),
                frozen_map(college_shares(votes, section.weight)),
            ))
        if college:
            tally = {self.names[i]: sum((sr.share[self.names[i]] for sr in sections),
                                        Fraction(0)) for i in cont}
        else:
            tally = dict(sections[0].tally)
        figures = {self.names[i]: tally[self.names[i]] for i in cont
                   if self.names[i] not in self.held}
        return _Open(r, tuple(sections), tally, figures)

    def _set_threshold(self, rnd: _Open, r: int) -> None:
        rules = self.rules
        if rules.is_college:
            self.threshold = college_threshold(rules)
        else:
            # One seat: every round, until someone has won (RCTab then freezes it when the
            # count goes on until two remain); several seats: round 1 only.
            recompute = r == 1 or (
                not self.multi and not rules.first_round_determines_threshold
                and not self.winners
            )
            if recompute:
                active = sum(rnd.figures.values(), Fraction(0))
                self.threshold, self.strict = threshold(rules, active, self.seats)
        rnd.threshold = self.threshold

    def _meets(self, v: Fraction) -> bool:
        return v > self.threshold if self.strict else v >= self.threshold

    # -- decisions -----------------------------------------------------------------------

    def _decide(self, rnd: _Open, r: int) -> list[int]:
        """Elect or eliminate at the end of round ``r``; returns whose ballots move next."""
        winners = self._elect(rnd, r)
        if winners:
            for w in winners:
                self.winners.append(w)
                self.won_in[w] = r
            rnd.elected.extend(winners)
            if not self.surplus:
                if not self.rules.continue_until_two_remain:
                    for w in winners:
                        self.continuing[self.index[w]] = False
                return []
            for w in winners:
                self.continuing[self.index[w]] = False
                votes = rnd.figures[w]
                fraction = surplus_fraction(votes - self.threshold, votes, self.rules)
                if self.ledger.scale is not None:
                    fraction = int(fraction * self.ledger.scale)
                self.kept[w] = self.ledger.take_surplus(self.index[w], fraction)
            return [self.index[w] for w in winners]
        rules = self.rules
        need = (
            len(self.winners) < self.seats
            or (rules.continue_until_two_remain
                and len(self.eliminated_in) < self.n_candidates - 2)
            or self.bu_threshold
        )
        if not need:
            return []
        losers = self._eliminate(rnd, r)
        for c in losers:
            self.eliminated_in[c] = r
            self.continuing[self.index[c]] = False
        rnd.eliminated.extend(losers)
        return [self.index[c] for c in losers]

    def _history(self) -> list[dict[str, Fraction]]:
        return [o.tally for o in self.rounds]

    def _top(self, rnd: _Open, among: list[str], r: int, purpose: str) -> str:
        best = max(rnd.figures[c] for c in among)
        top = [c for c in among if rnd.figures[c] == best]
        if len(top) == 1:
            return top[0]
        note = self.tie.choose(top, round_number=r, purpose=purpose,
                               history=self._history()[:-1], votes=best)
        rnd.tie_breaks.append(note)
        return note.chosen

    def _elect(self, rnd: _Open, r: int) -> list[str]:
        rules = self.rules
        figures = rnd.figures
        if self.uwi is not None and figures.get(self.uwi, 0) != 0:
            return []  # no one is elected while undeclared write-ins still hold votes
        real = [c for c in figures if c != self.uwi]
        if self.bu_threshold:
            if figures and all(self._meets(v) for v in figures.values()):
                return sorted(real, key=lambda c: (-figures[c], c))
            return []
        unfilled = self.seats - len(self.winners)
        chosen: list[str] = []
        if unfilled > 0:
            if 0 < len(figures) <= unfilled:
                chosen = list(real)
            elif rules.first_round_determines_threshold and len(figures) - 1 == self.seats:
                best = max(figures.values())
                chosen = [c for c in real if figures[c] == best]
            elif rules.method is not Method.BOTTOMS_UP:
                chosen = [c for c in real if self._meets(figures[c])]
        several = len(chosen) > 1 and (
            rules.stv_one_winner_per_round or rules.first_round_determines_threshold
        )
        stuck = (self.seats == 1 and not chosen and len(figures) == 2 and unfilled == 1)
        if several or stuck:
            chosen = [self._top(rnd, real, r, "election")]
        return sorted(chosen, key=lambda c: (-figures[c], c))

    def _eliminate(self, rnd: _Open, r: int) -> list[str]:
        figures = rnd.figures
        if not figures:
            raise CountingError(
                f"round {r}: no continuing candidate is left to eliminate, "
                f"but {self.seats - len(self.winners)} seat(s) are unfilled"
            )
        if self.uwi is not None and figures.get(self.uwi, 0) > 0:
            return [self.uwi]
        if self.bu_threshold and self.rules.cutoff_elimination:
            under = [c for c in figures if not self._meets(figures[c])]
            if under:
                return sorted(under, key=lambda c: (figures[c], c))
        if self.rules.batch_elimination:
            batch, previous = batch_losers(figures)
            if self.rules.continue_until_two_remain and (
                len(batch) + len(self.eliminated_in) == self.n_candidates - 1
            ):
                batch = previous
            if len(batch) > 1:
                return batch
        low = min(figures.values())
        tied = [c for c in figures if figures[c] == low]
        if len(tied) == 1:
            return tied
        note = self.tie.choose(tied, round_number=r, purpose="elimination",
                               history=self._history()[:-1], votes=low)
        rnd.tie_breaks.append(note)
        return [note.chosen]
