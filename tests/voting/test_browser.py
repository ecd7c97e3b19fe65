"""In Debian's Chromium (Playwright): a voter enters the code, ranks with the keyboard only,
reviews, casts and sees the receipt; after close the results page shows the rounds; axe-core
finds no WCAG 2.2 A/AA (or best-practice) violation on any page of the journey."""

from __future__ import annotations

import re

import pytest

from hustings.web.voting import closing

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"]}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    found = [(v["id"], v["help"], [n["target"] for n in v["nodes"]])
             for v in results.response["violations"]]
    assert found == [], f"axe violations on {page.url}: {found}"


def test_keyboard_only_vote_receipt_and_results(page, live_server, omov, omov_codes, officer):
    page.goto(f"{live_server.url}/vote/{omov.slug}/")
    no_violations(page)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the code field
    assert page.evaluate("document.activeElement.id") == "code"
    page.keyboard.type(omov_codes["L001"].lower())  # case does not matter
    page.keyboard.press("Enter")
    page.wait_for_selector("select#rank-0")
    no_violations(page)

    # Burnham 2, Corbyn 1, with arrow keys on the rank controls
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "rank-0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "rank-2"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Review my ballot"
    page.keyboard.press("Enter")
    page.wait_for_selector("#your-ranking")
    assert page.inner_text("#your-ranking").split("\n") == ["Jeremy Corbyn", "Andy Burnham"]
    no_violations(page)

    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Cast my vote"
    page.keyboard.press("Enter")
    page.wait_for_selector("#receipt")
    receipt = page.inner_text("#receipt")
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4}){3}", receipt)  # the short form, to read aloud
    assert page.inner_text("#receipt-full").startswith(receipt.replace(" ", ""))
    no_violations(page)

    # the public receipt check, by keyboard: no identity asked for
    page.goto(f"{live_server.url}/contests/{omov.slug}/receipts/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "receipt"
    page.keyboard.type(receipt)
    page.keyboard.press("Enter")
    page.wait_for_selector("#result")
    assert "this sealed ballot is in the ballot box" in page.inner_text("#result")
    no_violations(page)

    from conftest import SHARES

    closing.close_count_publish(omov, by=officer, shares=SHARES[omov.slug])
    page.goto(f"{live_server.url}/contests/{omov.slug}/results/")
    assert "Elected: Jeremy Corbyn" in page.inner_text("#winners")
    assert page.locator("th", has_text="Round 1").count() >= 1
    no_violations(page)


def test_errors_are_announced_next_to_the_fields(page, live_server, omov, omov_codes):
    page.goto(f"{live_server.url}/vote/{omov.slug}/")
    page.fill("#code", omov_codes["L002"])
    page.keyboard.press("Enter")
    page.wait_for_selector("select#rank-0")
    page.select_option("#rank-0", "1")
    page.select_option("#rank-1", "1")
    page.click("text=Review my ballot")
    page.wait_for_selector("#rank-0-error")
    assert page.get_attribute("#rank-0", "aria-invalid") == "true"
    assert "rank-0-error" in page.get_attribute("#rank-0", "aria-describedby")
    no_violations(page)


def test_axe_does_report_a_real_violation(page, live_server, omov):
    """The check above could pass by never running: an unlabelled field must be caught."""
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{live_server.url}/vote/{omov.slug}/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=x>')")
    ids = [v["id"] for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]]
    assert "label" in ids


def test_voting_officer_pages_fit_390_px_and_pass_axe_with_a_long_roll(page, live_server, omov, voters, django_user_model):  # noqa: E501
    """Run the ballot with a roll of long names and addresses, filtered and paged, as the
    officer and as a scrutineer; the ballot box page; at 390 px and 1280 px."""
    from hustings.web.contests.models import Appointment, Role
    from hustings.web.voting.models import Voter

    voters(omov, [(f"LONG{i:03d}", ["All voters"]) for i in range(60)])
    Voter.objects.filter(reference__startswith="LONG").update(
        name="Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh-Cholmondeley the Third",
        email="a.very.long.address.that.does.not.break.anywhere@constituency-labour-party.example.org")
    for name, role in (("ro", Role.RETURNING_OFFICER), ("scrutineer", Role.SCRUTINEER)):
        user = django_user_model.objects.create_user(name, password=f"{name}-pw-2010")
        Appointment.objects.create(contest=omov, user=user, role=role)
    base = f"{live_server.url}/contests/{omov.slug}/voting/"
    for who in ("ro", "scrutineer"):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", who)
        page.fill("#id_password", f"{who}-pw-2010")
        page.click("button[type=submit]")
        for url in (base, base + "?q=LONG&page=2", base + "?voted=no&code=issued",
                    base + "open-box/"):
            for width in (390, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(url)
                sizes = page.evaluate("[document.documentElement.scrollWidth, "
                                      "document.documentElement.clientWidth]")
                assert sizes[0] <= sizes[1], (who, url, width, sizes)
                no_violations(page)
