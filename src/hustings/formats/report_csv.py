"""Round tables as CSV: one row per candidate per round per section.

Columns: ``round, section, candidate, votes, share, status``.

* ``votes``: the candidate's votes in that section that round (whole numbers, or the
  count's decimal places after fractional transfers);
* ``share``: a percentage with 4 decimals — of the section's continuing votes in a
  one-section count; the candidate's *weighted* share of the whole college when there are
  several sections (what the rule book compares), and then a ``college`` section row
  per candidate holds the summed weighted share, with ``votes`` empty;
* ``status``: ``continuing``, ``elected`` or ``eliminated`` (in the round it happened);
* each section also has an ``exhausted`` row (ballots no longer counting, cumulative).
"""

from __future__ import annotations

import io
from fractions import Fraction

from hustings.counting import EXHAUSTED, Result, Round
from hustings.formats import csv_cells
from hustings.formats.figures import decimal_text, percent, votes_text

COLUMNS = ("round", "section", "candidate", "votes", "share", "status")
COLLEGE = "college"


def rows(result: Result) -> list[tuple[str, ...]]:
    """The table as rows of strings (header first)."""
    places = result.rules.decimal_places
    college = result.rules.is_college
    out: list[tuple[str, ...]] = [COLUMNS]
    for rnd in result.rounds:
        for sec in rnd.sections:
            continuing = sec.continuing
            for name, votes in sec.tally.items():
                share = sec.share.get(name, Fraction(0)) if college else percent(votes, continuing)
                out.append((str(rnd.number), sec.name, name, votes_text(votes, places),
                            decimal_text(share, 4), _status(rnd, name)))
            out.append((str(rnd.number), sec.name, EXHAUSTED, votes_text(sec.exhausted, places),
                        "", "inactive"))
        if college:
            for name, share in rnd.tally.items():
                out.append((str(rnd.number), COLLEGE, name, "", decimal_text(share, 4),
                            _status(rnd, name)))
    return out


def _status(rnd: Round, name: str) -> str:
    if name in rnd.elected:
        return "elected"
    if name in rnd.eliminated:
        return "eliminated"
    return "continuing"


def csv_text(result: Result) -> str:
    buffer = io.StringIO()
    csv_cells.writer(buffer, lineterminator="\n").writerows(rows(result))
    return buffer.getvalue()
