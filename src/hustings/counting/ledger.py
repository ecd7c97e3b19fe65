"""The count's books: where every ballot is, and exact sums of what it is worth.

A ``Ledger`` holds, per candidate, the index arrays of the ballots it holds (sorted, so
they are read in row order), per ballot its value (STV only), and per section the running
tally and the inactive totals by reason. It only ever touches the ballots that move, so a
round costs what it moves, not what was cast: tallies change by the moved ballots' sums.

Vote figures are integers in *units*: whole votes (``scale`` 1) for IRV and the college,
1/10^d of a vote for STV with ``decimal_places`` d (fixed point, exact), or Python
``Fraction`` objects when the rules ask for exact fractions (``decimal_places=None``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Protocol

import numpy as np

from hustings.counting.ballots import Ballots
from hustings.counting.errors import BallotsError
from hustings.counting.interpret import (
    ACTIVE,
    FINAL_SURPLUS,
    NO_CANDIDATE,
    UNDERVOTE,
    BallotReader,
)
from hustings.counting.rules import Rules
from hustings.counting.slices import SliceBooks
from hustings.counting.tallies import Units

N_STATUS = 7
_INT64_LIMIT = 2**63  # fixed-point sums are int64: every total must stay below this


def section_index(rules: Rules, ballots: Ballots) -> np.ndarray | None:
    """Map each ballot's section to the rules' section order (None when they agree)."""
    declared = [s.name for s in rules.sections]
    given = list(ballots.section_names)
    if len(declared) == 1 and len(given) == 1:
        return None  # one section each: the same electorate whatever it is called
    missing = [g for g in given if g not in declared]
    if missing:
        raise BallotsError(
            f"ballots are in section {missing[0]!r}, which the rules do not declare; "
            f"expected one of {declared}"
        )
    if given == declared[: len(given)]:
        return None
    lookup = np.array([declared.index(g) for g in given], dtype=np.int16)
    mapped: np.ndarray = lookup[ballots.sections]
    return mapped


class Recorder(Protocol):
    """Told by the ledger where ballots go (``trace.Tracer`` keeps a per-ballot record)."""

    def begin(self, n_ballots: int, units_per_vote: int | None) -> None:
        """The count starts: every ballot worth one vote, ``units_per_vote`` units each
        (None: values are exact ``Fraction`` objects)."""

    def read(self, idx: np.ndarray | None, cand: np.ndarray, status: np.ndarray) -> None:
        """Ballots ``idx`` (None: all, in round 1) now count for ``cand`` (or NO_CANDIDATE,
        with ``status`` saying why); called once per round, even when none moves."""

    def revalue(self, winner: int, idx: np.ndarray, values: np.ndarray,
                kept: np.ndarray) -> None:
        """``winner``'s ballots ``idx`` are now worth ``values`` (units) and have left
        ``kept`` (units, weight included) with the winner."""


class Ledger:
    """Per-ballot state and per-section sums for one count."""

    def __init__(
        self, rules: Rules, ballots: Ballots, n_candidates: int, scale: int | None,
        fractional: bool = False, recorder: Recorder | None = None,
    ) -> None:
        self.reader = BallotReader(ballots, rules.ballot_rules, n_candidates)
        self.weights = ballots.weights
        mapped = section_index(rules, ballots)
        self.sections = ballots.sections if mapped is None else mapped
        self.n_sections = len(rules.sections)
        self.n_candidates = n_candidates
        self.scale = scale  # None: exact Fractions
        self.recorder = recorder
        if recorder is not None:
            recorder.begin(len(ballots), scale)
        n = len(ballots)
        self.groups: list[list[np.ndarray]] = [[] for _ in range(n_candidates)]
        self.first_choice: np.ndarray | None = None  # round-1 candidate of every ballot
        self.collected = np.zeros(n_candidates, dtype=bool)  # round-1 holders filed?
        self.unit_weights = bool(n) and bool((self.weights == 1).all())
        self.exact = scale is None
        # what each ballot is worth, in units; None: one vote each, amounts are the weights
        self.values: np.ndarray | None
        if scale is None:
            self.values = np.array([Fraction(1)] * n, dtype=object)
        elif scale == 1 and not fractional:
            self.values = None
        else:
            if ballots.total * scale >= _INT64_LIMIT:
                raise BallotsError(
                    f"{ballots.total} ballots at {scale} units per vote overflow exact "
                    "fixed-point sums; use fewer decimal places or exact fractions"
                )
            self.values = np.full(n, scale, dtype=np.int64)
        dtype = object if self.exact else np.int64
        zero = Fraction(0) if self.exact else 0
        self.tally = np.full((self.n_sections, n_candidates), zero, dtype=dtype)
        self.inactive = np.full((self.n_sections, N_STATUS), zero, dtype=dtype)
        self.undervotes = 0
        self.slices = {
            kind: SliceBooks(labels, codes, n_candidates, self.group_sum, self.tally)
            for kind, (labels, codes) in ballots.slices.items()
        }

    # -- sums ---------------------------------------------------------------------------

    def amounts(self, idx: np.ndarray) -> np.ndarray | None:
        """What the ballots ``idx`` are worth now, in units (weight x value).

        None means one unit each (unit weights, whole votes): sums are plain counts."""
        amounts: np.ndarray | None
        if self.values is None:
            amounts = None if self.unit_weights else self.weights[idx]
        elif self.unit_weights:
            amounts = self.values[idx]
        else:
            amounts = self.weights[idx] * self.values[idx]
        return amounts

    def group_sum(self, keys: np.ndarray, amounts: np.ndarray | None, size: int
                  ) -> np.ndarray:
        """Sum ``amounts`` (None: one each) by integer ``keys`` in [0, size), exactly."""
        if self.exact:
            assert amounts is not None  # exact counts keep every ballot's value
            out = np.full(size, Fraction(0), dtype=object)
            for k, a in zip(keys.tolist(), amounts.tolist()):
                out[k] += a
            return out
        if keys.size == 0:
            return np.zeros(size, dtype=np.int64)
        if amounts is None:
            return np.bincount(keys, minlength=size).astype(np.int64)
        # np.add.at sums in int64: exact, and (NumPy >= 1.25) faster than a float bincount.
        sums = np.zeros(size, dtype=np.int64)
        np.add.at(sums, keys, amounts)
        return sums

    def frac(self, units: Units) -> Fraction:
        """A sum in units as votes."""
        if isinstance(units, Fraction):
            return units
        return Fraction(int(units), 1 if self.scale is None else self.scale)

    # -- moving ballots ----------------------------------------------------------------

    def first_count(self, continuing: np.ndarray) -> None:
        """Round 1: read every ballot up to its first continuing choice."""
        cand, status = self.reader.advance(None, continuing)
        # Round-1 holders are found on demand (one pass per candidate whose ballots move):
        # most candidates' ballots never move, so sorting them all would be wasted.
        self.first_choice = cand
        if self.recorder is not None:
            self.recorder.read(None, cand, status)
        gone = np.flatnonzero(status)  # inactive, or an undervote
        under = gone[status[gone] == UNDERVOTE]
        self.undervotes = int(self.weights[under].sum())
        if self.values is None and self.n_sections == 1 and self.unit_weights:
            self.tally[0] = np.bincount(cand + 1, minlength=self.n_candidates + 1)[1:]
        else:
            active = np.flatnonzero(cand >= 0)
            keys = self.sections[active].astype(np.int64) * self.n_candidates + cand[active]
            size = self.n_sections * self.n_candidates
            self.tally = self.group_sum(keys, self.amounts(active), size).reshape(
                self.n_sections, self.n_candidates)
        gone = gone[status[gone] != UNDERVOTE]
        keys = self.sections[gone].astype(np.int64) * N_STATUS + status[gone]
        self.inactive = self.group_sum(
            keys, self.amounts(gone), self.n_sections * N_STATUS).reshape(self.n_sections, N_STATUS)
        if self.slices:
            active = np.flatnonzero(cand >= 0)
            for book in self.slices.values():
                book.first(cand, status, active, gone, under, self.amounts, self.weights)

    def _regroup(self, idx: np.ndarray | None, cand: np.ndarray) -> np.ndarray:
        """File the ballots ``idx`` (None: all) under their new candidates ``cand``.

        Each candidate keeps the index arrays of the ballots it holds, so moving a
        candidate's ballots never scans the whole electorate. A stable sort of small
        integers is a radix sort in NumPy: linear time. Returns counts per cand + 1.
        """
        order = np.argsort(cand, kind="stable")
        counts = np.bincount(cand + 1, minlength=self.n_candidates + 1)
        ordered = order if idx is None else idx[order]
        ends = np.cumsum(counts)
        for c in range(self.n_candidates):
            if counts[c + 1]:
                self.groups[c].append(ordered[ends[c]: ends[c + 1]])
        return counts

    def members(self, c: int) -> np.ndarray:
        """Indices of the ballots candidate ``c`` holds now."""
        if self.first_choice is not None and not self.collected[c]:
            self.collected[c] = True
            self.groups[c].insert(0, np.flatnonzero(self.first_choice == c))
        parts = [p for p in self.groups[c] if p.size]
        if not parts:
            return np.zeros(0, dtype=np.intp)
        if len(parts) > 1:
            # Sorted (timsort just merges the sorted runs), so reading these ballots' rows
            # sweeps the rank array in order: several times faster than a scattered gather.
            self.groups[c] = parts = [np.sort(np.concatenate(parts), kind="stable")]
        return parts[0]

    def move(
        self, sources: list[int], continuing: np.ndarray, final_surplus: bool = False
    ) -> np.ndarray:
        """Move every ballot held by ``sources`` on; returns transfers (S, C, C+1) in units.

        The last axis is the target candidate, or ``C`` for ballots that became inactive.
        With ``final_surplus`` the ballots that leave are booked as the final-round surplus.
        """
        C, S = self.n_candidates, self.n_sections
        if not sources:
            if self.recorder is not None:
                none = np.zeros(0, dtype=np.intp)
                self.recorder.read(none, none.astype(np.int16), none.astype(np.int8))
            return np.zeros((S, C, C + 1), dtype=self.tally.dtype)
        held = [self.members(c) for c in sources]
        for c in sources:
            self.groups[c] = []
        idx = np.concatenate(held) if len(held) > 1 else held[0]
        old = np.repeat(np.asarray(sources, dtype=np.int64), [h.size for h in held])
        if final_surplus:
            # Every seat is filled: the last surplus goes to no one (RCTab 2.0 books it as
            # "finalRoundSurplus"), so the pointers need not move.
            cand = np.full(idx.size, NO_CANDIDATE, dtype=np.int16)
            status = np.full(idx.size, FINAL_SURPLUS, dtype=np.int8)
        else:
            cand, status = self.reader.advance(idx, continuing)
        if self.recorder is not None:
            self.recorder.read(idx, cand, status)
        self._regroup(idx, cand)
        amounts = self.amounts(idx)
        sec = (self.sections[idx].astype(np.int64) if S > 1
               else np.zeros(idx.size, dtype=np.int64))
        target = np.where(cand >= 0, cand, C).astype(np.int64)
        keys = (sec * C + old) * (C + 1) + target
        transfers = self.group_sum(keys, amounts, S * C * (C + 1)).reshape(S, C, C + 1)
        self.tally[:, sources] = 0 if not self.exact else Fraction(0)
        self.tally += transfers[:, :, :C].sum(axis=1)
        out = np.flatnonzero(status != ACTIVE)
        keys = sec[out] * N_STATUS + status[out]
        self.inactive = self.inactive + self.group_sum(
            keys, None if amounts is None else amounts[out], S * N_STATUS
        ).reshape(S, N_STATUS)
        for book in self.slices.values():
            book.move(idx, old, target, status[out], out, amounts, sources)
        return transfers

    def take_surplus(self, winner: int, fraction: int | Fraction) -> Fraction:
        """Cut the ballots held by ``winner`` to ``fraction`` of their value (rounded down).

        ``fraction`` is in units (fixed point) or a Fraction. Returns what the winner keeps,
        as votes: the part of each ballot that stays with them (RCTab's
        ``recordCurrentRecipientAsWinner``: the transfer value is rounded *down*, so the
        winner keeps the crumbs, later booked as residual surplus).
        """
        assert self.values is not None, "surpluses move in counts that keep ballot values"
        idx = self.members(winner)
        before = self.values[idx]
        scale = self.scale
        if scale is None:
            after = before * fraction
        elif scale * max(int(fraction), 1) < 2**62:
            after = before * int(fraction) // scale
        else:  # very many decimal places: Python integers cannot overflow
            after = np.array(
                [v * int(fraction) // scale for v in before.tolist()], dtype=np.int64
            )
        self.values[idx] = after
        kept = (before - after) * self.weights[idx]
        if self.recorder is not None:
            self.recorder.revalue(winner, idx, after, kept)
        for book in self.slices.values():
            book.surplus(winner, idx, kept)
        return self.frac(kept.sum())
