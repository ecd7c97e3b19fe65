"""The CSV ballot reader: encoding, columns, and every error with its exact message."""

from __future__ import annotations

import numpy as np
import pytest

from hustings.counting import BLANK
from hustings.formats.csv import read_csv
from hustings.formats.errors import CsvFormatError


def write(tmp_path, text: str | bytes, name: str = "ballots.csv"):
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_plp_file_reads_266_ballots_with_mp_and_mep_labels(shared):
    f = read_csv(shared / "data/labour/labour-2010-plp-ballots.csv")
    assert f.candidates == (
        "Andy Burnham", "David Miliband", "Diane Abbott", "Ed Balls", "Ed Miliband",
    )
    assert len(f.ballots) == 266 and f.ballots.total == 266
    assert f.labels == ("MP", "MEP")
    assert np.bincount(f.ballots.sections).tolist() == [253, 13]  # the meta file's n_mp, n_mep
    # first preferences as published (Guardian, 25 Sept 2010)
    counts = np.bincount(f.ballots.ranks[:, 0], minlength=5).tolist()
    firsts = dict(zip(f.candidates, counts, strict=True))
    assert firsts == {
        "David Miliband": 111, "Ed Miliband": 84, "Ed Balls": 40,
        "Andy Burnham": 24, "Diane Abbott": 7,
    }


def test_rank_columns_blanks_weight_and_ignored_columns(tmp_path):
    p = write(tmp_path, "voter,rank2,rank1,weight\nann, B , A ,3\nbob,,C,1\n\n")
    f = read_csv(p)
    assert f.candidates == ("A", "B", "C")
    assert f.ballots.ranks.tolist() == [[0, 1], [2, BLANK]]
    assert f.ballots.weights.tolist() == [3, 1]
    assert f.labels is None


def test_declared_candidates_fix_the_order(tmp_path):
    p = write(tmp_path, "pref1,pref2\nB,A\n")
    f = read_csv(p, candidates=["C", "B", "A"])
    assert f.candidates == ("C", "B", "A")
    assert f.ballots.ranks.tolist() == [[1, 2]]


def error(p, **kw) -> str:
    with pytest.raises(CsvFormatError) as e:
        read_csv(p, **kw)
    return str(e.value)


def test_unknown_candidate_names_its_line(tmp_path):
    p = write(tmp_path, "id,pref1,pref2\n1,A,B\n2,A,\n\n3,Zed,A\n")
    assert error(p, candidates=["A", "B"]) == (
        f"{p}:5: unknown candidate 'Zed' in column pref1; expected one of A, B"
    )


def test_missing_header(tmp_path):
    p = write(tmp_path, "A,B,C\nB,C,A\n")
    assert error(p) == (
        f"{p}:1: no rank columns in the header; "
        "expected a header with rank columns pref1..prefN or rank1..rankN"
    )


def test_gap_in_rank_columns(tmp_path):
    p = write(tmp_path, "pref1,pref3\nA,B\n")
    assert error(p) == (
        f"{p}:1: rank column pref2 missing or misnumbered; expected pref1..pref3 with none missing"
    )


def test_mixed_pref_and_rank(tmp_path):
    p = write(tmp_path, "pref1,rank2\nA,B\n")
    assert error(p).endswith(":1: both pref and rank columns; expected a header with rank "
                             "columns pref1..prefN or rank1..rankN")


@pytest.mark.parametrize("bad, shown", [("x", "'x'"), ("0", "0"), ("", "''"), ("1.5", "'1.5'")])
def test_bad_weight(tmp_path, bad, shown):
    p = write(tmp_path, f"pref1,weight\nA,2\nB,{bad}\n")
    assert error(p) == f"{p}:3: weight {shown}; expected a whole number ≥ 1"


def test_empty_file(tmp_path):
    p = write(tmp_path, "")
    assert error(p) == (
        f"{p}: empty file; expected a header with rank columns pref1..prefN or rank1..rankN"
    )


def test_header_only(tmp_path):
    p = write(tmp_path, "pref1,pref2\n")
    assert error(p) == f"{p}:2: no ballots after the header; expected one ballot per row"


def test_binary_junk(tmp_path):
    p = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    assert error(p) == (
        f"{p}:1: not UTF-8 text; expected a CSV file with a header with rank columns "
        "pref1..prefN or rank1..rankN"
    )


