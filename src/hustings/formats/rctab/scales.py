"""RCTab's decimal scales: which figures RCTab writes as ``"14866.0000"`` and which as ``"14866"``.

RCTab keeps every vote figure in a Java ``BigDecimal``, and its reports print them with
``BigDecimal.toString``, so a figure's *scale* (digits after the point) is part of the
text. The scale follows from how the figure was computed (RCTab 2.0, ``Tabulator`` and
``CastVoteRecord``), with d = ``decimalPlacesForVoteArithmetic``:

* Every ballot starts worth ``1`` (scale 0). When an STV winner's surplus is computed
  (``recordCurrentRecipientAsWinner``), each ballot the winner holds is re-valued as
  ``value x fraction`` *set to scale d*, even when the fraction is 0 (a winner exactly on
  the threshold): from then on that ballot is "scaled" for the rest of the count.
* A sum has the largest scale of its terms, so a candidate's tally, an inactive-ballot
  category and a transfer have scale d exactly when at least one scaled ballot is in it
  (a zero-valued one counts for tallies and inactive ballots; transfers only add ballots
  worth more than zero). Nothing in the ``Result`` aggregates shows where zero-valued
  ballots went, so :func:`trace` replays the count's decisions ballot by ballot (with the
  counting core's own ``BallotReader``) and records where scaled ballots are.
* An STV winner's tally after its election is the sum of what its ballots kept (scale
  d), replaced by the threshold when a residual surplus was taken off; residual surplus
  is always scale d.
* Thresholds: ``floor(votes / (seats + 1)) + 1`` (or Hare's ``ceil(votes / seats)``) is
  worked out to d places with ``nonIntegerWinningThreshold``, else to 0; the bottoms-up
  percentage threshold is ``votes x p/100`` with ``p/100`` an exact ``BigDecimal``
  quotient (15 % is ``0.15``, scale 2), so its scale is the two scales added.

The counting core's ``Result`` carries values, not scales: this module derives them in the
writer from the rules, the ballots and the rounds (the core is not asked to track Java's
representation of numbers). Reports take a :class:`Scales` through their ``scales=``
argument; without one, figures are written plainly as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from hustings.counting import RESIDUAL, Ballots, InactiveReason, Method, Result, Round
from hustings.counting.interpret import NO_CANDIDATE, STATUS_REASON, UNDERVOTE, BallotReader
from hustings.counting.rounds import candidate_names
from hustings.counting.stv import surplus_fraction

FINAL_SURPLUS_STATUS = next(k for k, v in STATUS_REASON.items()
                            if v is InactiveReason.FINAL_ROUND_SURPLUS)


def bigdecimal_text(value: Fraction | int, scale: int) -> str:
    """``value`` as Java's ``BigDecimal.toString`` writes it at ``scale`` (the value must be
    a multiple of 10^-scale): plain digits, or scientific notation when the adjusted
    exponent is below -6 (``0E-7``), as Java does."""
    value = Fraction(value)
    unscaled = value * 10**scale
    if unscaled.denominator != 1:
        raise ValueError(f"{value} has more than {scale} decimal places")
    n = unscaled.numerator
    digits = str(abs(n))
    sign = "-" if n < 0 else ""
    adjusted = -scale + len(digits) - 1
    if scale == 0:
        return sign + digits
    if scale > 0 and adjusted >= -6:
        if len(digits) <= scale:
            digits = "0" * (scale - len(digits) + 1) + digits
        return f"{sign}{digits[:-scale]}.{digits[-scale:]}"
    mantissa = digits if len(digits) == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{sign}{mantissa}E{adjusted:+d}"


def exact_scale(value: Fraction) -> int:
    """The smallest scale that writes ``value`` exactly (a terminating decimal)."""
    value = Fraction(value)
    for k in range(40):
        if (value * 10**k).denominator == 1:
            return k
    raise ValueError(f"{value} is not a terminating decimal")


@dataclass
class Scales:
    """The scale of every figure of one count's report (see the module docstring)."""

    places: int
    threshold_scale: int
    # round -> candidates / inactive reasons holding a scaled ballot
    tallies: dict[int, set[str]] = field(default_factory=dict)
    inactive: dict[int, set[InactiveReason]] = field(default_factory=dict)
    # round -> (source, target) moves that carried a scaled ballot worth more than 0
    transfers: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    # STV winners -> (round elected, scale of their tally in later rounds)
    winners: dict[str, tuple[int, int]] = field(default_factory=dict)

    def tally_scale(self, rnd: int, candidate: str) -> int:
        won = self.winners.get(candidate)
        if won is not None and rnd > won[0]:
            return won[1]
        return self.places if candidate in self.tallies.get(rnd, ()) else 0

    def inactive_scale(self, rnd: int, reason: InactiveReason) -> int:
        return self.places if reason in self.inactive.get(rnd, ()) else 0

    def transfer_scale(self, rnd: int, source: str, target: str) -> int:
        if target == RESIDUAL or (source, target) in self.transfers.get(rnd, ()):
            return self.places
        return 0

    # -- text ---------------------------------------------------------------------------

    def tally(self, rnd: int, candidate: str, value: Fraction) -> str:
        return bigdecimal_text(value, self.tally_scale(rnd, candidate))

    def inactive_text(self, rnd: int, reason: InactiveReason, value: Fraction) -> str:
        return bigdecimal_text(value, self.inactive_scale(rnd, reason))

    def transfer(self, rnd: int, source: str, target: str, value: Fraction) -> str:
        return bigdecimal_text(value, self.transfer_scale(rnd, source, target))

    def threshold(self, value: Fraction) -> str:
        return bigdecimal_text(value, self.threshold_scale)


