"""The results page of the demo contest: charts per round and section, the Sankeys, the
round tables with percentages, exhausted and threshold rows, what a ballot was worth, the
what-if and the margin (computed once, at the count); the preview before publication; the
embed; chart downloads; and the recount commands printed on the page, run as pasted on the
files the page offers."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from published_demo import publish_demo

from hustings.web.voting import ledger
from hustings.web.voting.models import PublishedFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(client, tmp_path, settings):
    contest, staff = publish_demo(client, tmp_path, settings)
    return contest


def test_page_shows_charts_tables_worth_what_if_and_margin(client, demo):
    page = client.get(f"/contests/{demo.slug}/results/").content.decode()
    doc = ledger.setup_for(demo).result_plain
    n_rounds = len(doc["rounds"])
    # a bar chart per round for the weighted college and each of the three sections
    assert page.count('id="chart-round-') == n_rounds * 4
    assert page.count('id="chart-transfers-') == (4 if n_rounds > 1 else 0)
    assert page.count("<svg") >= n_rounds * 4
    assert "College (weighted), percent of the college by round" in page
    assert re.search(r"<td>\d+\.\d\d%</td>", page)  # weighted shares with % signs
    assert "Exhausted (no further preference)" in page and "Threshold (to win)" in page
    assert "over 50.00%" in page
    assert "What one ballot was worth" in page and "×" in page
    assert "What if: the same ballots under other rules" in page
    assert "One member one vote" in page or "one member one vote" in page.lower()
    assert 'id="margin"' in page and ("Exact" in page or "upper bound" in page)
    assert "Preview" not in page


def test_analysis_is_stored_with_the_count_not_made_per_view(client, demo, monkeypatch):
    from hustings.web.voting import analysisdoc

    def boom(*a, **k):
        raise AssertionError("analysis recomputed on a page view")

    monkeypatch.setattr(analysisdoc, "build", boom)
    monkeypatch.setattr(analysisdoc, "charts", boom)
    assert client.get(f"/contests/{demo.slug}/results/").status_code == 200
    stored = ledger.setup_for(demo).result_plain["analysis"]
    assert stored["report"]["margins"] and stored["charts"]


def test_page_svgs_match_the_stored_result(client, demo, tmp_path):
    """The SVGs on the page are those the charts package draws from a recount of the
    published ballots (the same Result), byte for byte."""
    from hustings.charts.data import from_result
    from hustings.charts.render import charts
    from hustings.config import load_election
    from hustings.counting import count
    from hustings.formats.readers import SectionPlan, Source, read_ballots

    for f in PublishedFile.objects.filter(contest=demo):
        (tmp_path / f.name).write_text(f.content, encoding="utf-8")
    election = load_election(tmp_path / "election.toml")
    names = tuple(s.name for s in election.sections)
    plan = SectionPlan(names, {n: n for n in names})
    ballots, _ = read_ballots([Source(p) for p in sorted(tmp_path.glob("ballots-*.csv"))],
                              candidates=election.candidates, plan=plan)
    drawn = charts(from_result(count(election.rules(ballots.candidates), ballots), demo.title))
    page = client.get(f"/contests/{demo.slug}/results/").content.decode()
    assert drawn and all(svg in page for svg, _ in drawn.values())


def test_preview_for_officer_and_scrutineers_404_for_others(client, tmp_path, settings,
                                                           django_user_model):
    contest, staff = publish_demo(client, tmp_path, settings, publish=False)
    assert contest.stage == "counted"
    r = client.get(f"/contests/{contest.slug}/results/")
    assert r.status_code == 200 and "not published" in r.content.decode()
    # before publication there is no ledger.json: only the recount command is printed
    assert "hustings verify all" not in r.content.decode()
    assert "hustings verify ballots --rules election.toml" in r.content.decode()
    anonymous = Client()
    assert anonymous.get(f"/contests/{contest.slug}/results/").status_code == 404
    assert anonymous.get(f"/contests/{contest.slug}/results/result.json").status_code == 404
    assert anonymous.get(f"/contests/{contest.slug}/results/kit/").status_code == 404
    member = django_user_model.objects.create_user("someone", password="x")
    other = Client()
    other.force_login(member)
    assert other.get(f"/contests/{contest.slug}/results/").status_code == 404


def test_embed_has_no_site_frame_and_may_be_framed(client, demo):
    r = client.get(f"/contests/{demo.slug}/results/?embed=1")
    body = r.content.decode()
    assert r.status_code == 200 and 'class="embed"' in body and "Skip to the result" not in body
    assert "X-Frame-Options" not in r.headers
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    full = client.get(f"/contests/{demo.slug}/results/")
    assert full.headers["X-Frame-Options"] == "DENY"


def test_chart_downloads_svg_and_png(client, demo):
    name = ledger.setup_for(demo).result_plain["analysis"]["charts"][0]["name"]
    svg = client.get(f"/contests/{demo.slug}/results/charts/{name}.svg")
    assert svg["Content-Type"].startswith("image/svg+xml") and b"<svg" in svg.content
    png = client.get(f"/contests/{demo.slug}/results/charts/{name}.png")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert client.get(f"/contests/{demo.slug}/results/charts/nothing.svg").status_code == 404


def _saved_name(response) -> str:
    return re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)


def test_printed_recount_commands_run_as_pasted_on_the_downloads(client, demo, tmp_path):
    page = client.get(f"/contests/{demo.slug}/results/").content.decode()
    commands = [html.unescape(c) for c in
                re.findall(r'<code class="recount-command">([^<]+)</code>', page)]
    assert len(commands) == 2
    # save every offered download under the name the server gives it, as a browser does
    folder = tmp_path / "downloads"
    folder.mkdir()
    for href in re.findall(r'href="(/contests/[^"]+/results/(?:kit/|[^"/]+))" download', page):
        r = client.get(href)
        assert r.status_code == 200, href
        (folder / _saved_name(r)).write_bytes(r.content)
    kit = folder / f"{demo.slug}-recount-kit.zip"
    with zipfile.ZipFile(kit) as z:
        assert "README.txt" in z.namelist() and "result.json" in z.namelist()
        assert commands[0] in z.read("README.txt").decode()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    for command in commands:
        done = subprocess.run(command, shell=True, cwd=folder, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        assert "Reproduced:" in done.stdout


def test_kit_zip_with_a_folder_inside_is_refused(tmp_path):
    from click.testing import CliRunner

    from hustings.cli import main

    bad = tmp_path / "kit.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../evil.txt", "x")
    r = CliRunner().invoke(main, ["verify", "all", str(bad)])
    assert r.exit_code == 2 and "expected the flat files of a recount kit" in r.output
    (tmp_path / "notzip.zip").write_bytes(b"hello")
    r = CliRunner().invoke(main, ["verify", "all", str(tmp_path / "notzip.zip")])
    assert r.exit_code == 2 and "not a zip" in r.output


def test_charts_that_cannot_be_drawn_do_not_fail_the_count(client, tmp_path, settings,
                                                          monkeypatch):
    from hustings.charts import ChartError
    from hustings.web.voting import analysisdoc

    def broken(*a, **k):
        raise ChartError("no view 'x' in round 1")

    monkeypatch.setattr(analysisdoc, "charts", broken)
    contest, _ = publish_demo(client, tmp_path, settings)
    assert contest.stage == "published"
    page = client.get(f"/contests/{contest.slug}/results/").content.decode()
    assert "The charts could not be drawn: no view &#x27;x&#x27; in round 1" in page
    assert "The charts were not drawn for this count." in page and "Elected:" in page
