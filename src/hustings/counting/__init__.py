"""The counting core: pure Python and NumPy, no Django, no files, no clock.

One deep entry point::

    from hustings.counting import count, Rules, Ballots
    result = count(rules, ballots)

``Result`` is a tuple of immutable ``Round`` records; see ``result.py``.
Errors: see ``errors.py`` (``CountingError`` and its subclasses).

Modules: ``count`` (the entry point) dispatches to ``rounds`` (IRV, the electoral college,
STV, bottoms-up, multi-pass IRV: one round loop), ``meek``, ``fptp`` and ``condorcet``,
and to the counts that follow a statute clause by clause: ``scottish`` (SSI 2007/42),
``wigm`` and ``meek_prf`` (the PR Foundation's reference rules), ``ers97`` (ERS 1997),
built on ``papers`` (each paper's preference order) and ``gregory`` (papers moved at a
value, the stage record, earlier-stage ties).
``interpret`` reads ballots under the ballot rules, ``ledger`` keeps the exact sums,
``quota`` and ``stv`` hold the thresholds and surplus arithmetic, ``tiebreak`` (with
``javarandom``) breaks ties as RCTab does, ``slices`` adds up precinct/batch reports.
"""

from hustings.counting.ballots import BLANK, OVERVOTE, OVERVOTE_SET_BASE, Ballots
from hustings.counting.count import count
from hustings.counting.errors import BallotsError, CountingError, RulesError, UnbrokenTieError
from hustings.counting.result import (
    EXHAUSTED,
    RESIDUAL,
    Result,
    Round,
    SectionRound,
    TieBreakNote,
    Transfer,
)
from hustings.counting.rules import (
    BallotRules,
    InactiveReason,
    Method,
    OvervoteRule,
    Quota,
    Rules,
    Section,
    TieBreak,
    TieBreakMode,
)

__all__ = [
    "BLANK", "OVERVOTE", "OVERVOTE_SET_BASE", "EXHAUSTED", "RESIDUAL",
    "Ballots", "BallotRules", "BallotsError", "CountingError", "InactiveReason", "Method",
    "OvervoteRule", "Quota", "Result", "Round", "Rules", "RulesError", "Section",
    "SectionRound", "TieBreak", "TieBreakMode", "TieBreakNote", "Transfer", "UnbrokenTieError",
    "count",
]
