"""Errors raised by ``hustings.analysis``.

The tree::

    AnalysisError            anything the analysis refuses
    └── UnsupportedRulesError  the rules count in a way the analysis does not model (e.g. a
                               margin for STV, or an overvote rule that depends on who is
                               still continuing)

Messages say what is wrong and what was expected, in one line, so the CLI can print them
as they are. Errors of the count itself (``hustings.counting.CountingError``) pass through.
"""


class AnalysisError(Exception):
    """Base of every error ``hustings.analysis`` raises."""


class UnsupportedRulesError(AnalysisError):
    """The analysis does not model these rules."""
