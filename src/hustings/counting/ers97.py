"""STV by the Electoral Reform Society's 1997 rules ("ERS97": R. A. Newland and F. S.
Britton, *How to conduct an election by the Single Transferable Vote*, 3rd edition, ERS
1997, section 5), clause by clause. Values are kept in hundredths (two decimal places,
5.1.6 and 5.3.7), as integers.

* 5.1.6 Quota: total valid vote / (places + 1) to two decimal places; if not exact, the
  remainder is ignored and 0.01 added. 5.4.8: while no one has been deemed elected, the
  quota is recalculated, ignoring the non-transferable vote, whenever papers become
  non-transferable in an exclusion.
* 5.1.7, 5.3.13, 5.4.9 Deemed elected, in descending order of votes, up to the places
  left: a vote equal to or above the quota, or (b) the total active vote (5.6.1: valid
  vote less the quotas, or votes if less, of those deemed elected, less the
  non-transferable vote) / (places unfilled + 1). 5.6.2: equal votes for the last places
  go by the earliest point at which they differed; if never, none is deemed elected.
* 5.2.2 A surplus is deferred while all surpluses together do not exceed (a) the gap
  between the two lowest continuing candidates, or (b) the gap between the lowest two or
  more who could be excluded together (5.2.5) and the candidate next above.
* 5.2.3 Otherwise the largest surplus is transferred (equal ones: the greater vote at the
  first stage, or the earliest point at which they differed; then lot).
* 5.3 A surplus at the first stage takes all the candidate's papers; a later one only
  the last batch received, which gave rise to it (last-parcel Gregory). If the
  transferable papers are worth more than the surplus, each moves at
  surplus / number of transferable papers, to two places, remainder ignored (5.3.7);
  else at its present value. The neglected remainder and the non-transferable papers'
  share join the non-transferable vote (5.3.9-5.3.10).
* 5.2.5 Exclusion: as many of the lowest together as possible, while enough remain to
  fill the places and their votes with any deferred surpluses do not exceed the vote of
  the candidate next above; else the lowest (ties: fewer votes at the first stage or the
  earliest point at which they differed; then lot).
* 5.4 The excluded candidates' papers go on in batches, highest transfer value first,
  each at its value; after each batch the quota may be recalculated (5.4.8) and
  candidates deemed elected (5.4.9), who receive no later batch (5.4.10).
* 5.5.1 When a proposed exclusion would leave as many continuing candidates as places,
  they are deemed elected. 5.5.2 Once the places are filled, no more papers move.

One ``Round`` per stage: the votes after it, its quota, who was deemed elected and who
excluded, the transfers that ended it (non-transferable as ``EXHAUSTED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hustings.counting.ballots import Ballots
from hustings.counting.javarandom import JavaRandom, java_sorted
from hustings.counting.papers import preference_orders
from hustings.counting.result import (
    EXHAUSTED,
    Result,
    Round,
    SectionRound,
    TieBreakNote,
    Transfer,
    frozen_map,
)
from hustings.counting.rounds import candidate_names
from hustings.counting.rules import InactiveReason, Rules, TieBreakMode
from hustings.counting.tiebreak import and_list, fmt

UNIT = 100  # hundredths of a vote
Paper = list[Any]  # [preference order, position of its current preference, papers]


@dataclass
class _Batch:
    """Papers a candidate received together, all of one value: (order, position, count)."""

    value: int
    papers: list[Paper] = field(default_factory=list)

    @property
    def worth(self) -> int:
        return self.value * sum(int(p[2]) for p in self.papers)


class _Count:
    def __init__(self, rules: Rules, ballots: Ballots) -> None:
        self.rules = rules
        self.names = candidate_names(rules, ballots)
        orders, self.invalid = preference_orders(rules, ballots)
        self.total = ballots.total
        self.valid = sum(n for _, n in orders) * UNIT
        C = len(self.names)
        self.continuing = [c for c in range(C) if self.names[c] not in rules.excluded]
        self.elected: list[int] = []
        self.batches: list[list[_Batch]] = [[] for _ in range(C)]
        self.votes = [0] * C
        self.nontransferable = 0
        self.first_stage_elected: set[int] = set()
        self.transferred: set[int] = set()  # elected whose surplus has gone
        self.points: list[list[int]] = []  # votes after the first stage and each batch
        self.rounds: list[Round] = []
        self.random = JavaRandom(rules.tie_break.seed)
        first = [_Batch(UNIT) for _ in range(C)]
        for order, n in orders:
            pos = self._next(order, -1)
            if pos is None:
                self.nontransferable += n * UNIT
            else:
                first[order[pos]].papers.append([order, pos, n])
        for c in range(C):
            if first[c].papers:
                self.batches[c].append(first[c])
                self.votes[c] = first[c].worth
        self.quota = self._quota(self.valid)  # 5.1.6
        self._point()

    # -- helpers --------------------------------------------------------------------
    def _quota(self, votes: int) -> int:
        return -(-votes // (self.rules.seats + 1))  # to 0.01; a remainder adds 0.01

    def _next(self, order: tuple[int, ...], pos: int) -> int | None:
        for p in range(pos + 1, len(order)):
            if order[p] in self.continuing:
                return p
        return None

    def _point(self) -> None:
        self.points.append(list(self.votes))

    def _earliest(self, tied: list[int], most: bool) -> int | None:
        """5.2.3, 5.2.5, 5.6.2: the first point of the count at which they differed."""
        for figures in self.points:
            pick = (max if most else min)(figures[c] for c in tied)
            at = [c for c in tied if figures[c] == pick]
            if len(at) == 1:
                return at[0]
        return None

    def _choose(self, tied: list[int], most: bool, purpose: str,
                notes: list[TieBreakNote]) -> int:
        if len(tied) == 1:
            return tied[0]
        names = [self.names[c] for c in tied]
        said = f"{and_list(names)} tied on {fmt(Fraction(self.votes[tied[0]], UNIT))}"
        chosen = self._earliest(tied, most)
        if chosen is not None:
            reason = f"{said}; {self.names[chosen]} had {'more' if most else 'fewer'} votes " \
                     "at the earliest point at which they differed"
        elif self.rules.tie_break.mode is TieBreakMode.CANDIDATE_ORDER:
            order = {n: k for k, n in enumerate(self.rules.candidates)}
            chosen = min(tied, key=lambda c: order.get(self.names[c], len(order)))
            reason = f"{said} at every point; {self.names[chosen]} first in the order " \
                     "drawn by lot (the declared order)"
        else:
            pool = java_sorted(names)
            pick = pool[int(self.random.next_double() * len(pool))]
            chosen = self.names.index(pick)
            reason = f"{said} at every point; {pick} drawn by lot, seed " \
                     f"{self.rules.tie_break.seed}"
        notes.append(TieBreakNote(len(self.rounds) + 1, purpose, tuple(names),
                                  self.names[chosen], reason))
        return chosen

    def _unfilled(self) -> int:
        return self.rules.seats - len(self.elected)

    def _deem_elected(self, stage_elected: list[int], notes: list[TieBreakNote]) -> None:
        """5.1.7 / 5.3.13 / 5.4.9, with 5.6.2 for equal votes at the last places."""
        while self._unfilled() > 0:
            active = self.valid - self.nontransferable - sum(
                min(self.quota, self.votes[e]) for e in self.elected)
            unfilled = self._unfilled()
            reached = [c for c in self.continuing
                       if self.votes[c] >= self.quota
                       or self.votes[c] * (unfilled + 1) >= active]
            if not reached:
                return
            top = max(self.votes[c] for c in reached)
            tied = [c for c in reached if self.votes[c] == top]
            if len(tied) > unfilled:
                chosen = self._earliest(tied, most=True)
                if chosen is None:
                    return  # 5.6.2: none of them is deemed elected at this stage
                tied = [chosen]
            for c in sorted(tied):
                self.continuing.remove(c)
                self.elected.append(c)
                stage_elected.append(c)
                if not self.rounds:
                    self.first_stage_elected.add(c)

    def _move(self, papers: list[Paper], value: int, moved: dict[int, int],
              received: dict[int, _Batch]) -> None:
        """Papers to their next available preference at ``value``; the rest set aside."""
        for order, pos, n in papers:
            nxt = self._next(order, pos)
            if nxt is None:
                self.nontransferable += n * value
                moved[-1] = moved.get(-1, 0) + n * value
                continue
            target = order[nxt]
            received.setdefault(target, _Batch(value)).papers.append([order, nxt, n])
            moved[target] = moved.get(target, 0) + n * value

    def _deposit(self, received: dict[int, _Batch]) -> None:
        for target, batch in received.items():
            self.batches[target].append(batch)
            self.votes[target] += batch.worth

    # -- stages ---------------------------------------------------------------------
    def run(self) -> Result:
        elected_now: list[int] = []
        notes: list[TieBreakNote] = []
        self._deem_elected(elected_now, notes)  # 5.1.7
        self._close(elected_now, [], {}, notes)
        while self._unfilled() > 0 and self.continuing:
            elected_now, notes = [], []
            if len(self.continuing) <= self._unfilled():  # 5.5.1: as many left as places
                rest = sorted(self.continuing, key=lambda c: (-self.votes[c], c))
                self.continuing = []
                self.elected += rest
                self._close(rest, [], {}, notes)
                break
            surplus = self._surplus_to_transfer(notes)
            if surplus is not None:
                moved = self._transfer_surplus(surplus)
                self._deem_elected(elected_now, notes)  # 5.3.13
                self._close(elected_now, [], {self.names[surplus]: moved}, notes)
                continue
            group = self._exclusion_group(notes)
            if len(self.continuing) - len(group) <= self._unfilled():  # 5.5.1
                for c in group:
                    self.continuing.remove(c)
                rest = sorted(self.continuing, key=lambda c: (-self.votes[c], c))
                self.continuing = []
                self.elected += rest
                self._close(rest, group, {}, notes)
                break
            excluded_moves = self._exclude(group, elected_now, notes)
            self._close(elected_now, group, excluded_moves, notes)
        names = [self.names[c] for c in self.elected]
        return Result(self.rules, tuple(self.rounds), tuple(names), self.total, self.invalid)

    def _surpluses(self) -> list[int]:
        return [e for e in self.elected
                if e not in self.transferred and self.votes[e] > self.quota]

    def _surplus_to_transfer(self, notes: list[TieBreakNote]) -> int | None:
        """5.2.2 (deferral) and 5.2.3 (the largest)."""
        due = self._surpluses()
        if not due:
            return None
        total = sum(self.votes[e] - self.quota for e in due)
        low = sorted(self.votes[c] for c in self.continuing)
        if len(low) >= 2 and total <= low[1] - low[0]:
            return None  # 5.2.2(a)
        if len(low) >= 3:
            for k in range(len(low) - 1, 1, -1):
                if len(low) - k >= self._unfilled() and total + sum(low[:k]) <= low[k]:
                    return None  # 5.2.2(b)
        top = max(self.votes[e] for e in due)
        return self._choose([e for e in due if self.votes[e] == top], True, "surplus", notes)

    def _transfer_surplus(self, c: int) -> dict[int, int]:
        """5.3: all papers at the first stage, else the last batch received."""
        surplus = self.votes[c] - self.quota
        batches = self.batches[c] if c in self.first_stage_elected else self.batches[c][-1:]
        papers = [(p, b.value) for b in batches for p in b.papers]
        transferable = [(p, v) for p, v in papers if self._next(p[0], p[1]) is not None]
        count = sum(p[2] for p, _ in transferable)
        worth = sum(p[2] * v for p, v in transferable)
        moved: dict[int, int] = {}
        received: dict[int, _Batch] = {}
        if worth > surplus:
            tv = surplus // count  # 5.3.7: two places, remainder ignored
            self._move([p for p, _ in transferable], tv, moved, received)
        else:
            for p, v in transferable:
                self._move([p], v, moved, received)
        credited = sum(v for t, v in moved.items() if t >= 0)
        difference = surplus - credited  # 5.3.9: to the non-transferable vote
        self.nontransferable += difference
        moved[-1] = moved.get(-1, 0) + difference
        self.votes[c] = self.quota
        self.transferred.add(c)
        self._deposit(received)
        self._point()
        return moved

    def _exclusion_group(self, notes: list[TieBreakNote]) -> list[int]:
        """5.2.5: as many of the lowest as possible, else the lowest."""
        deferred = sum(self.votes[e] - self.quota for e in self._surpluses())
        ranked = sorted(self.continuing, key=lambda c: self.votes[c])
        for k in range(len(ranked) - 1, 1, -1):
            if len(ranked) - k < self._unfilled():
                continue
            group = ranked[:k]
            if self.votes[ranked[k - 1]] == self.votes[ranked[k]]:
                continue  # the group would split candidates with equal votes
            if sum(self.votes[c] for c in group) + deferred <= self.votes[ranked[k]]:
                return group
        low = self.votes[ranked[0]]
        return [self._choose([c for c in ranked if self.votes[c] == low], False,
                             "elimination", notes)]

    def _exclude(self, group: list[int], elected_now: list[int],
                 notes: list[TieBreakNote]
                 ) -> dict[str, dict[int, int]]:
        """5.4: batches in descending order of value; election checked after each."""
        for c in group:
            self.continuing.remove(c)
        by_value: dict[int, list[tuple[int, Paper]]] = {}
        for c in group:
            for b in self.batches[c]:
                by_value.setdefault(b.value, []).extend((c, p) for p in b.papers)
            self.batches[c] = []
        moved: dict[str, dict[int, int]] = {self.names[c]: {} for c in group}
        for value in sorted(by_value, reverse=True):
            received: dict[int, _Batch] = {}
            for c, paper in by_value[value]:
                # a candidate keeps the papers not yet moved: 5.5.2 may stop before the last
                self.votes[c] -= paper[2] * value
                self._move([paper], value, moved[self.names[c]], received)
            self._deposit(received)
            if not self.elected:  # 5.4.8
                self.quota = self._quota(self.valid - self.nontransferable)
            self._point()
            if self._unfilled() > 0:
                self._deem_elected(elected_now, notes)  # 5.4.9-5.4.10
            if self._unfilled() <= 0:
                break  # 5.5.2: no further papers move
        return moved

    def _close(self, elected_now: list[int], excluded: list[int],
               moved: Mapping[str, Mapping[int, int]], notes: list[TieBreakNote]) -> None:
        # 5.5.1 excludes the last group without moving its papers: their votes stay shown
        # with them in the final stage, so the stage still adds up to the valid papers
        shown = [c for c in range(len(self.names))
                 if c in self.continuing or c in self.elected
                 or (c in excluded and self.votes[c])]
        tally = {self.names[c]: Fraction(self.votes[c], UNIT) for c in shown}
        inactive = {r: Fraction(0) for r in (
            InactiveReason.OVERVOTE, InactiveReason.SKIPPED_RANKINGS,
            InactiveReason.EXHAUSTED_CHOICES, InactiveReason.REPEATED_RANKINGS)}
        inactive[InactiveReason.EXHAUSTED_CHOICES] = Fraction(self.nontransferable, UNIT)
        total = sum(tally.values(), Fraction(0))
        share = {c: (v / total * 100 if total else Fraction(0)) for c, v in tally.items()}
        section = self.rules.sections[0]
        sr = SectionRound(section.name, section.weight, frozen_map(tally), frozen_map(inactive),
                          frozen_map(share))
        transfers = []
        if self.rounds:
            prev = self.rounds[-1]
            for source, targets in moved.items():
                for t, v in sorted(targets.items()):
                    if v:
                        transfers.append(Transfer(source, EXHAUSTED if t < 0 else self.names[t],
                                                  Fraction(v, UNIT), section.name))
            # a stage's transfers are what ended the stage before it
            self.rounds[-1] = Round(prev.number, prev.sections, prev.tally, prev.threshold,
                                    prev.elected, prev.eliminated, tuple(transfers),
                                    prev.tie_breaks + tuple(notes))
            notes = []
        self.rounds.append(Round(len(self.rounds) + 1, (sr,), frozen_map(tally),
                                 Fraction(self.quota, UNIT),
                                 tuple(self.names[c] for c in elected_now), (), (),
                                 tuple(notes)))
        if excluded and len(self.rounds) >= 2:
            prev = self.rounds[-2]
            self.rounds[-2] = Round(prev.number, prev.sections, prev.tally, prev.threshold,
                                    prev.elected, tuple(self.names[c] for c in excluded),
                                    prev.transfers, prev.tie_breaks)


def count_ers97(rules: Rules, ballots: Ballots) -> Result:
    """Count ``ballots`` by the ERS97 rules (see the module docstring)."""
    return _Count(rules, ballots).run()
