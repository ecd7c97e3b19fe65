"""Who goes when no one is elected (RCTab ``Tabulator.tabulate``, its four ways, in order):

1. the undeclared write-ins, while they hold votes (``dropUndeclaredWriteIns``);
2. bottoms-up by percentage with cutoff elimination: everyone under the threshold at once;
3. batch elimination, if the rules allow it: every candidate who, even with all the
   votes of those below, could not catch the next one up (``runBatchElimination``);
4. the lowest, a tie broken by the rules' tie-break.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from hustings.counting.errors import CountingError
from hustings.counting.rules import Rules
from hustings.counting.standing import Progress, Standing, Ties


def losers(rules: Rules, standing: Standing, progress: Progress, ties: Ties, *,
           cutoff: bool = False) -> list[str]:
    """Who is eliminated at the end of ``standing``'s round (``cutoff``: step 2 applies)."""
    figures = standing.figures
    if not figures:
        raise CountingError(
            f"round {standing.number}: no continuing candidate is left to eliminate, "
            f"but {progress.unfilled} seat(s) are unfilled"
        )
    if standing.write_in is not None and figures.get(standing.write_in, 0) > 0:
        return [standing.write_in]
    if cutoff:
        under = [c for c in figures if not standing.threshold.met_by(figures[c])]
        if under:
            return sorted(under, key=lambda c: (figures[c], c))
    if rules.batch_elimination:
        batch = _batch(rules, figures, progress)
        if len(batch) > 1:
            return batch
    return [ties.lowest(standing)]


def _batch(rules: Rules, figures: Mapping[str, Fraction], progress: Progress) -> list[str]:
    batch, previous = batch_losers(figures)
    left = progress.in_count - len(progress.eliminated_in) - len(batch)
    if rules.continue_until_two_remain and left == 1:
        # RCTab: a batch may not leave a single candidate when the count must go on
        # until two remain; it stops one step short.
        return previous
    return batch


def batch_losers(figures: Mapping[str, Fraction]) -> tuple[list[str], list[str]]:
    """(all who can be eliminated together, the batch before its last step).

    Candidates are taken lowest first; as long as the running total of those taken is
    less than the next candidate's tally, no transfer could lift any of them past it.
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
