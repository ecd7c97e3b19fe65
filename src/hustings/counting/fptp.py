"""First past the post: the comparator every preferential count is measured against.

One round: each ballot counts for its first valid preference (read by the same ballot
rules as every other method); the ``seats`` highest win. A tie for the last seat is broken
by the rules' tie-break. There is no quota: ``Round.threshold`` is the lowest winning
tally.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from hustings.counting.ballots import Ballots
from hustings.counting.interpret import STATUS_REASON
from hustings.counting.ledger import Ledger
from hustings.counting.result import Result, Round, SectionRound, frozen_map
from hustings.counting.rounds import candidate_names
from hustings.counting.rules import Rules
from hustings.counting.tallies import REPORTED
from hustings.counting.tiebreak import TieBreaker


def first_preferences(rules: Rules, ballots: Ballots) -> tuple[list[str], Ledger]:
    """Read every ballot to its first valid, non-excluded choice."""
    names = candidate_names(rules, ballots)
    ledger = Ledger(rules, ballots, len(names), 1)
    continuing = np.array([c not in rules.excluded for c in names], dtype=bool)
    ledger.first_count(continuing)
    return names, ledger


def first_round(rules: Rules, names: list[str], ledger: Ledger
                ) -> tuple[dict[str, Fraction], SectionRound]:
    section = rules.sections[0]
    votes = {c: Fraction(int(ledger.tally[0, i])) for i, c in enumerate(names)
             if c not in rules.excluded}
    inactive = {r: Fraction(0) for r in REPORTED}
    for code, reason in STATUS_REASON.items():
        if reason in inactive:
            inactive[reason] = Fraction(int(ledger.inactive[0, code]))
    total = sum(votes.values(), Fraction(0))
    share = {c: (v / total * 100 if total else Fraction(0)) for c, v in votes.items()}
    return votes, SectionRound(section.name, section.weight, frozen_map(votes),
                               frozen_map(inactive), frozen_map(share))


def count_fptp(rules: Rules, ballots: Ballots) -> Result:
    names, ledger = first_preferences(rules, ballots)
    votes, section = first_round(rules, names, ledger)
    tie = TieBreaker(rules.tie_break, rules.candidates)
    order = sorted(votes, key=lambda c: -votes[c])
    seats = min(rules.seats, len(order))
    winners = order[:seats]
    notes = []
    if seats and seats < len(order) and votes[order[seats - 1]] == votes[order[seats]]:
        # A tie across the last seat: those safely above it win; the tie-break fills the rest.
        level = votes[order[seats - 1]]
        safe = [c for c in order if votes[c] > level]
        tied = [c for c in order if votes[c] == level]
        winners = list(safe)
        while len(winners) < seats:
            note = tie.choose(tied, round_number=1, purpose="election", history=[],
                              votes=level)
            notes.append(note)
            winners.append(note.chosen)
            tied.remove(note.chosen)
    threshold = min((votes[w] for w in winners), default=Fraction(0))
    rnd = Round(1, (section,), frozen_map(votes), threshold, tuple(winners), (), (),
                tuple(notes))
    return Result(rules, (rnd,), tuple(winners), ballots.total, ledger.undervotes)
