"""Read ranked ballots from CSV: one ballot per row, fast enough for ten million rows.

The file::

    ballot_id,section,pref1,pref2,pref3
    1,MP,David Miliband,Ed Miliband,
    2,MEP,Ed Balls,,

* a header is required; rank columns are ``pref1..prefN`` or ``rank1..rankN`` (cells are
  candidate names, surrounding spaces ignored; an empty cell is a rank not marked);
* optional ``weight`` (a whole number >= 1: the row stands for that many identical ballots)
  and ``section`` (a label, e.g. ``MP``; the rules say which section it belongs to);
* any other column (``ballot_id``, ``voter``...) is ignored.

Speed: pyarrow parses on all cores and dictionary-encodes the rank columns, so a column
of ten million names arrives as small integer codes plus a dictionary of a dozen names;
NumPy maps the codes to candidate indices through a lookup table. Line numbers are not
tracked on that fast path: when a value is bad, the file is rescanned with the standard
library to find its line (only errors pay for it).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from functools import partial
from os import PathLike
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from hustings.counting import BLANK, Ballots
from hustings.counting.ballots import RANK_DTYPE
from hustings.formats.ballot_file import BallotFile
from hustings.formats.errors import CsvFormatError

HEADER_EXPECTED = "a header with rank columns pref1..prefN or rank1..rankN"
WEIGHT_EXPECTED = "a whole number ≥ 1"
RANK_COLUMN = re.compile(r"(pref|rank)(\d+)", re.IGNORECASE)
# Binary, not string: pyarrow then skips UTF-8 validation of every cell; we decode only the
# dictionary's few distinct values (and rescan for the line if one is not UTF-8).
_DICT = pa.dictionary(pa.int32(), pa.binary())
_HEADER_BYTES = 1 << 20
MAX_CANDIDATES = int(np.iinfo(RANK_DTYPE).max)  # candidate indices are int16 in the ranks


def read_csv(
    path: str | PathLike[str],
    *,
    candidates: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BallotFile:
    """Read a CSV ballot file.

    ``candidates``: the rules' declared list; a name outside it is an error naming the line.
    Without it the candidates are every name seen, sorted. ``progress`` is told each stage
    ("parsing", "encoding") so a shell can show where a large read has got to.
    """
    path = Path(path)
    header = _read_header(path)
    ranks_cols, weight_col, section_col = _columns(path, header)
    line_of = partial(_line_of_row, path)
    if progress:
        progress("parsing")
    table = _parse(path, header, ranks_cols, weight_col, section_col)
    n = table.num_rows
    if n == 0:
        raise CsvFormatError(path, 2, "no ballots after the header", "one ballot per row")
    if progress:
        progress("encoding")
    decode = partial(_decode, path, len(header))
    names = _names_seen(table, ranks_cols, decode)
    if candidates is None:
        candidates = tuple(sorted(names - {""}))
        if not candidates:
            raise CsvFormatError(path, None, "no candidate is ranked on any ballot",
                                 "candidate names in the rank columns")
    candidates = tuple(candidates)
    if len(candidates) > MAX_CANDIDATES:
        raise CsvFormatError(path, None, f"{len(candidates)} different candidate names",
                             f"at most {MAX_CANDIDATES} (are the rank columns names?)")
    index = {c: i for i, c in enumerate(candidates)}
    ranks = np.empty((n, len(ranks_cols)), dtype=RANK_DTYPE)
    for j, name in enumerate(ranks_cols):
        _encode(table.column(name), index, decode, ranks[:, j], path, name, line_of)
    if weight_col:
        weights = _weights(table.column(weight_col), path, line_of)
    else:
        weights = np.ones(n, np.int64)
    if section_col:
        sections, labels = _labels(table.column(section_col), decode)
    else:
        sections, labels = np.zeros(n, np.int16), None
    ballots = Ballots(candidates, ranks, weights, sections, labels or ("all",))
    return BallotFile(str(path), ballots, labels, line_of)


def _read_header(path: Path) -> list[str]:
    try:
        with path.open("rb") as f:
            head = f.read(_HEADER_BYTES)
    except OSError as e:
        raise CsvFormatError(path, None, f"cannot open: {e.strerror}",
                             "a readable CSV file") from None
    if not head.strip():
        raise CsvFormatError(path, None, "empty file", HEADER_EXPECTED)
    first = head.split(b"\n", 1)[0]
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFormatError(path, 1, "not UTF-8 text",
                             f"a CSV file with {HEADER_EXPECTED}") from None
    if "\0" in text:
        raise CsvFormatError(path, 1, "binary data, not text",
                             f"a CSV file with {HEADER_EXPECTED}")
    return next(csv.reader([text.rstrip("\r")]), [])


def _columns(path: Path, header: list[str]) -> tuple[list[str], str | None, str | None]:
    ranked: dict[str, dict[int, str]] = {}
    weight = section = None
    for col in header:
        key = col.strip().lower()
        m = RANK_COLUMN.fullmatch(key)
        if m:
            ranked.setdefault(m.group(1), {})[int(m.group(2))] = col
        elif key == "weight":
            weight = col
        elif key == "section":
            section = col
    if len(ranked) != 1:
        what = "no rank columns in the header" if not ranked else "both pref and rank columns"
        raise CsvFormatError(path, 1, what, HEADER_EXPECTED)
    (prefix, numbered), = ranked.items()
    if sorted(numbered) != list(range(1, len(numbered) + 1)):
        missing = sorted(set(range(1, max(numbered) + 1)) - set(numbered))
        raise CsvFormatError(
            path, 1, f"rank column {prefix}{missing[0] if missing else 0} missing or misnumbered",
            f"{prefix}1..{prefix}{max(numbered)} with none missing",
        )
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise CsvFormatError(path, 1, f"column {dup!r} appears twice", "unique column names")
    return [numbered[k] for k in sorted(numbered)], weight, section


def _parse(path: Path, header, ranks_cols, weight_col, section_col) -> pa.Table:
    types = {c: _DICT for c in ranks_cols}
    if section_col:
        types[section_col] = _DICT
    if weight_col:
        types[weight_col] = pa.string()  # validated and converted below, with line numbers
    # No nulls: an empty cell is the dictionary entry "" (mapped to BLANK below), so the
    # codes reach NumPy without a validity mask to resolve.
    convert = pacsv.ConvertOptions(
        column_types=types,
        include_columns=list(types),
        null_values=[],
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 22),
            convert_options=convert,
        )
    except pa.ArrowInvalid as e:
        raise _locate(path, len(header), str(e)) from None


def _locate(path: Path, width: int, arrow_message: str) -> CsvFormatError:
    """Find the line pyarrow complained about, rescanning with the standard library."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return CsvFormatError(path, number, "not UTF-8 text", "a CSV file of ballots")
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        start = 1
        try:
            for record in reader:
                if record and len(record) != width:
                    if any("\n" in cell for cell in record):
                        # a quote opened and never closed swallows the lines after it
                        return CsvFormatError(path, start, "a quoted field runs past the end "
                                              "of the line", 'a closing " on the same line')
                    return CsvFormatError(path, start, f"{len(record)} fields",
                                          f"{width} fields, as in the header")
                start = reader.line_num + 1
        except csv.Error as e:
            return CsvFormatError(path, start, f"unreadable CSV ({e})", "a CSV file of ballots")
    return CsvFormatError(path, None, f"unreadable CSV ({arrow_message})", "a CSV file of ballots")


