"""Read ranked ballots from CSV: one ballot per row, fast enough for ten million rows.

The file::

    ballot_id,section,pref1,pref2,pref3
    1,MP,David Miliband,Ed Miliband,
    2,MEP,Ed Balls,,

* a header is required; rank columns are ``pref1..prefN`` or ``rank1..rankN`` (cells are
  candidate names, surrounding spaces ignored; an empty cell is a rank not marked);
* optional ``weight`` (a whole number >= 1: the row stands for that many identical ballots)
  and ``section`` (a label, e.g. ``MP``; the rules say which section it belongs to);
* any other column (``ballot_id``, ``voter``...) is ignored;
* at most ``MAX_RANKS`` rank columns (checked on the header, before anything is
  allocated: a header ``pref1,pref50000000`` is refused at once);
* a cell written by a Hustings CSV writer may start with a quote that neutralises a
  formula (``'=HYPERLINK(...)``, see ``formats.csv_cells``): that one quote is dropped on
  reading, so names round-trip.

Speed: pyarrow parses on all cores and dictionary-encodes the rank columns, so a column
of ten million names arrives as small integer codes plus a dictionary of a dozen names;
NumPy maps the codes to candidate indices through a lookup table. Line numbers are not
tracked on that fast path: when a value is bad, the file is rescanned with the standard
library to find its line (only errors pay for it).

Memory: the file is parsed in blocks of whole records (``formats.csv_blocks``, about
``BLOCK_BYTES`` each), each block's table written into one int16 ``ranks`` array and
freed before the next block is read, so the parsed form of the whole file (int32 codes,
twice the ranks) never exists at once. ``ranks`` is allocated once for the most rows the
file's size allows; the pages past the last row are never touched, so they cost address
space, not memory.
"""

from __future__ import annotations

import csv
import os
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
from hustings.formats.ballot_csv import RANK_COLUMN, rank_number
from hustings.formats.ballot_file import MAX_RANKS, MAX_WEIGHT, BallotFile
from hustings.formats.csv_blocks import blocks
from hustings.formats.csv_cells import unneutralise
from hustings.formats.errors import CsvFormatError

HEADER_EXPECTED = "a header with rank columns pref1..prefN or rank1..rankN"
WEIGHT_EXPECTED = "a whole number ≥ 1"
WEIGHT_RANGE = f"a whole number from 1 to {MAX_WEIGHT}"
# Binary, not string: pyarrow then skips UTF-8 validation of every cell; we decode only the
# dictionary's few distinct values (and rescan for the line if one is not UTF-8).
_DICT = pa.dictionary(pa.int32(), pa.binary())
_HEADER_BYTES = 1 << 20
BLOCK_BYTES = 32 << 20  # the file is parsed this much at a time (see Memory above)
_ARROW_BLOCK = 1 << 20  # pyarrow's own unit of work: a block is 32 of them, parsed in parallel
_RENUMBER_ROWS = 1 << 20
MAX_CANDIDATES = int(np.iinfo(RANK_DTYPE).max)  # candidate indices are int16 in the ranks


