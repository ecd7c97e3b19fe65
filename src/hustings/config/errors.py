"""Errors raised while reading an ``election.toml`` (see the package docstring)."""

from __future__ import annotations

from os import PathLike


class ConfigError(ValueError):
    """An ``election.toml`` (or a preset it names) cannot be used.

    Prints as one line naming the file, the key (a TOML path such as
    ``count.tie_break.mode``) or line, what was found and what was expected.
    """

    def __init__(
        self, path: str | PathLike[str], where: str | int | None, what: str, expected: str
    ) -> None:
        self.path = str(path)
        self.where = where
        self.what = what
        self.expected = expected
        if where is None:
            place = self.path
        elif isinstance(where, int):
            place = f"{self.path}:{where}"
        else:
            place = f"{self.path}: {where}"
        super().__init__(f"{place}: {what}; expected {expected}")
