"""A round's figures as the ``Result`` records them, from the ledger's sums.

Shared by the whole count (``rounds``) and its precinct / batch slices (``slices``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from hustings.counting.interpret import STATUS_REASON
from hustings.counting.quota import college_shares
from hustings.counting.result import EXHAUSTED, SectionRound, Transfer, frozen_map
from hustings.counting.rules import InactiveReason, Section

Units = int | np.integer[Any] | Fraction  # a sum in the ledger's units (or exact votes)

# RCTab reports these four inactive categories in every round, even at 0.
REPORTED = (
    InactiveReason.OVERVOTE,
    InactiveReason.SKIPPED_RANKINGS,
    InactiveReason.EXHAUSTED_CHOICES,
    InactiveReason.REPEATED_RANKINGS,
)


def inactive_by_reason(
    amount: Callable[[int], Fraction], reasons: Sequence[InactiveReason] = REPORTED
) -> dict[InactiveReason, Fraction]:
    """Inactive ballots by reason (cumulative): ``reasons`` always, any other when not 0.

    ``amount(code)`` is the sum for a ballot status code of ``interpret``."""
    inactive = {reason: Fraction(0) for reason in reasons}
    for code, reason in STATUS_REASON.items():
        value = amount(code)
        if value or reason in inactive:
            inactive[reason] = value
    return inactive


def section_round(section: Section, votes: Mapping[str, Fraction],
                  inactive: Mapping[InactiveReason, Fraction]) -> SectionRound:
    return SectionRound(section.name, section.weight, frozen_map(votes), frozen_map(inactive),
                        frozen_map(college_shares(votes, section.weight)))


def transfers(moved: np.ndarray, sources: Sequence[int], section: str,
              names: Sequence[str], votes: Callable[[Units], Fraction]) -> list[Transfer]:
    """Transfers out of ``sources`` in one section (or slice): ``moved[source, target]``
    in the ledger's units, the last target (``len(names)``) being the exhausted."""
    n = len(names)
    return [
        Transfer(names[src], EXHAUSTED if tgt == n else names[tgt], votes(moved[src, tgt]),
                 section)
        for src in sources
        for tgt in range(n + 1)
        if moved[src, tgt]
    ]
