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
