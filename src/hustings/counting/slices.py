"""Slice books: the same count's figures for each precinct or batch (RCTab's
tabulate-by-precinct / by-batch reports).

Slices never change a decision: the whole count elects and eliminates; each slice only
adds up what its own ballots did. As in RCTab (``Tabulator.updateWinnerTallies``), an STV
winner's slice tally is what that slice's ballots kept with the winner (no residual is
taken off a slice), and slice transfers list only ballot moves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

N_STATUS = 7


class SliceBooks:
    """Per-label sums for one kind of slice ("precinct", "batch")."""

    def __init__(
        self, labels: tuple[str, ...], codes: np.ndarray, n_candidates: int,
        group_sum: Callable, zero_like: np.ndarray,
    ) -> None:
        self.labels = tuple(labels)
        self.codes = np.asarray(codes, dtype=np.int64)
        self.L = len(self.labels)
        self.C = n_candidates
        self.group_sum = group_sum
        dtype = zero_like.dtype
        zero = zero_like.flat[0] * 0 if zero_like.size else 0
        self.tally = np.full((self.L, n_candidates), zero, dtype=dtype)
        self.inactive = np.full((self.L, N_STATUS), zero, dtype=dtype)
        self.undervotes = np.zeros(self.L, dtype=np.int64)
        self.total = np.zeros(self.L, dtype=np.int64)
        self.kept: dict[int, np.ndarray] = {}  # STV winner -> what each slice kept with them
        self.transfers: np.ndarray | None = None  # the last move, (L, C, C + 1)

    def first(self, cand, status, active, gone, under, amounts, weights) -> None:
        C, L = self.C, self.L
        # int64 sums (np.add.at): exact, no float on the way
        self.total = np.zeros(L, dtype=np.int64)
        np.add.at(self.total, self.codes, weights)
        self.undervotes = np.zeros(L, dtype=np.int64)
        np.add.at(self.undervotes, self.codes[under], weights[under])
        keys = self.codes[active] * C + cand[active]
        self.tally = self.group_sum(keys, amounts(active), L * C).reshape(L, C)
        keys = self.codes[gone] * N_STATUS + status[gone]
        self.inactive = self.group_sum(keys, amounts(gone), L * N_STATUS).reshape(L, N_STATUS)

    def move(self, idx, old, target, status_out, out, amounts, sources) -> None:
        C, L = self.C, self.L
        code = self.codes[idx]
        keys = (code * C + old) * (C + 1) + target
        moved = self.group_sum(keys, amounts, L * C * (C + 1)).reshape(L, C, C + 1)
        self.transfers = moved
        self.tally[:, sources] = self.tally.flat[0] * 0 if self.tally.size else 0
        self.tally = self.tally + moved[:, :, :C].sum(axis=1)
        keys = code[out] * N_STATUS + status_out
        self.inactive = self.inactive + self.group_sum(
            keys, None if amounts is None else amounts[out], L * N_STATUS
        ).reshape(L, N_STATUS)

    def surplus(self, winner: int, idx: np.ndarray, kept_units: np.ndarray) -> None:
        self.kept[winner] = self.group_sum(self.codes[idx], kept_units, self.L)
