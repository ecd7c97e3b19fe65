"""Shared test fixtures: where the read-only shared data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


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
def tasks_at_once(settings):
    """Worker tasks run in the test's process as they are queued (the immediate backend,
    as in the demo): e.g. the trustees' page then opens the box before it answers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "mail"]}}
