"""Errors raised by the ballot-file readers and writers.

The tree::

    FormatError                   a ballot file cannot be read (every reader)
    ├── CsvFormatError            hustings CSV ballots (``formats.csv``)
    ├── BltFormatError            Hill/OpenSTV ``.blt`` files (``formats.blt``)
    ├── PreflibFormatError        PrefLib ``.soi`` / ``.toi`` / ``.soc`` (``formats.preflib``)
    └── SectionLabelError         a ballot's section label fits no section of the rules

Other readers (e.g. ``hustings.formats.rctab``) subclass ``FormatError`` too, so the CLI
catches one class. Every error carries ``path`` and ``line`` (1-based, ``None`` when the
problem is the file as a whole) and prints as one line::

    ballots.csv:7: weight 'x'; expected a whole number ≥ 1
"""

from __future__ import annotations

from os import PathLike


class FormatError(Exception):
    """A ballot file is malformed: says what, where (file, line) and what was expected."""

    def __init__(
        self, path: str | PathLike[str], line: int | None, what: str, expected: str | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.what = what
        self.expected = expected
        where = self.path if line is None else f"{self.path}:{line}"
        message = what if expected is None else f"{what}; expected {expected}"
        super().__init__(f"{where}: {message}")


class CsvFormatError(FormatError):
    """A CSV ballot file is malformed."""


class BltFormatError(FormatError):
    """A BLT file is malformed."""


class PreflibFormatError(FormatError):
    """A PrefLib file is malformed."""


class SectionLabelError(FormatError):
    """A ballot's ``section`` label belongs to no section of the rules."""
