"""PrefLib .soi/.toi: names from the header comments, braces become overvote sets."""

from __future__ import annotations

import pytest

from hustings.counting import BLANK, OVERVOTE_SET_BASE
from hustings.formats.errors import PreflibFormatError
from hustings.formats.preflib import read_preflib

TOI = """\
# FILE NAME: sample.toi
# DATA TYPE: toi
# NUMBER ALTERNATIVES: 3
# ALTERNATIVE NAME 1: Diane Abbott
# ALTERNATIVE NAME 2: Ed Balls
# ALTERNATIVE NAME 3: Andy Burnham
111: 2,1
3: 3,{1,2}

7: 1
"""


def test_read_toi(tmp_path):
    p = tmp_path / "s.toi"
    p.write_text(TOI)
    f = read_preflib(p)
    assert f.candidates == ("Diane Abbott", "Ed Balls", "Andy Burnham")
    assert f.ballots.weights.tolist() == [111, 3, 7]
    assert f.ballots.ranks.tolist() == [[1, 0], [2, OVERVOTE_SET_BASE], [0, BLANK]]
    assert f.ballots.overvote_sets == (frozenset({0, 1}),)
    assert f.line_of(2) == 10


@pytest.mark.parametrize(
    "row, message",
    [
        ("5: 1,,2", ":7: ranking '1,,2'; expected 'COUNT: a,b,{c,d}' with alternative numbers"),
        ("five: 1", ":7: row 'five: 1'; expected 'COUNT: a,b,{c,d}' with alternative numbers"),
        ("5: 1,4", ":7: alternative 4; expected one of the numbered alternatives 1..3"),
        ("5: 1,{2,3", ":7: ranking '1,{2,3'; expected 'COUNT: a,b,{c,d}' with alternative numbers"),
    ],
)
def test_errors(tmp_path, row, message):
    p = tmp_path / "bad.soi"
    p.write_text(TOI.split("111")[0] + row + "\n")
    with pytest.raises(PreflibFormatError) as e:
        read_preflib(p)
    assert str(e.value) == f"{p}{message}"
