"""Fixtures for the voting tests: personas, a contest at each stage, a roll with codes.

Stages are set directly in fixtures (the platform's transitions are tested in tests/web);
the tests themselves move a contest on only through ``Contest``'s methods.
"""

from __future__ import annotations

import os

import pytest

# No django.setup() here: pytest-django sets Django up (DJANGO_SETTINGS_MODULE in
# pyproject.toml) before any test module, which may import models, is collected.

CANDIDATES_2015 = ("Andy Burnham", "Yvette Cooper", "Jeremy Corbyn", "Liz Kendall")
CANDIDATES_2010 = ("Diane Abbott", "Ed Balls", "Andy Burnham", "David Miliband", "Ed Miliband")


SHARES: dict[str, list[str]] = {}  # contest slug -> its trustees' shares (the tests keep them)


def make_contest(slug: str, preset: str, candidates, stage: str = "ballot_open", *,
                 trustees: tuple[int, int] | None = (1, 1)):
    """A contest at ``stage``; with ``trustees`` (k, n) named first, their shares kept in
    ``SHARES[slug]`` as the trustees would keep them."""
    from django.db import transaction

    from hustings.web.contests.models import Candidate, Contest
    from hustings.web.voting import trustees as naming

    contest = Contest.objects.create(slug=slug, title=f"Test {slug}", rule_book_preset=preset)
    for i, name in enumerate(candidates):
        c = Candidate.objects.create(contest=contest, name=name, slug=f"c{i}")
        Candidate.objects.filter(pk=c.pk).update(on_ballot=True, ballot_position=i + 1)
    if trustees is not None:
        k, n = trustees
        with transaction.atomic():
            handed = naming.name_trustees(contest, [f"Trustee {i}" for i in range(1, n + 1)], k)
        SHARES[slug] = [h.text for h in handed]
    Contest.objects.filter(pk=contest.pk).update(stage=stage)
    contest.refresh_from_db()
    return contest


def open_box(contest, shares=None):
    """Open a closed contest's ballot box with its trustees' shares (k of them)."""
    from hustings.web.voting import box, trustees

    k = trustees.box_key(contest).threshold
    return box.open_box(contest, shares if shares is not None else SHARES[contest.slug][:k])


def add_voters(contest, rows):
    """rows: (reference, sections); returns {reference: code} with codes issued."""
    from hustings.web.voting import casting, codes
    from hustings.web.voting.models import Credential, Voter

    out = {}
    for ref, sections in rows:
        v = Voter.objects.create(election=contest.election, reference=ref, name=f"Voter {ref}",
                                 email=f"{ref.lower()}@example.org", sections=list(sections))
        bid, secret = codes.new_credential()
        Credential.objects.create(voter=v, ballot_id=bid,
                                  secret_digest=codes.digest(casting.credential_key(), secret))
        out[ref] = codes.format_code(bid, secret)
    return out


@pytest.fixture
def officer(django_user_model):
    from django.contrib.auth.models import Permission

    u = django_user_model.objects.create_user("officer", password="pw-officer-123")
    u.user_permissions.add(Permission.objects.get(codename="run_contest"))
    return django_user_model.objects.get(pk=u.pk)


@pytest.fixture
def second_officer(django_user_model):
    from django.contrib.auth.models import Permission

    u = django_user_model.objects.create_user("officer2", password="pw-officer-123")
    u.user_permissions.add(Permission.objects.get(codename="run_contest"))
    return django_user_model.objects.get(pk=u.pk)


@pytest.fixture
def member(django_user_model):
    """A logged-in party member with no special permission."""
    return django_user_model.objects.create_user("member", password="pw-member-123")


@pytest.fixture
def omov(db):
    return make_contest("omov-2015", "labour-2015", CANDIDATES_2015)


@pytest.fixture
def college(db):
    return make_contest("college-2010", "labour-2010", CANDIDATES_2010)


@pytest.fixture
def omov_codes(omov):
    return add_voters(omov, [(f"L{i:03d}", ["All voters"]) for i in range(1, 6)])


@pytest.fixture
def voters():
    """add_voters(contest, [(reference, sections), ...]) -> {reference: code}"""
    return add_voters


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests run only in the PostgreSQL pass of scripts/test (DATABASE_URL)."""
    if on_postgres():
        return
    here = os.path.dirname(__file__)
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords and str(item.fspath).startswith(here):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """PBKDF2's deliberate slowness is for real logins, not for persona fixtures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HUSTINGS_CONTEST_CACHE_SECONDS = 0  # tests move stages between requests
    # mail tasks run at once in tests, unless a test puts the database queue back
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "mail"]}}
