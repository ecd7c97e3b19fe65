"""Issue 12's "Done when", in a real browser (Debian's chromium through Playwright).

From an empty database, through the site alone, a returning officer made as
``hustings createofficer`` makes one (not staff, not a superuser) runs a new contest to a
published result: set-up, bodies imported from CSV, nominations, the ballot fixed, trustees,
the roll, codes, the ballot open, votes, the close, the box opened with the trustees'
shares, the count and the publication. The returning officer of another contest is refused
at every step. Every voting officer page on the way fits 390 px and 1280 px and passes axe.
"""

from __future__ import annotations

import csv
import time

import pytest

from hustings.web.contests.models import Contest, Role, Stage

from .test_browser import no_axe_violations
from .test_officer_browser import BODIES_CSV, nav, no_overflow, sign_in
from .web_factories import make_contest, make_person

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROLL_CSV = "reference,name,email,postal_address,sections\n" + "".join(
    f"V{i:03d},Voter {i},,{i} High Street,All voters\n" for i in range(1, 6))
VOTES = {"V001": "Ann Smith", "V002": "Ann Smith", "V003": "Bob Jones"}


def fits_and_passes_axe(pg) -> None:
    for width in (390, 1280):
        pg.set_viewport_size({"width": width, "height": 900})
        no_overflow(pg)
        no_axe_violations(pg)


def refused_everywhere(pg, base, slug) -> None:
    """The other contest's officer: every voting page and every action is refused."""
    for path in ("voting/", "voting/open-box/"):
        assert pg.goto(f"{base}/contests/{slug}/{path}").status == 403, path
    pg.goto(f"{base}/")
    token = next(c["value"] for c in pg.context.cookies() if c["name"] == "csrftoken")
    for action in ("trustees", "roll", "freeze", "issue", "letters", "reissue", "open", "close",
                   "paper", "publish"):
        status = pg.evaluate(
            """async ([url, token, action]) => {
                 const r = await fetch(url, {method: "POST", headers: {"X-CSRFToken": token},
                   body: new URLSearchParams({action: action, reference: "V001",
                                              holders: "Intruder", threshold: "1"})});
                 return r.status; }""",
            [f"{base}/contests/{slug}/voting/", token, action])
        assert status == 403, action
    status = pg.evaluate(
        """async ([url, token]) => (await fetch(url, {method: "POST",
             headers: {"X-CSRFToken": token},
             body: new URLSearchParams({"share-1": "x"})})).status""",
        [f"{base}/contests/{slug}/voting/open-box/", token])
    assert status == 403


def confirm(pg, summary: str, button: str) -> str:
    """Open a <details> confirmation, read its consequence, press its button."""
    pg.get_by_text(summary, exact=True).click()
    text = pg.locator("details.confirm[open] p").first.inner_text()
    pg.get_by_role("button", name=button).click()
    return text


