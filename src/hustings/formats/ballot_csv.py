"""Ballot CSV as Hustings writes it: one section's ballots, one row each, safe to open.

::

    section,pref1,pref2,pref3
    Members,Ann,Bob,
    Members,'=HYPERLINK("x"),Ann,

The header is ``section`` then ``pref1..prefN`` (N: the longest ranking); a shorter ranking
ends in empty cells. Every cell is neutralised against formula injection
(``formats.csv_cells``); ``formats.csv.read_csv`` reads the file back to the same names.

:data:`RANK_COLUMN` is the one pattern for a rank column's name (``pref3``, ``Rank12``),
for every reader of ballot CSV: match it against a header cell stripped of spaces, with
``fullmatch``. :func:`rank_number` applies it and the limit on ranks. This module imports
no pyarrow, so the web can use it cheaply.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence

from hustings.formats import csv_cells
from hustings.formats.ballot_file import MAX_RANKS

RANK_COLUMN = re.compile(r"(pref|rank)(\d+)", re.IGNORECASE)


def rank_number(column: str) -> int | None:
    """The rank a header cell names (``' Pref2 '`` -> 2), or None if it is no rank column
    or names a rank above ``MAX_RANKS`` (its digits are counted before they are converted)."""
    m = RANK_COLUMN.fullmatch(column.strip())
    if m is None or len(m.group(2).lstrip("0")) > len(str(MAX_RANKS)):
        return None
    rank = int(m.group(2))
    return rank if rank <= MAX_RANKS else None


def ballots_csv_text(section: str, rankings: Iterable[Sequence[str | None]]) -> str:
    """One section's ballots as CSV text (see the module docstring); a ``None`` in a
    ranking is a rank left blank. Raises ``ValueError`` for a ranking over ``MAX_RANKS``
    (the reader would refuse the file)."""
    return "".join(ballots_csv_chunks(section, [list(r) for r in rankings]))


def ballots_csv_chunks(section: str, rankings: Sequence[Sequence[str | None]], *,
                       rows: int = 20_000) -> Iterator[str]:
    """``ballots_csv_text`` a piece at a time (``rows`` ballots each), for a writer that
    streams; the rankings are read twice (the header needs the longest)."""
    width = max([len(r) for r in rankings] + [1])
    if width > MAX_RANKS:
        raise ValueError(f"a ranking of {width} ranks; expected at most {MAX_RANKS}")
    out = io.StringIO()
    w = csv_cells.writer(out, lineterminator="\n")
    w.writerow(["section", *[f"pref{i}" for i in range(1, width + 1)]])
    for start in range(0, len(rankings), rows):
        for r in rankings[start:start + rows]:
            w.writerow([section, *("" if c is None else c for c in r), *[""] * (width - len(r))])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue()
