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
from hustings.formats.ballot_file import BallotFile, read_text
from hustings.formats.errors import PreflibFormatError

NAME = re.compile(r"#\s*ALTERNATIVE NAME (\d+):\s*(.*)", re.IGNORECASE)
ROW = re.compile(r"(\d+)\s*:\s*(.*)")
MARK = re.compile(r"\{([^{}]*)\}|([^,{}]+)")
ROW_EXPECTED = "'COUNT: a,b,{c,d}' with alternative numbers"


def read_preflib(path: str | PathLike[str]) -> BallotFile:
    path = Path(path)
    text = read_text(path, PreflibFormatError, "PrefLib")
    names: dict[int, str] = {}
    rows: list[list[int | frozenset[int]]] = []
    weights: list[int] = []
    starts: list[int] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = NAME.fullmatch(line)
            if m:
                names[int(m.group(1))] = m.group(2).strip()
            continue
        m = ROW.fullmatch(line)
        if not m:
            raise PreflibFormatError(path, number, f"row {line!r}", ROW_EXPECTED)
        rows.append(_ranking(path, number, m.group(2)))
        weights.append(int(m.group(1)))
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


def _ranking(path: Path, number: int, text: str) -> list[frozenset[int]]:
    marks: list[frozenset[int]] = []
    rest = text.replace(" ", "")
    pos = 0
    while pos < len(rest):
        m = MARK.match(rest, pos)
        members = (m.group(1) if m and m.group(1) is not None else m.group(2)) if m else None
        items = members.split(",") if members is not None else []
        if not m or not items or not all(x.isdigit() for x in items):
            raise PreflibFormatError(path, number, f"ranking {text!r}", ROW_EXPECTED)
        marks.append(frozenset(int(x) for x in items))
        pos = m.end()
        if pos < len(rest):
            if rest[pos] != ",":
                raise PreflibFormatError(path, number, f"ranking {text!r}", ROW_EXPECTED)
            pos += 1
    return marks
