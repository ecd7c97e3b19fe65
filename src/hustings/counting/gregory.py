"""Ballot papers in piles, moved the way the statutes' returning officers move them.

The shared bookkeeping of the counts that transfer whole papers at a value (Gregory):
Scottish STV (``scottish``), the Proportional Representation Foundation's weighted
inclusive Gregory rule (``wigm``). Each pile is the papers a candidate holds, kept as
*parcels*: papers with the same preference order and the same value. Values are
integers in units of 10^-places (fixed point, as the statutes count), or ``Fraction``s
when the rules keep exact fractions (``decimal_places = None``).

``Stages`` also writes the record: one ``Round`` per stage of the count, its tally the
votes credited at that stage, its decisions those the rules take at its end, and its
transfers what those decisions moved (to candidates, to the non-transferable papers,
and the value that rounding down leaves behind, ``RESIDUAL``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from hustings.counting.errors import UnbrokenTieError
from hustings.counting.javarandom import JavaRandom, java_sorted
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
from hustings.counting.rules import InactiveReason, Rules, TieBreakMode
from hustings.counting.tiebreak import and_list, fmt

Value = int | Fraction  # fixed-point units, or an exact fraction


@dataclass
class Parcel:
    """Papers marked alike, each worth ``value``, now at ``order[pos]`` (or exhausted)."""

    order: tuple[int, ...]
    papers: int
    value: Value
    pos: int = 0


class Piles:
    """Who holds which papers, and the votes they are credited with."""

    def __init__(self, n: int, orders: Sequence[tuple[tuple[int, ...], int]],
                 places: int | None, hopeful: set[int]) -> None:
        self.n = n
        self.places = places
        self.unit: Value = 10**places if places is not None else Fraction(1)
        self.piles: list[list[Parcel]] = [[] for _ in range(n)]
        self.votes: list[Value] = [0] * n
        self.exhausted: Value = 0  # the non-transferable papers' value
        self.residual: Value = 0  # value lost by rounding down
        for order, papers in orders:
            parcel = Parcel(order, papers, self.unit)
            self._place(parcel, hopeful)
            if parcel.pos < len(order):
                self.piles[order[parcel.pos]].append(parcel)
                self.votes[order[parcel.pos]] += papers * parcel.value
            else:
                self.exhausted += papers * parcel.value

    @staticmethod
    def _place(parcel: Parcel, continuing: set[int]) -> None:
        """Move the pointer to the next available preference for a continuing candidate."""
        order, pos = parcel.order, parcel.pos
        while pos < len(order) and order[pos] not in continuing:
            pos += 1
        parcel.pos = pos

    def figure(self, value: Value) -> Fraction:
        """A value as a ``Fraction`` of votes."""
        return Fraction(value) / self.unit if self.places is not None else Fraction(value)

    def floor_div(self, a: Value, b: Value) -> Value:
        """a / b for a result in units: rounded down in fixed point ("any remainder being
        ignored", SSI 2007/42 rule 48(3)), exact with fractions."""
        return a // b if self.places is not None else Fraction(a) / b

    def transfer(self, source: int, continuing: set[int],
                 new_value: Callable[[Value], Value] | None = None, keep: Value = 0
                 ) -> tuple[dict[int, Value], Value]:
        """Move every paper ``source`` holds to its next available preference among
        ``continuing``, each now worth ``new_value(old value)`` (unchanged if None).
        Returns (value moved per target, ``-1`` being non-transferable; the residual):
        the source is credited with ``keep`` (an elected candidate's quota) and what the
        papers were worth beyond that and their new values is the residual."""
        moved: dict[int, Value] = {}
        held = self.votes[source]
        given: Value = 0
        for parcel in self.piles[source]:
            if new_value is not None:
                parcel.value = new_value(parcel.value)
            parcel.pos += 1
            self._place(parcel, continuing)
            worth = parcel.papers * parcel.value
            given += worth
            if not worth:
                continue
            if parcel.pos < len(parcel.order):
                target = parcel.order[parcel.pos]
                self.piles[target].append(parcel)
                self.votes[target] += worth
            else:
                target = -1
                self.exhausted += worth
            moved[target] = moved.get(target, 0) + worth
        self.piles[source] = []
        self.votes[source] = 0
        residual = held - keep - given
        self.residual += residual
        return moved, residual


@dataclass
class Stage:
    """A stage being written: its tally now, its decisions as they are taken."""

    number: int
    tally: dict[str, Fraction]
    exhausted: Fraction
    elected: list[str] = field(default_factory=list)
    eliminated: list[str] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    tie_breaks: list[TieBreakNote] = field(default_factory=list)


class Stages:
    """The record of a statute count: one ``Round`` per stage."""

    def __init__(self, rules: Rules, names: list[str], piles: Piles) -> None:
        self.rules = rules
        self.names = names
        self.piles = piles
        self.section = rules.sections[0]
        self.stages: list[Stage] = []

    def open(self, shown: Sequence[int], credited: dict[int, Value] | None = None) -> Stage:
        """A new stage showing candidates ``shown`` (hopeful and elected): their votes, or
        ``credited`` for those whose figure is set by the rules (an elected candidate
        holding the quota)."""
        credited = credited or {}
        tally = {self.names[c]: self.piles.figure(credited.get(c, self.piles.votes[c]))
                 for c in shown}
        stage = Stage(len(self.stages) + 1, tally, self.piles.figure(self.piles.exhausted))
        self.stages.append(stage)
        return stage

    def history(self) -> list[dict[str, Fraction]]:
        """Every earlier stage's tally, first stage first (for "earlier stages" ties)."""
        return [s.tally for s in self.stages[:-1]]

    def book(self, stage: Stage, source: int, moved: dict[int, Value],
             residual: Value) -> None:
        name = self.names[source]
        for target, value in sorted(moved.items()):
            stage.transfers.append(Transfer(
                name, EXHAUSTED if target < 0 else self.names[target],
                self.piles.figure(value), self.section.name))
        if residual:
            stage.transfers.append(Transfer(name, RESIDUAL, self.piles.figure(residual),
                                            self.section.name))

    def result(self, threshold: Fraction, winners: Sequence[str], total: int,
               invalid: int) -> Result:
        rounds = []
        for s in self.stages:
            inactive = {r: Fraction(0) for r in (
                InactiveReason.OVERVOTE, InactiveReason.SKIPPED_RANKINGS,
                InactiveReason.EXHAUSTED_CHOICES, InactiveReason.REPEATED_RANKINGS)}
            inactive[InactiveReason.EXHAUSTED_CHOICES] = s.exhausted
            total_votes = sum(s.tally.values(), Fraction(0))
            share = {c: (v / total_votes * 100 if total_votes else Fraction(0))
                     for c, v in s.tally.items()}
            sr = SectionRound(self.section.name, self.section.weight, frozen_map(s.tally),
                              frozen_map(inactive), frozen_map(share))
            rounds.append(Round(s.number, (sr,), frozen_map(s.tally), threshold,
                                tuple(s.elected), tuple(s.eliminated), tuple(s.transfers),
                                tuple(s.tie_breaks)))
        return Result(self.rules, tuple(rounds), tuple(winners), total, invalid)


class Ties:
    """Ties the statutes break "by reference to earlier stages", then by lot.

    Earlier stages (SSI 2007/42 rules 49(2) and 51(2)(a)): go back stage by stage from
    the latest; the first stage at which one of the tied candidates alone had the most
    (a surplus) or the fewest (an exclusion) votes decides. Lot (rules 49(3), 51(2)(b))
    comes from the rules' tie-break: ``candidate-order`` takes the declared order as the
    order drawn by lot before the count (BLT's ``[tie]`` line gives one), the first of the
    tied in it being chosen; the random modes draw with the seeded ``java.util.Random``;
    ``stop`` refuses.
    """

    def __init__(self, rules: Rules, *, earlier_stages: bool = True) -> None:
        self.earlier_stages = earlier_stages
        self.mode = rules.tie_break.mode
        self.seed = rules.tie_break.seed
        self.order = {c: k for k, c in enumerate(rules.candidates)}
        self.random = JavaRandom(self.seed)

    def choose(self, tied: Sequence[str], *, most: bool, stage: int, purpose: str,
               history: Sequence[dict[str, Fraction]], votes: Fraction) -> TieBreakNote:
        names = list(tied)
        said = f"{and_list(names)} tied on {fmt(votes)}"
        for back in range(len(history) if self.earlier_stages else 0, 0, -1):
            figures = {c: history[back - 1].get(c, Fraction(0)) for c in names}
            pick = max(figures.values()) if most else min(figures.values())
            at = [c for c in names if figures[c] == pick]
            if len(at) == 1:
                others = ", ".join(f"{c} {fmt(figures[c])}" for c in names if c != at[0])
                reason = (f"{said}; {at[0]} had {'more' if most else 'fewer'} votes at stage "
                          f"{back} ({fmt(pick)} against {others})")
                return TieBreakNote(stage, purpose, tuple(names), at[0], reason)
        if self.mode is TieBreakMode.STOP:
            raise UnbrokenTieError(
                f"stage {stage}: {said} for {purpose} and at every earlier stage; the rules "
                "say to stop the count (tie-break mode 'stop')")
        if self.mode in (TieBreakMode.CANDIDATE_ORDER, TieBreakMode.GENERATE_PERMUTATION):
            chosen = min(names, key=lambda c: self.order.get(c, len(self.order)))
            how = "first of them in the order drawn by lot (the declared order)"
        else:
            pool = java_sorted(names)
            chosen = pool[int(self.random.next_double() * len(pool))]
            how = f"drawn by lot, seed {self.seed}"
        level = "" if not history or not self.earlier_stages else " and at every earlier stage"
        return TieBreakNote(stage, purpose, tuple(names), chosen, f"{said}{level}; {chosen} {how}")
