"""The record of a count: immutable rounds, every figure exact.

Every page, table, JSON file and audit entry is a rendering of a ``Result``. Vote figures are
``Fraction`` (whole numbers for plain counts; declared decimals for fractional transfers);
weighted college shares are percentages as ``Fraction``. Renderers decide the formatting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import TypeVar

from hustings.counting.rules import InactiveReason, Rules

EXHAUSTED = "exhausted"  # transfer target: the votes left the count
RESIDUAL = "residual surplus"  # transfer target: weight lost to rounding down


K = TypeVar("K")
V = TypeVar("V")


def frozen_map(m: Mapping[K, V]) -> Mapping[K, V]:
    """A read-only copy, so a Round cannot be edited after the count."""
    return MappingProxyType(dict(m))


@dataclass(frozen=True)
class Transfer:
    """Votes that moved between this round and the next."""

    source: str  # the candidate elected (surplus) or eliminated
    target: str  # a candidate, EXHAUSTED or RESIDUAL
    votes: Fraction
    section: str


@dataclass(frozen=True)
class TieBreakNote:
    """One tie and how it was broken, in words a scrutineer can check."""

    round: int
    purpose: str  # "elimination" or "election"
    tied: tuple[str, ...]
    chosen: str
    reason: str


@dataclass(frozen=True)
class SectionRound:
    """One section's count in one round."""

    name: str
    weight: Fraction
    tally: Mapping[str, Fraction]  # candidate -> votes held this round
    inactive: Mapping[InactiveReason, Fraction]  # cumulative, by reason
    share: Mapping[str, Fraction]  # candidate -> weighted % of the whole college

    @property
    def continuing(self) -> Fraction:
        return sum(self.tally.values(), Fraction(0))

    @property
    def exhausted(self) -> Fraction:
        return sum(self.inactive.values(), Fraction(0))


@dataclass(frozen=True)
class Round:
    """One round: the tallies, then the decisions taken at its end."""

    number: int
    sections: tuple[SectionRound, ...]
    tally: Mapping[str, Fraction]  # one section: votes; a college: weighted percentages
    threshold: Fraction  # votes (or %) needed to be elected this round
    elected: tuple[str, ...] = ()
    eliminated: tuple[str, ...] = ()
    transfers: tuple[Transfer, ...] = ()  # what the decisions moved before the next round
    tie_breaks: tuple[TieBreakNote, ...] = ()

    def section(self, name: str) -> SectionRound:
        for s in self.sections:
            if s.name == name:
                return s
        raise KeyError(name)


@dataclass(frozen=True)
class Result:
    """The whole count: rules in, rounds out."""

    rules: Rules
    rounds: tuple[Round, ...]
    winners: tuple[str, ...]  # in the order elected
    total_ballots: int  # every ballot read, including ones with no marks
    undervotes: int  # ballots with no marks at all (never active)
    # Condorcet only: wins[i][j] = ballots preferring candidate i to j (rules.candidates order)
    pairwise: tuple[tuple[int, ...], ...] | None = None
    # Multi-pass IRV only: each pass's rounds (``rounds`` holds them one after another)
    passes: tuple[tuple[Round, ...], ...] | None = None
    # Slice reports (RCTab's tabulate by precinct / batch): kind -> label -> a Result with
    # the whole count's rounds, thresholds and decisions but that slice's tallies,
    # inactive ballots, transfers, ballots and undervotes. Empty without Ballots.slices.
    slices: Mapping[str, Mapping[str, Result]] | None = None
