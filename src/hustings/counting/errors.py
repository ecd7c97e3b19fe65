"""Errors raised by the counting core.

The tree::

    CountingError                 anything the core refuses
    ├── RulesError                the rules are inconsistent (e.g. 0 seats, a weight of 0,
    │                             an unknown candidate named in the rules)
    ├── BallotsError              the ballots do not fit the rules (e.g. a section the rules
    │                             do not declare, a candidate index out of range, a rank above
    │                             the maximum the rules allow)
    └── UnbrokenTieError          a tie the rules say not to break (tie-break mode "stop")

Messages say what is wrong, where, and what was expected, in one line, so the CLI can print
them as they are.
"""


class CountingError(Exception):
    """Base of every error the counting core raises."""


class RulesError(CountingError):
    """The rules contradict themselves or the candidate list."""


class BallotsError(CountingError):
    """The ballots cannot be counted under these rules."""


class UnbrokenTieError(CountingError):
    """A tie the rules refuse to break (tie-break mode ``stop``): the count cannot go on."""
