"""Properties: whatever rankings go into a file come back out of the reader unchanged."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hustings.counting import BLANK, Ballots
from hustings.formats.blt import blt_text, read_blt
from hustings.formats.csv import read_csv
from hustings.formats.readers import Source, read_ballots

NAMES = ["Abbott", "Balls", "Burnham", "D Miliband", "E Miliband", "O'Neill, Jr", 'Quote "Q"']

rankings = st.lists(
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True),
    min_size=1, max_size=30,
)


@settings(max_examples=25, deadline=None)
@given(rankings, st.lists(st.integers(1, 9), min_size=30, max_size=30))
def test_csv_round_trip(rows, weights):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "b.csv"
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["ballot_id", *(f"rank{i}" for i in range(1, 6)), "weight"])
            for i, r in enumerate(rows):
                w.writerow([i, *r, *[""] * (5 - len(r)), weights[i]])
        got = read_csv(path)
    names = got.candidates
    assert names == tuple(sorted({c for r in rows for c in r}))
    assert [[names[k] for k in row if k != BLANK] for row in got.ballots.ranks.tolist()] == rows
    assert got.ballots.weights.tolist() == weights[: len(rows)]


@settings(max_examples=25, deadline=None)
@given(rankings, st.lists(st.integers(1, 9), min_size=30, max_size=30))
def test_blt_round_trip(rows, weights):
    ballots = Ballots.from_rankings(NAMES, rows, weights=weights[: len(rows)])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "b.blt"
        path.write_text(blt_text(ballots, seats=2, title="t"))
        got = read_blt(path)
    assert got.candidates == tuple(NAMES) and got.seats == 2
    assert got.ballots.ranks.tolist() == ballots.ranks.tolist()
    assert got.ballots.weights.tolist() == ballots.weights.tolist()


def test_several_files_share_one_candidate_list(tmp_path):
    (tmp_path / "a.csv").write_text("pref1,pref2\nZoe,Adam\n")
    (tmp_path / "b.csv").write_text("pref1\nMia\n")
    ballots, files = read_ballots([Source(tmp_path / "a.csv"), Source(tmp_path / "b.csv")])
    assert ballots.candidates == ("Adam", "Mia", "Zoe")
    assert ballots.ranks.tolist() == [[2, 0], [1, BLANK]]
    assert [f.candidates for f in files] == [("Adam", "Zoe"), ("Mia",)]


def test_progress_is_told_each_stage(tmp_path):
    (tmp_path / "a.csv").write_text("pref1\nA\n")
    seen = []
    read_ballots([Source(tmp_path / "a.csv")],
                 progress=lambda p, stage: seen.append((p.name, stage)))
    assert seen == [("a.csv", "parsing"), ("a.csv", "encoding")]
