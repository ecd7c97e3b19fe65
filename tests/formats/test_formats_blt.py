"""BLT: read, write, read back; equal rankings become overvote sets; errors name the line."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies

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


# --- files as published: the Scottish councils' dialects (../shared/data/scotland) ---------

SCOTLAND = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "scotland"


@pytest.mark.parametrize(
    "names, expected, title",
    [
        # names in comments after the 0, the title a bare line (Glasgow 2007)
        ("# ALTERNATIVE NAME 1: Nina Baker (Grn)\n# ALTERNATIVE NAME 2: Erin Boyle (Con)\n"
         "Anderson ward\n", ("Nina Baker (Grn)", "Erin Boyle (Con)"), "Anderson ward"),
        # bare unquoted lines (North Lanarkshire 2017)
        ("Tom CASTLES (Lab)\nRory O'BRIEN (SNP)\nWard 11 - Coatbridge South\n",
         ("Tom CASTLES (Lab)", "Rory O'BRIEN (SNP)"), "Ward 11 - Coatbridge South"),
        # "Name" "Party" pairs
        ('"Sasha BRYDON" "Scottish Labour Party"\n"Jo COX" "(Ind)"\n"Ward 10"\n',
         ("Sasha BRYDON (Scottish Labour Party)", "Jo COX (Ind)"), "Ward 10"),
        # one spreadsheet cell, quotes doubled: party word then name (2012) ...
        ('"Lab ""Barney CROCKETT"" "\n"SNP ""Neil MACGREGOR"""\nWard 1 - Dyce\n',
         ("Barney CROCKETT (Lab)", "Neil MACGREGOR (SNP)"), "Ward 1 - Dyce"),
        # ... or name then party (2022), and a pair inside one cell
        ('"Margaret BRISLEY ""Scottish Labour Party"""\n'
         '"""Mike ROY"" ""Independent"" "\n"""Ward 7 - Bannockburn"""\n',
         ("Margaret BRISLEY (Scottish Labour Party)", "Mike ROY (Independent)"),
         "Ward 7 - Bannockburn"),
    ],
)
def test_scottish_dialects(tmp_path, names, expected, title):
    p = tmp_path / "ward.blt"
    p.write_text("2 1\n3 1 2 0\n1 2 0\n0\n" + names)
    f = read_blt(p)
    assert (f.candidates, f.title, f.seats) == (expected, title, 1)
    assert f.ballots.weights.tolist() == [3, 1]


def test_spreadsheet_export_with_trailing_commas(tmp_path):
    p = tmp_path / "by.blt"
    p.write_text("2 1,\n786 1 0,\n87 1 2 0,\n0,\nKathleen BAIRD,\nWilma,LUMSDEN\nWard 9,\n")
    f = read_blt(p)
    assert f.candidates == ("Kathleen BAIRD", "Wilma LUMSDEN") and f.title == "Ward 9"
    assert f.ballots.weights.tolist() == [786, 87]


def test_droop_options_tie_withdrawn_and_nicknames(tmp_path):
    p = tmp_path / "o.blt"
    p.write_text('3 2\n[nick a b c]\n[tie c b a]\n[withdrawn b]\n5 a b 0\n1 b=c 0\n0\n'
                 '"A"\n"B"\n"C"\n"T"\n"a remark after the title"\n')
    f = read_blt(p)
    assert f.tie_order == ("C", "B", "A") and f.withdrawn == ("B",)
    assert f.ballots.ranks.tolist() == [[0, 1], [OVERVOTE_SET_BASE, BLANK]]


def test_every_scottish_file_is_read():
    files = sorted(SCOTLAND.glob("*.blt"))
    if not files:
        pytest.skip("../shared is not here")
    assert len(files) == 1100
    for path in files:
        f = read_blt(path)
        assert len(f.candidates) == len(set(f.candidates)) >= f.seats >= 1
        assert f.title and f.ballots.total > 0


