"""Ballot papers for the statute counts (Scottish STV, WIGM, ERS97, Meek).

The statutes move whole ballot papers from candidate to candidate and read each paper's
"next available preference" (SSI 2007/42 rule 48(1)(a)). Papers marked alike travel
alike, so they are read once here into a *preference order* (the candidates a paper can
ever count for, in order) with the number of papers marked that way.

The ballot rules (``BallotRules``) decide how a mark is read, as in ``interpret``:

* ranks after ``max_rankings`` are ignored;
* a mark after more than ``max_skipped_ranks`` blank ranks is not reached (the paper
  stops at the gap);
* a candidate marked again is passed over, or with ``exhaust_on_duplicate`` stops the
  paper there;
* several marks at one rank stop the paper (``exhaust-immediately``) or are passed over
  (``always-skip``). ``exhaust-if-multiple-continuing`` depends on who is continuing at
  each transfer, which a preference order cannot hold: the statute counts refuse it.

A paper with no first preference that counts is invalid (SSI 2007/42 rule 45(3) counts
the *valid* papers): ``Result.undervotes`` reports them.
"""

from __future__ import annotations

import numpy as np

from hustings.counting.ballots import BLANK, Ballots
from hustings.counting.rules import BallotRules, OvervoteRule, Rules


def preference_orders(rules: Rules, ballots: Ballots
                      ) -> tuple[list[tuple[tuple[int, ...], int]], int]:
    """(distinct preference orders with their number of papers, papers with none).

    Candidate numbers index ``ballots.candidates`` (``rounds.candidate_names`` keeps them
    first).
    """
    br: BallotRules = rules.ballot_rules  # exhaust-if-multiple-continuing: count() refuses
    ranks = ballots.ranks if br.max_rankings is None else ballots.ranks[:, : br.max_rankings]
    if not len(ballots):
        return [], 0
    rows, inverse = np.unique(ranks, axis=0, return_inverse=True)
    weights = np.zeros(len(rows), dtype=np.int64)
    np.add.at(weights, inverse.ravel(), ballots.weights)
    orders: dict[tuple[int, ...], int] = {}
    blank = 0
    for row, w in zip(rows.tolist(), weights.tolist(), strict=True):
        order = _read(row, br)
        if not w:
            continue
        if order:
            orders[order] = orders.get(order, 0) + int(w)
        else:
            blank += int(w)
    return sorted(orders.items()), blank


def _read(row: list[int], br: BallotRules) -> tuple[int, ...]:
    order: list[int] = []
    gap = 0
    for cell in row:
        if cell == BLANK:
            gap += 1
            continue
        if br.max_skipped_ranks is not None and gap > br.max_skipped_ranks:
            break
        gap = 0
        if cell < 0:  # several marks at one rank
            if br.overvote is OvervoteRule.ALWAYS_SKIP:
                continue
            break
        if cell in order:
            if br.exhaust_on_duplicate:
                break
            continue
        order.append(cell)
    return tuple(order)