def _threshold_scale(result: Result) -> int:
    rules = result.rules
    places = rules.decimal_places or 0
    if rules.method is Method.BOTTOMS_UP_PERCENTAGE and rules.bottoms_up_threshold is not None:
        # votes (whole: no surplus moves in bottoms-up) x the exact quotient p / 100
        return exact_scale(Fraction(rules.bottoms_up_threshold))
    return places if rules.non_integer_threshold else 0


def _moves_surplus(result: Result) -> bool:
    rules = result.rules
    return (rules.seats > 1 and not rules.is_college and rules.method not in (
        Method.BOTTOMS_UP, Method.BOTTOMS_UP_PERCENTAGE, Method.MULTI_PASS_IRV))


def trace(result: Result, ballots: Ballots, *,
          slice_: tuple[str, str] | None = None, verify: bool = False) -> Scales:
    """The scales of ``result``'s figures, replaying its decisions on ``ballots``.

    ``slice_`` = (kind, label) gives the scales of that per-precinct / per-batch report
    instead (see :func:`trace_slices`, which does every slice of a kind in one replay).
    Cheap for counts without surplus transfers (nothing to replay); an STV count costs
    one walk of the ballots per round, as the count itself. ``verify`` checks that the
    replayed ballot values add up to the count's tallies in every round (ValueError if
    not): the tests use it to keep the replay honest against the counting core."""
    if slice_ is not None:
        return trace_slices(result, ballots, slice_[0])[slice_[1]]
    scales = Scales(result.rules.decimal_places or 0, _threshold_scale(result))
    if _replayable(result):
        _Replay(result, ballots, [scales], None, verify).run()
    return scales


def trace_slices(result: Result, ballots: Ballots, kind: str) -> dict[str, Scales]:
    """label -> the scales of that slice's report (``ballots.slices[kind]``): only the
    slice's ballots are looked at, and a winner's slice tally is what the slice's
    ballots kept (RCTab takes no residual off a slice), so it is a bare ``0`` when the
    slice had none of the winner's ballots."""
    labels, codes = ballots.slices[kind]
    books = {label: Scales(result.rules.decimal_places or 0, _threshold_scale(result))
             for label in labels}
    if _replayable(result):
        _Replay(result, ballots, list(books.values()), np.asarray(codes, dtype=np.int64)).run()
    return books


def _replayable(result: Result) -> bool:
    return (_moves_surplus(result) and bool(result.rules.decimal_places)
            and bool(result.rounds))


