"""Secrecy by schema: nothing in a ballot row may lead to a voter.

Introspects the real tables (SQLite or PostgreSQL, whichever the run uses), so a column or
foreign key added by a later migration fails here, whatever the models say."""

from __future__ import annotations

import re

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# name fragments that would identify, order or time a ballot
SUSPECT = re.compile(
    r"voter|user|member|person|name|email|address|credential|code|receipt|session|ip|"
    r"time|date|created|updated|at$|seq|order|serial|position|batch|envelope|participation",
    re.IGNORECASE,
)
ALLOWED = {"id", "contest_id", "section", "ranking"}  # the opened ballots
SEALED = {"id", "contest_id", "section", "ciphertext", "receipt"}


def describe(table: str):
    with connection.cursor() as cur:
        columns = connection.introspection.get_table_description(cur, table)
        relations = connection.introspection.get_relations(cur, table)
        constraints = connection.introspection.get_constraints(cur, table)
    return columns, relations, constraints


def test_ballot_columns_are_only_the_allowed_ones():
    columns, _, _ = describe("voting_ballot")
    names = {c.name for c in columns}
    assert names == ALLOWED, f"unexpected ballot columns: {sorted(names - ALLOWED)}"
    assert not [n for n in names - {"id", "contest_id"} if SUSPECT.search(n)]


def test_sealed_ballot_columns_are_only_the_allowed_ones():
    """The receipt is the ciphertext's hash, shown to the voter: it identifies the sealed
    ballot, never the voter."""
    columns, relations, _ = describe("voting_sealedballot")
    assert {c.name for c in columns} == SEALED
    assert {col: rel[1] for col, rel in relations.items()} == {"contest_id": "contests_contest"}


def test_ballot_foreign_keys_lead_only_to_the_contest():
    _, relations, constraints = describe("voting_ballot")
    assert {col: rel[1] for col, rel in relations.items()} == {"contest_id": "contests_contest"}
    fks = [c for c in constraints.values() if c["foreign_key"]]
    assert [c["columns"] for c in fks] == [["contest_id"]]


def test_ballot_key_is_random_not_a_sequence():
    columns, _, _ = describe("voting_ballot")
    pk = next(c for c in columns if c.name == "id")
    if connection.vendor == "postgresql":
        assert pk.type_code == 2950  # the uuid type's OID: not serial/identity integers
        # no default but the server's random draw (migration 0009: the box's COPY)
        assert not pk.is_autofield and pk.default in (None, "gen_random_uuid()")
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_class c JOIN pg_depend d ON d.objid = c.oid "
                        "JOIN pg_class t ON d.refobjid = t.oid "
                        "WHERE c.relkind = 'S' AND t.relname = 'voting_ballot'")
            assert cur.fetchone()[0] == 0, "a sequence is attached to voting_ballot"
    else:
        assert "char(32)" in pk.type_code.lower() or pk.type_code.lower().startswith("char")


def test_participation_cannot_be_lined_up_with_ballots():
    columns, _, _ = describe("voting_participation")
    names = {c.name for c in columns}
    assert names == {"id", "contest_id", "voter_id", "section", "channel"}
    assert not [n for n in names if re.search(r"time|date|created|at$|seq|order|ballot|receipt", n)]


def test_no_other_table_points_at_ballots():
    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
        for t in tables:
            rel = connection.introspection.get_relations(cur, t)
            assert not {"voting_ballot", "voting_sealedballot"} & {r[1] for r in rel.values()}, (
                f"{t} references ballots")
