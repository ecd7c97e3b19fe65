"""Assembling cast-vote records from any provider into one ``hustings.counting.Ballots``.

Every provider module turns its file into marks at rank numbers; this module owns what
they share: matching a mark to a declared candidate (names, aliases, the undeclared
write-in label), turning several marks at one rank into an overvote set, keeping skipped
ranks as BLANK so the core can apply ``maxSkippedRanksAllowed``, and the precinct / batch
labels that slice reports need. Ballot interpretation itself (overvote rules, duplicates,
skipped ranks) is the counting core's job, never a reader's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hustings.counting import BLANK, OVERVOTE, OVERVOTE_SET_BASE, Ballots
from hustings.counting.ballots import RANK_DTYPE
from hustings.formats.rctab.config import UWI, ContestConfig, CvrSource
from hustings.formats.rctab.errors import CvrError, UnknownCandidateError

MISSING_PRECINCT = "missing_precinct_id"  # RCTab's slice id for a ballot with no precinct
MISSING_BATCH = "missing_batch_id"


class Resolver:
    """Maps the text a CVR uses for a choice to a candidate index (or OVERVOTE)."""

    def __init__(self, config: ContestConfig, builder: BallotBuilder) -> None:
        self.names = config.alias_map()
        self.builder = builder

    def for_source(self, source: CvrSource) -> SourceResolver:
        return SourceResolver(self, source)


class SourceResolver:
    """A resolver that knows one source's labels (UWI, overvote, skipped rank)."""

    def __init__(self, parent: Resolver, source: CvrSource) -> None:
        self.parent = parent
        self.source = source
        self.index = parent.builder.index
        # candidate index -> the text this source first used for it (RCTab's CDF export
        # names selections by that text, not by the config's name)
        self.raw: dict[int, str] = {}

    def candidate(self, text: str, position: int | str | None) -> int:
        """The index of the candidate named (or aliased) by ``text``, trimmed as RCTab does."""
        t = text.strip()
        if self.source.uwi_label and t == self.source.uwi_label:
            return self.index[UWI]
        name = self.parent.names.get(t)
        if name is None:
            raise UnknownCandidateError(
                self.source.path, position, f"unrecognised candidate {t!r}",
                "a candidate name or alias declared in the config",
            )
        i = self.index[name]
        self.raw.setdefault(i, t)
        return i

    def overvote(self, marks: Iterable[int]) -> int:
        """The rank code for several marks at one rank (a single mark stays itself)."""
        members = frozenset(marks)
        if len(members) == 1:
            return next(iter(members))
        if OVERVOTE in members:
            return OVERVOTE
        return self.parent.builder.overvote_code(members)


@dataclass
class _Chunk:
    ranks: np.ndarray
    precincts: np.ndarray | None  # object array of labels, or None
    batches: np.ndarray | None
    ids: Sequence[str] | None
    source: CvrSource | None = None
    extra: Mapping[str, Sequence[str | None]] = field(default_factory=dict)
    raw_names: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceBallots:
    """What one CVR source contributed, in order: for exports that name each ballot.

    ``ids`` are RCTab's CVR ids when the format gives them (None: derived from the file
    name and the ballot's position); ``extra`` holds per-ballot ``tabulator``, ``batch``,
    ``vendor`` and ``portion`` (precinct portion) where the format has them.
    """

    source: CvrSource | None
    count: int
    ids: Sequence[str] | None
    precincts: Sequence[str | None] | None
    extra: Mapping[str, Sequence[str | None]]
    raw_names: Mapping[int, str] = field(default_factory=dict)  # index -> text in the file