def _line_of_row(path: Path, row: int) -> int:
    """The line where data row ``row`` (0-based) starts, skipping blank lines as pyarrow does."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.reader(f)
        next(reader, None)
        start, seen = reader.line_num + 1, -1
        for record in reader:
            if record:
                seen += 1
                if seen == row:
                    return start
            start = reader.line_num + 1
    return start


def _decode(path: Path, width: int, dictionary: pa.Array) -> list[str]:
    """A chunk's distinct cell values as text, spaces trimmed."""
    try:
        return [v.decode("utf-8").strip() for v in dictionary.to_pylist()]
    except UnicodeDecodeError:
        raise _locate(path, width, "invalid UTF-8") from None


def _names_seen(table: pa.Table, columns: Sequence[str], decode) -> set[str]:
    names: set[str] = set()
    for name in columns:
        for chunk in table.column(name).chunks:
            names.update(decode(chunk.dictionary))
    return names


def _encode(column: pa.ChunkedArray, index: dict[str, int], decode, out: np.ndarray, path,
            name, line_of) -> None:
    """Write each row's candidate index (BLANK where empty) into ``out`` (a column of the
    ranks array), through each chunk's dictionary."""
    offset = 0
    for chunk in column.chunks:
        values = decode(chunk.dictionary)
        lut = np.empty(len(values), dtype=np.int16)
        for code, value in enumerate(values):
            if value == "":
                lut[code] = BLANK
            elif value in index:
                lut[code] = index[value]
            else:
                rows = np.flatnonzero(chunk.indices.to_numpy(zero_copy_only=False) == code)
                raise CsvFormatError(
                    path, line_of(offset + int(rows[0])),
                    f"unknown candidate {value!r} in column {name}",
                    f"one of {', '.join(index)}",
                )
        out[offset : offset + len(chunk)] = lut[chunk.indices.to_numpy()]
        offset += len(chunk)


def _weights(column: pa.ChunkedArray, path, line_of) -> np.ndarray:
    text = pc.utf8_trim_whitespace(column)
    good = pc.match_substring_regex(text, r"^[0-9]{1,15}$")
    if not pc.all(good).as_py():
        row = pc.index(good, False).as_py()
        bad = column[row].as_py()
        raise CsvFormatError(path, line_of(row), f"weight {bad!r}", WEIGHT_EXPECTED)
    weights = pc.cast(text, pa.int64()).to_numpy()
    if len(weights) and weights.min() < 1:
        row = int(np.argmin(weights))
        raise CsvFormatError(path, line_of(row), f"weight {int(weights[row])}", WEIGHT_EXPECTED)
    return weights


def _labels(column: pa.ChunkedArray, decode) -> tuple[np.ndarray, tuple[str, ...]]:
    """Section label codes per row (an empty cell is the label ''), and the labels, in
    order of first appearance (a chunk's dictionary holds only values its rows use)."""
    labels: dict[str, int] = {}
    out = np.empty(len(column), dtype=np.int16)
    offset = 0
    for chunk in column.chunks:
        lut = np.array([labels.setdefault(v, len(labels)) for v in decode(chunk.dictionary)],
                       np.int16)
        out[offset : offset + len(chunk)] = lut[chunk.indices.to_numpy()]
        offset += len(chunk)
    return out, tuple(labels)
