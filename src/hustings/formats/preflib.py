"""PrefLib election files (``.soi``, ``.toi``, ``.soc``), the 2022 format of preflib.org.

::

    # DATA TYPE: soi
    # NUMBER ALTERNATIVES: 3
    # ALTERNATIVE NAME 1: Diane Abbott
    # ALTERNATIVE NAME 2: Ed Balls
    # ALTERNATIVE NAME 3: Andy Burnham
    111: 2,1
    3: 3,{1,2}

A row is ``count: ranking``; braces hold alternatives tied at one rank, read as an
overvote set (``toi``: orders with ties). ``soc``/``soi``: strict (in)complete orders.
Other ``#`` lines are metadata and ignored.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

from hustings.counting import Ballots
from hustings.formats.ballot_file import MAX_RANKS, MAX_WEIGHT, BallotFile, read_text
from hustings.formats.errors import PreflibFormatError

NAME = re.compile(r"#\s*ALTERNATIVE NAME (\d+):\s*(.*)", re.IGNORECASE)
ROW = re.compile(r"(\d+)\s*:\s*(.*)")
MARK = re.compile(r"\{([^{}]*)\}|([^,{}]+)")
ROW_EXPECTED = "'COUNT: a,b,{c,d}' with alternative numbers"


def read_preflib(path: str | PathLike[str]) -> BallotFile:
    path = Path(path)
    text = read_text(path, PreflibFormatError, "PrefLib")
    names: dict[int, str] = {}
    seen: dict[str, int] = {}  # name -> the line naming it
    rows: list[list[frozenset[int]]] = []
    weights: list[int] = []
    starts: list[int] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = NAME.fullmatch(line)
            if m:
                name = m.group(2).strip()
                if name in seen:  # two numbers, one name: their marks could not be told apart
                    raise PreflibFormatError(path, number, f"alternative name {name!r} again "
                                             f"(first on line {seen[name]})", "unique names")
                seen[name] = number
                names[_alternative(path, number, m.group(1))] = name
            continue
        m = ROW.fullmatch(line)
        if not m:
            raise PreflibFormatError(path, number, f"row {line!r}", ROW_EXPECTED)
        rows.append(_ranking(path, number, m.group(2)))
        weights.append(_count(path, number, m.group(1)))
        starts.append(number)
    if not names:
        raise PreflibFormatError(path, None, "no alternative names",
                                 "'# ALTERNATIVE NAME k: name' header lines")
    for row, start in zip(rows, starts, strict=True):
        for mark in row:
            missing = sorted(mark - names.keys())
            if missing:
                numbers = sorted(names)
                raise PreflibFormatError(
                    path, start, f"alternative {missing[0]}",
                    f"one of the numbered alternatives {numbers[0]}..{numbers[-1]}",
                )
    numbers = sorted(names)
    ballots = Ballots.from_rankings(
        [names[k] for k in numbers],
        ([[names[k] for k in mark] for mark in row] for row in rows),
        weights=weights,
    )
    return BallotFile(str(path), ballots, None, starts.__getitem__)


def _alternative(path: Path, number: int, digits: str) -> int:
    """An alternative's number; more than 9 digits is no real file's (and a long enough
    string of digits is more than Python will turn into an int)."""
    if not digits.isdecimal() or len(digits.lstrip("0")) > 9:
        shown = digits if len(digits) <= 30 else digits[:27] + "..."
        raise PreflibFormatError(path, number, f"alternative number {shown}",
                                 "an alternative number of at most 9 digits")
    return int(digits)


def _count(path: Path, number: int, digits: str) -> int:
    """A row's count, at most ``MAX_WEIGHT`` (ballots are int64: a bigger count would
    overflow, so it is refused here, naming the line)."""
    if len(digits.lstrip("0")) > len(str(MAX_WEIGHT)):
        shown = digits if len(digits) <= 30 else digits[:27] + "..."
        raise PreflibFormatError(path, number, f"count {shown}",
                                 f"a whole number from 0 to {MAX_WEIGHT}")
    return int(digits)


def _ranking(path: Path, number: int, text: str) -> list[frozenset[int]]:
    marks: list[frozenset[int]] = []
    rest = text.replace(" ", "")
    pos = 0
    while pos < len(rest):
        m = MARK.match(rest, pos)
        members = (m.group(1) if m and m.group(1) is not None else m.group(2)) if m else None
        items = members.split(",") if members is not None else []
        if not m or not items or not all(x.isdecimal() for x in items):
            raise PreflibFormatError(path, number, f"ranking {text!r}", ROW_EXPECTED)
        marks.append(frozenset(_alternative(path, number, x) for x in items))
        if len(marks) > MAX_RANKS:
            raise PreflibFormatError(path, number, f"a ranking of more than {MAX_RANKS} ranks",
                                     f"at most {MAX_RANKS} ranks")
        pos = m.end()
        if pos < len(rest):
            if rest[pos] != ",":
                raise PreflibFormatError(path, number, f"ranking {text!r}", ROW_EXPECTED)
            pos += 1
    return marks
