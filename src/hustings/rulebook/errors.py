"""The rule-book exception tree (see the package docstring)."""

from __future__ import annotations


class RuleBookError(ValueError):
    """Base of every error raised while reading a rule book."""


class NominationRulesError(RuleBookError):
    """The ``[nominations]`` table cannot be used."""
