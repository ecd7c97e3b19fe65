"""Errors raised while reading an RCTab contest: its config and its cast-vote records.

The tree (every class is a :class:`hustings.formats.errors.FormatError`, so the CLI catches
one class and prints one line, exit status 2)::

    RctabError                    anything about an RCTab contest that cannot be read
    ├── ConfigError               the ``*_config.json`` is malformed or invalid (one error
    │                             lists every problem found, as RCTab's validator does)
    ├── CvrError                  a cast-vote-record file is malformed (provider modules)
    │   └── RankAboveMaximumError a ranking above ``maxRankingsAllowed`` (RCTab halts)
    ├── UnknownCandidateError     a CVR names a candidate the config does not declare
    └── TabulationAbortedError    the config asks for something the CVRs cannot give
                                  (e.g. tabulate by precinct without precinct data)

``position`` is where in the file: a 1-based line or row number (``int``), or a JSON path
/ XML element path (``str``) for structured formats. Messages read::

    cvr.csv:7: rank 4 for 'Bob'; expected a rank from 1 to maxRankingsAllowed (3)
"""

from __future__ import annotations

from os import PathLike
from typing import Any

from hustings.formats.errors import FormatError


def shown(value: Any, limit: int = 60) -> str:
    """A value as a file wrote it, shortened to fit a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RctabError(FormatError):
    """Base of every RCTab reading error; ``position`` is a line number or a JSON/XML path."""

    def __init__(
        self,
        path: str | PathLike[str],
        position: int | str | None,
        what: str,
        expected: str | None = None,
    ) -> None:
        self.position = position
        super().__init__(path, position, what, expected)  # type: ignore[arg-type]


class ConfigError(RctabError):
    """The contest configuration is malformed or asks for impossible settings."""

    def __init__(self, path: str | PathLike[str], problems: list[str]) -> None:
        self.problems = list(problems)
        what = "invalid RCTab config: " + "; ".join(self.problems)
        super().__init__(path, None, what)


class CvrError(RctabError):
    """A cast-vote-record file is malformed."""


class RankAboveMaximumError(CvrError):
    """A ballot ranks a candidate above ``maxRankingsAllowed`` (RCTab stops reading)."""


class UnknownCandidateError(RctabError):
    """A cast-vote record names a candidate the config does not declare."""


class TabulationAbortedError(RctabError):
    """The config asks for output the cast-vote records cannot support."""