def test_binary_junk_after_a_good_header(tmp_path):
    p = write(tmp_path, b"pref1,pref2\nA,B\nB,\xff\xfe\n")
    assert error(p) == f"{p}:3: not UTF-8 text; expected a CSV file of ballots"


def test_ragged_row(tmp_path):
    p = write(tmp_path, "id,pref1,pref2\n1,A,B\n2,\"B\nA\",C\n3,A\n")
    assert error(p) == f"{p}:5: 2 fields; expected 3 fields, as in the header"


def test_missing_file(tmp_path):
    assert error(tmp_path / "nope.csv") == (
        f"{tmp_path / 'nope.csv'}: cannot open: No such file or directory; "
        "expected a readable CSV file"
    )


def test_excel_style_bom_and_crlf(tmp_path):
    p = write(tmp_path, b"\xef\xbb\xbfpref1,pref2,section\r\nA,B,MP\r\nB,,MEP\r\n")
    f = read_csv(p)
    assert f.candidates == ("A", "B")
    assert f.ballots.ranks.tolist() == [[0, 1], [1, BLANK]]
    assert f.labels == ("MP", "MEP")


def test_unclosed_quote(tmp_path):
    p = write(tmp_path, 'pref1,pref2\nA,B\n"B,A\nC,D\n')
    assert error(p) == (
        f'{p}:3: a quoted field runs past the end of the line; expected a closing " on the '
        "same line"
    )


# --- blocks: the file is parsed a block of whole records at a time ------------------------
# A tiny ``block_bytes`` forces many blocks, so every cut, carry and line count is exercised.

def same_ballots(a, b) -> None:
    assert a.candidates == b.candidates and a.labels == b.labels
    assert a.ballots.ranks.tolist() == b.ballots.ranks.tolist()
    assert a.ballots.weights.tolist() == b.ballots.weights.tolist()
    assert a.ballots.sections.tolist() == b.ballots.sections.tolist()


@pytest.mark.parametrize("block_bytes", [1, 7, 64, 1000])
def test_plp_file_in_tiny_blocks_reads_the_same_ballots(shared, block_bytes):
    path = shared / "data/labour/labour-2010-plp-ballots.csv"
    whole, parts = read_csv(path), read_csv(path, block_bytes=block_bytes)
    same_ballots(whole, parts)
    firsts = np.bincount(parts.ballots.ranks[:, 0], minlength=5).tolist()
    assert dict(zip(parts.candidates, firsts, strict=True))["David Miliband"] == 111
    assert np.bincount(parts.ballots.sections).tolist() == [253, 13]


def test_names_first_seen_in_a_later_block_are_sorted_in(tmp_path):
    # Zed and Ann turn up blocks after Mo: the ranks already written are renumbered.
    p = write(tmp_path, "pref1,pref2,section\nMo,,X\nMo,Mo,Y\n\nZed,Mo,X\nAnn,Zed,Z\nMo,Ann,Y\n")
    f = read_csv(p, block_bytes=8)
    assert f.candidates == ("Ann", "Mo", "Zed")
    assert f.ballots.ranks.tolist() == [[1, BLANK], [1, 1], [2, 1], [0, 2], [1, 0]]
    assert f.labels == ("X", "Y", "Z")  # order of first appearance, across blocks
    assert f.ballots.sections.tolist() == [0, 1, 0, 2, 1]
    same_ballots(f, read_csv(p))


def rows(n: int) -> str:
    return "".join(f"{i},A,B,1\n" for i in range(n))


def test_unknown_candidate_in_a_later_block_names_its_line(tmp_path):
    p = write(tmp_path, "id,pref1,pref2,weight\n" + rows(50) + "\n\n" + "x,B,Zed,1\n" + rows(5))
    # header, 50 rows, 2 blank lines: the bad row is line 54
    assert error(p, candidates=["A", "B"], block_bytes=32) == (
        f"{p}:54: unknown candidate 'Zed' in column pref2; expected one of A, B"
    )


def test_bad_weight_in_a_later_block_names_its_line(tmp_path):
    p = write(tmp_path, "id,pref1,pref2,weight\n" + rows(40) + "x,A,B,0\n")
    assert error(p, block_bytes=50) == f"{p}:42: weight 0; expected a whole number ≥ 1"


