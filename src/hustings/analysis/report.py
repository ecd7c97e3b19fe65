"""The analysis as plain data (JSON): what ``hustings compare --output json`` prints and
what a results page can store beside the result at publication.

Figures are decimal strings: whole numbers as they are, others to 4 places (exact
rounding of the ``Fraction``; half away from zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hustings.analysis.compare import Comparison
from hustings.analysis.margin import Margin
from hustings.analysis.worth import BallotValue

PLACES = 4


def decimal(value: Fraction | int | None) -> str | None:
    if value is None:
        return None
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    scale = 10**PLACES
    units = int(abs(value) * scale + Fraction(1, 2))
    whole, part = divmod(units, scale)
    return f"{'-' if value < 0 else ''}{whole}.{part:0{PLACES}d}"


def to_dict(comparison: Comparison, margins: Sequence[Margin] = (),
            values: Sequence[BallotValue] = ()) -> dict[str, Any]:
    return {
        "candidates": list(comparison.candidates),
        "outcomes": [{
            "rules": o.key, "label": o.label, "winners": list(o.winners),
            "decidingRound": o.deciding_round, "percent": o.percent,
            "figures": {c: decimal(v) for c, v in o.figures},
            **({"condorcetWinner": o.condorcet_winner,
                "headToHead": [{"rival": r, "for": a, "against": b}
                               for r, a, b in o.head_to_head]} if o.key == "condorcet"
               else {}),
        } for o in comparison.outcomes],
        "pairwise": [list(row) for row in comparison.pairwise or ()],
        "margins": [{
            "section": m.section, "winner": m.winner, "margin": m.ballots,
            "decisive": m.decisive, "exact": m.exact, "method": m.method,
            "newWinner": m.new_winner, "eliminationOrder": list(m.elimination_order),
            "removed": [{"ranking": list(r), "ballots": n} for r, n in m.removed],
            "added": [{"ranking": list(r), "ballots": n} for r, n in m.added],
        } for m in margins],
        "ballotValues": [{
            "section": v.section, "weight": decimal(v.weight), "ballots": decimal(v.ballots),
            "points": decimal(v.points), "relative": decimal(v.relative),
        } for v in values],
    }
