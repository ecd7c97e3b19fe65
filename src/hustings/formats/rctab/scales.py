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
  ballots went, so :func:`trace` reads the count's per-ballot trace
  (``hustings.counting.trace``: the same count, keeping each ballot's path; nothing is
  counted or replayed here) and records where scaled ballots are.
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

from hustings import counting
from hustings.counting import (
    RESIDUAL,
    BallotRound,
    Ballots,
    InactiveReason,
    Method,
    Result,
    Trace,
)
from hustings.counting.trace import reason


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


def trace(result: Result, ballots: Ballots, *, slice_: tuple[str, str] | None = None,
          verify: bool = False, traced: Trace | None = None) -> Scales:
    """The scales of ``result``'s figures, read from the count's per-ballot trace.

    ``traced``: the ``hustings.counting.trace`` the caller already counted with (one count,
    not two); without it, counts without surplus transfers need none, and the others are
    traced here. ``slice_`` = (kind, label) gives the scales of that per-precinct /
    per-batch report instead (see :func:`trace_slices`, which does every slice of a kind
    at once). ``verify`` checks that the trace is this ``result``'s count and that its
    ballots add up to every continuing candidate's tally in every round (ValueError if
    not): the tests use it to keep the scales honest against the counting core."""
    if slice_ is not None:
        return trace_slices(result, ballots, slice_[0], traced=traced)[slice_[1]]
    tr = _traced(result, ballots, traced)
    if tr is None:
        return Scales(result.rules.decimal_places or 0, _threshold_scale(result))
    if verify:
        _check(tr, result)
    return scales_from_trace(tr)[0]


def trace_slices(result: Result, ballots: Ballots, kind: str, *,
                 traced: Trace | None = None) -> dict[str, Scales]:
    """label -> the scales of that slice's report (``ballots.slices[kind]``): only the
    slice's ballots are looked at, and a winner's slice tally is what the slice's
    ballots kept (RCTab takes no residual off a slice), so it is a bare ``0`` when the
    slice had none of the winner's ballots."""
    labels, codes = ballots.slices[kind]
    tr = _traced(result, ballots, traced)
    if tr is None:
        return {label: Scales(result.rules.decimal_places or 0, _threshold_scale(result))
                for label in labels}
    books = scales_from_trace(tr, np.asarray(codes, dtype=np.int64), len(labels))
    return dict(zip(labels, books, strict=True))


def needs_trace(result: Result) -> bool:
    """Do this count's scales depend on where re-valued ballots went (an STV count with
    surplus transfers at declared decimal places)? If not, no trace is needed."""
    return _replayable(result)


def _replayable(result: Result) -> bool:
    return (_moves_surplus(result) and bool(result.rules.decimal_places)
            and bool(result.rounds))


def _traced(result: Result, ballots: Ballots, traced: Trace | None) -> Trace | None:
    if not _replayable(result):
        return None
    return traced if traced is not None else counting.trace(result.rules, ballots)


def _check(tr: Trace, result: Result) -> None:
    if tr.result != result:
        raise ValueError("the trace is of another count than the result")
    won_in = {w: rnd.number for rnd in result.rounds for w in rnd.elected}
    for rnd, ballots in zip(result.rounds, tr.rounds(), strict=True):
        for c, votes in rnd.tally.items():
            if rnd.number > won_in.get(c, rnd.number):
                continue  # a winner holds what its ballots kept (or the threshold)
            held = ballots.holder == tr.candidates.index(c)
            found = tr.votes((ballots.value[held] * tr.weights[held]).sum())
            if found != votes:
                raise ValueError(f"round {rnd.number}: the trace gives {c} {found}, "
                                 f"the count {votes}")


def scales_from_trace(tr: Trace, codes: np.ndarray | None = None,
                      n_books: int = 1) -> list[Scales]:
    """The scale books of a traced count: one (``codes`` None) or one per slice code.

    A candidate's tally (an inactive category) in a round has scale d when a re-valued
    ballot is there; a transfer, when a re-valued ballot worth more than 0 made it; a
    winner's later tally, d (or the threshold's scale once a residual was taken off), and
    for a slice d exactly when the slice held some of the winner's ballots."""
    result = tr.result
    places = result.rules.decimal_places or 0
    books = [Scales(places, _threshold_scale(result)) for _ in range(n_books)]
    if not _replayable(result):
        return books
    whole = codes is None
    at = np.zeros(len(tr.weights), dtype=np.int64) if codes is None else codes
    for rnd in tr.rounds():
        _book_round(tr, rnd, books, at)
        for w, surplus in rnd.surplus.items():
            if whole:
                residual = any(t.source == w and t.target == RESIDUAL
                               for t in result.rounds[rnd.number - 1].transfers)
                book = books[0]
                book.winners[w] = (rnd.number, book.threshold_scale if residual else places)
            else:
                kept = set(at[surplus.ballots].tolist())
                for code, book in enumerate(books):
                    book.winners[w] = (rnd.number, places if code in kept else 0)
    return books


def _book_round(tr: Trace, rnd: BallotRound, books: list[Scales], at: np.ndarray) -> None:
    """Where the re-valued ballots are in round ``rnd`` and how they got there."""
    names, r = tr.candidates, rnd.number
    for book in books:
        book.tallies[r], book.inactive[r] = set(), set()
    held = rnd.revalued & (rnd.holder >= 0)
    for code, c in set(zip(at[held].tolist(), rnd.holder[held].tolist(), strict=True)):
        books[code].tallies[r].add(names[c])
    gone = rnd.revalued & (rnd.holder < 0)
    for code, status in set(zip(at[gone].tolist(), rnd.status[gone].tolist(), strict=True)):
        why = reason(status)
        if why is not None:
            books[code].inactive[r].add(why)
    if r == 1:
        return
    for book in books:
        book.transfers.setdefault(r - 1, set())
    came_from = dict(zip(rnd.moved.tolist(), rnd.came_from.tolist(), strict=True))
    m = rnd.moved
    for i in m[rnd.revalued[m] & (rnd.value[m] > 0)].tolist():
        h = int(rnd.holder[i])
        books[at[i]].transfers[r - 1].add(
            (names[came_from[i]], "exhausted" if h < 0 else names[h]))


__all__ = ["Scales", "bigdecimal_text", "exact_scale", "needs_trace", "scales_from_trace",
           "trace", "trace_slices"]
