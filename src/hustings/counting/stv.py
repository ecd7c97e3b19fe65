"""STV surplus transfer and batch elimination: the arithmetic RCTab publishes.

Surplus (weighted inclusive Gregory, as RCTab's ``Tabulator`` and Scottish STV practice):
when a candidate reaches the quota with ``votes``, the surplus fraction is
``(votes - quota) / votes`` rounded *down* to the declared decimal places; every ballot
the candidate holds then moves on at its value times that fraction, again rounded down.
What rounding leaves with the winner above the quota is the "residual surplus".

Batch elimination (RCTab ``runBatchElimination``): candidates are taken lowest first; as
long as the running total of those taken is less than the next candidate's tally, no
transfer could lift any of them past it, so all of them can go at once.
"""

from __future__ import annotations

from fractions import Fraction

from hustings.counting.quota import floor_to
from hustings.counting.rules import Rules


def surplus_fraction(extra: Fraction, votes: Fraction, rules: Rules) -> Fraction:
    """The share of each ballot's value that moves on (0 when there is no surplus)."""
    if extra <= 0 or votes <= 0:
        return Fraction(0)
    exact = extra / votes
    if rules.decimal_places is None:
        return exact
    return floor_to(exact, rules.decimal_places)


def batch_losers(figures: dict[str, Fraction]) -> tuple[list[str], list[str]]:
    """(all who can be eliminated together, the batch before its last step).

    The second list is what RCTab falls back to when eliminating the whole batch would
    leave a single candidate while the count must go on until two remain.
    """
    by_tally: dict[Fraction, list[str]] = {}
    for c, v in figures.items():
        by_tally.setdefault(v, []).append(c)
    running = Fraction(0)
    seen: list[str] = []
    batch: list[str] = []
    previous: list[str] = []
    for tally in sorted(by_tally):
        if running < tally:
            new = batch + [c for c in seen if c not in batch]
            if len(new) > len(batch):
                previous, batch = batch, new
        group = sorted(by_tally[tally])
        running += tally * len(group)
        seen += group
    return batch, previous
