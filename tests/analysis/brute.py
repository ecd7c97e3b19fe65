"""Brute force for tiny elections, written apart from the code it checks.

``possible_winners`` runs AV (or an electoral college) down every branch of every tie for
lowest, so it knows each candidate who can win. ``brute_margin_holds`` tries every change
of exactly ``k`` ballots (every sub-multiset of the cast ballots, replaced by every multiset
of rankings, blank included); since a ballot may be "changed" to itself, that is every
change of at most ``k`` ballots.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from functools import cache
from itertools import combinations_with_replacement, permutations


def all_rankings(candidates):
    out = [()]
    for n in range(1, len(candidates) + 1):
        out.extend(permutations(candidates, n))
    return out


def possible_winners(sections, weights, candidates):
    """sections: one {ranking: count} per section (weights: Fractions)."""
    frozen = tuple(tuple(sorted(s.items())) for s in sections)
    return _winners(frozen, tuple(weights), frozenset(candidates))


@cache
def _winners(sections, weights, continuing):
    if len(continuing) == 1:
        return frozenset(continuing)
    score = {c: Fraction(0) for c in continuing}
    for ballots, w in zip(sections, weights):
        votes = Counter()
        for ranking, n in ballots:
            for c in ranking:
                if c in continuing:
                    votes[c] += n
                    break
        total = sum(votes.values())
        for c, v in votes.items():
            score[c] += Fraction(v, total) * w * (100 if len(sections) > 1 else 1)
    low = min(score.values())
    out = frozenset()
    for c in continuing:
        if score[c] == low:
            out |= _winners(sections, weights, continuing - {c})
    return out


def _sub_multisets(counter, k):
    items = sorted(counter.items())

    def rec(i, left):
        if left == 0:
            yield ()
            return
        if i == len(items):
            return
        r, n = items[i]
        for take in range(min(n, left), -1, -1):
            for rest in rec(i + 1, left - take):
                yield ((r, take),) * bool(take) + rest

    yield from rec(0, k)


def some_change_of(k, sections, weights, candidates, winner, section=0, *, outright=False):
    """A change of at most k ballots of ``section`` after which another candidate can win
    (``outright``: after which ``winner`` cannot win)."""
    rankings = all_rankings(candidates)
    base = Counter(sections[section])
    for removed in _sub_multisets(base, k):
        less = base.copy()
        less.subtract(dict(removed))
        for added in combinations_with_replacement(rankings, k):
            new = less.copy()
            new.update(added)
            new = +new
            changed = list(sections)
            changed[section] = new
            can = possible_winners(changed, weights, candidates)
            if (winner not in can) if outright else (can - {winner}):
                return removed, added
    return None
