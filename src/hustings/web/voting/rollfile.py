"""Parsing a voter roll CSV (no database): every bad line reported, or all lines returned.

Columns (a header row is required; order free, names case-insensitive)::

    reference, name, email, postal_address, sections[, joined][, marks]

``sections`` lists the sections a voter belongs to, separated by ``;``, spelled as the rule
book's section names or labels (labour-2010.toml: "MP", "CLP", "Affiliate"…). A voter with
no email gets a printed letter only. References must be unique in the file. ``joined``
(optional, YYYY-MM-DD) is the date the voter joined: Labour's procedural guidelines set a
freeze date, and those who joined after it do not vote (see ``roll.freeze``). ``marks``
(optional, separated by ``;``) says which contests open to part of the election's roll a
voter may vote in: ``london`` for the London mayoral contest of 2015 (``Contest.eligibility``);
only the marks some contest of the election asks for are accepted, so a misspelt mark is an
error, not a voter silently left out.

A file the csv module cannot read (a cell over its 128 KiB limit, a NUL byte) is a
``RollError`` naming the line, like any other bad line. Bytes that are not UTF-8 are
refused before this, by ``hustings.web.uploads.read_text`` (or ``roll_text`` here).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from hustings.web.uploads import UploadError, read_text
from hustings.web.voting.errors import RollError

REQUIRED = ("reference", "name", "sections")
KNOWN = (*REQUIRED, "email", "postal_address", "joined", "marks")


@dataclass(frozen=True)
class RollLine:
    line: int
    reference: str
    name: str
    email: str
    postal_address: str
    sections: tuple[str, ...]
    joined: dt.date | None = None
    marks: tuple[str, ...] = ()


def roll_text(upload) -> str:
    """An uploaded roll as text, or RollError saying why not (too big, not UTF-8)."""
    try:
        return read_text(upload)
    except UploadError as e:
        raise RollError([str(e)]) from None


def parse_roll(text: str, labels: Mapping[str, str], *, source: str = "roll.csv",
               marks: Collection[str] = ()) -> list[RollLine]:
    """Lines of a roll file. ``labels`` maps every accepted spelling (lower case) of a section
    to its name in the rule book; ``marks`` are the roll marks accepted (lower case). Raises
    RollError listing every bad line."""
    return list(read_roll(io.StringIO(text), labels, source=source, marks=marks))


def read_roll(stream: Iterable[str], labels: Mapping[str, str], *, source: str = "roll.csv",
              on_line: Callable[[int], None] | None = None,
              marks: Collection[str] = ()) -> Iterator[RollLine]:
    """The roll's lines, one at a time, from a text stream (an open file is read in chunks,
    never whole). Every line is checked; the problems are gathered and raised together as
    one RollError when the stream ends, so a caller that writes as it reads must write
    inside a transaction (or first read the whole file once to check it, as ``roll`` does).
    ``on_line(n)`` is called every ``PROGRESS_EVERY`` lines with the line number."""
    it = iter(stream)
    first = next(it, "")
    reader = csv.DictReader(itertools.chain([first.lstrip("\ufeff")], it))
    try:
        yield from _parse(reader, _Known(labels, frozenset(marks)), source, on_line)
    except csv.Error as e:  # a cell over the csv module's 128 KiB, a NUL byte
        raise RollError([f"{source}, line {reader.line_num + 1}: {e}; expected CSV text with cells "
                         "under 128 KiB"]) from None


PROGRESS_EVERY = 10_000
MAX_PROBLEMS = 1000  # every line is checked; past this many the rest are counted, not listed


@dataclass(frozen=True)
class _Known:
    labels: Mapping[str, str]  # every spelling of a section (lower case) → its name
    marks: frozenset[str]  # the roll marks the election's contests ask for


def _parse(reader: csv.DictReader, known: _Known, source: str,
           on_line: Callable[[int], None] | None) -> Iterator[RollLine]:
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RollError(
            [f"{source}, line 1: missing column(s) {', '.join(missing)}; "
             f"expected a header with {', '.join(KNOWN)}"]
        )
    reader.fieldnames = header
    problems: list[str] = []
    n_problems = 0
    seen: dict[str, int] = {}
    count = 0
    expected = ", ".join(sorted(set(known.labels.values())))
    for row in reader:
        n = reader.line_num
        count += 1
        if on_line is not None and count % PROGRESS_EVERY == 0:
            on_line(n)
        mine = _check_row(row, n, known, source, seen, expected)
        if isinstance(mine, list):
            n_problems += len(mine)
            problems.extend(mine[: max(0, MAX_PROBLEMS - len(problems))])
        elif not n_problems:
            yield mine
    if n_problems > len(problems):
        problems.append(f"{source}: {n_problems - len(problems)} more problem(s) not listed; "
                        "fix these and import again")
    if problems:
        raise RollError(problems)
    if not count:
        raise RollError([f"{source}: no voters in the file"])


def _check_row(row: dict, n: int, known: _Known, source: str,
               seen: dict[str, int], expected: str) -> RollLine | list[str]:
    """One row as a RollLine, or every problem it has."""
    where = f"{source}, line {n}"
    if None in row:
        return [f"{where}: more fields than the header has"]
    problems: list[str] = []
    get = {k: (row.get(k) or "").strip() for k in KNOWN}
    if not get["reference"]:
        problems.append(f"{where}: the voter reference is empty")
    elif get["reference"] in seen:
        problems.append(
            f"{where}: reference {get['reference']!r} already used on line "
            f"{seen[get['reference']]}"
        )
    else:
        seen[get["reference"]] = n
    if not get["name"]:
        problems.append(f"{where}: the name is empty")
    if get["email"]:
        try:
            validate_email(get["email"])
        except ValidationError:
            problems.append(f"{where}: {get['email']!r} is not an email address")
    if not get["email"] and not get["postal_address"]:
        problems.append(f"{where}: neither an email nor a postal address to send the code to")
    sections: list[str] = []
    for part in filter(None, (p.strip() for p in get["sections"].split(";"))):
        name = known.labels.get(part.lower())
        if name is None:
            problems.append(f"{where}: unknown section {part!r}; expected one of {expected}")
        elif name not in sections:
            sections.append(name)
    if not get["sections"]:
        problems.append(f"{where}: no section given; expected one or more of {expected}")
    joined = None
    if get["joined"]:
        try:
            joined = dt.date.fromisoformat(get["joined"])
        except ValueError:
            problems.append(f"{where}: joined {get['joined']!r} is not a date; expected YYYY-MM-DD")
    marks = _marks(get["marks"], known.marks, where, problems)
    if problems:
        return problems
    return RollLine(n, get["reference"], get["name"], get["email"], get["postal_address"],
                    tuple(sections), joined, marks)


def _marks(cell: str, accepted: frozenset[str], where: str, problems: list[str]) -> tuple[str, ...]:
    marks: list[str] = []
    for part in filter(None, (p.strip().lower() for p in cell.split(";"))):
        if part not in accepted:
            problems.append(
                f"{where}: unknown mark {part!r}; expected "
                + (f"one of {', '.join(sorted(accepted))}" if accepted else
                   "none: no contest of this election is limited to part of the roll"))
        elif part not in marks:
            marks.append(part)
    return tuple(marks)
