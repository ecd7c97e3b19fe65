"""``count(rules, ballots) -> Result``: the one entry point; dispatches by method."""

from __future__ import annotations

from hustings.counting.ballots import Ballots
from hustings.counting.result import Result
from hustings.counting.rules import Rules


def count(rules: Rules, ballots: Ballots) -> Result:
    raise NotImplementedError("being written")
