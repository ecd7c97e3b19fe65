"""``count(rules, ballots) -> Result``: the one entry point; dispatches by method.

* IRV / electoral college, STV, bottoms-up: ``rounds.Tabulation`` (one round loop, the
  rule book's and RCTab's);
* multi-pass IRV: IRV once per seat, each pass excluding the winners of earlier passes;
* Meek STV: ``meek``; FPTP: ``fptp``; Condorcet (Schulze): ``condorcet``.
"""

from __future__ import annotations

from dataclasses import replace

from hustings.counting.ballots import Ballots
from hustings.counting.result import Result
from hustings.counting.rules import Method, Rules


def count(rules: Rules, ballots: Ballots) -> Result:
    """Count ``ballots`` under ``rules``; raises ``CountingError`` subclasses on bad input."""
    if rules.method is Method.FPTP:
        from hustings.counting.fptp import count_fptp

        return count_fptp(rules, ballots)
    if rules.method is Method.MEEK_STV:
        from hustings.counting.meek import count_meek

        return count_meek(rules, ballots)
    if rules.method is Method.SCOTTISH_STV:
        from hustings.counting.scottish import count_scottish

        return count_scottish(rules, ballots)
    if rules.method is Method.WIGM:
        from hustings.counting.wigm import count_wigm

        return count_wigm(rules, ballots)
    if rules.method is Method.MEEK_PRF:
        from hustings.counting.meek_prf import count_meek_prf

        return count_meek_prf(rules, ballots)
    if rules.method is Method.ERS97:
        from hustings.counting.ers97 import count_ers97

        return count_ers97(rules, ballots)
    if rules.method is Method.CONDORCET:
        from hustings.counting.condorcet import count_schulze

        return count_schulze(rules, ballots)
    from hustings.counting.rounds import Tabulation

    if rules.method is Method.MULTI_PASS_IRV:
        return _multi_pass(rules, ballots)
    return Tabulation(rules, ballots).run()


def _multi_pass(rules: Rules, ballots: Ballots) -> Result:
    """RCTab ``multiPassIrv``: pass k is a one-seat IRV count without passes 1..k-1's winners.

    ``Result.rounds`` holds every pass's rounds one after another (each pass numbers its
    rounds from 1); ``Result.passes`` holds them pass by pass.
    """
    from hustings.counting.rounds import Tabulation

    single = replace(rules, method=Method.IRV, seats=1)
    winners: list[str] = []
    passes = []
    first = None
    for _ in range(rules.seats):
        result = Tabulation(single, ballots, also_excluded=frozenset(winners)).run()
        first = first or result
        passes.append(result.rounds)
        if not result.winners:
            break
        winners.append(result.winners[0])
    return Result(
        rules=rules,
        rounds=tuple(r for p in passes for r in p),
        winners=tuple(winners),
        total_ballots=ballots.total,
        undervotes=first.undervotes if first else 0,
        passes=tuple(passes),
    )
