"""BLT: read, write, read back; equal rankings become overvote sets; errors name the line."""

from __future__ import annotations

import pytest

from hustings.counting import BLANK, OVERVOTE_SET_BASE, Ballots
from hustings.formats.blt import blt_text, read_blt
from hustings.formats.errors import BltFormatError

SAMPLE = """\
4 2
-4
3 1 2 0
1 3=4 2 0   # a tie at rank 1
2 1 - 3 0
0
"Alice"
"Bob"
"Carol Ann"
"Dan \\"the man\\""
"Club committee"
"""


def test_read_sample(tmp_path):
    p = tmp_path / "c.blt"
    p.write_text(SAMPLE)
    f = read_blt(p)
    assert f.candidates == ("Alice", "Bob", "Carol Ann", 'Dan "the man"')
    assert f.seats == 2 and f.withdrawn == ('Dan "the man"',) and f.title == "Club committee"
    assert f.ballots.weights.tolist() == [3, 1, 2]
    assert f.ballots.ranks.tolist() == [[0, 1, BLANK], [OVERVOTE_SET_BASE, 1, BLANK], [0, BLANK, 2]]
    assert f.ballots.overvote_sets == (frozenset({2, 3}),)
    assert f.line_of(2) == 5


def test_round_trip(tmp_path):
    b = Ballots.from_rankings(
        ["A", "B", "C"], [["A", "B"], [{"B", "C"}, None, "A"], ["C"]], weights=[2, 1, 5]
    )
    p = tmp_path / "rt.blt"
    p.write_text(blt_text(b, seats=1, withdrawn=("B",), title="T"))
    f = read_blt(p)
    assert f.ballots.ranks.tolist() == b.ranks.tolist()
    assert f.ballots.weights.tolist() == [2, 1, 5]
    assert f.ballots.overvote_sets == b.overvote_sets
    assert (f.candidates, f.withdrawn, f.title, f.seats) == (b.candidates, ("B",), "T", 1)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", ":1: header ''; expected 'CANDIDATES SEATS', two whole numbers"),
        ("3 1\n1 1 4 0\n0\n", ":2: candidate number '4'; expected a whole number from 1 to 3"),
        ("2 1\n1 1 2\n0\n", ":2: line '1 1 2'; expected a ballot: weight, candidate numbers, "
                            "0 (or a lone 0 ending the ballots)"),
        ("2 1\n1 1 0\n", ": the file ends inside the ballots; expected a line holding 0 after "
                         "the last ballot"),
        ('2 1\n1 1 0\n0\n"A"\n', ": 1 candidate names; expected 2 names after the ballots, "
                                 "as the header says"),
    ],
)
def test_errors(tmp_path, text, message):
    p = tmp_path / "bad.blt"
    p.write_text(text)
    with pytest.raises(BltFormatError) as e:
        read_blt(p)
    assert str(e.value) == f"{p}{message}"


def test_not_text_and_missing(tmp_path):
    p = tmp_path / "junk.blt"
    p.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(BltFormatError) as e:
        read_blt(p)
    assert str(e.value) == f"{p}: not UTF-8 text; expected a BLT text file"
    with pytest.raises(BltFormatError) as e:
        read_blt(tmp_path / "none.blt")
    assert str(e.value) == (f"{tmp_path / 'none.blt'}: cannot open: No such file or directory; "
                            "expected a readable BLT file")
