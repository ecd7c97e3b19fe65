"""Rules as typed data: what the count does, parsed from strings only at the edge.

``Rules`` is a frozen dataclass; ``election.toml``, RCTab's config JSON and the web app's
rule books all end up here. Options that only the certified US tabulator RCTab has are
kept in the same model (see docs/rctab.md) so that readers never special-case a rule.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from fractions import Fraction

from hustings.counting.errors import RulesError


class Method(enum.Enum):
    """How winners are found."""

    IRV = "irv"  # alternative vote; with several sections, the electoral college
    STV = "stv"  # single transferable vote, several seats
    MEEK_STV = "meek-stv"  # STV by Meek's method (keep values; exact fractions)
    FPTP = "fptp"  # first past the post: first preferences only (comparator)
    CONDORCET = "condorcet"  # Schulze method over the pairwise matrix (comparator)
    BOTTOMS_UP = "bottoms-up"  # RCTab: eliminate until `seats` remain
    BOTTOMS_UP_PERCENTAGE = "bottoms-up-percentage"  # RCTab: eliminate until all >= a share
    MULTI_PASS_IRV = "multi-pass-irv"  # RCTab: IRV once per seat, excluding earlier winners
    SCOTTISH_STV = "scottish-stv"  # SSI 2007/42 rules 45-52 (counting.scottish)
    WIGM = "wigm"  # weighted inclusive Gregory, PRF reference rule (counting.wigm)
    MEEK_PRF = "meek-prf"  # Meek, PRF reference rule, NZ quota (counting.meek_prf)
    ERS97 = "ers97"  # Electoral Reform Society 1997 rules (counting.ers97)
    NZ_MEEK = "nz-meek"  # Meek, NZ Local Electoral Regulations 2001 Sch 1A (counting.nz_meek)


class Quota(enum.Enum):
    DROOP = "droop"  # floor(votes / (seats + 1)) + 1, or votes/(seats+1) with non-integer
    HARE = "hare"  # votes / seats
    # votes / (seats + 1) unrounded: in declared decimal places, rounded down plus one unit
    # of the last place (as non_integer_threshold); with exact fractions, strictly more
    DROOP_EXACT = "droop-exact"


class TieBreakMode(enum.Enum):
    """How a tie for elimination or election is broken (RCTab's names in brackets)."""

    PREVIOUS_ROUNDS = "previous-rounds"  # lowest in the latest earlier round that differs; then lot
    CANDIDATE_ORDER = "candidate-order"  # [useCandidateOrder] the declared order
    RANDOM = "random"  # [random] seeded lot (java.util.Random, as RCTab draws)
    PREVIOUS_ROUNDS_THEN_RANDOM = "previous-rounds-then-random"  # [previousRoundCountsThenRandom]
    GENERATE_PERMUTATION = "generate-permutation"  # [generatePermutation] one seeded shuffle
    STOP = "stop"  # refuse to break it: the count stops with an error naming the tie


class OvervoteRule(enum.Enum):
    """What a rank with several marks does (RCTab's overvoteRule)."""

    EXHAUST_IMMEDIATELY = "exhaust-immediately"  # [exhaustImmediately]
    ALWAYS_SKIP = "always-skip"  # [alwaysSkipToNextRank]
    EXHAUST_IF_MULTIPLE_CONTINUING = "exhaust-if-multiple-continuing"


class InactiveReason(enum.Enum):
    """Why a ballot stopped counting (RCTab's inactiveBallots keys)."""

    OVERVOTE = "overvotes"
    SKIPPED_RANKINGS = "skippedRankings"
    EXHAUSTED_CHOICES = "exhaustedChoices"
    REPEATED_RANKINGS = "repeatedRankings"
    # STV only: ballots that leave the count in the surplus transfer after the last seat is
    # filled (RCTab reports them apart, in the final round only).
    FINAL_ROUND_SURPLUS = "finalRoundSurplus"


@dataclass(frozen=True)
class TieBreak:
    mode: TieBreakMode = TieBreakMode.PREVIOUS_ROUNDS_THEN_RANDOM
    seed: int = 0  # recorded in the result; lot is reproducible from it


@dataclass(frozen=True)
class BallotRules:
    """How a marked ballot is read into a sequence of preferences."""

    overvote: OvervoteRule = OvervoteRule.EXHAUST_IMMEDIATELY
    max_skipped_ranks: int | None = None  # None: any number of blank ranks may be skipped
    max_rankings: int | None = None  # ranks beyond this are ignored
    exhaust_on_duplicate: bool = False  # a candidate ranked twice exhausts the ballot there


@dataclass(frozen=True)
class Section:
    """A part of the electorate counted separately and weighted (a college section)."""

    name: str
    weight: Fraction = Fraction(1)

    def __post_init__(self) -> None:
        if not self.name:
            raise RulesError("a section needs a name")
        if Fraction(self.weight) <= 0:
            raise RulesError(f"section {self.name!r}: weight must be > 0, got {self.weight}")
        object.__setattr__(self, "weight", Fraction(self.weight))


ONE_SECTION = (Section("all", Fraction(1)),)


@dataclass(frozen=True)
class Rules:
    """Everything the count needs to know apart from the ballots."""

    candidates: tuple[str, ...]  # the declared order (used by candidate-order tie-breaks)
    method: Method = Method.IRV
    seats: int = 1
    quota: Quota = Quota.DROOP
    tie_break: TieBreak = field(default_factory=TieBreak)
    ballot_rules: BallotRules = field(default_factory=BallotRules)
    sections: tuple[Section, ...] = ONE_SECTION
    # Fractional transfers are kept in this many decimal places, rounding down
    # (RCTab's decimalPlacesForVoteArithmetic); None keeps exact fractions.
    decimal_places: int | None = 4
    # --- RCTab tabulation options (defaults are the plain rule-book behaviour) ---
    non_integer_threshold: bool = False
    first_round_determines_threshold: bool = False
    batch_elimination: bool = False
    continue_until_two_remain: bool = False
    stop_after_round: int | None = None
    excluded: frozenset[str] = frozenset()
    stv_one_winner_per_round: bool = False
    bottoms_up_threshold: Fraction | None = None  # a share of votes, e.g. Fraction(15, 100)
    # bottoms-up-percentage: eliminate everyone under the threshold at once (RCTab 2's
    # cutoffElimination) instead of one (or one batch) per round
    cutoff_elimination: bool = False
    undeclared_write_in: str | None = None  # the pseudo-candidate eliminated first
    # STV (rounds.py): end the count in the round the last seat is filled, instead of
    # showing one more round in which the last surplus moves (RCTab's practice)
    stop_when_seats_filled: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "excluded", frozenset(self.excluded))
        if len(set(self.candidates)) != len(self.candidates):
            raise RulesError("candidate names must be unique")
        if not self.candidates:
            raise RulesError("at least one candidate is needed")
        if self.seats < 1:
            raise RulesError(f"seats must be at least 1, got {self.seats}")
        if not self.sections:
            raise RulesError("at least one section is needed")
        names = [s.name for s in self.sections]
        if len(set(names)) != len(names):
            raise RulesError("section names must be unique")
        unknown = self.excluded - set(self.candidates)
        if unknown:
            raise RulesError(f"excluded candidates not on the ballot: {sorted(unknown)}")
        if self.decimal_places is not None and not 0 <= self.decimal_places <= 12:
            raise RulesError(f"decimal places must be 0..12, got {self.decimal_places}")

    @property
    def is_college(self) -> bool:
        """True when votes are weighted by section (more than one section)."""
        return len(self.sections) > 1
