"""A real contest through the web app: the 266 published PLP ballots of Labour 2010 cast
online, closed, counted, published; the published rounds are the real ones; and
``hustings verify`` reproduces the result from the downloads and re-checks the ledger."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from conftest import CANDIDATES_2010, SHARES, add_voters, make_contest
from hustings.cli import main
from hustings.web.voting import casting, closing
from hustings.web.voting.models import PublishedFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def plp_published(shared, officer, tmp_path):
    rows = list(csv.DictReader((shared / "data/labour/labour-2010-plp-ballots.csv").open()))
    contest = make_contest("plp-2010", "labour-2015", CANDIDATES_2010)  # one section
    codes = add_voters(contest, [(f"P{r['ballot_id']}", ["All voters"]) for r in rows])
    for r in rows:
        voter = casting.check_code(contest, codes[f"P{r['ballot_id']}"]).voter
        ranking = [r[f"pref{i}"] for i in range(1, 6) if r[f"pref{i}"]]
        casting.cast(contest, voter, "All voters", ranking)
    closing.close_count_publish(contest, by=officer, shares=SHARES[contest.slug])
    for f in PublishedFile.objects.filter(contest=contest):
        (tmp_path / f.name).write_text(f.content, encoding="utf-8")
    return contest, tmp_path


def test_published_rounds_are_the_real_2010_plp_figures(plp_published, client):
    contest, folder = plp_published
    doc = json.loads((folder / "result.json").read_text())
    rounds = [{c: v for c, v in r["tally"].items()} for r in doc["results"]]
    # Labour Party, 25 Sept 2010: MPs and MEPs section, votes by round
    assert rounds[0] == {"Diane Abbott": "7", "Ed Balls": "40", "Andy Burnham": "24",
                         "David Miliband": "111", "Ed Miliband": "84"}
    assert rounds[-1] == {"David Miliband": "140", "Ed Miliband": "122"}
    assert len(rounds) == 4
    html = client.get(f"/contests/{contest.slug}/results/").content.decode()
    assert "Elected: David Miliband" in html
    for n in (1, 2, 3, 4):
        assert f"Round {n}</th>" in html
    assert "eliminated Diane Abbott" in html


def test_verify_ballots_reproduces_the_published_result(plp_published, tmp_path):
    _, folder = plp_published
    r = CliRunner().invoke(main, [
        "verify", "ballots", "--rules", str(folder / "election.toml"),
        "--result", str(folder / "result.json"), str(folder / "ballots-all-voters.csv")])
    assert r.exit_code == 0, r.output
    assert "Reproduced: 266 ballots, 4 rounds, elected David Miliband" in r.output
    # the BLT download too
    r = CliRunner().invoke(main, [
        "verify", "ballots", "--rules", str(folder / "election.toml"),
        "--result", str(folder / "result.json"), f"All voters={folder / 'ballots-all-voters.blt'}"])
    assert r.exit_code == 0, r.output
    # one ballot dropped: not reproduced
    lines = (folder / "ballots-all-voters.csv").read_text().splitlines()
    # drop one David Miliband first preference: round 1 must then differ
    i = next(k for k, line in enumerate(lines) if line.startswith("All voters,David Miliband"))
    (folder / "short.csv").write_text("\n".join(lines[:i] + lines[i + 1:]) + "\n")
    r = CliRunner().invoke(main, [
        "verify", "ballots", "--rules", str(folder / "election.toml"),
        "--result", str(folder / "result.json"), str(folder / "short.csv")])
    assert r.exit_code == 1
    assert "NOT REPRODUCED" in r.output
    assert "published '111', recount '110'" in r.output
    # bad input: one line, exit 2
    (tmp_path / "bad.json").write_text("{not json")
    r = CliRunner().invoke(main, [
        "verify", "ballots", "--rules", str(folder / "election.toml"),
        "--result", str(tmp_path / "bad.json"), str(folder / "ballots-all-voters.csv")])
    assert r.exit_code == 2
    assert "bad.json: not JSON" in r.output
    assert "Traceback" not in r.output


def test_verify_ledger_and_a_tampered_copy(plp_published):
    _, folder = plp_published
    r = CliRunner().invoke(main, ["verify", "ledger", str(folder / "ledger.json")])
    assert r.exit_code == 0, r.output
    # the key, 266 casts, close, opening, count, publication
    assert "Verified:" in r.output and "271 entries" in r.output
    doc = json.loads((folder / "ledger.json").read_text())
    k = next(i for i, e in enumerate(doc["entries"]) if e["kind"] == "cast" and e["seq"] == 2)
    doc["entries"][k]["payload"]["receipt"] = "FORG-EDRE-CEPT"
    (folder / "tampered.json").write_text(json.dumps(doc))
    r = CliRunner().invoke(main, ["verify", "ledger", str(folder / "tampered.json")])
    assert r.exit_code == 1
    assert "NOT VERIFIED" in r.output and "entry 2 (cast): stored hash" in r.output


def _verify(folder, *files):
    return CliRunner().invoke(main, [
        "verify", "ballots", "--rules", str(folder / "election.toml"),
        "--result", str(folder / "result.json"), *map(str, files)])


def test_verify_refuses_a_ballot_set_given_twice(plp_published):
    _, folder = plp_published
    csv_file, blt_file = folder / "ballots-all-voters.csv", folder / "ballots-all-voters.blt"
    r = _verify(folder, csv_file, csv_file)
    assert r.exit_code == 2
    assert (f"{csv_file}: the same ballots as {csv_file} (the same file given twice); each "
            "ballot set must be given once") in r.output
    copy = folder / "copy.csv"
    copy.write_bytes(csv_file.read_bytes())
    r = _verify(folder, csv_file, copy)
    assert r.exit_code == 2 and "the same file given twice" in r.output
    r = _verify(folder, csv_file, blt_file)  # what ballots-* globs
    assert r.exit_code == 2
    assert (f"{blt_file}: the .blt copy of the ballots in {csv_file}; give the CSV or the "
            "BLT of a section, not both") in r.output


def test_sections_are_read_from_inside_the_files_whatever_the_slug(officer, tmp_path):
    """A college whose slug contains 'ballots-': files saved under the slug-prefixed names
    (an older download's) still recount, each section read from the CSV's column or the
    BLT's title."""
    contest = make_contest("ballots-2010-ballots-x", "labour-2010", CANDIDATES_2010)
    sections = ["MPs and MEPs", "Members", "Affiliates"]
    codes = add_voters(contest, [(f"V{i}", [sections[i % 3]]) for i in range(9)])
    for i in range(9):
        voter = casting.check_code(contest, codes[f"V{i}"]).voter
        casting.cast(contest, voter, sections[i % 3],
                     [CANDIDATES_2010[i % 2], CANDIDATES_2010[2 + i % 3]])
    closing.close_count_publish(contest, by=officer, shares=SHARES[contest.slug])
    for f in PublishedFile.objects.filter(contest=contest):
        (tmp_path / f"{contest.slug}-{f.name}").write_text(f.content, encoding="utf-8")
    folder = tmp_path
    (folder / "election.toml").write_text((folder / f"{contest.slug}-election.toml").read_text())
    (folder / "result.json").write_text((folder / f"{contest.slug}-result.json").read_text())
    for ext in ("csv", "blt"):
        r = _verify(folder, *sorted(folder.glob(f"{contest.slug}-ballots-*.{ext}")))
        assert r.exit_code == 0, r.output
        assert "Reproduced: 9 ballots" in r.output
    # a BLT whose title names no section: said, not guessed
    blt = next(folder.glob(f"{contest.slug}-ballots-members.blt"))
    text = blt.read_text().replace("– Members", "– Someone else")
    (folder / "odd.blt").write_text(text)
    r = _verify(folder, folder / "odd.blt")
    assert r.exit_code == 2 and "names none of the sections" in r.output
