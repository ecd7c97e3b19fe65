"""Shared test fixtures: where the read-only shared data lives, the personas and contest
factory of the web suites, and the one browser launch every browser test uses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
# Debian's chromium (.ci/run installs it); HUSTINGS_CHROMIUM names another build of it.
CHROMIUM = Path(os.environ.get("HUSTINGS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only ../shared folder (real ballots, RCTab cases, press coverage)."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture
def person(db):
    """The shared persona factory (``tests/web/web_factories.make_person``) for every suite:
    ``person("ro", contest=c, role=Role.RETURNING_OFFICER)``, ``person("x", can_create=True)``,
    ``person("root", superuser=True)``. Plain accounts, never staff."""
    from web.web_factories import make_person  # tests/ is on the path: tests/web is `web`

    return make_person


@pytest.fixture
def contest_factory(db):
    """The shared contest factory (``tests/web/web_factories.make_contest``): a contest with
    candidates and a roll of nominators, put at a stage directly."""
    from web.web_factories import make_contest

    return make_contest


@pytest.fixture
def browser(monkeypatch):
    """Debian's chromium, launched through Playwright (``executable_path``: Playwright's
    own browser builds are never downloaded). Missing, it skips the test; in CI
    (``CI=true``) it fails it."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing (CI=true: .ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls a test makes
    # between page actions are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections

    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
        # ORM calls made while Playwright's loop runs get their own connection (Django keys
        # connections by context); close it here, inside that loop, or PostgreSQL cannot
        # drop the test database.
        connections.close_all()


@pytest.fixture
def page(browser):
    """A new page of the launched browser, giving up on any step after 20 s."""
    page = browser.new_page()
    page.set_default_timeout(20_000)
    return page


@pytest.fixture
def tasks_at_once(settings):
    """Worker tasks run in the test's process as they are queued (the immediate backend,
    as in the demo): e.g. the trustees' page then opens the box before it answers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "mail"]}}
