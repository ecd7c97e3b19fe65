"""Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42),
Schedule 1, rules 45-52, as the councils count.

* Rule 45, first stage: the valid papers are sorted by first preference and each
  candidate is credited with one vote a paper.
* Rule 46, the quota: valid papers / (councillors + 1), ignoring any decimal places,
  plus one.
* Rule 47: a candidate whose votes, at any stage, equal or exceed the quota is deemed
  elected; from then on they are not a *continuing candidate* and receive no papers.
* Rule 48, surplus: all the papers of a candidate over the quota go on to their next
  available preference for a continuing candidate (the rest are non-transferable), each
  at the transfer value ``floor(surplus x value / votes)`` to five decimal places (48(3);
  ``value`` being 1, or the value at which the paper reached that candidate, 48(4)).
* Rule 49: one surplus a stage, the largest first; equal surpluses go by the most votes
  at the latest earlier stage at which they differed, then by lot.
* Rule 50, exclusion: when no surplus is left, the candidate with the fewest votes is
  excluded and each of their papers goes on at the value it came with.
* Rule 51: equal fewest go by the fewest votes at the latest earlier stage at which they
  differed, then by lot (see ``gregory.Ties``).
* Rule 52: once the continuing candidates are no more than the vacancies left they are
  deemed elected, and no further transfer is made. There is no deferred surplus and no
  round after the last seat is filled.

Each stage of the count is one ``Round``: its tally is the votes credited at that stage
(an elected candidate whose surplus has gone holds the quota), its ``elected`` those
deemed elected at it, and its transfers the surplus or exclusion that ends it.
Arithmetic is fixed point in ``rules.decimal_places`` (the statute's 5; ``None`` keeps
exact fractions, for comparison).
"""

from __future__ import annotations

import math
from fractions import Fraction

from hustings.counting.ballots import Ballots
from hustings.counting.gregory import Piles, Stage, Stages, Ties, Value
from hustings.counting.papers import preference_orders
from hustings.counting.result import Result
from hustings.counting.rounds import candidate_names
from hustings.counting.rules import Quota, Rules


def quota_units(rules: Rules, valid: int, unit: Value) -> Value:
    """Rule 46 (``Quota.DROOP``): floor(valid / (seats + 1)) + 1 whole votes. ``HARE``:
    valid / seats rounded up; ``DROOP_EXACT``: valid / (seats + 1) in the count's
    decimal places, rounded down, plus one unit of the last place."""
    seats = rules.seats
    if rules.quota is Quota.HARE:
        return math.ceil(Fraction(valid, seats)) * unit
    if rules.quota is Quota.DROOP_EXACT:
        if isinstance(unit, int):
            return valid * unit // (seats + 1) + 1
        return Fraction(valid, seats + 1)
    return (valid // (seats + 1) + 1) * unit


def count_scottish(rules: Rules, ballots: Ballots) -> Result:
    """Count ``ballots`` by SSI 2007/42 rules 45-52 (see the module docstring)."""
    return count_gregory(rules, ballots, earlier_stages=True)


def count_gregory(rules: Rules, ballots: Ballots, *, earlier_stages: bool) -> Result:
    """The stage loop SSI 2007/42 rules 45-52 describe, which the PRF's WIGM rule
    (``wigm``) shares: ``earlier_stages`` says whether ties look back at earlier stages
    before lot (rules 49(2), 51(2)(a)) or go straight to lot."""
    names = candidate_names(rules, ballots)
    orders, invalid = preference_orders(rules, ballots)
    valid = sum(p for _, p in orders)
    hopeful = {c for c, n in enumerate(names) if n not in rules.excluded}
    piles = Piles(len(names), orders, rules.decimal_places, hopeful)  # rule 45
    quota = quota_units(rules, valid, piles.unit)  # rule 46
    record = Stages(rules, names, piles)
    ties = Ties(rules, earlier_stages=earlier_stages)
    elected: list[int] = []
    surplus_due: list[int] = []  # deemed elected, surplus not yet transferred
    held: dict[int, Value] = {}  # elected and transferred: they hold the quota

    def shown() -> list[int]:
        return [c for c in range(len(names)) if c in hopeful or c in elected]

    stage = record.open(shown())
    while True:
        # Rule 47: deemed elected at this stage, most votes first.
        reached = sorted((c for c in hopeful if piles.votes[c] >= quota),
                         key=lambda c: (-piles.votes[c], c))
        for c in reached[: rules.seats - len(elected)]:
            hopeful.discard(c)
            elected.append(c)
            stage.elected.append(names[c])
            if piles.votes[c] > quota:
                surplus_due.append(c)
        left = rules.seats - len(elected)
        if left <= 0:
            break
        if len(hopeful) <= left:  # rule 52
            for c in sorted(hopeful, key=lambda c: (-piles.votes[c], c)):
                elected.append(c)
                stage.elected.append(names[c])
            hopeful.clear()
            break
        if surplus_due:
            source = _largest_surplus(stage, surplus_due, piles, names, ties, record)
            surplus_due.remove(source)
            total = piles.votes[source]
            extra = total - quota

            def value(v: Value, extra: Value = extra, total: Value = total) -> Value:
                return piles.floor_div(extra * v, total)  # rule 48(3)

            moved, residual = piles.transfer(source, hopeful, value, keep=quota)
            held[source] = quota
        else:
            source = _lowest(stage, hopeful, piles, names, ties, record)  # rules 50, 51
            hopeful.discard(source)
            stage.eliminated.append(names[source])
            moved, residual = piles.transfer(source, hopeful)  # rule 50(4)
        record.book(stage, source, moved, residual)
        stage = record.open(shown(), {c: quota for c in held})
    for c in held:
        stage.tally[names[c]] = piles.figure(quota)
    return record.result(piles.figure(quota), [names[c] for c in elected], ballots.total,
                         invalid)


def _largest_surplus(stage: Stage, due: list[int], piles: Piles, names: list[str],
                     ties: Ties, record: Stages) -> int:
    """Rule 49(1): the highest surplus first; 49(2)-(3) for equal ones."""
    top = max(piles.votes[c] for c in due)
    tied = [c for c in due if piles.votes[c] == top]
    if len(tied) == 1:
        return tied[0]
    note = ties.choose([names[c] for c in tied], most=True, stage=stage.number,
                       purpose="surplus", history=record.history(), votes=piles.figure(top))
    stage.tie_breaks.append(note)
    return names.index(note.chosen)


def _lowest(stage: Stage, hopeful: set[int], piles: Piles, names: list[str], ties: Ties,
            record: Stages) -> int:
    """Rule 50(1): the fewest votes; rule 51 for equal fewest."""
    low = min(piles.votes[c] for c in hopeful)
    tied = [c for c in sorted(hopeful) if piles.votes[c] == low]
    if len(tied) == 1:
        return tied[0]
    note = ties.choose([names[c] for c in tied], most=False, stage=stage.number,
                       purpose="elimination", history=record.history(),
                       votes=piles.figure(low))
    stage.tie_breaks.append(note)
    return names.index(note.chosen)
