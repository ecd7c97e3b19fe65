"""Rule books as data: the ``[nominations]`` table of a Labour leadership rule book.

The counting tables of a rule book (``[count]``, ``[[sections]]``) are read by
``hustings.config``; this package reads the ``[nominations]`` table of the same TOML
document and decides, with exact fractions, whether a candidate's nominations put them on
the ballot. It is pure Python: no Django, no files except the packaged presets.

Errors (one tree)::

    RuleBookError                 anything in a rule book this package refuses
    └── NominationRulesError      the [nominations] table is missing, mistyped or
                                  names a body type it does not declare

Messages say what, where (the TOML path, e.g. ``nominations.vacancy.all[1].share``) and
what was expected.
"""

from __future__ import annotations

from hustings.rulebook.errors import NominationRulesError, RuleBookError
from hustings.rulebook.nominations import (
    Affiliates,
    AllOf,
    AnyOf,
    Assessment,
    BodyType,
    NominationRules,
    Requirement,
    Share,
    Tally,
    assess,
    load_nominations,
    parse_nominations,
    preset_names,
    preset_text,
)

__all__ = [
    "Affiliates",
    "AllOf",
    "AnyOf",
    "Assessment",
    "BodyType",
    "NominationRules",
    "NominationRulesError",
    "Requirement",
    "RuleBookError",
    "Share",
    "Tally",
    "assess",
    "load_nominations",
    "parse_nominations",
    "preset_names",
    "preset_text",
]
