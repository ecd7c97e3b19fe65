"""The officer's pages in a real browser (Debian's chromium through Playwright):

1. a new officer (made as ``hustings createofficer`` makes one: no staff, no superuser)
   sets up a contest through the site alone and takes it to an open ballot, while the
   returning officer of another contest is refused at every step;
2. every page this part of the site owns, at 390 px and 1280 px wide: no sideways
   scrolling, and axe-core finds nothing (WCAG 2.1 A/AA and best practice).
"""

from __future__ import annotations

import pytest

from hustings.web.contests.models import Contest, Role, Stage

from .test_browser import no_axe_violations
from .web_factories import make_contest, make_person, nominate_directly

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BODIES_CSV = "kind,name,membership\n" + "".join(f"MP,Member {i:02d},\n" for i in range(1, 11)) + (
    "CLP,Anytown CLP,\nunion,Unite,1000000\nsocialist society,Fabian Society,7000\n"
)


def sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-password-2010")
    page.get_by_role("button", name="Sign in").click()


def nav(page, name):
    return page.get_by_role("navigation", name="Contest").get_by_role("link", name=name, exact=True)


def no_overflow(page) -> None:
    width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], (
        f"{page.url} scrolls sideways at {page.viewport_size['width']} px: {width}")


def refused(pg, base, path) -> None:
    response = pg.goto(f"{base}{path}")
    assert response.status in (403, 404), (path, response.status)


