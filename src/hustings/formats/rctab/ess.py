"""ES&S cast-vote records: one row per ballot, one column per rank (RCTab provider ``ess``).

The sheet is an ``.xlsx`` workbook (read with openpyxl, read-only) or the same first sheet
rendered as CSV (``<name>.xlsx.csv``, read with pyarrow). Rows start at
``firstVoteRowIndex`` and ranks at ``firstVoteColumnIndex`` (both 1-based); columns past
``maxRankingsAllowed`` ranks are ignored, as RCTab's StreamingCvrReader does. Each cell,
trimmed, is a candidate name or alias, ``overvoteLabel`` (an overvote whose candidates are
unknown), ``skippedRankLabel`` or blank (nothing at this rank, or the undeclared write-in
when ``treatBlankAsUndeclaredWriteIn``), ``undeclaredWriteInLabel``, or — with
``overvoteDelimiter`` — several candidates joined by it (an overvote set).

Reading is vectorised: every rank column is dictionary-encoded, the few distinct cell
texts are resolved once, and the codes are gathered with NumPy (1M ballots in seconds).
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from hustings.counting import BLANK, OVERVOTE
from hustings.counting.ballots import RANK_DTYPE
from hustings.formats.rctab.config import UWI, CvrSource
from hustings.formats.rctab.cvr import BallotBuilder, SourceResolver
from hustings.formats.rctab.errors import CvrError, RctabError


def rendering(path: Path) -> Path:
    return path.with_name(path.name + ".csv")


def read(source: CvrSource, resolver: SourceResolver, builder: BallotBuilder,
         max_rankings: int) -> None:
    """Read one ES&S sheet into ``builder`` (see the module docstring)."""
    path = source.path
    if path.suffix.lower() == ".xlsx" and not path.exists() and rendering(path).exists():
        path = rendering(path)
    first_row = source.first_vote_row or 1
    first_col = (source.first_vote_column or 1) - 1
    # Columns past these are never read: a cell at column XFD must not make every row
    # 16,384 cells wide.
    needed = max(first_col + max_rankings, source.precinct_column or 0,
                 source.batch_column or 0, source.id_column or 0)
    if path.suffix.lower() == ".xlsx":
        columns = _xlsx_columns(path, first_row, needed)
    else:
        columns = _csv_columns(path, first_row)
    n = len(columns[0]) if columns else 0
    last_col = min(len(columns), first_col + max_rankings)
    ranks = np.full((n, max(1, last_col - first_col)), BLANK, dtype=RANK_DTYPE)
    for j in range(first_col, last_col):
        ranks[:, j - first_col] = _encode_column(columns[j], j + 1, first_row, path, source,
                                                 resolver)

    def labels(col: int | None) -> list[str] | None:
        if col is None or col > len(columns):
            return None
        return [str(x).strip() for x in columns[col - 1].to_pylist()]

    builder.add_ranks(
        ranks,
        precincts=labels(source.precinct_column),
        batches=labels(source.batch_column),
        ids=labels(source.id_column),
        source=source,
    )


def _encode_column(
    column: pa.Array, col_no: int, first_row: int, path: Path, source: CvrSource,
    resolver: SourceResolver,
) -> np.ndarray:
    """One rank column -> rank codes; each distinct cell text is resolved once."""
    encoded = pc.dictionary_encode(column)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    values = encoded.dictionary.to_pylist()
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    table = np.empty(len(values), dtype=RANK_DTYPE)
    for k, raw in enumerate(values):
        try:
            table[k] = _cell_code("" if raw is None else str(raw), source, resolver)
        except RctabError as e:
            row = first_row + int(np.argmax(indices == k))
            raise type(e)(path, row, f"column {col_no}: {e.what}", e.expected) from None
    out: np.ndarray = table[indices]
    return out


def _cell_code(text: str, source: CvrSource, resolver: SourceResolver) -> int:
    t = text.strip()
    if source.overvote_label and t == source.overvote_label:
        return OVERVOTE
    if t == "" or (source.skipped_rank_label and t == source.skipped_rank_label):
        if t == "" and source.treat_blank_as_uwi:
            return resolver.index[UWI]
        return BLANK
    if source.overvote_delimiter and source.overvote_delimiter in t:
        parts = [p.strip() for p in t.split(source.overvote_delimiter)]
        codes = []
        for p in parts:
            if source.overvote_label and p == source.overvote_label:
                codes.append(OVERVOTE)
            elif p and not (source.skipped_rank_label and p == source.skipped_rank_label):
                codes.append(resolver.candidate(p, None))
        return resolver.overvote(codes) if codes else BLANK
    return resolver.candidate(t, None)


def _csv_columns(path: Path, first_row: int) -> list[pa.Array]:
    """The sheet's columns from row ``first_row`` on, every cell as text (never null)."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            header = next(csv.reader(f), [])
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CvrError(path, None, f"cannot read: {e}",
                       "a UTF-8 CSV rendering of an ES&S sheet") from None
    width = len(header)
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=first_row - 1,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as e:
        raise CvrError(path, None, f"malformed CSV ({e})",
                       f"{width} columns on every row, as in the first row") from None
    return [table.column(i).combine_chunks() for i in range(width)]


def _xlsx_columns(path: Path, first_row: int, needed: int) -> list[pa.Array]:
    """The first worksheet's first ``needed`` columns from the ``first_row``-th ``<row>``
    element on.

    RCTab turns every ``<row>`` element into a ballot and nothing else: rows absent from the
    sheet XML are not ballots, even when a sheet jumps from row 18 to row 1048575. openpyxl's
    public readers fill such gaps, so its row parser is used directly (openpyxl 3.1).
    """
    from openpyxl import load_workbook  # imported here: only .xlsx sources need it
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        with warnings.catch_warnings():
            # openpyxl warns that it drops workbook extensions (e.g. data validation
            # lists) it cannot read; the votes are plain cells, so that is harmless here.
            warnings.filterwarnings("ignore", message="Unknown extension", category=UserWarning)
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises several unrelated types for a bad file
        raise CvrError(path, None, f"cannot open workbook ({e})", "an .xlsx workbook") from None
    try:
        ws = wb.worksheets[0]
        with ws._get_source() as src:
            parser = WorkSheetParser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                     date_formats=wb._date_formats,
                                     timedelta_formats=wb._timedelta_formats)
            parsed = [cells for _, cells in parser.parse()]
    except Exception as e:
        # bad XML, a bad cell reference or number each raise a different builtin type.
        # Only that third-party call is inside this try; our own code below is not.
        raise CvrError(path, None, f"cannot read the first worksheet ({type(e).__name__}: "
                       f"{str(e)[:120]})", "an .xlsx workbook") from None
    finally:
        wb.close()
    rows = [{c["column"]: c["value"] for c in cells} for cells in parsed[first_row - 1:]]
    width = min(needed, max((max(r, default=0) for r in rows), default=0))
    cols = [[_cell_text(r.get(j)) for r in rows] for j in range(1, width + 1)]
    return [pa.array(c, type=pa.string()) for c in cols]


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
