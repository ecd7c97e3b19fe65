"""``election.toml``: a contest's rules and ballot files, parsed into typed data.

::

    [contest]
    preset = "labour-2010"          # start from a packaged rule book; keys below override
    title = "Example college"

    [count]
    method = "irv"                  # irv | stv | fptp | condorcet | bottoms-up | ...
    seats = 1
    candidates = ["A", "B", "C"]    # optional: the declared order (else names seen, sorted)

    [count.tie_break]
    mode = "previous-rounds-then-random"
    seed = 2010

    [[sections]]
    name = "Members"
    weight = "1/3"                  # a fraction as a string, or a whole number
    labels = ["Member", "CLP"]      # values of a ballot file's `section` column
    ballots = ["members.csv"]       # relative to this file

``load_election(path)`` (or ``parse_election(text)`` for a rule book held elsewhere)
returns an :class:`Election`; its ``rules(candidates)`` gives the
counting core's ``Rules``. The ``[nominations]`` table belongs to the web app
(``hustings.rulebook``) and is ignored here.

Errors (one tree)::

    ConfigError       a key or value is wrong or unknown, the TOML does not parse, or a
                      preset does not exist: names file, key (or line) and what was expected
"""

from hustings.config.election import (
    Election,
    SectionSpec,
    load_election,
    load_preset,
    parse_election,
)
from hustings.config.errors import ConfigError

__all__ = [
    "ConfigError", "Election", "SectionSpec", "load_election", "load_preset", "parse_election",
]
