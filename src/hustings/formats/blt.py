'''The BLT ballot format (Hill, Wichmann & Woodall; OpenSTV, ERS, Droop): read and write.

::

    4 2                 <- candidates, seats
    -4                  <- optional: withdrawn candidates, negated numbers
    [withdrawn 4]       <- optional (OpenSTV/Droop): the same, as an option line
    [tie 2 1 4 3]       <- optional (Droop): the order lot stands for in a tie
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

Files are read as they are published, not only as the format was first written down. The
Scottish councils' files (``../shared/data/scotland``, see its README) add:

* names given only in comments after the ballots, ``# ALTERNATIVE NAME 3: Philip Braat
  (Lab)``, the title then being the one line that is left;
* bare unquoted lines, ``Tom CASTLES (Lab)``;
* a name and a party, ``"Name" "Party"``; as one spreadsheet cell with its quotes doubled,
  ``"Ann SMITH ""Scottish Labour Party"""`` or ``"Lab ""Ann SMITH"" "`` (the party is the
  single word opposite a name of several; otherwise the quoted part, as in the 2022 files);
* a spreadsheet export with a comma at the end of every line.

A candidate with a party is named ``Name (Party)``, the way the bare-line files write it.
Every refusal is a ``BltFormatError`` saying file, line and what was expected; sizes are
checked before anything is allocated for them (a header may claim anything).
'''

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np

from hustings.counting import BLANK, OVERVOTE_SET_BASE, Ballots
from hustings.counting.ballots import RANK_DTYPE
from hustings.formats.ballot_file import BallotFile, read_text
from hustings.formats.errors import BltFormatError

