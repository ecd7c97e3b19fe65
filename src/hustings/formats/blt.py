"""The BLT ballot format (Hill, Wichmann & Woodall; OpenSTV, ERS): read and write.

::

    4 2                 <- candidates, seats
    -4                  <- optional: withdrawn candidates, negated numbers
    3 1 2 0             <- weight, then candidate numbers (1-based) in order, then 0
    1 3=4 2 0           <- '=': equal rankings at one rank (read as an overvote set)
    2 1 - 3 0           <- '-': a rank left blank
    0                   <- end of ballots
    "Alice"             <- candidate names, in number order
    "Bob"
    "Carol"
    "Dan"
    "Club committee"    <- the title

BLT has no sections: every ballot is read into one section and a writer drops them.
"""

from __future__ import annotations

import io
import shlex
from collections.abc import Iterator
from os import PathLike
from pathlib import Path

from hustings.counting import BLANK, OVERVOTE_SET_BASE, Ballots
from hustings.formats.ballot_file import BallotFile, read_text
from hustings.formats.errors import BltFormatError

BALLOT_EXPECTED = "a ballot: weight, candidate numbers, 0 (or a lone 0 ending the ballots)"


def read_blt(path: str | PathLike[str]) -> BallotFile:
    """Read a ``.blt`` file: ballots, seats, withdrawn candidates and title."""
    path = Path(path)
    lines = _lines(read_text(path, BltFormatError, "BLT"))
    number, header = next(lines, (1, ""))
    fields = header.split()
    if len(fields) != 2 or not all(f.isdigit() for f in fields) or int(fields[0]) < 1:
        raise BltFormatError(path, number, f"header {header!r}",
                             "'CANDIDATES SEATS', two whole numbers")
    n, seats = int(fields[0]), int(fields[1])
    withdrawn: list[int] = []
    rows: list[list[int | None | frozenset[int]]] = []
    weights: list[int] = []
    starts: list[int] = []
    for number, line in lines:
        tokens = line.split()
        if tokens == ["0"]:
            break
        if tokens[0].startswith("-") and not rows and not withdrawn:
            withdrawn = [_candidate(path, number, t[1:], n) for t in tokens]
            continue
        if not tokens[0].isdigit() or tokens[-1] != "0":
            raise BltFormatError(path, number, f"line {line!r}", BALLOT_EXPECTED)
        rows.append([
            None if token == "-"
            else frozenset(_candidate(path, number, t, n) for t in token.split("="))
            for token in tokens[1:-1]
        ])
        weights.append(int(tokens[0]))
        starts.append(number)
    else:
        raise BltFormatError(path, None, "the file ends inside the ballots",
                             "a line holding 0 after the last ballot")
    names = []
    for _ in range(n):
        number, line = next(lines, (None, None))
        if line is None:
            raise BltFormatError(path, None, f"{len(names)} candidate names",
                                 f"{n} names after the ballots, as the header says")
        names.append(_unquote(path, number, line))
    title_line = next(lines, None)
    title = _unquote(path, *title_line) if title_line else None
    if len(set(names)) != n:
        raise BltFormatError(path, None, "a candidate name appears twice", "unique names")
    ballots = Ballots.from_rankings(
        names,
        ([None if m is None else [names[k] for k in m] for m in row] for row in rows),
        weights=weights,
    )
    return BallotFile(
        str(path), ballots, None, starts.__getitem__,
        seats=seats, withdrawn=tuple(names[k] for k in withdrawn), title=title,
    )


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, content) of lines that are not blank; '#' starts a comment outside
    the quoted names."""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith('"') else raw.strip()
        if line:
            yield number, line


def _candidate(path: Path, number: int, token: str, n: int) -> int:
    if not token.isdigit() or not 1 <= int(token) <= n:
        raise BltFormatError(path, number, f"candidate number {token!r}",
                             f"a whole number from 1 to {n}")
    return int(token) - 1


def _unquote(path: Path, number: int, line: str) -> str:
    try:
        parts = shlex.split(line)
    except ValueError:
        parts = []
    if len(parts) != 1:
        raise BltFormatError(path, number, f"name line {line!r}",
                             'one quoted name, e.g. "Ann Smith"')
    return parts[0]


def write_blt(
    ballots: Ballots,
    out: str | PathLike[str] | io.TextIOBase,
    *,
    seats: int = 1,
    withdrawn: tuple[str, ...] | frozenset[str] = (),
    title: str = "",
) -> None:
    """Write ballots as BLT (sections are dropped; BLT has none). Overvote sets become
    ``a=b``; an overvote whose candidates are unknown (``OVERVOTE``) cannot be written."""
    text = blt_text(ballots, seats=seats, withdrawn=withdrawn, title=title)
    if isinstance(out, io.TextIOBase):
        out.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")


def blt_text(ballots: Ballots, *, seats: int = 1, withdrawn=(), title: str = "") -> str:
    candidates = ballots.candidates
    lines = [f"{len(candidates)} {seats}"]
    if withdrawn:
        lines.append(" ".join(f"-{candidates.index(c) + 1}" for c in sorted(
            withdrawn, key=candidates.index)))
    for row, weight in zip(ballots.ranks.tolist(), ballots.weights.tolist(), strict=True):
        while row and row[-1] == BLANK:
            row.pop()
        lines.append(" ".join([str(weight), *(_mark(ballots, m) for m in row), "0"]))
    lines.append("0")
    lines.extend(_quote(c) for c in candidates)
    lines.append(_quote(title))
    return "\n".join(lines) + "\n"


def _mark(ballots: Ballots, code: int) -> str:
    if code >= 0:
        return str(code + 1)
    if code == BLANK:
        return "-"
    if code <= OVERVOTE_SET_BASE:
        marks = ballots.overvote_sets[OVERVOTE_SET_BASE - code]
        return "=".join(str(c + 1) for c in sorted(marks))
    raise ValueError("an overvote whose candidates are not recorded cannot be written as BLT")


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