def test_a_new_officer_sets_up_a_contest_to_an_open_ballot_on_the_site(page, live_server,
                                                                       transactional_db, tmp_path):
    base = live_server.url
    make_person("newofficer", can_create=True)
    elsewhere = make_contest(slug="elsewhere", stage=Stage.NOMINATIONS_OPEN)
    make_person("intruder", contest=elsewhere, role=Role.RETURNING_OFFICER, can_create=True)
    clicks = 0

    sign_in(page, base, "newofficer")
    page.get_by_role("link", name="Set up a new contest").click()
    page.get_by_label("Title").fill("Leader 2026")
    page.get_by_label("Rule book").select_option("labour-2015")
    page.get_by_role("button", name="Create the contest").click()
    clicks += 2
    assert "you are its returning officer" in page.locator(".messages").inner_text()
    slug = Contest.objects.get(title="Leader 2026").slug

    for name in ("Ann Smith", "Bob Jones"):
        page.get_by_label("Add a candidate").fill(name)
        page.get_by_role("button", name="Add", exact=True).click()
        clicks += 1
    page.get_by_role("link", name="Import nominating bodies from CSV").click()
    csv = tmp_path / "bodies.csv"
    csv.write_text(BODIES_CSV)
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Import").click()
    clicks += 2
    assert "Imported 13 nominating bodies." in page.locator(".messages").inner_text()

    nav(page, "Manage").click()
    page.get_by_role("button", name="Open nominations").click()
    clicks += 2
    for name in ("Ann Smith", "Bob Jones"):  # each candidate's written acceptance
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
    # the ballot opens only once trustees hold the key its ballots are sealed to
    nav(page, "Run the ballot").click()
    page.get_by_label("Trustees, one per line").fill("Tess Trustee")
    page.get_by_role("button", name="Name the trustees and make their shares").click()
    nav(page, "Manage").click()
    clicks += 3
    page.get_by_text("Open the ballot…").click()
    page.get_by_role("button", name="Confirm: open the ballot").click()
    clicks += 5
    assert page.locator('[data-testid="stage"]').inner_text() == "Ballot open"
    contest = Contest.objects.get(slug=slug)
    assert [c.name for c in contest.ballot()] == ["Bob Jones", "Ann Smith"]  # by surname
    assert clicks < 40, clicks

    # The officer of another contest: refused at every step, nothing changed.
    entries = contest.audit_log.count()
    sign_in(page, base, "intruder")
    for path in ("setup/", "setup/bodies/", "people/", "manage/", "audit/", "nominations/record/",
                 "endorsements/add/", "endorsements/import/", "candidates/ann-smith/respond/"):
        refused(page, base, f"/contests/{slug}/{path}")
    for path in ("transition/", "setup/candidates/", "setup/dates/", "people/"):
        # a valid CSRF token, so the 403 is the permission's (the styled page), not CSRF's
        status = page.evaluate(
            """async ([url, token]) => {
                 const r = await fetch(url, {method: "POST", headers: {"X-CSRFToken": token},
                   body: new URLSearchParams({step: "close_ballot", action: "add", name: "X"})});
                 return [r.status,
                         (await r.text()).includes("You are not allowed to do this")]; }""",
            [f"{base}/contests/{slug}/{path}",
             next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")],
        )
        assert status == [403, True], (path, status)
    assert Contest.objects.get(slug=slug).audit_log.count() == entries
    assert Contest.objects.get(slug=slug).stage == Stage.BALLOT_OPEN


def test_every_officer_page_fits_390_px_and_passes_axe(page, live_server, transactional_db):
    base = live_server.url
    contest = make_contest(slug="big-2010", stage=Stage.NOMINATIONS_OPEN,
                           roll={"MP": 257, "CLP": 60, "MEP": 13,
                                 "TU": [("Unison, the public service union", 1000)],
                                 "SS": [("Society of Labour Lawyers", 300)]})
    nominate_directly(contest, "Ed Miliband", "MP", 63)
    nominate_directly(contest, "David Miliband", "CLP", 40)
    make_person("bigofficer", contest=contest, role=Role.RETURNING_OFFICER, can_create=True)
    from hustings.web.endorsements.models import Endorsement

    e = Endorsement.objects.create(
        contest=contest, candidate=contest.candidates.get(name="Ed Balls"),
        endorser_name="A very long endorser name that goes on and on without a break anywhere",
        date="2010-06-01", publication="https://example.org/a/very/long/address/that/does/not/break/easily/at/all",
        quote="Words.")
    contest.candidates.first().respond(accept=True, by=make_person("root", superuser=True))
    make_person("other", contest=make_contest(slug="other", stage=Stage.NOMINATIONS_OPEN),
                role=Role.RETURNING_OFFICER)
    sign_in(page, base, "bigofficer")
    s = contest.slug
    pages = ["/", "/new-contest/", f"/contests/{s}/", f"/contests/{s}/nominations/",
             f"/contests/{s}/nominations/record/",
             f"/contests/{s}/nominations/record/?q=MP+1&kind=MP",
             f"/contests/{s}/audit/", f"/contests/{s}/endorsements/",
             f"/contests/{s}/endorsements/import/",
             f"/contests/{s}/endorsements/add/", f"/contests/{s}/endorsements/{e.pk}/edit/",
             f"/contests/{s}/setup/", f"/contests/{s}/setup/bodies/", f"/contests/{s}/people/",
             f"/contests/{s}/manage/", f"/contests/{s}/candidates/ed-balls/respond/",
             f"/contests/{s}/candidates/ed-balls/", "/contests/no-such/"]
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in pages:
            page.goto(base + path)
            no_overflow(page)
            no_axe_violations(page)
        # the 403 page, and a form shown with its errors
        page.goto(f"{base}/contests/other/audit/")
        assert "You are not allowed" in page.content()
        no_overflow(page)
        no_axe_violations(page)
        page.goto(f"{base}/contests/{s}/setup/bodies/")
        page.get_by_label("CSV file").set_input_files(
            files=[{"name": "b.csv", "mimeType": "text/csv",
                    "buffer": b"kind,name\n"
                              b"XX,Someone with a very long name indeed that does not fit,\n"}])
        page.get_by_role("button", name="Import").click()
        assert "Nothing was imported" in page.content()
        no_overflow(page)
        no_axe_violations(page)


def test_the_demo_pages_the_issue_named_fit_390_px(page, live_server, transactional_db):
    """Nominations, Record a nomination and the audit log scrolled sideways at 390 px with
    the demo's data (issue 12); with it loaded, none does."""
    from hustings.web import demo

    contest = demo.load_demo()
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(demo.STAFF_USERNAME)
    page.get_by_label("Password").fill(demo.STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for path in ("nominations/", "nominations/record/", "audit/", "endorsements/",
                 "endorsements/import/"):
        page.goto(f"{live_server.url}/contests/{contest.slug}/{path}")
        no_overflow(page)
        no_axe_violations(page)
