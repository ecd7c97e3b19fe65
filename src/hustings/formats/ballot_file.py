"""What a reader hands back: the ballots of one file, plus what the file told us.

Readers encode rows with the section *labels* the file holds (e.g. ``MP``, ``MEP``); which
labels belong to which section of the rules is decided here, by :func:`assign_sections`,
so no reader knows about rule books. Without rules every ballot counts in one section
(one member one vote), whatever labels the file holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from hustings.counting import OVERVOTE_SET_BASE, Ballots
from hustings.formats.errors import FormatError, SectionLabelError

ONE_SECTION = ("all",)

# Limits every reader holds to, checked where a file states a size and before anything is
# allocated from it (a 30-byte header must not ask for gigabytes).
# A ballot has at most MAX_RANKS ranks: far above any real contest (Labour's most crowded
# ballot had 10 names, RCTab's test contests up to 15), so no real file meets it.
MAX_RANKS = 1000
# A row's weight (the number of identical ballots it stands for) has at most 15 digits:
# exact in int64 with room for a count to add many of them up.
MAX_WEIGHT = 10**15 - 1


@dataclass(frozen=True, eq=False)
class BallotFile:
    """One file's ballots. ``ballots.section_names`` are the file's section labels, or
    ``None`` in ``labels`` when the file has no section column (then every row is in a
    section named ``all``). ``line_of(i)`` gives the file line of ballot row ``i`` (only
    called to word an error, so it may rescan the file)."""

    path: str
    ballots: Ballots
    labels: tuple[str, ...] | None
    line_of: Callable[[int], int]
    # What some formats declare besides ballots (BLT's header, withdrawn line and title).
    seats: int | None = None
    withdrawn: tuple[str, ...] = ()
    title: str | None = None

    @property
    def candidates(self) -> tuple[str, ...]:
        return self.ballots.candidates


def read_text(path: Path, error: type[FormatError], kind: str) -> str:
    """A small text ballot file whole (BLT, PrefLib), or ``error`` saying why not."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise error(path, None, "not UTF-8 text", f"a {kind} text file") from None
    except OSError as e:
        raise error(path, None, f"cannot open: {e.strerror}", f"a readable {kind} file") from None


def with_candidates(ballots: Ballots, candidates: Sequence[str]) -> Ballots:
    """The same ballots indexed into another candidate list (a superset of theirs)."""
    candidates = tuple(candidates)
    if ballots.candidates == candidates:
        return ballots
    index = {c: i for i, c in enumerate(candidates)}
    lut = np.array([index[c] for c in ballots.candidates], dtype=np.int16)
    ranks = ballots.ranks.copy()
    marked = ranks >= 0
    ranks[marked] = lut[ranks[marked]]
    sets = tuple(frozenset(int(lut[m]) for m in s) for s in ballots.overvote_sets)
    return replace(ballots, candidates=candidates, ranks=ranks, overvote_sets=sets)


def _with_sections(ballots: Ballots, codes: np.ndarray, names: Sequence[str]) -> Ballots:
    return replace(ballots, sections=codes, section_names=tuple(names))


def one_section(ballots: Ballots, name: str = ONE_SECTION[0]) -> Ballots:
    """Every ballot in one section (the decision for counts without rules: OMOV)."""
    if ballots.section_names == (name,):
        return ballots
    return _with_sections(ballots, np.zeros(len(ballots), dtype=np.int16), (name,))


def assign_sections(
    file: BallotFile,
    labels: Mapping[str, str],
    section_names: Sequence[str],
    *,
    default: str | None = None,
) -> Ballots:
    """Re-code a file's rows from its section labels to the rules' sections.

    ``labels`` maps a label (a value of the file's ``section`` column) to a section name;
    ``default`` is the section of a file listed under one section (used when the file has
    no section column). A label no section lists is an error naming file, line and label.
    """
    names = tuple(section_names)
    position = {n: k for k, n in enumerate(names)}
    ballots = file.ballots
    if file.labels is None:
        if default is None and len(names) > 1:
            raise SectionLabelError(
                file.path, None, "no section column",
                f"a 'section' column with one of {_expected(labels, names)}, "
                "or the file listed under one [[sections]] ballots",
            )
        target = default if default is not None else names[0]
        return _with_sections(ballots, np.full(len(ballots), position[target], np.int16), names)
    lut = np.empty(len(file.labels), dtype=np.int16)
    for code, label in enumerate(file.labels):
        section = labels.get(label)
        if section is None:
            used = np.flatnonzero(ballots.sections == code)
            if not len(used):
                continue  # a dictionary entry no row uses: nothing to place
            raise SectionLabelError(
                file.path, file.line_of(int(used[0])), f"section label {label!r}",
                f"one of {_expected(labels, names)}",
            )
        lut[code] = position[section]
    return _with_sections(ballots, lut[ballots.sections], names)


def _expected(labels: Mapping[str, str], names: Sequence[str]) -> str:
    by_section = {n: [lab for lab, s in labels.items() if s == n] for n in names}
    return "; ".join(f"{n}: {', '.join(repr(x) for x in labs)}" for n, labs in by_section.items())


def combine(parts: Sequence[Ballots]) -> Ballots:
    """Concatenate ballots that share candidates and sections (several files, one count)."""
    if not parts:
        raise ValueError("nothing to combine")
    first = parts[0]
    if len(parts) == 1:
        return first
    for p in parts[1:]:
        if p.candidates != first.candidates or p.section_names != first.section_names:
            raise ValueError("combine() needs ballots with the same candidates and sections")
    width = max(p.ranks.shape[1] for p in parts)
    sets: dict[frozenset[int], int] = {}
    blocks = []
    for p in parts:
        ranks = np.full((len(p), width), -1, dtype=np.int16)
        ranks[:, : p.ranks.shape[1]] = p.ranks
        if p.overvote_sets:
            codes = np.array(
                [OVERVOTE_SET_BASE - sets.setdefault(s, len(sets)) for s in p.overvote_sets],
                dtype=np.int16,
            )
            where = ranks <= OVERVOTE_SET_BASE
            ranks[where] = codes[OVERVOTE_SET_BASE - ranks[where]]
        blocks.append(ranks)
    return Ballots(
        first.candidates,
        np.concatenate(blocks),
        np.concatenate([p.weights for p in parts]),
        np.concatenate([p.sections for p in parts]),
        first.section_names,
        tuple(sorted(sets, key=sets.__getitem__)),
    )


def check_candidates(file: BallotFile, declared: Sequence[str]) -> None:
    """Raise if the file names a candidate the rules do not list."""
    known = set(declared)
    unknown = [c for c in file.candidates if c not in known]
    if not unknown:
        return
    code = file.candidates.index(unknown[0])
    rows = np.flatnonzero((file.ballots.ranks == code).any(axis=1))
    # The line of the first ballot ranking them; a name no ballot ranks has no such line.
    line = file.line_of(int(rows[0])) if len(rows) else None
    raise FormatError(
        file.path, line, f"unknown candidate {unknown[0]!r}", f"one of {', '.join(declared)}",
    )
