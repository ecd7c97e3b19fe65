"""Ballot interpretation: which candidate, if any, each ballot counts for now.

Each ballot keeps a pointer to the rank it currently counts at. When its candidate stops
continuing (eliminated, or elected with a surplus to pass on) only that ballot's pointer
moves on, and all the ballots moving in a round move together as one NumPy step: step
every pointer by one, settle those whose new rank decides them, repeat for the rest.

The rules are RCTab's (``Tabulator.computeTalliesForRound``), applied at each rank in
this order:

1. *skipped rankings* – a mark reached after more than ``max_skipped_ranks`` blank ranks
   since the previous mark (or the start) makes the ballot inactive ("skippedRankings");
2. *repeated rankings* – with ``exhaust_on_duplicate``, a candidate already marked at an
   earlier rank makes it inactive there ("repeatedRankings"); an explicit overvote
   counts as a name here too, as in RCTab;
3. *overvotes* – several marks at one rank: exhaust immediately ("overvotes"), skip to the
   next rank, or – exhaust-if-multiple-continuing – count for the one marked candidate
   still continuing, move on if none is, exhaust if two or more are;
4. a continuing candidate gets the ballot; anyone else is passed over.

Ranks past ``max_rankings`` are ignored. A ballot that runs out of ranks is inactive
("exhaustedChoices") unless it never had a mark: then it is an undervote, which is never
active and never counted as inactive (``Result.undervotes``).
"""

from __future__ import annotations

import numpy as np

from hustings.counting.ballots import BLANK, OVERVOTE, OVERVOTE_SET_BASE, Ballots
from hustings.counting.rules import BallotRules, InactiveReason, OvervoteRule

# Ballot status codes (int8 arrays); index into STATUS_REASON for the reported reason.
ACTIVE = 0
OVERVOTES = 1
SKIPPED = 2
EXHAUSTED_CHOICES = 3
REPEATED = 4
UNDERVOTE = 5
FINAL_SURPLUS = 6  # set by STV for ballots that leave in the final surplus transfer
STATUS_REASON = {
    OVERVOTES: InactiveReason.OVERVOTE,
    SKIPPED: InactiveReason.SKIPPED_RANKINGS,
    EXHAUSTED_CHOICES: InactiveReason.EXHAUSTED_CHOICES,
    REPEATED: InactiveReason.REPEATED_RANKINGS,
    FINAL_SURPLUS: InactiveReason.FINAL_ROUND_SURPLUS,
}
NO_CANDIDATE = -1


