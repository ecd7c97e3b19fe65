"""Ballots read once into clean preference lists: what the margin search works on.

A preference list is a tuple of candidate positions (into the continuing candidates, in
the rules' order), each at most once, read under the rules' ballot rules exactly as the
count reads a ballot when every candidate on it is continuing. Ballot rules that depend on
who is continuing at the time (RCTab's exhaust-if-multiple-continuing overvote rule, on a
ballot that has an overvote) are refused: a fixed list cannot express them.

Identical rows are read once (``numpy.unique``), so a million-ballot section costs a few
thousand Python steps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from hustings.analysis.errors import AnalysisError, UnsupportedRulesError
from hustings.counting import BLANK, Ballots, OvervoteRule, Rules

Preference = tuple[int, ...]


@dataclass(frozen=True)
class Profile:
    """The ballots of a count as preference lists with multiplicities, per section."""

    candidates: tuple[str, ...]  # the continuing candidates, in the rules' order
    sections: tuple[str, ...]  # the rules' section names
    weights: tuple  # each section's weight (Fraction)
    counts: tuple[Counter, ...]  # per section: Preference -> number of ballots

    def names(self, pref: Preference) -> tuple[str, ...]:
        return tuple(self.candidates[i] for i in pref)


def read_profile(rules: Rules, ballots: Ballots) -> Profile:
    """Every ballot of ``ballots`` as a preference list over the non-excluded candidates."""
    standing = tuple(c for c in rules.candidates if c not in rules.excluded)
    index = {c: i for i, c in enumerate(standing)}
    # ballot column value -> position among the standing candidates (None: passed over)
    column = [index.get(c) for c in ballots.candidates]
    section_of = {s.name: k for k, s in enumerate(rules.sections)}
    counts: list[Counter] = [Counter() for _ in rules.sections]
    if len(ballots):
        rows = np.concatenate([ballots.sections[:, None].astype(np.int16), ballots.ranks],
                              axis=1)
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        totals = np.bincount(inverse.ravel(), weights=ballots.weights, minlength=len(unique))
        for row, total in zip(unique.tolist(), totals.tolist()):
            if not total:
                continue
            name = ballots.section_names[row[0]]
            k = section_of.get(name, 0 if len(rules.sections) == 1 else None)
            if k is None:
                raise AnalysisError(f"ballots of section {name!r}, which the rules do not "
                                    f"declare (expected one of {list(section_of)})")
            counts[k][_read(row[1:], column, rules, ballots)] += int(total)
    return Profile(standing, tuple(s.name for s in rules.sections),
                   tuple(s.weight for s in rules.sections), tuple(counts))


def _read(ranks: list[int], column: list[int | None], rules: Rules,
          ballots: Ballots) -> Preference:
    br = rules.ballot_rules
    if br.max_rankings is not None:
        ranks = ranks[:br.max_rankings]
    out: list[int] = []
    seen: set[int] = set()
    blanks = 0
    for code in ranks:
        if code == BLANK:
            blanks += 1
            continue
        if br.max_skipped_ranks is not None and blanks > br.max_skipped_ranks:
            break  # skipped rankings: inactive from here
        blanks = 0
        if code >= 0:
            if code in seen and br.exhaust_on_duplicate:
                break
            seen.add(code)
            pos = column[code]
            if pos is not None and pos not in out:
                out.append(pos)
            continue
        # several marks at one rank
        if br.overvote is OvervoteRule.EXHAUST_IMMEDIATELY:
            break
        if br.overvote is OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING:
            raise UnsupportedRulesError(
                "the overvote rule exhaust-if-multiple-continuing depends on who is still "
                "continuing; the margin is computed only for rules that read each ballot "
                "into one preference list (exhaust-immediately or always-skip)")
        # always-skip: pass over the rank (which candidates it names does not matter)
    return tuple(out)