def test_ragged_row_in_a_later_block_names_its_line(tmp_path):
    p = write(tmp_path, "id,pref1,pref2,weight\n" + rows(30) + "x,A\n" + rows(3))
    assert error(p, block_bytes=40) == f"{p}:32: 2 fields; expected 4 fields, as in the header"


def test_binary_junk_in_a_later_block_names_its_line(tmp_path):
    p = write(tmp_path, ("id,pref1,pref2,weight\n" + rows(30)).encode() + b"x,A,\xff\xfe,1\n")
    assert error(p, block_bytes=40) == f"{p}:32: not UTF-8 text; expected a CSV file of ballots"


def test_quoted_newlines_are_not_cut_and_later_lines_still_count_right(tmp_path):
    # Each note spans two or three lines; the unknown name sits after them all.
    notes = "".join(f'"note {i}\nline two, ""quoted""\n",A,B\n' for i in range(12))
    p = write(tmp_path, "note,pref1,pref2\n" + notes + 'plain,A,"B"\r\n"",B,Zed\n')
    whole = read_csv(p, candidates=["A", "B", "Zed"])
    assert len(whole.ballots) == 14
    for block_bytes in (1, 5, 17, 40, 100):
        same_ballots(whole, read_csv(p, candidates=["A", "B", "Zed"], block_bytes=block_bytes))
        # header (line 1), 12 notes of 3 lines (2-37), plain (38): the last row is line 39
        assert error(p, candidates=["A", "B"], block_bytes=block_bytes) == (
            f"{p}:39: unknown candidate 'Zed' in column pref2; expected one of A, B"
        )


def test_a_stray_quote_in_an_unquoted_field_still_reads_right(tmp_path):
    # ab"c is text to pyarrow, which breaks quote counting: the rest is read in one block.
    p = write(tmp_path, 'note,pref1\nab"c,A\n"x\ny",B\n' + "n,A\n" * 20)
    f = read_csv(p, block_bytes=6)
    assert f.ballots.ranks[:, 0].tolist() == [0, 1] + [0] * 20
    same_ballots(f, read_csv(p))


def test_crlf_in_tiny_blocks(tmp_path):
    p = write(tmp_path, b"\xef\xbb\xbfpref1,pref2,section\r\n" + b"A,B,MP\r\nB,,MEP\r\n\r\n" * 9
              + b"C,A,MP\r\nB,Q,MP")  # lines 29 and 30, no newline at the end
    for block_bytes in (1, 3, 10, 30):
        f = read_csv(p, block_bytes=block_bytes)
        assert f.candidates == ("A", "B", "C", "Q")
        assert f.ballots.ranks.tolist() == [[0, 1], [1, BLANK]] * 9 + [[2, 0], [1, 3]]
        assert f.labels == ("MP", "MEP")
        assert error(p, candidates=["A", "B", "C"], block_bytes=block_bytes) == (
            f"{p}:30: unknown candidate 'Q' in column pref2; expected one of A, B, C"
        )


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 40, 1000])
def test_blocks_are_whole_records_that_rejoin_to_the_file(size):
    import io

    from hustings.formats.csv_blocks import blocks

    text = b'a,b\n"x\n""y""\n",1\r\n\n"",2\n,3\nlast,"4\n"'
    parts = [bytes(b) for b in blocks(io.BytesIO(text), size)]
    assert b"".join(parts) == text
    for part in parts[:-1]:
        assert part.endswith(b"\n") and part.count(b'"') % 2 == 0


def test_more_rows_than_the_size_allowed_for_grow_the_arrays(tmp_path, monkeypatch):
    # A file that grows while it is read: the arrays sized from its length are outgrown.
    import hustings.formats.csv as reader

    monkeypatch.setattr(reader, "_most_rows", lambda nbytes, width: 1)
    p = write(tmp_path, "pref1,pref2,weight,section\n" + "A,B,2,X\nB,,1,Y\n" * 10)
    f = read_csv(p, block_bytes=9)
    assert f.ballots.ranks.tolist() == [[0, 1], [1, BLANK]] * 10
    assert f.ballots.weights.tolist() == [2, 1] * 10
    assert f.ballots.sections.tolist() == [0, 1] * 10


def test_a_header_without_an_end_of_line_in_its_first_megabyte(tmp_path):
    p = write(tmp_path, "pref1," + "x" * (1 << 20))
    assert error(p) == (
        f"{p}:1: no end of line in the first 1048576 bytes; "
        "expected a header with rank columns pref1..prefN or rank1..rankN"
    )