class BallotReader:
    """Pointers into the (shared, read-only) rank array and how to move them on."""

    def __init__(self, ballots: Ballots, rules: BallotRules, n_candidates: int) -> None:
        self.ranks = ballots.ranks  # never copied: the big array stays as it was read
        n, width = self.ranks.shape
        self.width = width if rules.max_rankings is None else min(width, rules.max_rankings)
        self.rules = rules
        self.pos = np.full(n, -1, dtype=np.int16)
        # Members of each overvote set as a (sets x candidates) 0/1 matrix, so the number of
        # continuing members of every set is one matrix-vector product.
        self.set_members = np.zeros((len(ballots.overvote_sets), n_candidates), dtype=np.int32)
        for k, members in enumerate(ballots.overvote_sets):
            self.set_members[k, sorted(members)] = 1
        self.dup_pos = self._first_duplicates(ballots) if rules.exhaust_on_duplicate else None

    def _first_duplicates(self, ballots: Ballots) -> np.ndarray:
        """Per ballot, the first rank naming someone already marked earlier (or width)."""
        ranks = self.ranks[:, : self.width]
        n = ranks.shape[0]
        first = np.full(n, self.width, dtype=np.int16)
        for j in range(1, self.width):
            col = ranks[:, j]
            named = (col >= 0) | (col == OVERVOTE)
            hit = np.zeros(n, dtype=bool)
            for k in range(j):
                hit |= ranks[:, k] == col
            hit &= named
            first = np.where(hit & (first == self.width), j, first).astype(np.int16)
        # Overvote sets: members count as marked names (RCTab adds each to its seen-set).
        has_sets = np.flatnonzero((ranks <= OVERVOTE_SET_BASE).any(axis=1))
        sets = ballots.overvote_sets
        for i in has_sets:
            seen: set[int] = set()
            for j, code in enumerate(ranks[i]):
                code = int(code)
                names = (
                    set(sets[OVERVOTE_SET_BASE - code]) if code <= OVERVOTE_SET_BASE
                    else {code} if code >= 0 or code == OVERVOTE else set()
                )
                if names & seen:
                    first[i] = j
                    break
                seen |= names
        return first

    def advance(
        self, idx: np.ndarray, continuing: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Move the ballots ``idx`` on from their current rank to the next one that decides.

        ``continuing`` is a bool per candidate. Returns (candidate or NO_CANDIDATE, status)
        per ballot of ``idx``; pointers of ballots that found a candidate are updated.
        """
        m = idx.size
        out_cand = np.full(m, NO_CANDIDATE, dtype=np.int16)
        out_status = np.zeros(m, dtype=np.int8)
        pos = self.pos[idx].astype(np.int32)
        seen = pos >= 0
        run = np.zeros(m, dtype=np.int32)
        live = np.arange(m)
        rules = self.rules
        max_skip = rules.max_skipped_ranks
        rule = rules.overvote
        set_cont = self.set_members @ continuing.astype(np.int32) if len(self.set_members) else None
        full = m == self.ranks.shape[0]
        while live.size:
            p = pos[live] + 1
            ended = p >= self.width
            if ended.any():
                gone = live[ended]
                out_status[gone] = np.where(seen[gone], EXHAUSTED_CHOICES, UNDERVOTE)
                live, p = live[~ended], p[~ended]
                if not live.size:
                    break
            pos[live] = p
            if full and live.size == m and (p == p[0]).all():
                code = self.ranks[:, int(p[0])]  # first step over every ballot: a column
            else:
                code = self.ranks[idx[live], p]
            blank = code == BLANK
            run[live[blank]] += 1
            mark = ~blank
            done = np.zeros(live.size, dtype=bool)
            if mark.any():
                if max_skip is not None:
                    skipped = mark & (run[live] > max_skip)
                    out_status[live[skipped]] = SKIPPED
                    done |= skipped
                run[live[mark]] = 0
                seen[live[mark]] = True
                if self.dup_pos is not None:
                    dup = mark & ~done & (self.dup_pos[idx[live]] == p)
                    out_status[live[dup]] = REPEATED
                    done |= dup
                single = mark & ~done & (code >= 0)
                if single.any():
                    got = single.copy()
                    got[single] = continuing[code[single]]
                    out_cand[live[got]] = code[got]
                    done |= got
                over = mark & ~done & (code < 0)
                if over.any():
                    if rule is OvervoteRule.EXHAUST_IMMEDIATELY:
                        out_status[live[over]] = OVERVOTES
                        done |= over
                    elif rule is OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING:
                        self._if_multiple(code, over, live, done, set_cont, continuing,
                                          out_cand, out_status)
                    # ALWAYS_SKIP: pass over the rank (a final overvote runs out of ranks)
            live = live[~done]
        self.pos[idx] = pos.astype(np.int16)
        return out_cand, out_status

    def _if_multiple(self, code, over, live, done, set_cont, continuing, out_cand, out_status):
        """exhaust-if-multiple-continuing: settle the overvoted ranks in ``over`` (in place)."""
        explicit = over & (code == OVERVOTE)
        # Without the marked names we cannot tell who is continuing: treat as an overvote
        # (RCTab refuses this combination outright).
        out_status[live[explicit]] = OVERVOTES
        done |= explicit
        sets = over & (code <= OVERVOTE_SET_BASE)
        if not sets.any() or set_cont is None:
            return
        which = OVERVOTE_SET_BASE - code[sets].astype(np.int32)
        k = set_cont[which]
        pos_sets = np.flatnonzero(sets)
        many = pos_sets[k >= 2]
        out_status[live[many]] = OVERVOTES
        done[many] = True
        one = pos_sets[k == 1]
        if one.size:
            members = self.set_members[which[k == 1]] * continuing.astype(np.int32)
            out_cand[live[one]] = members.argmax(axis=1).astype(np.int16)
            done[one] = True
