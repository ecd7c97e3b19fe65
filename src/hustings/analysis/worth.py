"""What one ballot was worth in an electoral college, section by section.

A section's weight is shared out among the ballots that count in it: in round 1 one ballot
carries ``100 * weight / ballots`` percentage points of the college. In 2010 each section
was a third; 266 MPs and MEPs shared theirs, so one of their ballots carried hundreds of
times what one member's did. Read from a ``Result`` (never recounted): the ballots are the
section's continuing votes in the round asked for (round 1 by default: every ballot with a
valid first preference; later rounds shrink as ballots exhaust).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from hustings.analysis.errors import AnalysisError
from hustings.counting import Result


@dataclass(frozen=True)
class BallotValue:
    section: str
    weight: Fraction  # the section's share of the college (1/3)
    ballots: Fraction  # ballots counting in the section that round
    points: Fraction | None  # percentage points of the college one ballot carries
    relative: Fraction | None  # ``points`` over the smallest section's (1: the least)


def ballot_values(result: Result, round_number: int = 1) -> tuple[BallotValue, ...]:
    """Per section, what one ballot carried in round ``round_number``."""
    if not 1 <= round_number <= len(result.rounds):
        raise AnalysisError(f"round {round_number} is not in this count (rounds 1.."
                            f"{len(result.rounds)})")
    rnd = result.rounds[round_number - 1]
    points = {s.name: (s.weight * 100 / s.continuing if s.continuing else None)
              for s in rnd.sections}
    known = [p for p in points.values() if p is not None]
    least = min(known) if known else None
    return tuple(
        BallotValue(s.name, s.weight, s.continuing, points[s.name],
                    points[s.name] / least if points[s.name] is not None else None)
        for s in rnd.sections
    )
