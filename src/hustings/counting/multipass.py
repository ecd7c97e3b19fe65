"""Multi-pass IRV (RCTab ``multiPassIrv``): IRV once per seat.

Pass k is a one-seat IRV count of every ballot without the winners of passes 1..k-1.
``Result.rounds`` holds every pass's rounds one after another (each pass numbers its
rounds from 1); ``Result.passes`` holds them pass by pass.
"""

from __future__ import annotations

from dataclasses import replace

from hustings.counting.ballots import Ballots
from hustings.counting.result import Result, Round
from hustings.counting.rounds import count_rounds
from hustings.counting.rules import Method, Rules


def count_multi_pass(rules: Rules, ballots: Ballots) -> Result:
    one_seat = replace(rules, method=Method.IRV, seats=1)
    winners: list[str] = []
    passes: list[tuple[Round, ...]] = []
    undervotes = 0
    for k in range(rules.seats):
        result = count_rounds(one_seat, ballots, also_excluded=frozenset(winners))
        if k == 0:
            undervotes = result.undervotes  # every pass reads the same ballots
        passes.append(result.rounds)
        if not result.winners:
            break
        winners.append(result.winners[0])
    return Result(
        rules=rules,
        rounds=tuple(r for p in passes for r in p),
        winners=tuple(winners),
        total_ballots=ballots.total,
        undervotes=undervotes,
        passes=tuple(passes),
    )
