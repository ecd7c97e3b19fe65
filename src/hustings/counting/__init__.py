"""The counting core: pure Python and NumPy, no Django, no files, no clock.

One deep entry point::

    from hustings.counting import count, Rules, Ballots
    result = count(rules, ballots)

``Result`` is a tuple of immutable ``Round`` records; see ``result.py``. For renderings
that need each ballot's path (a CDF export's per-round snapshots, RCTab's decimal scales)
``trace(rules, ballots)`` counts the same way and also keeps what each ballot counted for
in each round (``Trace``; its ``result`` is ``count``'s).
Errors: see ``errors.py`` (``CountingError`` and its subclasses).

Modules: ``count`` (the entry point) checks the rules and dispatches to ``rounds`` (the
round loop for IRV and the electoral college, STV and bottoms-up, deciding as ``irv``,
``stv`` and ``bottoms_up`` say, eliminating as ``elimination`` says), ``multipass``,
``meek``, ``fptp`` and ``condorcet``, and to the counts that follow a statute clause by
clause: ``scottish`` (SSI 2007/42), ``wigm`` and ``meek_prf`` (the PR Foundation's
reference rules), ``nz_meek`` (NZ Schedule 1A), ``ers97`` (ERS 1997), built on
``papers`` (each paper's preference order) and ``gregory`` (papers moved at a value,
the stage record, earlier-stage ties).
``interpret`` reads ballots under the ballot rules, ``ledger`` keeps the exact sums,
``tallies`` turns them into a round's figures, ``quota`` holds the thresholds,
``standing`` what decisions read, ``tiebreak`` (with ``javarandom``) breaks ties as RCTab
does, ``slices`` adds up precinct/batch reports, ``trace`` keeps each ballot's path.
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
from hustings.counting.trace import BallotRound, Surplus, Trace, trace

__all__ = [
    "BLANK", "OVERVOTE", "OVERVOTE_SET_BASE", "EXHAUSTED", "RESIDUAL",
    "Ballots", "BallotRules", "BallotsError", "CountingError", "InactiveReason", "Method",
    "OvervoteRule", "Quota", "Result", "Round", "Rules", "RulesError", "Section",
    "SectionRound", "TieBreak", "TieBreakMode", "TieBreakNote", "Transfer", "UnbrokenTieError",
    "count",
    "BallotRound", "Surplus", "Trace", "trace",
]
