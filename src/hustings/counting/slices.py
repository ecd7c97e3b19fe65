"""Slices: the same count's figures for each precinct or batch (RCTab's tabulate-by-precinct
/ by-batch reports).

Slices never change a decision: the whole count elects and eliminates; each slice only
adds up what its own ballots did. A slice's round is the whole count's round (number,
threshold, decisions, tie-breaks) with the slice's own tallies, inactive ballots and
transfers. As in RCTab (``Tabulator.updateWinnerTallies``), an STV winner's slice tally is
what that slice's ballots kept with the winner (no residual is taken off a slice), and
slice transfers list only ballot moves.

``SliceBooks`` keeps the sums (the ``Ledger`` updates them as ballots move);
``SliceRounds`` turns them into each slice's rounds as the count goes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction

import numpy as np

from hustings.counting.result import Result, Round, Transfer, frozen_map
from hustings.counting.rules import InactiveReason, Rules
from hustings.counting.tallies import Units, inactive_by_reason, section_round, transfers

N_STATUS = 7
GroupSum = Callable[[np.ndarray, "np.ndarray | None", int], np.ndarray]


class SliceBooks:
    """Per-label sums for one kind of slice ("precinct", "batch")."""

    def __init__(
        self, labels: Sequence[str], codes: np.ndarray, n_candidates: int,
        group_sum: GroupSum, zero_like: np.ndarray,
    ) -> None:
        self.labels = tuple(labels)
        self.codes = np.asarray(codes, dtype=np.int64)
        self.n_labels = len(self.labels)
        self.n_candidates = n_candidates
        self.group_sum = group_sum
        dtype = zero_like.dtype
        zero = zero_like.flat[0] * 0 if zero_like.size else 0
        self.tally = np.full((self.n_labels, n_candidates), zero, dtype=dtype)
        self.inactive = np.full((self.n_labels, N_STATUS), zero, dtype=dtype)
        self.undervotes = np.zeros(self.n_labels, dtype=np.int64)
        self.total = np.zeros(self.n_labels, dtype=np.int64)
        self.kept: dict[int, np.ndarray] = {}  # STV winner -> what each slice kept with them
        self.transfers: np.ndarray | None = None  # the last move, (labels, C, C + 1)

    def first(self, cand: np.ndarray, status: np.ndarray, active: np.ndarray,
              gone: np.ndarray, under: np.ndarray,
              amounts: Callable[[np.ndarray], np.ndarray | None], weights: np.ndarray) -> None:
        n_cands, n_labels = self.n_candidates, self.n_labels
        # int64 sums (np.add.at): exact, no float on the way
        self.total = np.zeros(n_labels, dtype=np.int64)
        np.add.at(self.total, self.codes, weights)
        self.undervotes = np.zeros(n_labels, dtype=np.int64)
        np.add.at(self.undervotes, self.codes[under], weights[under])
        keys = self.codes[active] * n_cands + cand[active]
        self.tally = self.group_sum(keys, amounts(active), n_labels * n_cands).reshape(
            n_labels, n_cands)
        keys = self.codes[gone] * N_STATUS + status[gone]
        self.inactive = self.group_sum(keys, amounts(gone), n_labels * N_STATUS).reshape(
            n_labels, N_STATUS)

    def move(self, idx: np.ndarray, old: np.ndarray, target: np.ndarray,
             status_out: np.ndarray, out: np.ndarray, amounts: np.ndarray | None,
             sources: Sequence[int]) -> None:
        n_cands, n_labels = self.n_candidates, self.n_labels
        code = self.codes[idx]
        keys = (code * n_cands + old) * (n_cands + 1) + target
        moved = self.group_sum(keys, amounts, n_labels * n_cands * (n_cands + 1)).reshape(
            n_labels, n_cands, n_cands + 1)
        self.transfers = moved
        self.tally[:, sources] = self.tally.flat[0] * 0 if self.tally.size else 0
        self.tally = self.tally + moved[:, :, :n_cands].sum(axis=1)
        keys = code[out] * N_STATUS + status_out
        self.inactive = self.inactive + self.group_sum(
            keys, None if amounts is None else amounts[out], n_labels * N_STATUS
        ).reshape(n_labels, N_STATUS)

    def surplus(self, winner: int, idx: np.ndarray, kept_units: np.ndarray) -> None:
        self.kept[winner] = self.group_sum(self.codes[idx], kept_units, self.n_labels)


class SliceRounds:
    """Each slice's rounds, built as the whole count's rounds are closed."""

    def __init__(self, books: Mapping[str, SliceBooks], rules: Rules, names: Sequence[str],
                 votes: Callable[[Units], Fraction]) -> None:
        self.books, self.rules, self.names, self.votes = books, rules, names, votes
        self.section = rules.sections[0]
        slices = [(kind, label) for kind, book in books.items() for label in book.labels]
        self.rounds: dict[tuple[str, str], list[Round]] = {s: [] for s in slices}
        self.held: dict[tuple[str, str], dict[str, Fraction]] = {s: {} for s in slices}
        self.counted: dict[tuple[str, str], tuple[dict[str, Fraction],
                                                  dict[InactiveReason, Fraction]]] = {}
        self.moved: dict[tuple[str, str], list[Transfer]] = {}

    def count(self, continuing: np.ndarray, settled: Sequence[int]) -> None:
        """Take each slice's figures for the round just counted; ``settled``: STV winners
        of the round before, whose slice tallies are now what their ballots kept."""
        for kind, book in self.books.items():
            for k, label in enumerate(book.labels):
                held = self.held[kind, label]
                for w in settled:
                    if w in book.kept:
                        held[self.names[w]] = self.votes(book.kept[w][k])
                votes = {self.names[i]: self.votes(book.tally[k, i])
                         for i in np.flatnonzero(continuing).tolist()}
                votes.update(held)
                self.counted[kind, label] = (votes, self.inactive(book.inactive[k]))

    def inactive(self, row: np.ndarray) -> dict[InactiveReason, Fraction]:
        """One slice's inactive ballots by reason, from its row of status sums."""
        return inactive_by_reason(lambda code: self.votes(row[code]))

    def move(self, sources: Sequence[int]) -> None:
        """Book the ballots the ledger has just moved out of ``sources``."""
        for kind, book in self.books.items():
            for k, label in enumerate(book.labels):
                self.moved[kind, label] = [] if book.transfers is None or not sources else (
                    transfers(book.transfers[k], sources, self.section.name, self.names,
                              self.votes))

    def close(self, whole: Round) -> None:
        """Each slice's version of the whole count's round ``whole``."""
        for key, (votes, inactive) in self.counted.items():
            reasons = whole.sections[0].inactive  # the same categories as the whole count
            shown = {reason: inactive.get(reason, Fraction(0)) for reason in reasons}
            moved = self.moved.pop(key, [])  # none after the last round
            self.rounds[key].append(replace(
                whole, sections=(section_round(self.section, votes, shown),),
                tally=frozen_map(votes), transfers=tuple(moved)))

    def results(self, rules: Rules, winners: tuple[str, ...]) -> dict[str, dict[str, Result]]:
        out: dict[str, dict[str, Result]] = {}
        for kind, book in self.books.items():
            out[kind] = {
                label: Result(rules=rules, rounds=tuple(self.rounds[kind, label]),
                              winners=winners, total_ballots=int(book.total[k]),
                              undervotes=int(book.undervotes[k]))
                for k, label in enumerate(book.labels)
            }
        return out
