"""The demo in a real browser (Debian's chromium through Playwright): the nominations
table shows the published numbers, and a returning officer opens and closes nominations."""

from __future__ import annotations

import pytest

from hustings.web import demo

from .test_demo import published_table
from .web_factories import make_contest, nominate_directly

pytestmark = pytest.mark.browser
def no_axe_violations(page) -> None:
    """axe-core's WCAG 2 A/AA rules (contrast, labels, landmarks...) find nothing."""
    from axe_playwright_python.sync_playwright import Axe

    options = {
        "runOnly": {
            "type": "tag",
            "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
        }
    }
    results = Axe().run(page, options=options)
    found = [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert found == [], f"axe violations on {page.url}: {found}"


def test_the_demo_table_shows_the_published_numbers(page, live_server, transactional_db, shared):
    contest = demo.load_demo()
    printed = published_table(shared)
    page.goto(f"{live_server.url}/contests/{contest.slug}/nominations/")
    headers = page.locator("#nominations thead th").all_inner_texts()
    assert headers == ["Candidate", "MPs", "CLPs", "MEPs", "TUs", "SSs"]
    for name in demo.SUPPORT:
        cells = page.locator(f'#nominations tr[data-row="{name}"] td').all_inner_texts()
        assert [int(c) for c in cells] == [printed[name][h] for h in headers[1:]], name
    yet = [
        int(c)
        for c in page.locator('#nominations tr[data-row="Yet to declare"] td').all_inner_texts()
    ]
    assert yet == [14, 572, 3, 12, 15]  # the paper printed 0 MPs; 257 - 243 = 14 (see test_demo)
    assert page.get_by_text("placeholder names").first.is_visible()
    assert page.locator('[data-testid="stage"]').inner_text() == "Nominations open"
    no_axe_violations(page)
    for path in ("", "endorsements/", "candidates/david-miliband/"):
        page.goto(f"{live_server.url}/contests/{contest.slug}/{path}")
        no_axe_violations(page)


def test_a_returning_officer_opens_and_closes_nominations(page, live_server, transactional_db):
    demo.load_demo()  # the staff user
    contest = make_contest(slug="deputy-test", candidates=("Candidate A", "Candidate B"))
    page.goto(f"{live_server.url}/accounts/login/?next=/contests/{contest.slug}/manage/")
    page.get_by_label("Username").fill(demo.STAFF_USERNAME)
    page.get_by_label("Password").fill(demo.STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator('[data-testid="stage"]').inner_text() == "Draft"

    page.get_by_role("button", name="Open nominations").click()
    assert page.locator('[data-testid="stage"]').inner_text() == "Nominations open"
    assert (
        "Done: the contest is now at “Nominations open”." in page.locator(".messages").inner_text()
    )
    no_axe_violations(page)

    nominate_directly(contest, "Candidate A", "MP", 33)
    nominate_directly(contest, "Candidate B", "MP", 32, start=33)
    page.get_by_text("Close nominations and fix the ballot…").click()  # asks twice
    assert "2 of 2 candidates have accepted" in page.get_by_test_id("consequence").inner_text()
    page.get_by_role("button", name="Confirm: close nominations and fix the ballot").click()
    assert page.locator('[data-testid="stage"]').inner_text() == "Nominations closed"

    page.get_by_role("link", name="Overview").click()
    rows = page.locator("main table tbody tr").all_inner_texts()
    assert any("Candidate A" in r and "Yes — 33 of 257 MPs = 12.84% ≥ 12.5%" in r for r in rows), (
        rows
    )
    assert any("Candidate B" in r and "No — 32 of 257 MPs = 12.45% < 12.5%" in r for r in rows), (
        rows
    )
    page.get_by_role("link", name="Audit log").click()
    log = page.locator("main table").inner_text()
    assert "open nominations" in log and "close nominations" in log and demo.STAFF_USERNAME in log
