"""Files that claim huge sizes are refused before anything is allocated, with one line.

Each test is a finding of the hardening audit (issue 10): before the fix the header
``pref1,pref50000000`` took 10 s and 5.9 GB before its error, ``pref`` and twenty nines
ended in a MemoryError, a PrefLib count >= 2**63 in an OverflowError.
"""

from __future__ import annotations

import tracemalloc

import pytest

from hustings.formats.ballot_file import MAX_RANKS, MAX_WEIGHT
from hustings.formats.csv import read_csv
from hustings.formats.errors import CsvFormatError, PreflibFormatError
from hustings.formats.preflib import read_preflib


def csv_error(tmp_path, text: str) -> tuple[str, int]:
    """The error's text and the peak memory (bytes) Python allocated reading the file."""
    p = tmp_path / "b.csv"
    p.write_text(text)
    tracemalloc.start()
    try:
        with pytest.raises(CsvFormatError) as e:
            read_csv(p)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return str(e.value), peak


def test_a_rank_column_far_past_the_limit_is_refused_at_the_header(tmp_path):
    message, peak = csv_error(tmp_path, "pref1,pref50000000\nA,B\n")
    assert message == (f"{tmp_path / 'b.csv'}:1: rank column 'pref50000000'; expected at most "
                       f"{MAX_RANKS} ranks (rank columns pref1..pref{MAX_RANKS})")
    assert peak < 5 << 20  # nothing sized by the claimed rank


def test_a_rank_number_of_twenty_digits_is_refused_not_a_memory_error(tmp_path):
    message, peak = csv_error(tmp_path, "pref1,pref" + "9" * 20 + "\nA,B\n")
    assert message == (f"{tmp_path / 'b.csv'}:1: rank column 'pref99999999999999999999'; "
                       f"expected at most {MAX_RANKS} ranks (rank columns pref1..pref{MAX_RANKS})")
    assert peak < 5 << 20


def test_a_rank_number_of_thousands_of_digits_is_shortened_in_the_message(tmp_path):
    message, _ = csv_error(tmp_path, "rank1,rank" + "1" * 5000 + "\nA,B\n")
    assert f":1: rank column 'rank{'1' * 33}...'; expected at most {MAX_RANKS}" in message


def test_the_limit_itself_is_allowed_and_a_gap_below_it_is_named(tmp_path):
    message, _ = csv_error(tmp_path, f"pref1,pref{MAX_RANKS}\nA,B\n")
    assert message == (f"{tmp_path / 'b.csv'}:1: rank column pref2 missing or misnumbered; "
                       f"expected pref1..pref{MAX_RANKS} with none missing")


def test_a_header_cell_over_the_csv_field_limit_is_one_line(tmp_path):
    message, _ = csv_error(tmp_path, "pref1," + "x" * 200_000 + "\nA,B\n")
    assert message == (f"{tmp_path / 'b.csv'}:1: unreadable header (field larger than field "
                       "limit (131072)); expected a header with rank columns pref1..prefN or "
                       "rank1..rankN")


def test_a_weight_of_too_many_digits_names_the_range(tmp_path):
    message, _ = csv_error(tmp_path, "pref1,weight\nA,1\nB,9223372036854775808\n")
    assert message == (f"{tmp_path / 'b.csv'}:3: weight '9223372036854775808'; expected a "
                       f"whole number from 1 to {MAX_WEIGHT}")


def preflib_error(tmp_path, rows: str) -> str:
    p = tmp_path / "e.soi"
    p.write_text("# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n" + rows)
    with pytest.raises(PreflibFormatError) as e:
        read_preflib(p)
    return str(e.value)


def test_preflib_count_of_2_to_the_63_is_refused_not_an_overflow(tmp_path):
    assert preflib_error(tmp_path, "3: 1,2\n9223372036854775808: 2,1\n") == (
        f"{tmp_path / 'e.soi'}:4: count 9223372036854775808; expected a whole number from 0 "
        f"to {MAX_WEIGHT}")


def test_preflib_count_at_the_limit_reads(tmp_path):
    p = tmp_path / "ok.soi"
    p.write_text(f"# ALTERNATIVE NAME 1: A\n{MAX_WEIGHT}: 1\n")
    assert read_preflib(p).ballots.weights.tolist() == [MAX_WEIGHT]


def test_preflib_alternative_number_of_5000_digits_is_one_line(tmp_path):
    assert preflib_error(tmp_path, "1: " + "7" * 5000 + "\n") == (
        f"{tmp_path / 'e.soi'}:3: alternative number {'7' * 27}...; expected an alternative "
        "number of at most 9 digits")


def test_preflib_ranking_longer_than_the_limit(tmp_path):
    assert preflib_error(tmp_path, "1: " + ",".join(["1"] * (MAX_RANKS + 1)) + "\n") == (
        f"{tmp_path / 'e.soi'}:3: a ranking of more than {MAX_RANKS} ranks; expected at most "
        f"{MAX_RANKS} ranks")


def test_preflib_two_alternatives_with_one_name(tmp_path):
    # Before: read without a word, both numbers' marks counted for one of them.
    p = tmp_path / "d.soi"
    p.write_text("# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: A\n1: 1,2\n")
    with pytest.raises(PreflibFormatError) as e:
        read_preflib(p)
    assert str(e.value) == (f"{p}:2: alternative name 'A' again (first on line 1); expected "
                            "unique names")
