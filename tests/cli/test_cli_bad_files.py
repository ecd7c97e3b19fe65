"""`hustings count` on every class of bad file the hardening audit (issue 10) found: one line
naming the file, the line (or place) and what was expected, exit status 2, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hustings.cli import main

REPO = Path(__file__).resolve().parents[2]


def run(*args) -> object:
    return CliRunner().invoke(main, ["count", *map(str, args)], catch_exceptions=False)


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return p


@pytest.mark.parametrize(("name", "data", "message"), [
    ("b.csv", "pref1,pref50000000\nA,B\n",
     ":1: rank column 'pref50000000'; expected at most 1000 ranks (rank columns pref1..pref1000)"),
    ("b.csv", "pref1,pref" + "9" * 20 + "\nA,B\n",
     ":1: rank column 'pref99999999999999999999'; expected at most 1000 ranks "
     "(rank columns pref1..pref1000)"),
    ("b.csv", "pref1,weight\nA,99999999999999999999\n",
     ":2: weight '99999999999999999999'; expected a whole number from 1 to 999999999999999"),
    ("b.soi", "# ALTERNATIVE NAME 1: A\n9223372036854775808: 1\n",
     ":2: count 9223372036854775808; expected a whole number from 0 to 999999999999999"),
    ("b.toi", "# ALTERNATIVE NAME 1: A\n1: 1,{1,x}\n",
     ":2: ranking '1,{1,x}'; expected 'COUNT: a,b,{c,d}' with alternative numbers"),
])
def test_bad_ballot_file(tmp_path, name, data, message):
    p = write(tmp_path, name, data)
    result = run(p)
    assert (result.exit_code, result.stderr) == (2, f"Error: {p}{message}\n")
    assert "Traceback" not in result.output


def test_toml_nested_100000_deep(tmp_path):
    rules = write(tmp_path, "election.toml", "[count]\nz = " + "[" * 100_000 + "\n")
    result = run("--rules", rules)
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {rules}: arrays or tables nested too deeply; expected valid TOML nested a "
           "few levels\n")


def _rctab(tmp_path: Path, source: dict, **rules) -> Path:
    config = {
        "outputSettings": {"contestName": "T"}, "cvrFileSources": [source],
        "candidates": [{"name": "Ann", "aliases": ["1"]}, {"name": "Bob", "aliases": ["2"]}],
        "rules": {"tiebreakMode": "useCandidateOrder", "overvoteRule": "alwaysSkipToNextRank",
                  "winnerElectionMode": "singleWinnerMajority", "numberOfWinners": "1",
                  "decimalPlacesForVoteArithmetic": "4", "maxSkippedRanksAllowed": "unlimited",
                  "maxRankingsAllowed": "max", **rules},
    }
    return write(tmp_path, "config.json", json.dumps(config))


def test_rctab_config_not_utf8(tmp_path):
    p = write(tmp_path, "config.json", b'{"rules": "\xff"}')
    result = run("--rctab-config", p)
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {p}: invalid RCTab config: not UTF-8 text at byte offset 11; expected a "
           "UTF-8 JSON file\n")


def test_rctab_config_wrong_shapes(tmp_path):
    p = _rctab(tmp_path, {"provider": {"x": 1}, "filePath": "cvr.csv"}, maxRankingsAllowed=[3])
    result = run("--rctab-config", p)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: {p}: invalid RCTab config: cvrFileSources[0].provider is {{'x': 1}}; "
        "expected one of cdf, clearBallot, dominion, ess, genericCsv, hart; ")
    assert "rules.maxRankingsAllowed is [3]; expected a whole number" in result.stderr
    assert result.stderr.count("\n") == 1


def test_hart_unknown_encoding(tmp_path):
    (tmp_path / "hart").mkdir()
    xml = write(tmp_path, "hart/b.xml", b'<?xml version="1.0" encoding="utf-0"?><Cvr/>')
    p = _rctab(tmp_path, {"provider": "hart", "filePath": "hart", "contestId": "K"})
    result = run("--rctab-config", p)
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {xml}:1: XML declaration: unknown encoding: utf-0; expected a Hart Cvr XML "
           "document\n")


def test_dominion_wrong_shape(tmp_path):
    (tmp_path / "export").mkdir()
    cvr = write(tmp_path, "export/CvrExport.json", json.dumps({"Sessions": [7]}))
    p = _rctab(tmp_path, {"provider": "dominion", "filePath": "export", "contestId": "5"})
    result = run("--rctab-config", p)
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {cvr}:Sessions[0]: 7; expected an object\n")


def test_subprocess_bad_header_prints_one_line(tmp_path):
    p = write(tmp_path, "b.csv", "pref1,pref" + "9" * 20 + "\nA,B\n")
    proc = subprocess.run([sys.executable, "-m", "hustings", "count", str(p)],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == (f"Error: {p}:1: rank column 'pref99999999999999999999'; expected at "
                           "most 1000 ranks (rank columns pref1..pref1000)\n")
    assert proc.stdout == ""