@dataclass
class BallotBuilder:
    """Collects chunks of ballots from every source of a contest, in config order."""

    candidates: tuple[str, ...]
    # Ranks above this are left out when ballots are added: the count ignores them anyway
    # (RCTab's maxRankingsAllowed), and a stray "Rank": 1000000 must not size the array.
    max_rankings: int | None = None
    index: dict[str, int] = field(init=False)
    sets: dict[frozenset[int], int] = field(default_factory=dict)
    chunks: list[_Chunk] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.index = {c: i for i, c in enumerate(self.candidates)}

    def overvote_code(self, members: frozenset[int]) -> int:
        return OVERVOTE_SET_BASE - self.sets.setdefault(members, len(self.sets))

    def add_ranks(
        self,
        ranks: np.ndarray,
        *,
        precincts: Sequence[str | None] | np.ndarray | None = None,
        batches: Sequence[str | None] | np.ndarray | None = None,
        ids: Sequence[str] | None = None,
        source: CvrSource | None = None,
        extra: Mapping[str, Sequence[str | None]] | None = None,
    ) -> None:
        """Add ballots already encoded (rows x rank positions, position 0 = rank 1)."""
        ranks = np.asarray(ranks, dtype=RANK_DTYPE)
        if ranks.ndim != 2:
            ranks = ranks.reshape(len(ranks), -1)
        self.chunks.append(_Chunk(ranks, _labels(precincts), _labels(batches), ids, source,
                                  dict(extra or {})))

    def add_ballots(
        self,
        ballots: Sequence[Mapping[int, int]],
        *,
        precincts: Sequence[str | None] | None = None,
        batches: Sequence[str | None] | None = None,
        ids: Sequence[str] | None = None,
        source: CvrSource | None = None,
        extra: Mapping[str, Sequence[str | None]] | None = None,
    ) -> None:
        """Add ballots given as {rank number (1-based): rank code}."""
        top = self.max_rankings
        width = max((max(b) for b in ballots if b), default=1)
        width = width if top is None else max(1, min(width, top))
        ranks = np.full((len(ballots), width), BLANK, dtype=RANK_DTYPE)
        for i, b in enumerate(ballots):
            for rank, code in b.items():
                if rank <= width:
                    ranks[i, rank - 1] = code
        self.add_ranks(ranks, precincts=precincts, batches=batches, ids=ids, source=source,
                       extra=extra)

    def build(self, *, precinct_slices: bool = False, batch_slices: bool = False) -> Ballots:
        width = max((c.ranks.shape[1] for c in self.chunks), default=1) or 1
        parts = []
        for c in self.chunks:
            if c.ranks.shape[1] < width:
                pad = np.full((c.ranks.shape[0], width - c.ranks.shape[1]), BLANK, RANK_DTYPE)
                parts.append(np.hstack([c.ranks, pad]))
            else:
                parts.append(c.ranks)
        ranks = np.vstack(parts) if parts else np.full((0, 1), BLANK, RANK_DTYPE)
        n = ranks.shape[0]
        slices: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
        if precinct_slices:
            slices["precinct"] = _codes([c.precincts for c in self.chunks], self.chunks,
                                        MISSING_PRECINCT)
        if batch_slices:
            slices["batch"] = _codes([c.batches for c in self.chunks], self.chunks, MISSING_BATCH)
        ordered = sorted(self.sets, key=self.sets.__getitem__)
        return Ballots(
            candidates=self.candidates,
            ranks=ranks,
            weights=np.ones(n, dtype=np.int64),
            sections=np.zeros(n, dtype=np.int16),
            overvote_sets=tuple(ordered),
            slices=slices,
        )

    def has_labels(self, kind: str) -> bool:
        """True when some source gave a precinct (or batch) label for its ballots."""
        attr = "precincts" if kind == "precinct" else "batches"
        return any(
            labels is not None and any(x is not None and str(x) != "" for x in labels)
            for labels in (getattr(c, attr) for c in self.chunks)
        )

    def records(self) -> tuple[SourceBallots, ...]:
        return tuple(
            SourceBallots(c.source, int(c.ranks.shape[0]), c.ids,
                          None if c.precincts is None else list(c.precincts), c.extra,
                          c.raw_names)
            for c in self.chunks
        )

    def ids(self) -> list[str | None]:
        out: list[str | None] = []
        for c in self.chunks:
            out.extend(c.ids if c.ids is not None else [None] * c.ranks.shape[0])
        return out


def _labels(values: Sequence[str | None] | np.ndarray | None) -> np.ndarray | None:
    if values is None:
        return None
    return np.asarray(values, dtype=object)


def _codes(
    per_chunk: list[np.ndarray | None], chunks: list[_Chunk], missing: str
) -> tuple[tuple[str, ...], np.ndarray]:
    """Slice labels -> (sorted names, int32 code per ballot); blank labels are ``missing``."""
    arrays = []
    for labels, c in zip(per_chunk, chunks, strict=True):
        if labels is None:
            labels = np.full(c.ranks.shape[0], missing, dtype=object)
        else:
            labels = np.array([missing if (x is None or str(x).strip() == "") else str(x)
                               for x in labels], dtype=object)
        arrays.append(labels)
    allv = np.concatenate(arrays) if arrays else np.array([], dtype=object)
    names, codes = np.unique(allv.astype(str), return_inverse=True)
    return tuple(str(x) for x in names), codes.astype(np.int32)


def source_label(path: Path, position: int | str | None) -> str:
    """``file:position`` for messages built outside an exception."""
    return str(path) if position is None else f"{path}:{position}"


def read_json_object(path: Path, *, document: str, unreadable: str, top: str,
                     encoding: str = "utf-8") -> dict[str, Any]:
    """A JSON CVR file's top-level object, or a ``CvrError`` that says where and what was
    expected: ``document`` for bad JSON, ``unreadable`` for a file that cannot be read,
    ``top`` when the top level is not an object."""
    try:
        doc = json.loads(path.read_text(encoding=encoding))
    except json.JSONDecodeError as e:
        raise CvrError(path, e.lineno, f"malformed JSON at column {e.colno} ({e.msg})",
                       document) from None
    except (OSError, UnicodeDecodeError) as e:
        raise CvrError(path, None, f"cannot read ({e})", unreadable) from None
    except (ValueError, RecursionError) as e:  # a huge number; nesting too deep
        raise CvrError(path, None, f"unreadable JSON ({type(e).__name__})", document) from None
    if not isinstance(doc, dict):
        raise CvrError(path, "$", "top level is not an object", top)
    return doc
