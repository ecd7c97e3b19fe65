"""The synthetic ballot generator: deterministic, valid, Plackett–Luce, and its CSV says
the same as its in-memory ballots. Small sizes only: these run in the normal suite."""

from __future__ import annotations

import numpy as np
import plackett_luce as pl
import pyarrow.csv as pacsv
import pytest

from hustings.counting import BLANK, Ballots


def test_same_seed_same_ballots_other_seed_other_ballots():
    a = pl.generate(5000, seed=7)
    b = pl.generate(5000, seed=7)
    c = pl.generate(5000, seed=8)
    assert np.array_equal(a.ranks, b.ranks)
    assert not np.array_equal(a.ranks, c.ranks)


def test_ballots_are_valid_truncated_rankings():
    b = pl.generate(20_000, seed=1)
    assert isinstance(b, Ballots)
    assert b.candidates == pl.CANDIDATES and len(b.candidates) == 13
    assert b.ranks.shape == (20_000, 13) and b.ranks.dtype == np.int16
    assert b.total == 20_000 and set(np.unique(b.sections)) == {0}
    marked = b.ranks >= 0
    lengths = marked.sum(axis=1)
    assert lengths.min() >= 1
    # marks form a prefix: no blank rank followed by a mark
    assert np.array_equal(marked, np.arange(13)[None, :] < lengths[:, None])
    assert np.all((b.ranks >= 0) | (b.ranks == BLANK))  # no overvotes
    # no candidate twice on a ballot
    sorted_rows = np.sort(np.where(marked, b.ranks, -np.arange(1, 14)), axis=1)
    assert np.all(np.diff(sorted_rows, axis=1) != 0)


def test_larger_than_one_chunk_is_the_chunks_in_order():
    n = pl.CHUNK_ROWS + 1000
    whole = pl.generate(n, seed=4, length_shares=None)
    chunks = list(pl.iter_chunks(n, seed=4, length_shares=None))
    assert [len(c) for c in chunks] == [pl.CHUNK_ROWS, 1000]
    assert np.array_equal(whole.ranks, np.concatenate(chunks))
    assert np.all(whole.ranks >= 0)  # full rankings: every rank marked


def test_rankings_follow_plackett_luce():
    """First preferences are shared in proportion to the weights, and candidate i is put
    above j with probability w_i / (w_i + w_j) — the defining properties of the model.
    (Seeded, so not flaky; tolerances are about 5 standard errors at this size.)"""
    n = 200_000
    w = np.array(pl.WEIGHTS)
    b = pl.generate(n, seed=11, length_shares=None)
    first = np.bincount(b.ranks[:, 0], minlength=13) / n
    np.testing.assert_allclose(first, w / w.sum(), atol=0.006)
    position = np.argsort(b.ranks, axis=1)  # position[r, c]: where candidate c sits
    for i, j in [(0, 1), (2, 5), (9, 12)]:
        above = np.mean(position[:, i] < position[:, j])
        assert above == pytest.approx(w[i] / (w[i] + w[j]), abs=0.006)


def test_ballot_lengths_follow_the_declared_shares():
    n = 200_000
    b = pl.generate(n, seed=12)
    lengths = np.bincount((b.ranks >= 0).sum(axis=1), minlength=14)[1:] / n
    p = np.array(pl.LENGTH_SHARES) / sum(pl.LENGTH_SHARES)
    np.testing.assert_allclose(lengths, p, atol=0.005)
    assert lengths[0] > 0.25  # many voters rank only one candidate


def test_csv_holds_the_same_ballots(tmp_path):
    path = pl.write_csv(tmp_path / "b.csv", 3000, seed=5)
    assert path.read_text().splitlines()[0] == ",".join(f"pref{k}" for k in range(1, 14))
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    assert table.num_rows == 3000
    index = {name: k for k, name in enumerate(pl.CANDIDATES)}
    ranks = np.array(
        [[BLANK if v is None else index[v] for v in table.column(f"pref{k}").to_pylist()]
         for k in range(1, 14)]
    ).T
    assert np.array_equal(ranks, pl.generate(3000, seed=5).ranks)
    assert not list(tmp_path.glob("*.part"))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="number of ballots must be >= 0, got -1"):
        pl.generate(-1)
    with pytest.raises(ValueError, match="2 candidates but 13 weights"):
        pl.generate(10, candidates=("A", "B"))
    with pytest.raises(ValueError, match="would need CSV quoting"):
        pl.write_csv("unused.csv", 10, weights=(1, 2), candidates=("A, B", "C"))


def test_the_cli_reader_reads_the_csv_as_the_same_ballots(tmp_path):
    """What `hustings count FILE.csv` counts is what count() was timed on in memory (the
    candidates are declared in alphabetical order, the order the reader sorts them in)."""
    from hustings.formats.csv import read_csv

    assert list(pl.CANDIDATES) == sorted(pl.CANDIDATES)
    path = pl.write_csv(tmp_path / "b.csv", 4000, seed=9)
    read = read_csv(path).ballots
    made = pl.generate(4000, seed=9)
    assert read.candidates == made.candidates
    assert np.array_equal(read.ranks, made.ranks)
    assert read.total == 4000
