"""CSV cells that a spreadsheet cannot run: formula injection neutralised, as OWASP advises.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)``, ``=cmd|...``), and a leading TAB or CR can hide such a
character. OWASP's "CSV Injection" advice: prefix such a cell with a single quote, which
the spreadsheet shows but does not run. Every CSV Hustings writes passes its cells through
:func:`neutralise`; :func:`unneutralise` undoes it, and the CSV ballot reader applies it,
so names round-trip exactly:

* a cell starting with ``= + - @ TAB CR``, or with quotes followed by one of those, gets
  one more quote in front (the quoted form is then unambiguous: a name that really starts
  ``'=`` is written ``''=`` and read back as ``'=``);
* a plain number (``-3``, ``+1.5``) is left alone: a spreadsheet reads it as a number, not
  a formula, and RCTab-compatible reports must keep negative figures as RCTab writes them;
* anything else is unchanged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = "=+-@\t\r"
# quotes (possibly none) then a character a spreadsheet would start a formula with
_RISKY = re.compile(r"'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(cell: object) -> str:
    """The cell as text, safe to open in a spreadsheet (see the module docstring)."""
    text = "" if cell is None else str(cell)
    if _RISKY.match(text) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The cell as it was before :func:`neutralise` (one quote dropped where it added one)."""
    if _NEUTRALISED.match(text) and not _NUMBER.fullmatch(text[1:]):
        return text[1:]
    return text


def neutralise_row(row: Iterable[object]) -> list[str]:
    """Every cell of a row, neutralised: what a ``csv.writer`` should be given."""
    return [neutralise(c) for c in row]


class _Writer:
    """A ``csv.writer`` whose every cell is neutralised on the way out."""

    def __init__(self, out: Any, **options: Any) -> None:  # out: anything with write()
        self._w = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> object:
        return self._w.writerow(neutralise_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any, **options: Any) -> _Writer:
    """``csv.writer(out, **options)``, neutralising every cell: what every Hustings CSV
    writer uses."""
    return _Writer(out, **options)
