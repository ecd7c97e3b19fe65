"""Fixtures for the web platform: personas and contests at any stage.

The persona set (every one a plain account, not staff, unless said):

- ``officer`` (the ``contest``'s appointed returning officer, who may also create
  contests), ``deputy``, ``scrutineer``, ``trustee``: appointed to ``contest``;
- ``other_officer``: returning officer of ``other_contest`` only (the negative persona);
- ``returning_officer``: the old global persona (staff, in the "Returning officers"
  group), honoured only where no returning officer is appointed; the admin tests use it;
- ``superuser``; ``nominating_mp`` (officer of one MP on the roll); ``union_officer``
  (officer of one affiliated union); ``public_visitor`` (an anonymous client).

``client_for(user)`` gives a logged-in client. Contests come from
``web_factories.make_contest``; people from ``web_factories.make_person``.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from hustings.web.contests.access import returning_officers_group
from hustings.web.contests.models import Role, Stage
from hustings.web.nominations.models import NominatingBody

from .web_factories import make_contest, make_person


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/web" in str(item.fspath) and item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The real hasher takes most of a second per user on purpose; tests need not wait.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Tests marked ``postgres`` run only when DATABASE_URL names PostgreSQL."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://...)")


@pytest.fixture
def contest(db):
    return make_contest(
        stage=Stage.NOMINATIONS_OPEN, roll={"MP": 257, "CLP": 10, "TU": [("Unite", 1000)]}
    )


@pytest.fixture
def returning_officer(db, django_user_model):
    user = django_user_model.objects.create_user("ro", password="ro-password-2010", is_staff=True)
    user.groups.add(returning_officers_group())
    return django_user_model.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def officer(contest):
    return make_person("ro-appointed", contest=contest, role=Role.RETURNING_OFFICER,
                       can_create=True)


@pytest.fixture
def deputy(contest):
    return make_person("deputy", contest=contest, role=Role.DEPUTY)


@pytest.fixture
def scrutineer(contest):
    return make_person("scrutineer", contest=contest, role=Role.SCRUTINEER)


@pytest.fixture
def trustee(contest):
    return make_person("trustee", contest=contest, role=Role.TRUSTEE)


@pytest.fixture
def other_contest(db):
    return make_contest(slug="other-2015", preset="labour-2015", stage=Stage.NOMINATIONS_OPEN)


@pytest.fixture
def other_officer(other_contest):
    """Returning officer of another contest, and allowed to create contests: nothing here."""
    return make_person(
        "ro-elsewhere", contest=other_contest, role=Role.RETURNING_OFFICER, can_create=True
    )


@pytest.fixture
def superuser(db):
    return make_person("root", superuser=True)


@pytest.fixture
def nominating_mp(contest, django_user_model):
    user = django_user_model.objects.create_user("mp", password="mp-password-2010")
    NominatingBody.objects.filter(contest=contest, kind="MP").order_by("id").first().officers.add(
        user
    )
    return user


@pytest.fixture
def union_officer(contest, django_user_model):
    user = django_user_model.objects.create_user("union", password="union-password-2010")
    NominatingBody.objects.get(contest=contest, kind="TU", name="Unite").officers.add(user)
    return user


@pytest.fixture
def public_visitor():
    return Client()


@pytest.fixture
def client_for():
    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