def test_a_new_officer_runs_a_contest_to_a_published_result_on_the_site(page, live_server, transactional_db, tmp_path, settings):  # noqa: E501
    # the long steps are worker jobs (voting/jobs.py); here they run at once, as the demo's do
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "mail"]}}
    base = live_server.url
    make_person("newofficer", can_create=True)
    elsewhere = make_contest(slug="elsewhere", stage=Stage.NOMINATIONS_OPEN)
    make_person("intruder", contest=elsewhere, role=Role.RETURNING_OFFICER, can_create=True)
    intruder = page.context.browser.new_page()
    sign_in(intruder, base, "intruder")
    started, clicks = time.monotonic(), 0

    # -- set-up, bodies, nominations (the set-up pages) ------------------------------
    sign_in(page, base, "newofficer")
    page.get_by_role("link", name="Set up a new contest").click()
    page.get_by_label("Title").fill("Leader 2026")
    page.get_by_label("Rule book").select_option("labour-2015")
    page.get_by_role("button", name="Create the contest").click()
    clicks += 2
    slug = Contest.objects.get(title="Leader 2026").slug
    for name in ("Ann Smith", "Bob Jones"):
        page.get_by_label("Add a candidate").fill(name)
        page.get_by_role("button", name="Add", exact=True).click()
        clicks += 1
    page.get_by_role("link", name="Import nominating bodies from CSV").click()
    (tmp_path / "bodies.csv").write_text(BODIES_CSV)
    page.get_by_label("CSV file").set_input_files(str(tmp_path / "bodies.csv"))
    page.get_by_role("button", name="Import").click()
    clicks += 2
    refused_everywhere(intruder, base, slug)

    # Trustees first: on "Run the ballot", before the ballot opens.
    nav(page, "Run the ballot").click()
    clicks += 1
    next_step = page.get_by_test_id("next-step").inner_text()
    assert "Next: Name the trustees of the ballot box" in next_step
    fits_and_passes_axe(page)
    page.get_by_label("Trustees, one per line").fill("Tess Trustee\nTom Trustee")
    page.get_by_label("Shares needed to open the box").fill("2")
    page.get_by_role("button", name="Name the trustees and make their shares").click()
    clicks += 1
    shares = [page.locator(f"#share-text-{i}").inner_text() for i in (1, 2)]
    assert all(s.strip() for s in shares)
    fits_and_passes_axe(page)

    nav(page, "Manage").click()
    page.get_by_role("button", name="Open nominations").click()
    clicks += 2
    for name in ("Ann Smith", "Bob Jones"):
        page.goto(f"{base}/contests/{slug}/candidates/{name.lower().replace(' ', '-')}/respond/")
        page.get_by_label(f"{name} accepts nomination").check()
        page.get_by_role("button", name="Record the answer").click()
        clicks += 2
    nav(page, "Record a nomination").click()
    clicks += 1
    for i, name in ((1, "Ann Smith"), (2, "Ann Smith"), (3, "Bob Jones"), (4, "Bob Jones")):
        page.get_by_label("Body or candidate name contains").fill(f"Member {i:02d}")
        page.get_by_role("button", name="Search").click()
        page.get_by_label("Candidate", exact=True).select_option(label=name)
        page.get_by_role("button", name="Record nomination").click()
        clicks += 3
    nav(page, "Manage").click()
    page.get_by_text("Close nominations and fix the ballot…").click()
    page.get_by_role("button", name="Confirm: close nominations and fix the ballot").click()
    clicks += 3
    refused_everywhere(intruder, base, slug)

    # -- Run the ballot: roll, freeze, codes, open ------------------------------------
    nav(page, "Run the ballot").click()
    (tmp_path / "roll.csv").write_text(ROLL_CSV)
    page.get_by_label("Roll CSV").set_input_files(str(tmp_path / "roll.csv"))
    page.get_by_role("button", name="Import the roll").click()
    clicks += 2
    assert "Imported 5 voters." in page.locator(".messages").inner_text()
    said = confirm(page, "Freeze the roll…", "Confirm: freeze the roll")
    clicks += 2
    assert said.startswith("Freeze the roll: 5 voters.")
    page.get_by_text("Issue codes to 5 voters…", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Confirm: issue codes").click()
    clicks += 2
    with open(download.value.path(), encoding="utf-8", newline="") as f:
        letters = list(csv.DictReader(f))
    codes = {row["reference"]: row["security_code"] for row in letters}
    assert sorted(codes) == ["V001", "V002", "V003", "V004", "V005"]
    page.reload()
    all_issued = page.get_by_test_id("codes-all-issued").inner_text()
    assert "Every voter on the roll has a code (5 issued)" in all_issued
    said = confirm(page, "Open the ballot…", "Confirm: open the ballot")
    clicks += 2
    assert said == "Open the ballot: 5 voters on the frozen roll can vote from now."
    assert page.get_by_test_id("stage").inner_text() == "Ballot open"
    to_open_ballot = (time.monotonic() - started, clicks)
    fits_and_passes_axe(page)
    refused_everywhere(intruder, base, slug)

    # -- voters vote (their own pages, signed out) -------------------------------------
    voter = page.context.browser.new_page()
    for ref, whom in VOTES.items():
        voter.goto(f"{base}/vote/{slug}/")
        voter.fill("#code", codes[ref])
        voter.keyboard.press("Enter")
        voter.wait_for_selector("select#rank-0")
        names = [n.split(" – ")[0].strip() for n in voter.locator("label.name").all_text_contents()]
        voter.select_option(f"#rank-{names.index(whom)}", "1")
        voter.get_by_role("button", name="Review my ballot").click()
        voter.get_by_role("button", name="Cast my vote").click()
        voter.wait_for_selector("#receipt")
    voter.close()

    # -- close, open the box, count, publish ------------------------------------------
    page.reload()
    turnout = page.get_by_test_id("turnout").inner_text()
    assert "All voters\t5\t3\t60.0%" in turnout
    page.get_by_label("Voted", exact=True).select_option("no")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_test_id("roll-count").inner_text() == "2 voters match."
    said = confirm(page, "Close the ballot…", "Confirm: close the ballot")
    clicks += 4
    assert said.startswith("Close the ballot: 3 of 5 voted; no more ballots will be accepted")
    refused_everywhere(intruder, base, slug)
    assert page.url.endswith(f"/contests/{slug}/voting/open-box/")  # where the close leads
    assert "The trustees now open the ballot box" in page.locator(".messages").inner_text()
    fits_and_passes_axe(page)
    page.locator("#share-1").fill(shares[0])
    page.locator("#share-2").fill(shares[1])
    page.get_by_role("button", name="Open the ballot box and count").click()
    clicks += 2
    assert "The ballot box is open: 3 ballots opened" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("stage").inner_text() == "Counted"
    fits_and_passes_axe(page)
    # the count, previewed before publication: the officer sees it marked not published,
    # the other contest's officer gets nothing
    preview = page.goto(f"{base}/contests/{slug}/results/").status
    assert preview == 200
    assert "not published" in page.locator("#preview").inner_text()
    assert intruder.goto(f"{base}/contests/{slug}/results/").status == 404
    page.goto(f"{base}/contests/{slug}/voting/")
    refused_everywhere(intruder, base, slug)
    said = confirm(page, "Publish the result…", "Confirm: publish the result")
    clicks += 2
    assert said.startswith("Publish the result:")
    assert "Elected: Ann Smith" in page.locator("#winners").inner_text()
    page.goto(f"{base}/contests/{slug}/voting/")
    assert "The result is published" in page.content()
    fits_and_passes_axe(page)
    refused_everywhere(intruder, base, slug)

    contest = Contest.objects.get(slug=slug)
    assert contest.stage == Stage.PUBLISHED
    assert not contest.appointments.filter(user__username="intruder").exists()
    total = (time.monotonic() - started, clicks)
    print(f"\nofficer walkthrough: open ballot after {to_open_ballot[1]} clicks "
          f"({to_open_ballot[0]:.1f} s); published after {total[1]} clicks ({total[0]:.1f} s); "
          f"results before publication: HTTP {preview}")
    assert clicks < 60, clicks
