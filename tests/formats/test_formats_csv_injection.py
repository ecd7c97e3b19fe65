"""CSV formula injection (issue 10, finding 9): every CSV Hustings writes is neutralised as
OWASP advises, and the ballot reader reads a neutralised file back to the same names."""

from __future__ import annotations

import csv
import io

import pytest

from hustings.counting import Ballots, Rules, count
from hustings.formats.ballot_csv import RANK_COLUMN, ballots_csv_text, rank_number
from hustings.formats.csv import read_csv
from hustings.formats.csv_cells import neutralise, unneutralise
from hustings.formats.report_csv import csv_text

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+44 20 7946 0000", "-2+3+cmd|' /C calc'!A0",
           "@SUM(A1:A9)", "'=already quoted", "''=twice", "-", "Ann"]


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@x", "'@x"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("'=1", "''=1"), ("Ann", "Ann"), ("", ""),
    ("-3", "-3"), ("+1.5", "+1.5"), ("-0.25e3", "-0.25e3"),  # plain numbers stay numbers
    ("a=b", "a=b"), ("'quoted'", "'quoted'"),
])
def test_neutralise(cell, written):
    assert neutralise(cell) == written
    assert unneutralise(written) == cell


@pytest.mark.parametrize("cell", HOSTILE + ["'-3", "'", "''", "'@", "-3", "'+", "+"])
def test_unneutralise_undoes_neutralise(cell):
    assert unneutralise(neutralise(cell)) == cell


def test_ballot_csv_neutralises_every_cell():
    text = ballots_csv_text("=cmd|' /C calc'!A0", [[HOSTILE[0], "Ann"], ["@SUM(A1:A9)"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["section", "pref1", "pref2"],
        ["'=cmd|' /C calc'!A0", "'=HYPERLINK(\"http://evil.example\",\"x\")", "Ann"],
        ["'=cmd|' /C calc'!A0", "'@SUM(A1:A9)", ""],
    ]
    assert not any(cell[:1] in "=+-@" and cell for row in rows for cell in row)


def test_ballot_csv_round_trips_through_the_reader(tmp_path):
    rankings = [[name, "Ann"] if name != "Ann" else ["Ann"] for name in HOSTILE]
    p = tmp_path / "ballots-members.csv"
    p.write_text(ballots_csv_text("Members", rankings))
    f = read_csv(p)
    assert set(f.candidates) == set(HOSTILE)
    read_back = [[f.candidates[i] for i in row if i >= 0] for row in f.ballots.ranks.tolist()]
    assert read_back == rankings
    assert f.labels == ("Members",)


def test_round_table_csv_neutralises_candidate_names():
    names = ("=HYPERLINK(\"x\")", "Ann")
    result = count(Rules(candidates=names),
                   Ballots.from_rankings(names, [[names[0]], [names[0]], ["Ann"]]))
    cells = [c for row in csv.reader(io.StringIO(csv_text(result))) for c in row]
    assert "'=HYPERLINK(\"x\")" in cells
    assert '=HYPERLINK("x")' not in cells


def test_rank_column_pattern():
    assert RANK_COLUMN.fullmatch("pref12") and RANK_COLUMN.fullmatch("Rank3")
    assert not RANK_COLUMN.fullmatch("preference1")
    assert rank_number(" Pref2 ") == 2
    assert rank_number("rank1000") == 1000
    assert rank_number("rank1001") is None
    assert rank_number("pref" + "9" * 20) is None
    assert rank_number("ballot_id") is None
