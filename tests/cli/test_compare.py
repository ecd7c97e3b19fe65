"""``hustings compare`` on the real 2010 PLP ballots: the published figures."""

from __future__ import annotations

from click.testing import CliRunner

from hustings.cli import main


def test_compare_plp(shared):
    path = shared / "data" / "labour" / "labour-2010-plp-ballots.csv"
    out = CliRunner().invoke(main, ["compare", str(path)])
    assert out.exit_code == 0, out.output
    text = out.output
    assert "Alternative vote: David Miliband (round 4: David Miliband 140, Ed Miliband 122)" \
        in text
    assert "First past the post: David Miliband (round 1: David Miliband 111" in text
    assert "Condorcet winner: David Miliband, beating every rival head to head: " \
        "140-122 over Ed Miliband" in text
    assert "Margin: exactly 9 ballot(s)" in text and "10 changed elect Ed Miliband" in text


def test_compare_bad_file_is_one_line_and_exit_2(tmp_path):
    out = CliRunner().invoke(main, ["compare", str(tmp_path / "nope.csv")])
    assert out.exit_code == 2
    assert "Traceback" not in out.output


def test_compare_help_ends_in_an_example():
    out = CliRunner().invoke(main, ["compare", "--help"])
    assert out.output.rstrip().endswith("--seats 3")


def test_compare_warns_when_college_sections_have_no_ballots(shared):
    path = shared / "data" / "labour" / "labour-2010-plp-ballots.csv"
    out = CliRunner().invoke(main, ["compare", str(path), "--preset", "labour-2010",
                                    "--no-margin"])
    assert out.exit_code == 0, out.output
    assert "note: no ballots in Members, Affiliates" in out.output
    assert "One member one vote (alternative vote): David Miliband (round 4: " \
        "David Miliband 140, Ed Miliband 122)" in out.output
    assert "MPs and MEPs: 266 ballots" in out.output


def test_compare_json(shared):
    import json

    path = shared / "data" / "labour" / "labour-2010-plp-ballots.csv"
    out = CliRunner().invoke(main, ["compare", str(path), "--output", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    av, fptp, condorcet = data["outcomes"][:3]
    assert av["figures"] == {"David Miliband": "140", "Ed Miliband": "122"}
    assert fptp["figures"]["David Miliband"] == "111"
    assert condorcet["condorcetWinner"] == "David Miliband"
    assert condorcet["headToHead"][0] == {"rival": "Ed Miliband", "for": 140, "against": 122}
    assert data["margins"][0]["margin"] == 9 and data["margins"][0]["decisive"] == 10
    names = data["candidates"]
    dm, em = names.index("David Miliband"), names.index("Ed Miliband")
    assert (data["pairwise"][dm][em], data["pairwise"][em][dm]) == (140, 122)
