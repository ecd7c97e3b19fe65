"""`hustings count` end to end: real published figures, every output, every refusal."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from hustings.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples/college/election.toml"
ROUND1 = {"David Miliband": 111, "Ed Miliband": 84, "Ed Balls": 40, "Andy Burnham": 24,
          "Diane Abbott": 7}
FINAL = {"David Miliband": 140, "Ed Miliband": 122}


@pytest.fixture(scope="module")
def plp(shared) -> Path:
    return shared / "data/labour/labour-2010-plp-ballots.csv"


def run(*args: str):
    return CliRunner().invoke(main, ["count", *map(str, args)], catch_exceptions=False)


def votes(tally: dict) -> dict[str, int]:
    return {name: int(Decimal(str(v))) for name, v in tally.items()}


# --- the acceptance test of the issue: the 2010 MPs' and MEPs' section ---------------------

def test_plp_json_reproduces_the_published_rounds(plp):
    result = run(plp, "--output", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    rounds = report["results"]
    assert votes(rounds[0]["tally"]) == ROUND1  # Guardian / Labour Party, 25 Sept 2010
    assert votes(rounds[-1]["tally"]) == FINAL  # tallyroom.com.au/6493
    assert len(rounds) == 4


def test_plp_table_shows_the_published_rounds(plp):
    result = run(plp)
    assert result.exit_code == 0, result.output
    rows = {}
    for line in result.stdout.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        if cells and cells[0] in ROUND1:
            rows[cells[0]] = cells[1:]
    # columns: round 1 votes, %, round 2 votes, %, ... round 4 votes, %, note
    assert {name: int(r[0]) for name, r in rows.items()} == ROUND1
    assert {name: int(r[6]) for name, r in rows.items() if r[6] != "—"} == FINAL
    assert rows["David Miliband"][1] == "41.73%"  # as the Guardian printed it
    assert rows["David Miliband"][-1] == "✓ elected, round 4"
    assert rows["Diane Abbott"][2] == "—" and rows["Diane Abbott"][-1] == "eliminated, round 1"
    assert "Round 1 → 2: Diane Abbott's votes:" in result.stdout


def test_plp_as_the_college_section_gives_the_published_weighted_shares(plp):
    """With the 2010 rule book the MP/MEP labels put every ballot in the first third: the
    published round-1 college shares are votes / 266 / 3 (sluggerotoole.com, 25 Sept 2010)."""
    result = run(plp, "--preset", "labour-2010", "--output", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    shares = {r["candidate"]: r["share"] for r in rows
              if r["round"] == "1" and r["section"] == "college"}
    assert shares == {"David Miliband": "13.9098", "Ed Miliband": "10.5263",
                      "Ed Balls": "5.0125", "Andy Burnham": "3.0075", "Diane Abbott": "0.8772"}


def test_plp_csv_output(plp, tmp_path):
    out = tmp_path / "rounds.csv"
    result = run(plp, "--output", "csv", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    rows = list(csv.DictReader(out.open()))
    assert {r["candidate"]: int(r["votes"]) for r in rows if r["round"] == "1"
            and r["candidate"] != "exhausted"} == ROUND1
    last = {r["candidate"]: r for r in rows if r["round"] == "4"}
    assert int(last["David Miliband"]["votes"]) == 140
    assert last["David Miliband"]["status"] == "elected"
    assert int(last["exhausted"]["votes"]) == 4  # computed in the shared file's meta data


def plp_rankings(plp) -> Counter:
    with plp.open() as f:
        return Counter(tuple(c for c in (row[f"pref{i}"] for i in range(1, 6)) if c)
                       for row in csv.DictReader(f))


def test_plp_as_blt_and_preflib_count_the_same(plp, tmp_path):
    rankings = plp_rankings(plp)
    names = sorted({c for r in rankings for c in r})
    blt = [f"{len(names)} 1"]
    blt += [f"{n} " + " ".join(str(names.index(c) + 1) for c in r) + " 0"
            for r, n in rankings.items()]
    blt += ["0", *(f'"{c}"' for c in names), '"Labour 2010 PLP"']
    (tmp_path / "plp.blt").write_text("\n".join(blt) + "\n")
    soi = [f"# ALTERNATIVE NAME {k + 1}: {c}" for k, c in enumerate(names)]
    soi += [f"{n}: " + ",".join(str(names.index(c) + 1) for c in r) for r, n in rankings.items()]
    (tmp_path / "plp.soi").write_text("\n".join(soi) + "\n")
    for name in ("plp.blt", "plp.soi"):
        report = json.loads(run(tmp_path / name, "--output", "json").stdout)
        assert votes(report["results"][0]["tally"]) == ROUND1
        assert votes(report["results"][-1]["tally"]) == FINAL


# --- the bundled example ------------------------------------------------------------------

def test_example_college_counts_from_its_toml():
    result = run("--rules", EXAMPLE, "--output", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    for section, file in (("MPs and MEPs", "mps.csv"), ("Members", "members.csv"),
                          ("Affiliates", "affiliates.csv")):
        with (EXAMPLE.parent / file).open() as f:
            firsts = Counter(r["pref1"] for r in csv.DictReader(f))
        assert {r["candidate"]: int(r["votes"]) for r in rows if r["round"] == "1"
                and r["section"] == section and r["candidate"] != "exhausted"} == firsts
    college = [r for r in rows if r["section"] == "college"]
    final = [r for r in college if r["round"] == college[-1]["round"]]
    # the weighted shares of the last round add up to 100% (4-decimal rounding aside)
    assert abs(sum(Decimal(r["share"]) for r in final) - 100) <= Decimal("0.0002")
    assert [r["status"] for r in final].count("elected") == 1


def test_example_table_has_college_and_section_tables():
    result = run("--rules", EXAMPLE)
    assert result.exit_code == 0, result.output
    for title in ("Example party leadership election (synthetic data)",
                  "MPs and MEPs (weight 1/3)", "Members (weight 1/3)", "Affiliates (weight 1/3)"):
        assert title in result.stdout


# --- refusals: one line, exit status 2 ----------------------------------------------------

def bad(tmp_path, text: str | bytes, name="ballots.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


@pytest.mark.parametrize(
    "content, message",
    [
        ("A,B\nA,B\n", ":1: no rank columns in the header; expected a header with rank columns "
                       "pref1..prefN or rank1..rankN"),
        ("pref1,weight\nA,1\nB,two\n", ":3: weight 'two'; expected a whole number ≥ 1"),
        ("", ": empty file; expected a header with rank columns pref1..prefN or rank1..rankN"),
        (b"\x00\x01\xff\xfe\x00junk", ":1: not UTF-8 text; expected a CSV file with a header "
                                      "with rank columns pref1..prefN or rank1..rankN"),
        ("pref1,pref2\nA,B\nA,B,C\n", ":3: 3 fields; expected 2 fields, as in the header"),
    ],
)
def test_bad_csv_is_one_line_and_exit_2(tmp_path, content, message):
    p = bad(tmp_path, content)
    result = run(p)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {p}{message}\n"
    assert "Traceback" not in result.output


def test_unknown_candidate_against_declared_candidates(tmp_path):
    p = bad(tmp_path, "pref1,pref2\nA,B\nB,Zed\n")
    rules = bad(tmp_path, '[count]\ncandidates = ["A", "B"]\n', "election.toml")
    result = run(p, "--rules", rules)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {p}:3: unknown candidate 'Zed' in column pref2; "
                             "expected one of A, B\n")


def test_section_label_outside_the_rules(tmp_path):
    p = bad(tmp_path, "section,pref1\nMP,A\nLord,B\n")
    result = run(p, "--preset", "labour-2010")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {p}:3: section label 'Lord'; expected one of "
        "MPs and MEPs: 'MPs and MEPs', 'MP', 'MEP'; Members: 'Members', 'Member', 'CLP'; "
        "Affiliates: 'Affiliates', 'Affiliate', 'TU', 'Union', 'Socialist society'\n"
    )


def test_bad_toml_value(tmp_path):
    rules = bad(tmp_path, '[count]\nmethod = "borda"\n', "election.toml")
    result = run("--rules", rules)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {rules}: count.method: 'borda'; expected one of irv")


def test_rules_without_ballots(tmp_path):
    rules = bad(tmp_path, '[count]\nseats = 1\n', "election.toml")
    result = run("--rules", rules)
    assert result.exit_code == 2
    assert "no ballot files: give BALLOTS, or --rules with an election.toml" in result.stderr


def test_unknown_file_type(tmp_path):
    p = bad(tmp_path, "x", "ballots.xls")
    result = run(p)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {p}: unknown ballot file type '.xls'; expected one of "
                             ".csv, .blt, .soi, .toi, .soc\n")


def test_subprocess_shows_no_traceback(tmp_path):
    p = bad(tmp_path, "pref1,weight\nA,0\n")
    proc = subprocess.run([sys.executable, "-m", "hustings", "count", str(p)],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == f"Error: {p}:2: weight 0; expected a whole number ≥ 1\n"
    assert proc.stdout == ""


def test_help_ends_with_an_example():
    result = CliRunner().invoke(main, ["count", "--help"])
    assert result.exit_code == 0
    assert result.output.rstrip().splitlines()[-1].strip().startswith("hustings count ")


def test_blt_candidate_outside_the_rules(tmp_path):
    p = bad(tmp_path, '3 1\n2 1 2 0\n1 2 0\n0\n"A"\n"B"\n"C"\n"T"\n', "b.blt")
    rules = bad(tmp_path, '[count]\ncandidates = ["A", "C"]\n', "election.toml")
    result = run(p, "--rules", rules)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {p}:2: unknown candidate 'B'; expected one of A, C\n"


def test_blt_seats_and_withdrawn_reach_the_count(tmp_path):
    """The header's 2 seats and the withdrawn line (-3: C) are used: C's two ballots count
    for their next preference, A."""
    p = bad(tmp_path, '3 2\n-3\n4 1 0\n3 2 0\n2 3 1 0\n0\n"A"\n"B"\n"C"\n"T"\n', "b.blt")
    result = run(p, "--output", "csv")
    rows = list(csv.DictReader(result.stdout.splitlines()))
    first = {r["candidate"]: (r["votes"], r["status"]) for r in rows if r["round"] == "1"}
    assert first == {"A": ("6", "elected"), "B": ("3", "elected"), "exhausted": ("0", "inactive")}
    assert "excluded" in run(p).stdout  # the table says why C has no figures


def test_progress_path_counts_the_same(plp, monkeypatch):
    """The progress bar's callbacks run (forced on here; a terminal and a large file turn
    it on for real) and change nothing in the result."""
    import hustings.cli.count as command

    monkeypatch.setattr(command, "_wants_progress", lambda size: True)
    result = run(plp, "--output", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert {r["candidate"]: int(r["votes"]) for r in rows if r["round"] == "1"
            and r["candidate"] != "exhausted"} == ROUND1


def test_plp_college_json_has_the_section(plp):
    report = json.loads(run(plp, "--preset", "labour-2010", "--output", "json").stdout)
    first = report["results"][0]
    assert votes(first["sections"]["MPs and MEPs"]["tally"]) == ROUND1
    assert Decimal(first["tally"]["Diane Abbott"]).quantize(Decimal("0.001")) == Decimal("0.877")
    assert report["config"]["contest"] == (
        "Labour Party leadership election (electoral college, 2007/2010 rules)"
    )


def test_condorcet_head_to_head_matches_the_published_final_round(plp):
    """David v Ed Miliband head to head is the published final round: 140 to 122."""
    result = run(plp, "--method", "condorcet")
    assert result.exit_code == 0, result.output
    assert "To win" not in result.stdout  # no quota for a comparator
    header, rows = None, {}
    for line in result.stdout.split("Head to head", 1)[1].splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        if cells and cells[0] == "":
            header = cells
        elif cells and cells[0] in ROUND1:
            rows[cells[0]] = dict(zip(header, cells, strict=True))
    assert rows["David Miliband"]["Ed Miliband"] == "140"
    assert rows["Ed Miliband"]["David Miliband"] == "122"
    assert result.stdout.rstrip().endswith("Elected: David Miliband. 266 ballots; 1 round.")


def test_unknown_preset(plp):
    result = run(plp, "--preset", "labour-1981")
    assert result.exit_code == 2
    assert result.stderr == ("Error: hustings presets: no preset 'labour-1981'; expected one of "
                             "ers97, labour-2010, labour-2015, labour-2020, meek-prf, "
                             "nz-meek, scottish-stv, wigm-prf\n")
