"""The margin of the real 2010 PLP count (266 MP and MEP ballots).

Published final round: David Miliband 140, Ed Miliband 122, 4 exhausted (tallyroom.com.au
6493; the file's metadata). 9 ballots moved from David to Ed Miliband make it 131-131:
then Ed can win on the tie-break; a 10th ballot (one that did not reach either) elects him
outright.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest

from hustings.analysis.margin import margin
from hustings.counting import Ballots, Rules, count
from tests.analysis.brute import all_rankings, possible_winners
from tests.analysis.conftest import DM, EM, PLP_CANDIDATES


@pytest.fixture(scope="module")
def plp_margin(plp_ballots):
    return margin(Rules(PLP_CANDIDATES), plp_ballots)


def test_plp_margin_is_nine_and_ten_decide_it(plp_margin):
    m = plp_margin
    assert (m.winner, m.ballots, m.decisive, m.exact) == (DM, 9, 10, True)
    assert m.new_winner == EM
    assert "branch-and-bound" in m.method


def test_plp_decisive_change_applied_to_the_real_ballots_elects_ed_miliband(plp_margin,
                                                                             plp_rows):
    """Change the rows of the real file as the witness says; the real count decides."""
    rankings = [tuple(r[f"pref{i}"] for i in range(1, 6) if r[f"pref{i}"]) for r in plp_rows]
    to_take = Counter(dict(plp_margin.removed))
    changed = []
    for ranking in rankings:
        if to_take[ranking] > 0:
            to_take[ranking] -= 1
            continue
        changed.append(list(ranking))
    assert not +to_take and len(changed) == 266 - 10
    for ranking, n in plp_margin.added:
        changed.extend([list(ranking) or [None]] * n)
    result = count(Rules(PLP_CANDIDATES), Ballots.from_rankings(PLP_CANDIDATES, changed))
    assert result.winners == (EM,)
    final = result.rounds[-1]
    assert final.tally[EM] > final.tally[DM]


@pytest.mark.slow
def test_plp_brute_force_no_single_change_alters_the_winner(plp_rows):
    """Every change of one ballot, to every ranking (326 of them, blank included): David
    Miliband stays the only possible winner. (Changes of 2..8 ballots are too many to try
    one by one: about 10^8 for two; the ILP search above covers them.)"""
    rankings = [tuple(r[f"pref{i}"] for i in range(1, 6) if r[f"pref{i}"]) for r in plp_rows]
    base = Counter(rankings)
    weights = [Fraction(1)]
    assert possible_winners([base], weights, PLP_CANDIDATES) == {DM}
    tried = 0
    for old in list(base):
        for new in all_rankings(PLP_CANDIDATES):
            changed = base.copy()
            changed[old] -= 1
            changed[new] += 1
            assert possible_winners([+changed], weights, PLP_CANDIDATES) == {DM}
            tried += 1
    assert tried == 76 * 326


def test_plp_margin_lower_bound_by_enumerating_every_elimination_order(plp_rows):
    """Independent of the ILP: for every elimination order with another winner, a changed
    ballot moves the gap between two candidates' tallies in a round by at most 2, so that
    order needs at least ceil(gap / 2) changes where the eliminated one is ahead. The least
    over all 96 orders is 9: the margin found by the search is exact."""
    from itertools import permutations
    from math import ceil

    rankings = Counter(tuple(r[f"pref{i}"] for i in range(1, 6) if r[f"pref{i}"])
                       for r in plp_rows)
    best = None
    for order in permutations(PLP_CANDIDATES):
        if order[-1] == DM:
            continue
        need = 0
        for r, out in enumerate(order[:-1]):
            cont = set(order[r:])
            tally = Counter()
            for ranking, n in rankings.items():
                first = next((c for c in ranking if c in cont), None)
                if first:
                    tally[first] += n
            need = max([need] + [ceil((tally[out] - tally[c]) / 2) for c in cont if c != out])
        best = need if best is None else min(best, need)
    assert best == 9


def test_beyond_the_exact_limit_the_margin_is_a_named_upper_bound(plp_ballots):
    m = margin(Rules(PLP_CANDIDATES), plp_ballots, exact_limit=3, node_budget=5)
    assert not m.exact
    assert m.method.startswith("upper bound: winner elimination")
    assert m.ballots >= 9 and m.decisive >= 10  # never below the exact figures
    assert m.new_winner != DM  # the decisive change was recounted


def test_nine_changed_ballots_make_it_a_tie_ed_miliband_can_win(plp_rows):
    """The margin's 9, by hand: nine ballots marked only for David Miliband marked instead
    only for Ed Miliband make the final round 131-131, so Ed Miliband can win on a
    tie-break (brute force over every tie branch)."""
    rankings = Counter(tuple(r[f"pref{i}"] for i in range(1, 6) if r[f"pref{i}"])
                       for r in plp_rows)
    assert rankings[(DM,)] >= 9
    rankings[(DM,)] -= 9
    rankings[(EM,)] += 9
    assert possible_winners([rankings], [Fraction(1)], PLP_CANDIDATES) == {DM, EM}
