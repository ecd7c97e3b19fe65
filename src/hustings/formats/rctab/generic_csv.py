"""Generic CSV cast-vote records (RCTab provider ``genericCsv``).

The header row names the candidates from ``firstVoteColumnIndex`` on; each later row is a
ballot and each cell holds the **rank** the voter gave that column's candidate (blank: not
ranked). Two candidates with the same rank on one ballot are an overvote at that rank. A
rank above ``maxRankingsAllowed`` is an error that stops the count, as in RCTab
(``CastVoteRecordGenericParseException``). Optional id, precinct and batch columns are
1-based indexes; a ballot without a precinct or batch is sliced as ``no precinct id`` /
``no batch id``, RCTab's labels (``no_precinct_id`` in file names).
"""

from __future__ import annotations

import csv

from hustings.formats.rctab.config import CvrSource
from hustings.formats.rctab.cvr import BallotBuilder, SourceResolver
from hustings.formats.rctab.errors import CvrError, RankAboveMaximumError

NO_PRECINCT = "no precinct id"
NO_BATCH = "no batch id"


def read(source: CvrSource, resolver: SourceResolver, builder: BallotBuilder,
         max_rankings: int) -> None:
    path = source.path
    first_row = source.first_vote_row or 2
    first_col = (source.first_vote_column or 1) - 1
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CvrError(path, None, f"cannot read ({e})", "a UTF-8 CSV file") from None
    if first_row < 2 or len(rows) < first_row - 1:
        raise CvrError(path, 1, "no header row",
                       "candidate names in the row above firstVoteRowIndex")
    header = rows[first_row - 2]
    columns = [(j, resolver.candidate(name, 1 if first_row == 2 else first_row - 1))
               for j, name in enumerate(header) if j >= first_col]
    ballots: list[dict[int, int]] = []
    precincts: list[str] = []
    batches: list[str] = []
    ids: list[str] = []

    def cell(row: list[str], col: int | None) -> str:
        return row[col - 1].strip() if col is not None and col - 1 < len(row) else ""

    for line, row in enumerate(rows[first_row - 1:], start=first_row):
        marks: dict[int, list[int]] = {}
        for j, cand in columns:
            text = row[j].strip() if j < len(row) else ""
            if not text:
                continue
            try:
                rank = int(text)
            except ValueError:
                raise CvrError(path, line, f"column {j + 1} ({header[j]!r}) holds {text!r}",
                               "a rank number or a blank cell") from None
            if rank < 1:
                raise CvrError(path, line, f"column {j + 1} ({header[j]!r}) holds rank {rank}",
                               "a rank of 1 or more")
            if rank > max_rankings:
                raise RankAboveMaximumError(
                    path, line, f"rank {rank} for {header[j]!r}",
                    f"a rank from 1 to maxRankingsAllowed ({max_rankings})")
            marks.setdefault(rank, []).append(cand)
        ballots.append({r: resolver.overvote(c) for r, c in marks.items()})
        precincts.append(cell(row, source.precinct_column) or NO_PRECINCT)
        batches.append(cell(row, source.batch_column) or NO_BATCH)
        ids.append(cell(row, source.id_column) or str(line - first_row + 1))
    builder.add_ballots(
        ballots,
        precincts=precincts if source.precinct_column else None,
        batches=batches if source.batch_column else None,
        ids=ids,
        source=source,
    )