class _Replay:
    """Where every ballot is, round by round, and which ballots were re-valued; each
    ballot's findings go to the scale book of its slice (``codes``; None: one book)."""

    def __init__(self, result: Result, ballots: Ballots, books: list[Scales],
                 codes: np.ndarray | None, verify: bool = False) -> None:
        self.result = result
        self.rules = rules = result.rules
        self.books = books
        self.places = books[0].places
        self.names = candidate_names(rules, ballots)
        self.index = {c: i for i, c in enumerate(self.names)}
        self.C = len(self.names)
        self.reader = BallotReader(ballots, rules.ballot_rules, self.C)
        self.unit = 10**self.places
        n = len(ballots)
        self.cand = np.full(n, NO_CANDIDATE, dtype=np.int16)
        self.status = np.zeros(n, dtype=np.int8)
        self.scaled = np.zeros(n, dtype=bool)
        # unit x fraction must not overflow int64 (d up to 12): Python integers beyond that
        self.value = np.full(n, self.unit, dtype=object if self.unit**2 >= 2**62 else np.int64)
        self.continuing = np.array([c not in rules.excluded for c in self.names], dtype=bool)
        self.whole = codes is None
        self.codes = np.zeros(n, dtype=np.int64) if codes is None else codes
        self.verify = verify
        self.weights = np.asarray(ballots.weights)

    def run(self) -> None:
        rounds = self.result.rounds
        seats = self.rules.seats
        elected_so_far = 0
        for k, rnd in enumerate(rounds):
            if k == 0:
                self.cand, self.status = self.reader.advance(None, self.continuing)
            else:
                prev = rounds[k - 1]
                sources = [self.index[c] for c in (*prev.elected, *prev.eliminated)]
                self._move(prev, sources, final=elected_so_far >= seats)
            self._record(rnd)
            if self.verify:
                self._check(rnd)
            for w in rnd.elected:
                self._take_surplus(rnd, w)
            for c in (*rnd.elected, *rnd.eliminated):
                self.continuing[self.index[c]] = False
            elected_so_far += len(rnd.elected)

    def _move(self, prev: Round, sources: list[int], *, final: bool) -> None:
        idx = np.flatnonzero(np.isin(self.cand, sources))
        old = self.cand[idx].astype(np.int64)
        if final:
            cand = np.full(idx.size, NO_CANDIDATE, dtype=np.int16)
            status = np.full(idx.size, FINAL_SURPLUS_STATUS, dtype=np.int8)
        else:
            cand, status = self.reader.advance(idx, self.continuing)
        self.cand[idx] = cand
        self.status[idx] = status
        carried = self.scaled[idx] & (self.value[idx] > 0)
        C = self.C
        target = np.where(cand >= 0, cand, C).astype(np.int64)
        keys = np.unique((self.codes[idx][carried] * C + old[carried]) * (C + 1)
                         + target[carried])
        for book in self.books:
            book.transfers.setdefault(prev.number, set())
        for key in keys.tolist():
            rest, t = divmod(key, C + 1)
            code, o = divmod(rest, C)
            self.books[code].transfers[prev.number].add(
                (self.names[o], "exhausted" if t == C else self.names[t]))

    def _record(self, rnd: Round) -> None:
        r = rnd.number
        for book in self.books:
            book.tallies[r], book.inactive[r] = set(), set()
        held = self.scaled & (self.cand >= 0)
        for key in np.unique(self.codes[held] * self.C + self.cand[held]).tolist():
            code, c = divmod(key, self.C)
            self.books[code].tallies[r].add(self.names[c])
        gone = self.scaled & (self.cand < 0)
        span = int(self.status.max(initial=0)) + 1
        for key in np.unique(self.codes[gone] * span + self.status[gone]).tolist():
            code, status = divmod(key, span)
            if status in STATUS_REASON and status != UNDERVOTE:
                self.books[code].inactive[r].add(STATUS_REASON[status])

    def _check(self, rnd: Round) -> None:
        for c, votes in rnd.tally.items():
            i = self.index[c]
            if not self.continuing[i]:
                continue  # a winner holds what its ballots kept (or the threshold)
            held = self.cand == i
            units = int((self.value[held] * self.weights[held]).sum())
            if Fraction(units, self.unit) != votes:
                raise ValueError(f"round {rnd.number}: the replay gives {c} "
                                 f"{Fraction(units, self.unit)}, the count {votes}")

    def _take_surplus(self, rnd: Round, winner: str) -> None:
        votes = rnd.tally[winner]
        fraction = surplus_fraction(votes - rnd.threshold, votes, self.rules)
        units = int(fraction * self.unit)
        idx = np.flatnonzero(self.cand == self.index[winner])
        self.value[idx] = self.value[idx] * units // self.unit
        self.scaled[idx] = True
        if not self.whole:
            # A slice's winner tally is ZERO plus what its ballots kept: scale d when it
            # has any of the winner's ballots, else the bare 0.
            kept = set(np.unique(self.codes[idx]).tolist())
            for code, book in enumerate(self.books):
                book.winners[winner] = (rnd.number, self.places if code in kept else 0)
            return
        residual = any(t.source == winner and t.target == RESIDUAL for t in rnd.transfers)
        # After the residual is taken off, the winner holds exactly the threshold.
        book = self.books[0]
        book.winners[winner] = (
            rnd.number, book.threshold_scale if residual else self.places)


__all__ = ["Scales", "bigdecimal_text", "exact_scale", "trace", "trace_slices"]
