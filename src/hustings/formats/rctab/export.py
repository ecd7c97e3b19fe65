"""RCTab's normalised one-row-per-ballot CSV ("rctab_cvr"), written from a read contest.

RCTab converts any provider's CVRs into this CSV (its "Convert to CSV" action), which it
can read back as a generic CSV source. Columns::

    Source Filepath, CVR Provider, Contest Id, RCTab CVR Id, Tabulator Id, Batch Id,
    Vendor Id, Precinct, Precinct Portion, Rank 1 .. Rank N

with N = ``maxRankingsAllowed``; a rank holds the candidate's name as declared in the
config (aliases resolved), ``undervote`` when nothing is marked there, the source's
undeclared-write-in label for a write-in, the overvote label (or ``overvote``) for an
overvote whose names are unknown, and the names one per line (in the config's order) for
one whose names are known. RCTab's CVR ids are ``<file>-<n>`` for ES&S rows, ``<file>(<n>)`` for CDF
records and ``<tabulator>-<batch>-<record>`` for Dominion sessions.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hustings.counting import BLANK, OVERVOTE, OVERVOTE_SET_BASE
from hustings.formats.rctab import RctabContest
from hustings.formats.rctab.config import UWI

HEADER = ["Source Filepath", "CVR Provider", "Contest Id", "RCTab CVR Id", "Tabulator Id",
          "Batch Id", "Vendor Id", "Precinct", "Precinct Portion"]


def rctab_cvr_csv(contest: RctabContest) -> str:
    """The contest's ballots as RCTab's normalised CSV (see the module docstring)."""
    width = contest.config.max_rankings
    ballots = contest.ballots
    names = ballots.candidates
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER + [f"Rank {k}" for k in range(1, width + 1)])
    row_no = 0
    for part in contest.sources_read:
        src = part.source
        provider = src.provider if src else ""
        uwi_text = (src.uwi_label if src and src.uwi_label else UWI)
        over_text = (src.overvote_label if src and src.overvote_label else "overvote")
        extra = part.extra

        def label(i: int, uwi_text: str = uwi_text) -> str:
            return uwi_text if names[i] == UWI else names[i]

        for k in range(part.count):
            marks = []
            for j in range(width):
                code = int(ballots.ranks[row_no, j]) if j < ballots.ranks.shape[1] else BLANK
                if code == BLANK:
                    marks.append("undervote")
                elif code == OVERVOTE:
                    marks.append(over_text)
                elif code <= OVERVOTE_SET_BASE:
                    members = ballots.overvote_sets[OVERVOTE_SET_BASE - code]
                    marks.append("\n".join(label(m) for m in sorted(members)))
                else:
                    marks.append(label(code))
            w.writerow([
                src.file_path if src else "",
                provider,
                src.contest_id if provider == "dominion" else "",
                part.ids[k] if part.ids is not None else _default_id(src, k),
                _get(extra, "tabulator", k),
                _get(extra, "batch", k),
                _get(extra, "vendor", k),
                (part.precincts[k] or "") if part.precincts is not None else "",
                _get(extra, "portion", k),
                *marks,
            ])
            row_no += 1
    return out.getvalue()


def _get(extra: dict, key: str, k: int) -> str:
    values = extra.get(key)
    return "" if values is None or values[k] is None else str(values[k])


def _default_id(src, k: int) -> str:  # noqa: ANN001 - CvrSource | None
    """RCTab's id for a row of a tabular source without an id column: ``<file>-<n>``."""
    return f"{Path(src.file_path).name}-{k + 1}" if src else str(k + 1)
