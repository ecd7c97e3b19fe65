"""Migration 0006 (the sealed ballot box replaces the mix), forwards and backwards, on
SQLite and on PostgreSQL: ballots of a counted contest survive it, a contest with ballots
stored in the clear and not yet counted stops it, and on PostgreSQL no setting lets a
DELETE through the ballot table's trigger any more."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# contests stays before elections (contests 0004): these tests make contests the old way
BEFORE = [("voting", "0005_ballot_mix"), ("contests", "0003_people_and_timetable")]
AFTER = [("voting", "0006_sealed_box"), ("contests", "0003_people_and_timetable")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def latest():
    """The voting app's newest migration: where each test leaves the schema (later
    migrations than 0006 exist, and the tests after these need them)."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("voting") + executor.loader.graph.leaf_nodes("contests")


def columns(table):
    with connection.cursor() as cur:
        return {c.name for c in connection.introspection.get_table_description(cur, table)}


def test_forwards_keeps_counted_ballots_and_backwards_restores_the_columns():
    old = migrate(BEFORE)
    try:
        Contest = old.get_model("contests", "Contest")
        Ballot = old.get_model("voting", "Ballot")
        contest = Contest.objects.create(slug="old-counted", title="Old", stage="counted")
        Ballot.objects.create(contest=contest, section="All voters", ranking=["A", "B"],
                              channel="online")
        assert "mixed" in columns("voting_ballot")
        new = migrate(AFTER)
        assert columns("voting_ballot") == {"id", "contest_id", "section", "ranking"}
        assert columns("voting_sealedballot") == {"id", "contest_id", "section", "ciphertext",
                                                  "receipt"}
        assert list(new.get_model("voting", "Ballot").objects.values_list("ranking", flat=True)) \
            == [["A", "B"]]
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError, match="append-only: DELETE refused"), \
                    transaction.atomic(), connection.cursor() as cur:
                cur.execute("SELECT set_config('hustings.mixing', 'on', true)")
                cur.execute("DELETE FROM voting_ballot")
            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_proc WHERE proname = "
                            "'hustings_voting_ballot_guard'")
                assert cur.fetchone()[0] == 0
                cur.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE "
                            "'%%append_only' ORDER BY 1")
                assert "voting_sealedballot" in [r[0] for r in cur.fetchall()]
        migrate(BEFORE)
        assert {"channel", "mixed"} <= columns("voting_ballot")
    finally:
        migrate(latest())
        with connection.cursor() as cur:  # the test's rows: past the triggers, as a flush is
            cur.execute("DELETE FROM voting_ballot" if connection.vendor != "postgresql"
                        else "TRUNCATE voting_ballot CASCADE")


def test_ballots_stored_in_the_clear_and_not_counted_stop_the_migration():
    old = migrate(BEFORE)
    try:
        Contest = old.get_model("contests", "Contest")
        Ballot = old.get_model("voting", "Ballot")
        contest = Contest.objects.create(slug="old-open", title="Old", stage="ballot_open")
        Ballot.objects.create(contest=contest, section="All voters", ranking=["A"],
                              channel="online")
        with pytest.raises(RuntimeError, match="contest\\(s\\) old-open hold ballots stored in "
                           "the clear that are not counted yet"):
            migrate(AFTER)
        assert "mixed" in columns("voting_ballot")  # nothing changed
    finally:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM voting_ballot" if connection.vendor != "postgresql"
                        else "TRUNCATE voting_ballot CASCADE")
        migrate(latest())
