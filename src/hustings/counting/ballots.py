"""Ballots as NumPy arrays: the compact form every method counts from.

A ballot is a row of ``ranks``: position 0 is the first preference. Each cell holds

* a candidate index ``>= 0`` (into ``Ballots.candidates``);
* ``BLANK`` (-1): nothing marked at this rank (a skipped rank, or past the last mark);
* ``OVERVOTE`` (-2): more than one mark at this rank, candidates not recorded
  (e.g. an ES&S ``overvote`` label);
* a code ``<= OVERVOTE_SET_BASE`` (-3): more than one mark at this rank, the marked
  candidates being ``overvote_sets[OVERVOTE_SET_BASE - code]`` (so -3 is set 0, -4 set 1…).

Keeping overvotes and blanks in the array (instead of cleaning them on reading) is what lets
ballot-interpretation rules (RCTab's overvote rules, skipped-rank limits, duplicate
candidates) live in the core and not in each reader.

``weights`` holds how many identical ballots a row stands for (integers: a row of a CSV with
``weight`` 3 is three ballots). ``sections`` holds each row's section index into
``section_names``; a person who votes in two sections has two rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from hustings.counting.errors import BallotsError

BLANK = -1
OVERVOTE = -2
OVERVOTE_SET_BASE = -3
RANK_DTYPE = np.int16


@dataclass(frozen=True, eq=False)
class Ballots:
    """An immutable batch of ranked ballots (see the module docstring for the encoding)."""

    candidates: tuple[str, ...]
    ranks: np.ndarray
    weights: np.ndarray
    sections: np.ndarray
    section_names: tuple[str, ...] = ("all",)
    overvote_sets: tuple[frozenset[int], ...] = ()
    # Optional per-row labels for slice reports (RCTab's tabulate-by-precinct/batch):
    # name -> (label names, int32 codes per row). Slices never change decisions.
    slices: dict[str, tuple[tuple[str, ...], np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ranks = np.asarray(self.ranks, dtype=RANK_DTYPE)
        if ranks.ndim != 2:
            raise BallotsError(f"ranks must be a 2-D array (ballots x ranks), got {ranks.ndim}-D")
        n = ranks.shape[0]
        weights = np.asarray(self.weights, dtype=np.int64)
        sections = np.asarray(self.sections, dtype=np.int16)
        if weights.shape != (n,) or sections.shape != (n,):
            raise BallotsError(
                f"weights and sections must hold one entry per ballot ({n}), "
                f"got {weights.shape[0] if weights.ndim else 0} and "
                f"{sections.shape[0] if sections.ndim else 0}"
            )
        if n and int(weights.min()) < 0:
            raise BallotsError("ballot weights must be whole numbers >= 0")
        if n and (int(ranks.max(initial=BLANK)) >= len(self.candidates)):
            raise BallotsError(
                f"a ballot names candidate index {int(ranks.max())}, "
                f"but there are only {len(self.candidates)} candidates"
            )
        if n and int(ranks.min(initial=BLANK)) < OVERVOTE_SET_BASE - len(self.overvote_sets) + 1:
            raise BallotsError("a ballot refers to an overvote set that was not given")
        if n and (int(sections.min()) < 0 or int(sections.max()) >= len(self.section_names)):
            raise BallotsError(
                f"section index out of range: expected 0..{len(self.section_names) - 1}"
            )
        for arr in (ranks, weights, sections):
            arr.setflags(write=False)
        object.__setattr__(self, "ranks", ranks)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "sections", sections)
        object.__setattr__(self, "candidates", tuple(self.candidates))
        object.__setattr__(self, "section_names", tuple(self.section_names))

    def __len__(self) -> int:
        return int(self.ranks.shape[0])

    @property
    def total(self) -> int:
        """How many ballots the rows stand for (the sum of weights)."""
        return int(self.weights.sum())

    @classmethod
    def from_rankings(
        cls,
        candidates: Sequence[str],
        rankings: Iterable[Sequence[str | None | Iterable[str]]],
        *,
        weights: Iterable[int] | None = None,
        sections: Iterable[str] | None = None,
        section_names: Sequence[str] | None = None,
    ) -> Ballots:
        """Build ballots from Python lists of candidate names: small inputs and tests.

        A ranking is a sequence whose items are a name, ``None`` (a blank rank) or a
        collection of names (several marks at one rank: an overvote).
        """
        candidates = tuple(candidates)
        index = {c: i for i, c in enumerate(candidates)}
        rows = [list(r) for r in rankings]
        width = max((len(r) for r in rows), default=0) or 1
        ranks = np.full((len(rows), width), BLANK, dtype=RANK_DTYPE)
        sets: dict[frozenset[int], int] = {}
        for i, row in enumerate(rows):
            for j, mark in enumerate(row):
                if mark is None:
                    continue
                if isinstance(mark, str):
                    if mark not in index:
                        raise BallotsError(f"ballot {i + 1}: unknown candidate {mark!r}")
                    ranks[i, j] = index[mark]
                    continue
                members = frozenset(index[m] for m in mark)
                if len(members) == 1:
                    ranks[i, j] = next(iter(members))
                else:
                    ranks[i, j] = OVERVOTE_SET_BASE - sets.setdefault(members, len(sets))
        w = (np.ones(len(rows), dtype=np.int64) if weights is None
             else np.fromiter(weights, np.int64))
        if sections is None:
            names = tuple(section_names or ("all",))
            s = np.zeros(len(rows), dtype=np.int16)
        else:
            labels = list(sections)
            names = tuple(section_names or dict.fromkeys(labels))
            pos = {n: k for k, n in enumerate(names)}
            try:
                s = np.array([pos[x] for x in labels], dtype=np.int16)
            except KeyError as e:
                raise BallotsError(
                    f"unknown section {e.args[0]!r}; expected one of {names}") from None
        ordered = sorted(sets, key=sets.__getitem__)
        return cls(candidates, ranks, w, s, names, tuple(ordered))