BALLOT_EXPECTED = "a ballot: weight, candidate numbers, 0 (or a lone 0 ending the ballots)"
MAX_WEIGHT = 2**63 - 1  # ballot weights are int64: the sum of a file's weights must fit
MAX_CANDIDATES = int(np.iinfo(RANK_DTYPE).max)  # a rank cell is int16
NUMBER = re.compile(r"[0-9]+")  # ASCII digits only: str.isdigit() also passes '²'
PLAIN = re.compile(r"[0-9]{1,19}(?:[ \t]+[0-9]{1,6})*")  # the usual ballot line: all numbers
ALTERNATIVE = re.compile(r"#\s*ALTERNATIVE NAME\s+([0-9]+)\s*:\s*(.*)", re.IGNORECASE)
OPTION = re.compile(r"\[\s*(\w+)((?:\s+[^\s\]]+)*)\s*\]")
SEGMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|([^"]+)')
SPREADSHEET_CELL = re.compile(r'"(?:[^"]|"")*"')


@dataclass(frozen=True, eq=False)
class BltFile(BallotFile):
    """A BLT file's ballots and what its header, option lines and names declared.
    ``tie_order``: Droop's ``[tie ...]`` line, the order lot stands for (None: not given)."""

    tie_order: tuple[str, ...] | None = None
    parties: tuple[str | None, ...] = ()


def read_blt(path: str | PathLike[str]) -> BltFile:
    """Read a ``.blt`` file: ballots, seats, withdrawn candidates, tie order and title."""
    path = Path(path)
    text = read_text(path, BltFormatError, "BLT")
    lines = text.splitlines()
    padded = bool(lines) and lines[0].rstrip().endswith(",")  # a spreadsheet's CSV export
    if padded:
        lines = [line.rstrip().rstrip(",") for line in lines]
    body = _lines(lines)
    number, header = next(body, (1, ""))
    fields = header.split()
    if len(fields) != 2 or not all(NUMBER.fullmatch(f) for f in fields) or int(fields[0]) < 1:
        raise BltFormatError(path, number, f"header {header!r}",
                             "'CANDIDATES SEATS', two whole numbers")
    if len(fields[0]) > 6 or int(fields[0]) > MAX_CANDIDATES:
        raise BltFormatError(path, number, f"{fields[0]} candidates",
                             f"at most {MAX_CANDIDATES}")
    n = int(fields[0])
    if len(fields[1]) > 6 or not 1 <= int(fields[1]) <= n:
        raise BltFormatError(path, number, f"{fields[1]} seats",
                             f"a whole number from 1 to {n}, the number of candidates")
    seats = int(fields[1])
    withdrawn: list[int] = []
    tie: list[int] | None = None
    nicks: dict[str, str] = {}  # Droop's [nick ...]: a short name for each number
    rows: list[list[int]] = []
    weights: list[int] = []
    starts: list[int] = []
    sets: dict[frozenset[int], int] = {}
    total = 0
    for number, line in body:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line == "0":
            break
        option = OPTION.fullmatch(line)
        if option:
            kind, words = option.group(1).lower(), option.group(2).split()
            if kind == "droop":
                continue  # Droop's own rule options: the rules come from --preset here
            if kind == "nick" and len(words) == n and len(set(words)) == n:
                nicks = {w: str(k) for k, w in enumerate(words, 1)}
                continue
            values = [_candidate(path, number, nicks.get(t, t), n) for t in words]
            if kind == "withdrawn":
                withdrawn += values
            elif kind == "tie" and sorted(values) == list(range(n)):
                tie = values
            else:
                raise BltFormatError(path, number, f"option {_clip(line)!r}",
                                     f"[withdrawn N ...], [tie ...] or [nick ...] naming all "
                                     f"{n} candidates")
            continue
        tokens = line.split()
        if tokens[0].startswith("-") and not rows:
            withdrawn += [_candidate(path, number, t[1:], n) for t in tokens]
            continue
        if not NUMBER.fullmatch(tokens[0]) or tokens[-1] != "0":
            raise BltFormatError(path, number, f"line {_clip(line)!r}", BALLOT_EXPECTED)
        weight = int(tokens[0]) if len(tokens[0]) < 20 else MAX_WEIGHT + 1
        total += weight
        if total > MAX_WEIGHT:
            raise BltFormatError(path, number, f"weight {_clip(tokens[0])}",
                                 f"weights adding up to at most {MAX_WEIGHT} (2**63 - 1)")
        cells = [int(t) - 1 for t in tokens[1:-1]] if PLAIN.fullmatch(line) else None
        if cells is None or (cells and not 0 <= min(cells) <= max(cells) < n):
            cells = [_cell(path, number, t, n, sets, nicks) for t in tokens[1:-1]]
        rows.append(cells)
        weights.append(weight)
        starts.append(number)
    else:
        raise BltFormatError(path, None, "the file ends inside the ballots",
                             "a line holding 0 after the last ballot")
    names, parties, title = _names(path, body, n)
    if len(set(names)) != n:
        twice = next(x for x in names if names.count(x) > 1)
        raise BltFormatError(path, None, f"candidate name {twice!r} appears twice",
                             "unique names")
    width = max((len(r) for r in rows), default=0) or 1
    ranks = np.full((len(rows), width), BLANK, dtype=RANK_DTYPE)
    for i, row in enumerate(rows):
        ranks[i, : len(row)] = row
    ballots = Ballots(
        tuple(names), ranks, np.array(weights, dtype=np.int64),
        np.zeros(len(rows), dtype=np.int16), ("all",),
        tuple(sorted(sets, key=sets.__getitem__)),
    )
    return BltFile(
        str(path), ballots, None, starts.__getitem__,
        seats=seats, withdrawn=tuple(dict.fromkeys(names[k] for k in withdrawn)), title=title,
        tie_order=None if tie is None else tuple(names[k] for k in tie),
        parties=tuple(parties),
    )


def _lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(line number, stripped content) of the lines that are not blank."""
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line:
            yield number, line


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _candidate(path: Path, number: int, token: str, n: int) -> int:
    if not NUMBER.fullmatch(token) or len(token) > 6 or not 1 <= int(token) <= n:
        raise BltFormatError(path, number, f"candidate number {_clip(token)!r}",
                             f"a whole number from 1 to {n}")
    return int(token) - 1


def _cell(path: Path, number: int, token: str, n: int, sets: dict[frozenset[int], int],
          nicks: dict[str, str]) -> int:
    """One rank's cell: a candidate index, BLANK, or an overvote set's code."""
    if token == "-":
        return BLANK
    members = frozenset(_candidate(path, number, nicks.get(t, t), n) for t in token.split("="))
    if not members:
        raise BltFormatError(path, number, f"rank {token!r}", "candidate numbers")
    if len(members) == 1:
        return next(iter(members))
    if members not in sets and len(sets) >= MAX_CANDIDATES + OVERVOTE_SET_BASE:
        raise BltFormatError(path, number, f"rank {_clip(token)!r}: more than "
                             f"{MAX_CANDIDATES + OVERVOTE_SET_BASE} different sets of equal "
                             "rankings", "fewer (a rank cell is 16 bits)")
    return OVERVOTE_SET_BASE - sets.setdefault(members, len(sets))


def _names(path: Path, body: Iterator[tuple[int, str]], n: int
           ) -> tuple[list[str], list[str | None], str | None]:
    """Names and title after the ballots, from name lines or ``# ALTERNATIVE NAME`` ones."""
    alternative: dict[int, str] = {}
    plain: list[tuple[int, str]] = []
    for number, line in body:
        if line.startswith("#"):
            m = ALTERNATIVE.fullmatch(line)
            if m and len(m.group(1)) < 7:
                alternative[int(m.group(1))] = m.group(2).strip()
            continue
        if len(plain) <= n:  # names and title; lines after the title are remarks
            plain.append((number, line))
    if len(plain) < n and sorted(alternative) == list(range(1, n + 1)):
        pairs: list[tuple[str, str | None]] = [
            (_collapse(alternative[k]), None) for k in range(1, n + 1)]
        title_lines = plain
    else:
        if len(plain) < n:
            raise BltFormatError(path, None, f"{len(plain)} candidate names",
                                 f"{n} names after the ballots, as the header says")
        pairs = [_name(path, number, line) for number, line in plain[:n]]
        title_lines = plain[n:]
    pairs = [(name, party[1:-1].strip() if party and party[0] + party[-1] == "()" else party)
             for name, party in pairs]  # '"Jo COX" "(Ind)"' is Jo COX (Ind)
    names = [name if party is None else f"{name} ({party})" for name, party in pairs]
    title = None
    if title_lines:
        number, line = title_lines[0]
        title = " ".join(_segments(path, number, line)[0]) or None
    return names, [party for _, party in pairs], title


def _segments(path: Path, number: int, line: str) -> tuple[list[str], list[bool]]:
    """A name line's parts, and which were quoted. A line that is one spreadsheet cell
    with its quotes doubled is read as the cell's text."""
    text = line.strip()
    if '""' in text[1:-1] and SPREADSHEET_CELL.fullmatch(text):
        text = text[1:-1].replace('""', '"')
    if SEGMENT.sub("", text):  # a quote left open
        raise BltFormatError(path, number, f"name line {_clip(line)!r}",
                             'a name, "a quoted name" or "a name" "a party"')
    parts: list[str] = []
    quoted: list[bool] = []
    for q, bare in SEGMENT.findall(text):
        value = re.sub(r"\\(.)", r"\1", q) if q else bare
        value = _collapse(value.replace(",", " ") if not q else value)
        if value:
            parts.append(value)
            quoted.append(bool(q) or not bare)
    return parts, quoted


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _name(path: Path, number: int, line: str) -> tuple[str, str | None]:
    """(name, party) from one name line."""
    parts, quoted = _segments(path, number, line)
    if len(parts) == 1:
        return parts[0], None
    if len(parts) == 2:
        first, second = parts
        if quoted == [False, True] and (" " not in first) and (" " in second):
            return second, first  # 'Lab "Ann SMITH"': a party word, then the quoted name
        return first, second
    raise BltFormatError(path, number, f"name line {_clip(line)!r}",
                         'a name, "a quoted name" or "a name" "a party"')


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


def blt_text(ballots: Ballots, *, seats: int = 1, withdrawn: Iterable[str] = (),
             title: str = "") -> str:
    return "".join(blt_chunks(ballots, seats=seats, withdrawn=withdrawn, title=title))


def blt_chunks(ballots: Ballots, *, seats: int = 1, withdrawn: Iterable[str] = (),
               title: str = "", rows: int = 20_000) -> Iterator[str]:
    """``blt_text`` a piece at a time (``rows`` ballot lines each), for a writer that
    streams: the pieces joined are ``blt_text``'s text."""
    candidates = ballots.candidates
    lines = [f"{len(candidates)} {seats}"]
    if withdrawn:
        lines.append(" ".join(f"-{candidates.index(c) + 1}" for c in sorted(
            withdrawn, key=candidates.index)))
    for start in range(0, len(ballots.weights), rows):
        part = zip(ballots.ranks[start:start + rows].tolist(),
                   ballots.weights[start:start + rows].tolist(), strict=True)
        for row, weight in part:
            while row and row[-1] == BLANK:
                row.pop()
            lines.append(" ".join([str(weight), *(_mark(ballots, m) for m in row), "0"]))
        yield "\n".join(lines) + "\n"
        lines = []
    lines.append("0")
    lines.extend(_quote(c) for c in candidates)
    lines.append(_quote(title))
    yield "\n".join(lines) + "\n"


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
