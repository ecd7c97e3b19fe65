"""Clear Ballot ClearVote CSV exports (RCTab provider ``clearBallot``).

Choice columns are headed ``Choice_<id>_<n>:<contest>:<rank>:<vote for>:<candidate>:<party>``
(the contest may itself contain commas, so the header is parsed field by field from both
ends); a cell of ``1`` marks that candidate at that rank. Only columns whose contest equals
the source's ``contestId`` are read. ``BallotID`` and ``PrecinctID`` name the ballot and its
precinct.
"""

from __future__ import annotations

import csv

from hustings.formats.rctab.config import CvrSource
from hustings.formats.rctab.cvr import BallotBuilder, SourceResolver
from hustings.formats.rctab.errors import CvrError


def read(source: CvrSource, resolver: SourceResolver, builder: BallotBuilder,
         max_rankings: int) -> None:
    path = source.path
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CvrError(path, None, f"cannot read ({e})", "a Clear Ballot CSV export") from None
    if not rows:
        raise CvrError(path, 1, "empty file", "a header row of Clear Ballot columns")
    header = rows[0]
    choices: list[tuple[int, int, int]] = []  # (column, rank, candidate)
    for j, h in enumerate(header):
        if not h.startswith("Choice_"):
            continue
        parts = h.split(":")
        if len(parts) < 6:
            raise CvrError(path, 1, f"column {j + 1} header {h!r}",
                           "Choice_<id>_<n>:<contest>:<rank>:<vote for>:<candidate>:<party>")
        contest = ":".join(parts[1:-4])
        if contest != source.contest_id:
            continue
        rank_text = parts[-4].strip()
        if (not (rank_text.isascii() and rank_text.isdigit()) or len(rank_text) > 9
                or int(rank_text) < 1):
            shown = rank_text if len(rank_text) <= 20 else rank_text[:17] + "..."
            raise CvrError(path, 1, f"column {j + 1} header: rank {shown!r}",
                           "a whole number ≥ 1")
        rank = int(rank_text)
        choices.append((j, rank, resolver.candidate(parts[-2], 1)))
    if not choices:
        raise CvrError(path, 1, f"no choice columns for contest {source.contest_id!r}",
                       "columns headed Choice_…:<contestId>:…")
    col = {name: j for j, name in enumerate(header)}
    ballots: list[dict[int, int]] = []
    precincts: list[str] = []
    ids: list[str] = []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        marks: dict[int, list[int]] = {}
        for j, rank, cand in choices:
            v = row[j].strip() if j < len(row) else ""
            if v == "1":
                marks.setdefault(rank, []).append(cand)
            elif v not in ("", "0"):
                raise CvrError(path, line, f"column {j + 1} holds {v!r}", "0 or 1")
        ballots.append({r: resolver.overvote(c) for r, c in marks.items()})
        precincts.append(_cell(row, col.get("PrecinctID")))
        ids.append(_cell(row, col.get("BallotID")) or str(line - 1))
    builder.add_ballots(ballots, precincts=precincts if "PrecinctID" in col else None, ids=ids,
                        source=source)


def _cell(row: list[str], j: int | None) -> str:
    """A cell of a named column; a row cut short has an empty one."""
    return row[j] if j is not None and j < len(row) else ""
