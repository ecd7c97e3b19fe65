"""An independent round-1 counter, used to check the CVR readers before any full count.

Round 1 of an RCTab count needs only ballot interpretation (RCTab 2.0 user guide, "Overvote
Rule", "How Many Skipped Rankings Are Allowed", "Exhaust on Multiple Ranks for the Same
Candidate"), so the readers can be checked against every expected report's round 1 without
the counting core. Deliberately simple and slow-but-clear: per-ballot Python loops.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from hustings.counting import BLANK, OVERVOTE, Ballots, OvervoteRule, Rules


def round1(rules: Rules, ballots: Ballots) -> tuple[Counter, Counter, int]:
    """(tally by candidate, inactive by RCTab key, undervotes) for round 1."""
    br = rules.ballot_rules
    continuing = set(rules.candidates) - set(rules.excluded)
    names = ballots.candidates
    tally: Counter = Counter()
    inactive: Counter = Counter()
    undervotes = 0
    max_rank = br.max_rankings or ballots.ranks.shape[1]
    # identical ballots are read once (80,000 real ballots hold a few thousand distinct ones)
    rows, inverse = np.unique(ballots.ranks[:, :max_rank], axis=0, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=ballots.weights, minlength=len(rows))
    for row, w in zip(rows, weights.astype(np.int64), strict=True):
        if (row == BLANK).all():
            undervotes += int(w)
            continue
        last, seen, outcome = 0, set(), "exhaustedChoices"
        for pos in np.flatnonzero(row != BLANK):
            rank, code = int(pos) + 1, int(row[pos])
            if br.max_skipped_ranks is not None and rank - last - 1 > br.max_skipped_ranks:
                outcome = "skippedRankings"
                break
            last = rank
            if code < 0:
                members = (None if code == OVERVOTE else
                           {names[i] for i in ballots.overvote_sets[OVERVOTE - 1 - code]})
                if br.overvote is OvervoteRule.EXHAUST_IMMEDIATELY:
                    outcome = "overvotes"
                    break
                if br.overvote is OvervoteRule.ALWAYS_SKIP:
                    continue
                live = None if members is None else members & continuing
                if live is None or len(live) > 1:
                    outcome = "overvotes"
                    break
                if not live:
                    continue
                name = next(iter(live))
            else:
                name = names[code]
            if name in seen:
                if br.exhaust_on_duplicate:
                    outcome = "repeatedRankings"
                    break
                continue
            seen.add(name)
            if name in continuing:
                outcome = name
                break
        if outcome in continuing:
            tally[outcome] += int(w)
        else:
            inactive[outcome] += int(w)
    return tally, inactive, undervotes
