"""Weighted inclusive Gregory (WIGM) as in the Proportional Representation Foundation's
reference rule ("PR Foundation WIGM Reference", single defeat), the rule Droop's
``wigm-prf`` reports follow (../shared/conformance/droop).

It is the Scottish count (``scottish``) with three differences:

* the quota is votes / (seats + 1) in the count's decimal places, rounded down, plus one
  unit of the last place (``Quota.DROOP_EXACT``; the preset's default);
* arithmetic is fixed point to 4 decimal places (the preset's ``decimal_places``);
* a tie, for the largest surplus or for defeat, is broken by lot straight away (the
  rules' tie-break: ``candidate-order`` takes the declared order as the order drawn).

As in the Scottish rules, candidates reaching the quota are elected at the end of the
stage and receive no more transfers; one surplus is transferred a stage, the largest
first, every paper at ``floor(value x surplus / votes)``; with no surplus, the lowest
hopeful is defeated and their papers move at their value; once the hopefuls are no
more than the seats left they are elected.
"""

from __future__ import annotations

from hustings.counting.ballots import Ballots
from hustings.counting.result import Result
from hustings.counting.rules import Rules
from hustings.counting.scottish import count_gregory


def count_wigm(rules: Rules, ballots: Ballots) -> Result:
    """Count ``ballots`` by the PRF reference WIGM rule (see the module docstring)."""
    return count_gregory(rules, ballots, earlier_stages=False)
