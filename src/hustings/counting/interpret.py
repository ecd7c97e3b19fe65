"""Ballot interpretation: which candidate, if any, each ballot counts for now.

Each ballot keeps a pointer to the rank it currently counts at. When its candidate stops
continuing (eliminated, or elected with a surplus to pass on) only that ballot's pointer
moves on, and all the ballots moving in a round move together: one NumPy step reads the
next rank of every one of them, which settles most (a plain mark for a continuing
candidate); the rest are read a block of whole rows at a time and their first *deciding*
rank found at once. A rule check can only change the outcome at a rank that is marked,
so "clean" ballots never pay for the rules.

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
_BLOCK = 1 << 17  # ballots read per block in a walk: bounds the temporary arrays
_PROBES = 3  # cheap one-cell reads before a ballot gets the full walk


def _offset(codes: np.ndarray, low: int) -> np.ndarray:
    """``codes - low`` as lookup-table indices; int16 arithmetic (no widening copy) unless
    there are so many overvote sets that the result would not fit."""
    shifted: np.ndarray = codes - low if -low < 30000 else codes.astype(np.int32) - low
    return shifted


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

    def _cells(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """ranks[rows, cols], through the flat array when it is contiguous (faster)."""
        if self.ranks.flags.c_contiguous:
            full = self.ranks.shape[1]
            cells: np.ndarray = self.ranks.reshape(-1)[rows.astype(np.intp, copy=False) * full
                                                       + cols]
        else:
            cells = self.ranks[rows, cols]
        return cells

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
        self, idx: np.ndarray | None, continuing: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Move the ballots ``idx`` (None: all) on to the next rank that decides them.

        ``continuing`` is a bool per candidate. Returns (candidate or NO_CANDIDATE, status)
        per ballot of ``idx``; pointers of ballots that found a candidate are updated.
        """
        m = self.ranks.shape[0] if idx is None else idx.size
        out_cand = np.full(m, NO_CANDIDATE, dtype=np.int16)
        out_status = np.zeros(m, dtype=np.int8)
        if m == 0:
            return out_cand, out_status
        # First step, for every ballot at once: a plain mark for a continuing candidate
        # settles most ballots; a blank ends nothing yet and no skip limit can bite at a
        # rank right after a mark (or at the very start), so only the rest get the rules.
        low = OVERVOTE_SET_BASE - len(self.set_members)
        plain = np.zeros(len(continuing) - low, dtype=bool)
        plain[-low:] = continuing  # a lookup over every rank code: True for a continuing mark
        if idx is None:
            if self.width == 0:
                out_status[:] = UNDERVOTE
                return out_cand, out_status
            code = self.ranks[:, 0]
            got = plain[_offset(code, low)]
            np.copyto(out_cand, code, where=got)
            np.copyto(self.pos, 0, where=got)
            rest = np.flatnonzero(~got)
            if rest.size:
                self._walk(rest, rest, np.full(rest.size, -1, dtype=np.intp), continuing,
                           out_cand, out_status)
            return out_cand, out_status
        start = self.pos[idx].astype(np.intp) + 1
        # Pointers of ballots not settled by a probe are rewritten by the walk (if they find
        # someone) or never read again (if they become inactive).
        self.pos[idx] = start
        rows, slot = idx, None  # slot: where each ballot's answer goes (None: in order)
        for probe in range(_PROBES):
            inside = start < self.width
            # Read each ballot's next cell (clipped inside the row), then blank those past
            # the end: cheaper than masking the gather.
            code = np.where(inside, self._cells(rows, np.minimum(start, self.width - 1)),
                            BLANK)
            got = plain[_offset(code, low)]
            if self.dup_pos is not None:
                repeated = self.dup_pos[rows] == start
                got &= ~repeated
            where = np.flatnonzero(got)
            at = where if slot is None else slot[where]
            out_cand[at] = code[where]
            if probe:
                self.pos[rows[where]] = start[where]
            # A plain mark for someone no longer continuing is simply passed over (no rule
            # can bite at a mark right after a mark): probe the next rank. Anything else
            # (a blank, an overvote, a repeated name, the end) goes to the full walk.
            onward = ~got & (code >= 0)
            if self.dup_pos is not None:
                onward &= ~repeated
            walk = np.flatnonzero(~got & ~onward)
            if walk.size:
                self._walk(rows[walk], walk if slot is None else slot[walk], start[walk] - 1,
                           continuing, out_cand, out_status)
            nxt = np.flatnonzero(onward)
            if not nxt.size:
                return out_cand, out_status
            rows, start = rows[nxt], start[nxt] + 1
            slot = nxt if slot is None else slot[nxt]
        assert slot is not None  # set by the first probe, as some ballots went on
        self._walk(rows, slot, start - 1, continuing, out_cand, out_status)
        return out_cand, out_status

    def _walk(self, rows: np.ndarray, slot: np.ndarray, pos: np.ndarray,
              continuing: np.ndarray, out_cand: np.ndarray, out_status: np.ndarray) -> None:
        """The walk with every rule, for ballots ``rows`` from ranks after ``pos``.

        ``slot`` says where each ballot's answer goes in the output arrays. Rather than
        stepping rank by rank, each block of ballots is read whole and the first *deciding*
        rank found at once: a continuing candidate, an overvote that ends or settles the
        ballot, a repeated name, or a mark after too many blanks. The skipped-rank and
        repeated-name positions depend only on the ballot's marks, not on who is
        continuing, so they are worked out from the block itself.
        """
        for at in range(0, rows.size, _BLOCK):
            part = slice(at, at + _BLOCK)
            self._walk_block(rows[part], slot[part], pos[part], continuing,
                             out_cand, out_status)

    def _decisive_codes(self, continuing: np.ndarray) -> tuple[np.ndarray, int]:
        """A table over rank codes: does a mark with this code decide the ballot?"""
        low = OVERVOTE_SET_BASE - len(self.set_members)
        table = np.zeros(len(continuing) - low, dtype=bool)
        table[-low:] = continuing  # candidates: decide when continuing
        rule = self.rules.overvote
        if rule is OvervoteRule.EXHAUST_IMMEDIATELY:
            table[: BLANK - low] = True  # every overvote code ends the ballot
        elif rule is OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING:
            table[OVERVOTE - low] = True
            if len(self.set_members):
                live = self.set_members @ continuing.astype(np.int32)
                # set k has code OVERVOTE_SET_BASE - k, i.e. table slot OVERVOTE_SET_BASE-k-low
                table[OVERVOTE_SET_BASE - np.arange(len(live)) - low] = live >= 1
        return table, low

    def _walk_block(self, rows: np.ndarray, slot: np.ndarray, pos: np.ndarray,
                    continuing: np.ndarray, out_cand: np.ndarray, out_status: np.ndarray
                    ) -> None:
        w = self.width
        block = np.take(self.ranks, rows, axis=0)  # take: far faster than [rows, :]
        if w < block.shape[1]:
            block = block[:, :w]
        cols = np.arange(w, dtype=np.int16)
        table, low = self._decisive_codes(continuing)
        decisive = table[_offset(block, low)]
        decisive &= cols > pos.astype(np.int16)[:, None]
        max_skip = self.rules.max_skipped_ranks
        stop_skip = stop_dup = None
        if max_skip is not None:
            # blank ranks since the previous mark (or the start), at each mark
            mark = block != BLANK
            last = np.maximum.accumulate(np.where(mark, cols, -1), axis=1)
            before = np.concatenate([np.full((rows.size, 1), -1), last[:, :-1]], axis=1)
            bad = mark & (cols - before - 1 > max_skip)
            stop_skip = np.where(bad.any(axis=1), bad.argmax(axis=1), w)
            decisive |= cols == stop_skip[:, None]
        if self.dup_pos is not None:
            stop_dup = self.dup_pos[rows].astype(np.intp)
            decisive |= cols == stop_dup[:, None]
        if max_skip is not None or self.dup_pos is not None:
            decisive &= cols > pos.astype(np.int16)[:, None]
        first = decisive.argmax(axis=1)
        found = decisive[np.arange(rows.size), first]
        # Nothing decides: out of ranks. An undervote only if the ballot never had a mark.
        none = np.flatnonzero(~found)
        if none.size:
            seen = (pos[none] >= 0) | (block[none] != BLANK).any(axis=1)
            out_status[slot[none]] = np.where(seen, EXHAUSTED_CHOICES, UNDERVOTE)
        f = np.flatnonzero(found)
        j = first[f]
        code = block[f, j]
        status = np.zeros(f.size, dtype=np.int8)
        cand = np.full(f.size, NO_CANDIDATE, dtype=np.int16)
        rest = np.ones(f.size, dtype=bool)
        if stop_skip is not None:
            skipped = j == stop_skip[f]
            status[skipped] = SKIPPED
            rest &= ~skipped
        if stop_dup is not None:
            dup = rest & (j == stop_dup[f])
            status[dup] = REPEATED
            rest &= ~dup
        single = rest & (code >= 0)
        cand[single] = code[single]
        over = rest & (code < 0)
        if over.any():
            if self.rules.overvote is OvervoteRule.EXHAUST_IMMEDIATELY:
                status[over] = OVERVOTES
            else:  # exhaust-if-multiple-continuing (always-skip never stops at one)
                set_cont = (self.set_members @ continuing.astype(np.int32)
                            if len(self.set_members) else None)
                self._if_multiple(code, over, set_cont, continuing, cand, status)
        out_status[slot[f]] = status
        ok = cand >= 0
        out_cand[slot[f[ok]]] = cand[ok]
        self.pos[rows[f[ok]]] = j[ok]

    def _if_multiple(self, code: np.ndarray, over: np.ndarray, set_cont: np.ndarray | None,
                     continuing: np.ndarray, cand: np.ndarray, status: np.ndarray) -> None:
        """exhaust-if-multiple-continuing: settle the overvoted ranks in ``over`` (in place)."""
        explicit = over & (code == OVERVOTE)
        # Without the marked names we cannot tell who is continuing: treat as an overvote
        # (RCTab refuses this combination outright).
        status[explicit] = OVERVOTES
        sets = over & (code <= OVERVOTE_SET_BASE)
        if not sets.any() or set_cont is None:
            return
        at = np.flatnonzero(sets)
        which = OVERVOTE_SET_BASE - code[at].astype(np.int32)
        k = set_cont[which]
        status[at[k >= 2]] = OVERVOTES
        one = k == 1
        if one.any():
            members = self.set_members[which[one]] * continuing.astype(np.int32)
            cand[at[one]] = members.argmax(axis=1).astype(np.int16)
