"""Condorcet comparator by the Schulze method (Schulze 2011, "A new monotonic,
clone-independent, reversal symmetric, and Condorcet-consistent single-winner election
method", Social Choice and Welfare 36).

``d[i][j]`` is the number of ballots ranking candidate i above j (a ranked candidate is
above every unranked one; blanks, overvotes and repeated names are passed over, the first
mark of a name counting). The strongest path strengths ``p`` follow by Floyd–Warshall on
the winning margins ``d[i][j]`` where ``d[i][j] > d[j][i]``; i beats j when
``p[i][j] > p[j][i]``. Winners are taken in Schulze order; ties go to the tie-break.

The Result has one round, whose tally is first preferences, and ``pairwise`` = d in the
rules' candidate order. If no candidate beats every other head to head, a TieBreakNote
says that Schulze decided.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from hustings.counting.ballots import Ballots
from hustings.counting.fptp import first_preferences, first_round
from hustings.counting.result import Result, Round, TieBreakNote, frozen_map
from hustings.counting.rules import Rules
from hustings.counting.tiebreak import TieBreaker

_CHUNK = 1 << 18


def pairwise(ballots: Ballots, order: list[int], max_rankings: int | None) -> np.ndarray:
    """d[a][b] over the candidates ``order`` (ballot indices), in chunks of ballots."""
    k = len(order)
    ranks = ballots.ranks if max_rankings is None else ballots.ranks[:, :max_rankings]
    width = ranks.shape[1]
    d = np.zeros((k, k), dtype=np.int64)
    never = width + 1
    for start in range(0, len(ballots), _CHUNK):
        block = ranks[start:start + _CHUNK]
        w = ballots.weights[start:start + _CHUNK]
        # position of each candidate's first mark (never = unranked)
        pos = np.full((block.shape[0], k), never, dtype=np.int32)
        for a, cand in enumerate(order):
            hit = block == cand
            has = hit.any(axis=1)
            pos[has, a] = hit[has].argmax(axis=1)
        for a in range(k):
            above = pos[:, a:a + 1] < pos  # ballots ranking a above each b
            d[a] += (above * w[:, None]).sum(axis=0)
    return d


def schulze_strengths(d: np.ndarray) -> np.ndarray:
    k = d.shape[0]
    p = np.where(d > d.T, d, 0)
    for i in range(k):
        p = np.maximum(p, np.minimum(p[:, i:i + 1], p[i:i + 1, :]))
    np.fill_diagonal(p, 0)
    return p


def count_schulze(rules: Rules, ballots: Ballots) -> Result:
    names, ledger = first_preferences(rules, ballots)
    votes, section = first_round(rules, names, ledger)
    index = {c: i for i, c in enumerate(names)}
    field = [c for c in rules.candidates if c not in rules.excluded]
    # Declared candidates the ballots cannot name get index -99: never matched, unranked.
    order = [index[c] if index[c] < len(ballots.candidates) else -99 for c in field]
    d = pairwise(ballots, order, rules.ballot_rules.max_rankings)
    p = schulze_strengths(d)
    beats = p > p.T
    tie = TieBreaker(rules.tie_break, rules.candidates)
    notes: list[TieBreakNote] = []
    head_to_head = [field[a] for a in range(len(field))
                    if all(d[a, b] > d[b, a] for b in range(len(field)) if b != a)]
    remaining = list(range(len(field)))
    winners: list[str] = []
    while remaining and len(winners) < rules.seats:
        top = [a for a in remaining if not any(beats[b, a] for b in remaining if b != a)]
        if len(top) > 1:
            note = tie.choose([field[a] for a in top], round_number=1, purpose="election",
                              history=[], votes=Fraction(0))
            notes.append(note)
            top = [field.index(note.chosen)]
        winners.append(field[top[0]])
        remaining.remove(top[0])
    if not head_to_head and winners:
        # Said first: the scrutineer reads why there was anything to decide.
        notes.insert(0, TieBreakNote(
            1, "election", tuple(field), winners[0], "no Condorcet winner (no candidate "
            f"beats every other head to head); the Schulze strongest paths chose {winners[0]}"))
    full = [[0] * len(rules.candidates) for _ in rules.candidates]
    pos = {c: i for i, c in enumerate(rules.candidates)}
    for a, ca in enumerate(field):
        for b, cb in enumerate(field):
            full[pos[ca]][pos[cb]] = int(d[a, b])
    rnd = Round(1, (section,), frozen_map(votes), Fraction(0), tuple(winners), (), (),
                tuple(notes))
    return Result(rules, (rnd,), tuple(winners), ballots.total, ledger.undervotes,
                  pairwise=tuple(tuple(r) for r in full))
