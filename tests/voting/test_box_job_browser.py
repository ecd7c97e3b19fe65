"""In Debian's Chromium (Playwright): the trustees give their shares, the page answers at
once with the open-box job's progress, and the progress page follows the worker until the
box is open and counted; axe-core finds no WCAG violation on the progress page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from test_browser import no_violations

from conftest import SHARES
from hustings.web.voting import closing, workerkey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_shares_page_answers_at_once_and_shows_the_opening_to_its_end(
        page, live_server, omov, omov_codes, officer, settings, django_user_model):
    from hustings.web.voting import casting

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}
    for ref, ranking in (("L001", ["Liz Kendall"]), ("L002", ["Jeremy Corbyn", "Liz Kendall"])):
        casting.cast(omov, casting.check_code(omov, omov_codes[ref]).voter, "All voters", ranking)
    closing.close(omov, by=officer)
    workerkey.start(heartbeat=False)  # this process is the worker: its key is published
    officer.set_password("officer-pw-2015")
    officer.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", "officer-pw-2015")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/contests/{omov.slug}/voting/open-box/")
    page.locator("#share-1").fill(SHARES[omov.slug][0])
    page.get_by_role("button", name="Open the ballot box and count").click()
    # the request queued the job and answered: its progress page, waiting for the worker
    assert "/voting/jobs/" in page.url
    assert page.get_by_role("heading", name="Opening the ballot box").is_visible()
    assert "Waiting for the worker" in page.locator(".job").inner_text()
    no_violations(page)
    call_command("db_worker", "--batch", "--queue-name", "default,mail", "--no-startup-delay",
                 "--no-reload", verbosity=0)
    # the page reloads itself every 2 s until the job has ended
    page.locator(".job-done").wait_for(timeout=15_000)
    assert ("The ballot box is open: 2 ballots opened, shuffled and counted. The key is "
            "forgotten.") in page.locator(".job").inner_text()
    no_violations(page)
    omov.refresh_from_db()
    assert omov.stage == "counted"
