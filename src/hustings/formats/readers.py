"""Read one or several ballot files into one ``Ballots``, whatever their formats.

The format is chosen by the file's extension. Several files are one count: their
candidates are unified (the rules' declared list when there is one, else every name seen,
sorted, unless all files agree on one order) and their rows placed in the rules' sections.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from hustings.counting import Ballots
from hustings.formats.ballot_file import (
    BallotFile,
    assign_sections,
    check_candidates,
    combine,
    one_section,
    with_candidates,
)
from hustings.formats.errors import FormatError

SUFFIXES = (".csv", ".blt", ".soi", ".toi", ".soc")


def read_ballot_file(
    path: str | PathLike[str],
    *,
    candidates: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BallotFile:
    """Read one file, choosing the reader by extension (``.csv``, ``.blt``, PrefLib)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        from hustings.formats.csv import read_csv

        return read_csv(path, candidates=candidates, progress=progress)
    if suffix == ".blt":
        from hustings.formats.blt import read_blt

        file: BallotFile = read_blt(path)
    elif suffix in (".soi", ".toi", ".soc"):
        from hustings.formats.preflib import read_preflib

        file = read_preflib(path)
    else:
        raise FormatError(
            path, None, f"unknown ballot file type {suffix or '(no extension)'!r}",
            "one of " + ", ".join(SUFFIXES),
        )
    if candidates is not None:
        check_candidates(file, candidates)
    return file


@dataclass(frozen=True)
class Source:
    """A ballot file and, when the rules list it under one section, that section."""

    path: Path
    section: str | None = None


@dataclass(frozen=True)
class SectionPlan:
    """Where rows go: the rules' section names and which file labels belong to each."""

    names: tuple[str, ...]
    labels: Mapping[str, str]  # label -> section name


def read_ballots(
    sources: Sequence[Source],
    *,
    candidates: Sequence[str] | None = None,
    plan: SectionPlan | None = None,
    progress: Callable[[Path, str], None] | None = None,
) -> tuple[Ballots, tuple[BallotFile, ...]]:
    """Read every source into one ``Ballots``; also return the files (for what they
    declared, e.g. BLT seats). Without a ``plan`` every row counts in one section."""
    files = []
    for source in sources:
        tell = (lambda stage, p=source.path: progress(p, stage)) if progress else None
        files.append(read_ballot_file(source.path, candidates=candidates, progress=tell))
    if candidates is None:
        orders = {f.candidates for f in files}
        candidates = orders.pop() if len(orders) == 1 else tuple(
            sorted({c for f in files for c in f.candidates})
        )
    parts = []
    for source, file in zip(sources, files, strict=True):
        ballots = with_candidates(file.ballots, candidates)
        file = BallotFile(file.path, ballots, file.labels, file.line_of)
        if plan is None:
            parts.append(one_section(ballots))
        else:
            parts.append(assign_sections(file, plan.labels, plan.names, default=source.section))
    return combine(parts), tuple(files)