def read_csv(
    path: str | PathLike[str],
    *,
    candidates: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> BallotFile:
    """Read a CSV ballot file.

    ``candidates``: the rules' declared list; a name outside it is an error naming the line.
    Without it the candidates are every name seen, sorted. ``progress`` is told each stage
    ("parsing", "encoding") so a shell can show where a large read has got to.
    ``block_bytes``: how much of the file is parsed at once (tests make it tiny).
    """
    path = Path(path)
    header, data_start = _read_header(path)
    ranks_cols, weight_col, section_col = _columns(path, header)
    line_of = partial(_line_of_row, path)
    if progress:
        progress("parsing")
    decode = partial(_decode, path, len(header))
    names = _Names(path, candidates)
    labels: dict[str, int] = {}
    with path.open("rb") as f:
        data_bytes = os.fstat(f.fileno()).st_size - data_start
        cap = _most_rows(data_bytes, len(header))
        ranks: np.ndarray = np.empty((cap, len(ranks_cols)), dtype=RANK_DTYPE)
        weights: np.ndarray = np.empty(cap if weight_col else 0, np.int64)
        sections: np.ndarray = np.empty(cap if section_col else 0, np.int16)
        scratch = np.empty((len(ranks_cols), 0), dtype=RANK_DTYPE)
        f.seek(data_start)
        n = 0
        # A small file needs no 32 MiB buffer (blocks() grows it if the file grows).
        for block in blocks(f, max(1, min(block_bytes, data_bytes + 1))):
            table = _parse(path, block, header, ranks_cols, weight_col, section_col)
            del block
            m = table.num_rows
            if n + m > len(ranks):  # only if the file grew while it was read
                ranks, weights, sections = (_grown(a, n, n + m) if len(a) else a
                                            for a in (ranks, weights, sections))
            row_line = partial(_shifted, line_of, n)
            # Rank by rank into contiguous rows, then one transposing copy: faster than
            # writing each rank down a column of the row-major array.
            if scratch.shape[1] < m:
                scratch = np.empty((len(ranks_cols), m), dtype=RANK_DTYPE)
            for j, name in enumerate(ranks_cols):
                names.encode(table.column(name), decode, scratch[j, :m], name, row_line)
            ranks[n : n + m] = scratch[:, :m].T
            names.settle(ranks[: n + m])
            if weight_col:
                weights[n : n + m] = _weights(table.column(weight_col), path, row_line)
            if section_col:
                _labels(table.column(section_col), decode, labels, sections[n : n + m])
            n += m
            del table
        del scratch
    # The pool's freed pages would otherwise stay in the process for the count's lifetime.
    pa.default_memory_pool().release_unused()
    if n == 0:
        raise CsvFormatError(path, 2, "no ballots after the header", "one ballot per row")
    if progress:
        progress("encoding")
    ranks = ranks[:n]
    candidates = names.finish()
    weights = weights[:n] if weight_col else np.ones(n, np.int64)
    sections = sections[:n] if section_col else np.zeros(n, np.int16)
    ballots = Ballots(candidates, ranks, weights, sections, tuple(labels) or ("all",))
    return BallotFile(str(path), ballots, tuple(labels) or None, line_of)


def _most_rows(nbytes: int, width: int) -> int:
    """The most data rows ``nbytes`` of CSV can hold: every row but the last ends in a
    newline after ``width - 1`` commas, or after one character when ``width`` is 1 (a
    blank line is no row), so it takes at least ``max(width, 2)`` bytes."""
    return max(nbytes, 0) // max(width, 2) + 1


def _grown(a: np.ndarray, keep: int, need: int) -> np.ndarray:
    bigger = np.empty((max(need, 2 * len(a)), *a.shape[1:]), dtype=a.dtype)
    bigger[:keep] = a[:keep]
    return bigger


def _shifted(line_of: Callable[[int], int], offset: int, row: int) -> int:
    return line_of(offset + row)


def _read_header(path: Path) -> tuple[list[str], int]:
    """The header's column names, and where the data after it starts (a byte offset)."""
    try:
        with path.open("rb") as f:
            head = f.read(_HEADER_BYTES)
    except OSError as e:
        raise CsvFormatError(path, None, f"cannot open: {e.strerror}",
                             "a readable CSV file") from None
    if not head.strip():
        raise CsvFormatError(path, None, "empty file", HEADER_EXPECTED)
    first, newline, _ = head.partition(b"\n")
    if not newline and len(head) == _HEADER_BYTES:
        raise CsvFormatError(path, 1, f"no end of line in the first {_HEADER_BYTES} bytes",
                             HEADER_EXPECTED)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFormatError(path, 1, "not UTF-8 text",
                             f"a CSV file with {HEADER_EXPECTED}") from None
    if "\0" in text:
        raise CsvFormatError(path, 1, "binary data, not text",
                             f"a CSV file with {HEADER_EXPECTED}")
    try:
        header = next(csv.reader([text.rstrip("\r")]), [])
    except csv.Error as e:  # e.g. a cell over the csv module's field size limit
        raise CsvFormatError(path, 1, f"unreadable header ({e})", HEADER_EXPECTED) from None
    return header, len(first) + len(newline)


def _columns(path: Path, header: list[str]) -> tuple[list[str], str | None, str | None]:
    ranked: dict[str, dict[int, str]] = {}
    weight = section = None
    for col in header:
        key = col.strip().lower()
        m = RANK_COLUMN.fullmatch(key)
        if m:
            # Bounded before any use: the number sizes the checks below and the arrays
            # (rank_number counts the digits before it converts them).
            rank = rank_number(key)
            if rank is None:
                shown = col.strip() if len(col.strip()) <= 40 else col.strip()[:37] + "..."
                raise CsvFormatError(path, 1, f"rank column {shown!r}",
                                     f"at most {MAX_RANKS} ranks (rank columns "
                                     f"pref1..pref{MAX_RANKS})")
            ranked.setdefault(m.group(1), {})[rank] = col
        elif key == "weight":
            weight = col
        elif key == "section":
            section = col
    if len(ranked) != 1:
        what = "no rank columns in the header" if not ranked else "both pref and rank columns"
        raise CsvFormatError(path, 1, what, HEADER_EXPECTED)
    (prefix, numbered), = ranked.items()
    if sorted(numbered) != list(range(1, len(numbered) + 1)):
        missing = next((k for k in range(1, max(numbered) + 1) if k not in numbered), 0)
        raise CsvFormatError(
            path, 1, f"rank column {prefix}{missing} missing or misnumbered",
            f"{prefix}1..{prefix}{max(numbered)} with none missing",
        )
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise CsvFormatError(path, 1, f"column {dup!r} appears twice", "unique column names")
    return [numbered[k] for k in sorted(numbered)], weight, section


def _parse(path: Path, block: bytes | memoryview, header: list[str], ranks_cols: list[str],
           weight_col: str | None, section_col: str | None) -> pa.Table:
    """One block of whole records (no header: ``header`` names its columns)."""
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
            pa.BufferReader(pa.py_buffer(block)),
            read_options=pacsv.ReadOptions(block_size=_ARROW_BLOCK, column_names=header),
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
        start, seen = 1, -1
        try:
            next(reader, None)
            start = reader.line_num + 1
            for record in reader:
                if record:
                    seen += 1
                    if seen == row:
                        return start
                start = reader.line_num + 1
        except csv.Error:  # pyarrow read what the csv module will not: the best we know
            return start
    return start


Decode = Callable[[pa.Array], list[str]]  # a chunk's dictionary as text (``_decode``)


def _decode(path: Path, width: int, dictionary: pa.Array) -> list[str]:
    """A chunk's distinct cell values as text, spaces trimmed and one neutralising quote
    dropped (see ``formats.csv_cells``)."""
    try:
        return [unneutralise(v.decode("utf-8").strip()).strip() for v in dictionary.to_pylist()]
    except UnicodeDecodeError:
        raise _locate(path, width, "invalid UTF-8") from None


class _Names:
    """Candidate names to indices, block after block. With declared candidates the index is
    theirs and another name is an error. Without, the index is the sorted names seen so
    far: a block that brings new names gets them numbered after the others, then
    :meth:`settle` renumbers the rows read so far (usually only the first block's: every
    candidate tends to appear early, so the whole array is not rewritten at the end)."""

    def __init__(self, path: Path, declared: Sequence[str] | None) -> None:
        self.path = path
        self.declared = None if declared is None else tuple(declared)
        self.index = {c: i for i, c in enumerate(self.declared or ())}
        self.settled = len(self.index)  # names numbered in sorted order
        self.seen: set[str] = set()  # only once there are too many names to index
        if self.declared is not None:
            self._check_count(len(self.declared))

    def encode(self, column: pa.ChunkedArray, decode: Decode, out: np.ndarray, name: str,
               line_of: Callable[[int], int]) -> None:
        """Write each row's candidate index (BLANK where empty) into ``out`` (one rank of a
        block's rows), through each chunk's dictionary."""
        offset = 0
        for chunk in column.chunks:
            values = decode(chunk.dictionary)
            if self.seen:
                self.seen.update(values)
                continue
            lut = np.empty(len(values), dtype=np.int16)
            for code, value in enumerate(values):
                if value == "":
                    lut[code] = BLANK
                    continue
                i = self.index.get(value)
                if i is None and self.declared is None:
                    i = self.index[value] = len(self.index)
                    if i >= MAX_CANDIDATES:  # keep reading only to say how many
                        self.seen.update(self.index, values)
                        return
                if i is None:
                    rows = np.flatnonzero(chunk.indices.to_numpy(zero_copy_only=False) == code)
                    raise CsvFormatError(
                        self.path, line_of(offset + int(rows[0])),
                        f"unknown candidate {value!r} in column {name}",
                        f"one of {', '.join(self.index)}",
                    )
                lut[code] = i
            np.take(lut, chunk.indices.to_numpy(), out=out[offset : offset + len(chunk)],
                    mode="clip")
            offset += len(chunk)

    def settle(self, ranks: np.ndarray) -> None:
        """Renumber ``ranks`` (every row read so far) so the index is in sorted order again."""
        if self.seen or len(self.index) == self.settled:
            return
        found = tuple(self.index)
        ordered = sorted(found)
        self.index = {c: i for i, c in enumerate(ordered)}
        self.settled = len(ordered)
        lut = np.empty(len(found) + 1, dtype=np.int16)
        lut[:-1] = [self.index[c] for c in found]
        lut[-1] = BLANK  # BLANK is -1: it indexes the last entry
        if np.array_equal(lut[:-1], np.arange(len(found))):
            return
        for start in range(0, len(ranks), _RENUMBER_ROWS):
            part = ranks[start : start + _RENUMBER_ROWS]
            part[...] = lut[part]

    def finish(self) -> tuple[str, ...]:
        """The candidates (the ranks must have been settled)."""
        if self.declared is not None:
            return self.declared
        if self.seen:
            self._check_count(len(self.seen - {""}))
        if not self.index:
            raise CsvFormatError(self.path, None, "no candidate is ranked on any ballot",
                                 "candidate names in the rank columns")
        return tuple(self.index)

    def _check_count(self, count: int) -> None:
        if count > MAX_CANDIDATES:
            raise CsvFormatError(self.path, None, f"{count} different candidate names",
                                 f"at most {MAX_CANDIDATES} (are the rank columns names?)")


def _weights(column: pa.ChunkedArray, path: Path,
             line_of: Callable[[int], int]) -> np.ndarray:
    """A block's weights, or an error naming the line of the first bad one."""
    text = pc.utf8_trim_whitespace(column)
    good = pc.match_substring_regex(text, rf"^[0-9]{{1,{len(str(MAX_WEIGHT))}}}$")
    if not pc.all(good).as_py():
        row = pc.index(good, False).as_py()
        bad = column[row].as_py()
        too_big = bad.strip().isascii() and bad.strip().isdigit()  # too many digits
        raise CsvFormatError(path, line_of(row), f"weight {bad!r}",
                             WEIGHT_RANGE if too_big else WEIGHT_EXPECTED)
    weights: np.ndarray = pc.cast(text, pa.int64()).to_numpy()
    if len(weights) and weights.min() < 1:
        row = int(np.argmin(weights))
        raise CsvFormatError(path, line_of(row), f"weight {int(weights[row])}", WEIGHT_EXPECTED)
    return weights


def _labels(column: pa.ChunkedArray, decode: Decode, labels: dict[str, int],
            out: np.ndarray) -> None:
    """Write a block's section label codes into ``out`` (an empty cell is the label ''),
    adding new labels to ``labels`` in order of first appearance (a chunk's dictionary
    holds only values its rows use, so the order is that of the file)."""
    offset = 0
    for chunk in column.chunks:
        lut = np.array([labels.setdefault(v, len(labels)) for v in decode(chunk.dictionary)],
                       np.int16)
        np.take(lut, chunk.indices.to_numpy(), out=out[offset : offset + len(chunk)],
                mode="clip")
        offset += len(chunk)
