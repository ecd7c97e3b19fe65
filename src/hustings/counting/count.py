"""``count(rules, ballots) -> Result``: the one entry point; checks, then dispatches.

* IRV / electoral college, STV, bottoms-up: ``rounds`` (one round loop, the rule book's
  and RCTab's), deciding as ``irv``, ``stv`` and ``bottoms_up`` say;
* multi-pass IRV: ``multipass`` (IRV once per seat);
* Meek STV: ``meek``; FPTP: ``fptp``; Condorcet (Schulze): ``condorcet``;
* the statute counts: ``scottish``, ``wigm``, ``meek_prf``, ``nz_meek``, ``ers97``.
"""

from __future__ import annotations

from collections.abc import Callable

from hustings.counting.ballots import Ballots
from hustings.counting.errors import RulesError
from hustings.counting.result import Result
from hustings.counting.rules import Method, OvervoteRule, Rules

# Methods that read each paper's preference order once (``papers.preference_orders``).
_READ_ONCE = (Method.SCOTTISH_STV, Method.WIGM, Method.MEEK_PRF, Method.NZ_MEEK,
              Method.ERS97)
ROUND_LOOP = (Method.IRV, Method.STV, Method.BOTTOMS_UP, Method.BOTTOMS_UP_PERCENTAGE)


def count(rules: Rules, ballots: Ballots) -> Result:
    """Count ``ballots`` under ``rules``; raises ``CountingError`` subclasses on bad input."""
    check(rules)
    return _counter(rules.method)(rules, ballots)


def check(rules: Rules) -> None:
    """Refuse rules the method cannot count (``RulesError``), before any ballot is read."""
    method = rules.method
    if rules.is_college and method is not Method.IRV:
        raise RulesError(
            f"an electoral college (several sections) is counted by IRV only, "
            f"not {method.value}"
        )
    if method is Method.BOTTOMS_UP_PERCENTAGE and rules.bottoms_up_threshold is None:
        raise RulesError(
            "method bottoms-up-percentage needs bottoms_up_threshold (a share such as 15%)"
        )
    if method in (Method.MEEK_PRF, Method.NZ_MEEK) and rules.decimal_places is None:
        raise RulesError(f"{method.value} counts in fixed decimal places (9 in the rule); "
                         "exact fractions are what method meek-stv does")
    if (method in _READ_ONCE
            and rules.ballot_rules.overvote is OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING):
        raise RulesError(
            f"method {method.value} reads each paper's preferences once; overvote rule "
            "'exhaust-if-multiple-continuing' is not one it can apply (use "
            "exhaust-immediately or always-skip)"
        )


def _counter(method: Method) -> Callable[[Rules, Ballots], Result]:
    """The module that counts ``method`` (imported when first needed)."""
    if method in ROUND_LOOP:
        from hustings.counting.rounds import count_rounds

        return count_rounds
    if method is Method.MULTI_PASS_IRV:
        from hustings.counting.multipass import count_multi_pass

        return count_multi_pass
    if method is Method.MEEK_STV:
        from hustings.counting.meek import count_meek

        return count_meek
    if method is Method.FPTP:
        from hustings.counting.fptp import count_fptp

        return count_fptp
    if method is Method.CONDORCET:
        from hustings.counting.condorcet import count_schulze

        return count_schulze
    return _statute_counter(method)


def _statute_counter(method: Method) -> Callable[[Rules, Ballots], Result]:
    if method is Method.SCOTTISH_STV:
        from hustings.counting.scottish import count_scottish

        return count_scottish
    if method is Method.WIGM:
        from hustings.counting.wigm import count_wigm

        return count_wigm
    if method is Method.MEEK_PRF:
        from hustings.counting.meek_prf import count_meek_prf

        return count_meek_prf
    if method is Method.NZ_MEEK:
        from hustings.counting.nz_meek import count_nz_meek

        return count_nz_meek
    assert method is Method.ERS97, method
    from hustings.counting.ers97 import count_ers97

    return count_ers97