def test_north_lanarkshire_ward_11_names():
    path = SCOTLAND / "north_lanarkshire_2017_ward11.blt"
    if not path.exists():
        pytest.skip("../shared is not here")
    f = read_blt(path)
    assert f.title == "Ward 11 - Coatbridge South" and f.seats == 4
    assert f.candidates[2:5] == ("Tracy CARRAGHER (SNP)", "Tom CASTLES (Lab)",
                                 "Gordon ENCINIAS (Lab)")


# --- hardening (issue 10's fuzz findings): every refusal is a BltFormatError -----------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("2 1\n9223372036854775808 1 0\n0\n\"A\"\n\"B\"\n",
         ":2: weight 9223372036854775808; expected weights adding up to at most "
         "9223372036854775807 (2**63 - 1)"),
        ("2 1\n9223372036854775807 1 0\n1 2 0\n0\n\"A\"\n\"B\"\n",
         ":3: weight 1; expected weights adding up to at most 9223372036854775807 (2**63 - 1)"),
        ("99999999999999999999 1\n", ":1: 99999999999999999999 candidates; expected at most "
                                     "32767"),
        ("40000 1\n", ":1: 40000 candidates; expected at most 32767"),
        ("2 99999999999\n", ":1: 99999999999 seats; expected a whole number from 1 to 2, the "
                            "number of candidates"),
        ("2 1\n1 ² 0\n", ":2: candidate number '²'; expected a whole number from 1 to 2"),
        ("2 1\n² 1 0\n", ":2: line '² 1 0'; expected a ballot: weight, candidate numbers, 0 (or "
                         "a lone 0 ending the ballots)"),
        ("²\n", ":1: header '²'; expected 'CANDIDATES SEATS', two whole numbers"),
        ('2 1\n1 1 0\n0\n"A\n"B"\n', ":4: name line '\"A'; expected a name, \"a quoted name\" "
                                     "or \"a name\" \"a party\""),
        ('2 1\n1 1 0\n0\n"A"\n"A"\n', ": candidate name 'A' appears twice; expected unique "
                                      "names"),
        ("2 1\n[frobnicate 1]\n", ":2: option '[frobnicate 1]'; expected [withdrawn N ...], "
                                  "[tie ...] or [nick ...] naming all 2 candidates"),
        ("2 1\n1 1= 0\n", ":2: candidate number ''; expected a whole number from 1 to 2"),
    ],
)
def test_hostile_input_stays_in_the_error_tree(tmp_path, text, message):
    p = tmp_path / "h.blt"
    p.write_text(text)
    with pytest.raises(BltFormatError) as e:
        read_blt(p)
    assert str(e.value) == f"{p}{message}"


@settings(max_examples=300, deadline=None)
@given(st=strategies.data())
def test_mutated_files_give_only_format_errors(tmp_path_factory, st):
    """Mutations of a valid file (characters replaced, inserted, lines dropped): the
    reader returns ballots or raises a BltFormatError, never anything else."""
    s = strategies
    text = SAMPLE + "# ALTERNATIVE NAME 1: x\n"
    for _ in range(st.draw(s.integers(1, 6))):
        i = st.draw(s.integers(0, len(text)))
        piece = st.draw(s.sampled_from(["0", "9" * 20, "-", "=", '"', "#", "\n", " ", "[",
                                        "]", ",", "²", "x", "", "99999"]))
        j = i + st.draw(s.integers(0, 3))
        text = text[:i] + piece + text[j:]
    p = tmp_path_factory.mktemp("fuzz") / "f.blt"
    p.write_text(text)
    with contextlib.suppress(BltFormatError):
        read_blt(p)


def test_too_many_sets_of_equal_rankings(tmp_path):
    """Each distinct 'a=b' set takes a code in the 16-bit rank cell: beyond what fits,
    a FormatError, not a NumPy overflow."""
    import itertools

    n = 400
    pairs = itertools.islice(itertools.combinations(range(1, n + 1), 2), 32800)
    lines = [f"{n} 1", *(f"1 {a}={b} 0" for a, b in pairs), "0",
             *(f'"C{k}"' for k in range(n))]
    p = tmp_path / "sets.blt"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(BltFormatError) as e:
        read_blt(p)
    assert "different sets of equal rankings; expected fewer (a rank cell is 16 bits)" \
        in str(e.value)
