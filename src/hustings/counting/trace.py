"""The per-ballot trace: what each ballot counted for, and at what value, in each round.

``trace(rules, ballots)`` counts exactly as ``count`` does (the same checks, the same
round loop) and, as the ledger moves ballots, keeps where each one went. Its ``result`` is
the ``Result`` that ``count(rules, ballots)`` gives; nothing is counted twice and nothing
is replayed. It serves renderings that need more than the aggregates of a ``Result``: the
CDF export's per-round snapshot of each ballot, and RCTab's decimal scales (a figure's
scale depends on whether a ballot whose value a surplus set is in it, even at 0).

Only the methods of the round loop (IRV, the electoral college, STV, bottoms-up) have a
trace; the others refuse with ``RulesError``.

A ``Trace`` holds, per round, only what changed (the ballots moved in, the surpluses
taken), so it costs memory in proportion to the ballots moved, like the count; ``rounds()``
rebuilds every ballot's state round by round; ``counted_for()`` gives one dictionary per
ballot and round (for small contests: it is a Python object per ballot and round).

Values are in *units*: ``Trace.unit`` units make a vote (1 for whole votes, 10^d for d
declared decimal places) or, with ``unit`` None, exact ``Fraction`` values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from hustings.counting.ballots import Ballots
from hustings.counting.count import ROUND_LOOP, check
from hustings.counting.errors import RulesError
from hustings.counting.interpret import (
    ACTIVE,
    NO_CANDIDATE,
    STATUS_REASON,
    UNDERVOTE,
)
from hustings.counting.result import Result
from hustings.counting.rounds import candidate_names, count_rounds
from hustings.counting.rules import InactiveReason, Rules
from hustings.counting.tallies import Units

__all__ = ["ACTIVE", "NO_CANDIDATE", "UNDERVOTE", "BallotRound", "Surplus", "Trace",
           "reason", "trace"]


def reason(status: int) -> InactiveReason | None:
    """Why a ballot with this status code stopped counting (None: it counts, or it is an
    undervote, which is never active)."""
    return STATUS_REASON.get(status)


@dataclass(frozen=True)
class Surplus:
    """An STV winner's surplus, taken at the end of the round they were elected."""

    ballots: np.ndarray  # the ballots the winner held
    kept: np.ndarray  # what each kept with the winner, in units (weight included)


@dataclass(frozen=True)
class BallotRound:
    """Every ballot in one round (arrays indexed by ballot row)."""

    number: int
    holder: np.ndarray  # int16: index into Trace.candidates, or NO_CANDIDATE
    status: np.ndarray  # int8: ACTIVE while it counts, else why not (see ``reason``)
    value: np.ndarray  # what it is worth this round, in units (weight not included)
    revalued: np.ndarray  # bool: a surplus set its value in an earlier round (even to 0)
    moved: np.ndarray  # the ballots that moved into this round (none in round 1)
    came_from: np.ndarray  # int16: their holder in the round before
    surplus: Mapping[str, Surplus]  # winners whose surplus was taken at this round's end


@dataclass
class _Step:
    moved: np.ndarray | None  # None: every ballot (round 1)
    holder: np.ndarray
    status: np.ndarray
    # winner -> (their ballots, the values after the surplus, what each kept)
    surplus: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)


class Tracer:
    """The ledger's ``Recorder``: keeps each round's moves and surpluses."""

    def __init__(self) -> None:
        self.steps: list[_Step] = []
        self.n_ballots = 0
        self.unit: int | None = 1

    def begin(self, n_ballots: int, units_per_vote: int | None) -> None:
        self.n_ballots, self.unit = n_ballots, units_per_vote

    def read(self, idx: np.ndarray | None, cand: np.ndarray, status: np.ndarray) -> None:
        self.steps.append(_Step(None if idx is None else idx.copy(), cand.copy(),
                                status.copy()))

    def revalue(self, winner: int, idx: np.ndarray, values: np.ndarray,
                kept: np.ndarray) -> None:
        self.steps[-1].surplus[winner] = (idx.copy(), np.array(values), np.array(kept))


class Trace:
    """One count and where each of its ballots went (see the module docstring)."""

    def __init__(self, result: Result, candidates: tuple[str, ...], weights: np.ndarray,
                 tracer: Tracer) -> None:
        self.result = result
        self.candidates = candidates  # the count's candidate order: ballot indices first
        self.weights = weights
        self.unit = tracer.unit
        self._steps = tuple(tracer.steps)
        self._n = tracer.n_ballots

    def votes(self, units: Units) -> Fraction:
        """A figure in units as votes."""
        if isinstance(units, Fraction):
            return units
        return Fraction(int(units), 1 if self.unit is None else self.unit)

    def rounds(self) -> Iterator[BallotRound]:
        """Every ballot's state, round by round (fresh arrays each round)."""
        n = self._n
        holder = np.full(n, NO_CANDIDATE, dtype=np.int16)
        status = np.zeros(n, dtype=np.int8)
        value = (np.array([Fraction(1)] * n, dtype=object) if self.unit is None
                 else np.full(n, self.unit, dtype=np.int64))  # as the ledger keeps them
        revalued = np.zeros(n, dtype=bool)
        for number, step in enumerate(self._steps, start=1):
            moved = np.arange(n) if step.moved is None else step.moved
            came_from = holder[moved].copy()
            holder[moved], status[moved] = step.holder, step.status
            surplus = {self.candidates[w]: Surplus(idx, kept)
                       for w, (idx, _, kept) in step.surplus.items()}
            yield BallotRound(number, holder.copy(), status.copy(), value.copy(),
                              revalued.copy(), moved if number > 1 else moved[:0],
                              came_from, surplus)
            for idx, after, _ in step.surplus.values():
                value[idx] = after
                revalued[idx] = True

    def counted_for(self) -> list[list[dict[str, Fraction]]]:
        """Per ballot, per round: candidate -> the votes the ballot gives them (not 0).

        A ballot counts for its holder at its value (times its weight) and, from the round
        after an STV winner's surplus was taken, for that winner with what it kept."""
        out: list[list[dict[str, Fraction]]] = [[] for _ in range(self._n)]
        kept: list[dict[str, Fraction]] = [{} for _ in range(self._n)]
        for rnd in self.rounds():
            for i in range(self._n):
                counts = dict(kept[i])
                h = int(rnd.holder[i])
                worth = self.votes(rnd.value[i] * self.weights[i]) if h >= 0 else Fraction(0)
                if worth:
                    counts[self.candidates[h]] = worth
                out[i].append(counts)
            for w, surplus in rnd.surplus.items():
                for i, units in zip(surplus.ballots.tolist(), surplus.kept.tolist()):
                    if units:
                        kept[i][w] = self.votes(units)
        return out


def trace(rules: Rules, ballots: Ballots) -> Trace:
    """Count ``ballots`` under ``rules`` as ``count`` does, keeping each ballot's path.

    Raises what ``count`` raises, and ``RulesError`` for a method counted outside the
    round loop (multi-pass IRV, Meek, FPTP, Condorcet, the statute counts)."""
    check(rules)
    if rules.method not in ROUND_LOOP:
        raise RulesError(
            f"a per-ballot trace is kept for the round-by-round methods "
            f"({', '.join(m.value for m in ROUND_LOOP)}), not {rules.method.value}"
        )
    tracer = Tracer()
    result = count_rounds(rules, ballots, recorder=tracer)
    names = tuple(candidate_names(rules, ballots))
    return Trace(result, names, np.asarray(ballots.weights), tracer)
