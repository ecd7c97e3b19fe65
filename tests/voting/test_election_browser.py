"""In Debian's Chromium (Playwright): one code votes in the leader, deputy and London
contests of a 2015-style election on one page, with one review and one cast; a voter
outside London sees two contests; then each contest is closed, its box opened with its
trustee's share, counted and published, and ``hustings verify`` recounts each published
result. axe-core checks each page of the visit."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connections
from election_2015 import add_voters, make_election
from test_browser import no_violations

from hustings.cli import main
from hustings.web.voting import casting, closing
from hustings.web.voting.models import PublishedFile

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(monkeypatch):
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is required in CI (/usr/bin/chromium)")
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu"])
        yield browser.new_page()
        browser.close()
        connections.close_all()


def legends(page) -> list[str]:
    return [t.strip() for t in page.locator("fieldset legend").all_inner_texts()]


def enter_code(page, url: str, code: str) -> None:
    page.goto(url)
    page.fill("#code", code)
    page.keyboard.press("Enter")
    page.wait_for_selector("fieldset")


def test_one_code_votes_in_three_contests_and_each_result_verifies(page, live_server, officer,
                                                                   tmp_path):
    from conftest import SHARES

    election, leader, deputy, london = make_election()
    codes = add_voters(election, [("LON1", ["london"]), ("NOR1", [])])
    url = f"{live_server.url}/vote/{election.slug}/"

    enter_code(page, url, codes["LON1"])
    assert legends(page) == ["Leader", "Deputy Leader", "London Mayoral candidate"]
    no_violations(page)
    page.select_option(f"#c{leader.pk}-rank-2", "1")  # Corbyn
    page.select_option(f"#c{leader.pk}-rank-0", "2")  # Burnham
    page.select_option(f"#c{deputy.pk}-rank-4", "1")  # Watson
    page.select_option(f"#c{london.pk}-rank-2", "1")  # Khan
    page.click("text=Review my ballot")
    page.wait_for_selector(f"#c{leader.pk}-your-ranking")
    ranking = page.inner_text(f"#c{leader.pk}-your-ranking").split("\n")
    assert ranking == ["Jeremy Corbyn", "Andy Burnham"]
    assert page.inner_text(f"#c{deputy.pk}-your-ranking") == "Tom Watson"
    assert page.inner_text(f"#c{london.pk}-your-ranking") == "Sadiq Khan"
    no_violations(page)
    page.click("text=Cast my vote")
    page.wait_for_selector(f"#c{london.pk}-receipt-full")
    receipts = {c.pk: page.inner_text(f"#c{c.pk}-receipt-full") for c in (leader, deputy, london)}
    assert all(re.fullmatch(r"[0-9a-f]{64}", r) for r in receipts.values())
    no_violations(page)

    # outside London: two contests; Corbyn and Watson again, so each count has a clear winner
    enter_code(page, url, codes["NOR1"])
    assert legends(page) == ["Leader", "Deputy Leader"]
    assert page.locator(f"#c{london.pk}-rank-0").count() == 0
    page.select_option(f"#c{leader.pk}-rank-2", "1")
    page.select_option(f"#c{deputy.pk}-rank-4", "1")
    page.select_option(f"#c{deputy.pk}-rank-3", "2")
    page.click("text=Review my ballot")
    page.click("text=Cast my vote")
    page.wait_for_selector(f"#c{deputy.pk}-receipt-full")
    assert page.locator(f"#c{london.pk}-receipt-full").count() == 0

    elected = {leader.pk: "Jeremy Corbyn", deputy.pk: "Tom Watson", london.pk: "Sadiq Khan"}
    for contest, ballots in ((leader, 2), (deputy, 2), (london, 1)):
        closing.close_count_publish(contest, by=officer, shares=SHARES[contest.slug])
        out = tmp_path / contest.slug
        out.mkdir()
        for f in PublishedFile.objects.filter(contest=contest):
            (out / f.name).write_text(f.content, encoding="utf-8")
        assert receipts[contest.pk] in (out / "sealed-ballots.csv").read_text()
        r = CliRunner().invoke(main, ["verify", "ballots", "--rules", str(out / "election.toml"),
                                      "--result", str(out / "result.json"),
                                      *map(str, sorted(out.glob("ballots-*.csv")))])
        assert r.exit_code == 0 and "Reproduced:" in r.output, r.output
        r = CliRunner().invoke(main, ["verify", "all", str(out)])
        assert r.exit_code == 0, r.output
        assert (f"Verified: {ballots} sealed ballots = {ballots} receipts in the ledger; "
                f"opened {ballots}") in r.output
        page.goto(f"{live_server.url}/contests/{contest.slug}/results/")
        assert f"Elected: {elected[contest.pk]}" in page.inner_text("#winners")
    assert casting.remaining_by_contest([leader, deputy, london],
                                        casting.check_code(election, codes["LON1"]).voter) == {}
