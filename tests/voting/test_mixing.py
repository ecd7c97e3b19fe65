"""The ballot box is mixed (``mixing.py``): storage no longer pairs a ballot with its voter.

Each test first shows the link that storage makes (the order rows are stored in, and on
PostgreSQL the writing transaction's id, ``xmin``), then that a mix breaks it and keeps
every ballot. Runs on SQLite and again on PostgreSQL; the ``xmin`` and trigger tests only
on PostgreSQL."""

from __future__ import annotations

import itertools
import json
from collections import Counter

import pytest
from django.db import DatabaseError, connection, transaction
from test_pages import vote

from conftest import CANDIDATES_2015, add_voters, make_contest
from hustings.web.voting import casting, closing, mixing
from hustings.web.voting.errors import MixError
from hustings.web.voting.models import Ballot, Participation

pytestmark = pytest.mark.django_db

# 40 different rankings, so a ballot's place in storage can be matched to its cast
RANKINGS = [list(p) for n in (1, 2, 3, 4) for p in itertools.permutations(CANDIDATES_2015, n)][:40]


@pytest.fixture(autouse=True)
def _fresh_counters():
    mixing._since.clear()
    yield
    mixing._since.clear()


def cast_in_order(contest, n=40):
    codes = add_voters(contest, [(f"M{i:03d}", ["All voters"]) for i in range(n)])
    for i in range(n):
        voter = casting.check_code(contest, codes[f"M{i:03d}"]).voter
        casting.cast(contest, voter, "All voters", RANKINGS[i])
    return codes


def stored_order(table: str, column: str) -> list:
    """The rows as storage holds them: PostgreSQL's physical order (ctid, as pg_dump reads
    them), SQLite's rowid."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} ORDER BY {order}")
        return [json.loads(v) if isinstance(v, str) and v.startswith("[") else v
                for (v,) in cur.fetchall()]


def test_storage_order_is_the_casting_order_until_the_mix_shuffles_it(omov):
    cast_in_order(omov)
    # the link a copy of the database would show: both tables in casting order
    assert stored_order("voting_ballot", "ranking") == RANKINGS
    voters = stored_order("voting_participation", "voter_id")
    assert voters == sorted(voters)  # voters were added, and voted, in reference order

    assert mixing.mix(omov) == len(RANKINGS)

    after = stored_order("voting_ballot", "ranking")
    assert after != RANKINGS  # 1 in 40! that a fair shuffle gives the same order back
    assert Counter(map(tuple, after)) == Counter(map(tuple, RANKINGS))
    assert Ballot.objects.filter(mixed=True).count() == Participation.objects.count() == 40
    assert mixing.mix(omov) == 0  # nothing cast since: nothing to mix


def test_a_mix_takes_only_the_ballots_cast_since_the_last_one(omov):
    cast_in_order(omov, 10)
    mixing.mix(omov)
    first = set(Ballot.objects.values_list("id", flat=True))
    codes = add_voters(omov, [("N1", ["All voters"]), ("N2", ["All voters"])])
    for ref in codes:
        voter = casting.check_code(omov, codes[ref]).voter
        casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    assert mixing.mix(omov, minimum=3) == 0  # two are fewer than asked for: left for later
    assert mixing.mix(omov) == 2
    assert first <= set(Ballot.objects.values_list("id", flat=True))  # the earlier set stays


def test_a_mix_that_would_lose_a_ballot_changes_nothing(omov, monkeypatch):
    cast_in_order(omov, 12)
    before = sorted(Ballot.objects.values_list("id", "ranking", "mixed"))
    name = "_mix_in_postgresql" if connection.vendor == "postgresql" else "_mix_through_the_orm"
    real = getattr(mixing, name)

    def one_taken_by_another_writer(*args):
        taken, deleted, stored = real(*args)  # the real delete and insert, then a count off
        return taken, deleted - 1, stored

    monkeypatch.setattr(mixing, name, one_taken_by_another_writer)
    with pytest.raises(MixError, match=r"mixing the ballots of omov-2015: read 12, deleted "
                       r"11, stored 12; expected three equal numbers, so nothing was changed"):
        mixing.mix(omov)
    assert sorted(Ballot.objects.values_list("id", "ranking", "mixed")) == before


def test_the_close_mixes_every_ballot_and_the_count_is_unchanged(omov, officer):
    cast_in_order(omov, 25)
    mixing.mix(omov)  # an earlier set, mixed during the ballot
    codes = add_voters(omov, [("Z1", ["All voters"])])
    casting.cast(omov, casting.check_code(omov, codes["Z1"]).voter, "All voters", ["Liz Kendall"])
    entry = closing.close(omov, by=officer)
    assert entry.detail["mixed"] == 26  # one set: the whole ballot box
    assert not Ballot.objects.filter(mixed=False).exists()
    assert Counter(tuple(r) for r in Ballot.objects.values_list("ranking", flat=True)) == Counter(
        map(tuple, RANKINGS[:25] + [["Liz Kendall"]]))
    counted = closing.count_contest(omov, by=officer)
    assert counted.detail["ballots"] == 26 and "mixed" not in counted.detail


def test_every_mix_every_casts_the_cast_page_queues_a_mix(omov, settings):
    settings.HUSTINGS_MIX_EVERY = 4  # tests run tasks at once (ImmediateBackend)
    codes = add_voters(omov, [(f"W{i}", ["All voters"]) for i in range(9)])
    from django.test import Client

    for i in range(9):
        assert vote(Client(), omov.slug, codes[f"W{i}"], {"rank-0": "1"}).status_code == 200
        # a mix after the 4th and the 8th cast, each of the ballots since the one before
        assert Ballot.objects.filter(mixed=False).count() == [1, 2, 3, 0, 1, 2, 3, 0, 1][i]


# -- PostgreSQL: the transaction id, and the trigger --------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # each cast commits: its own transaction id
def test_xmin_pairs_each_ballot_with_its_voter_until_the_mix():

    contest = make_contest("xmin-2015", "labour-2015", CANDIDATES_2015)
    cast_in_order(contest, 30)

    def xmins(table):
        with connection.cursor() as cur:
            cur.execute(f"SELECT xmin::text FROM {table} WHERE contest_id = %s", [contest.pk])
            return Counter(x for (x,) in cur.fetchall())

    # each participation's transaction wrote exactly one ballot: SELECT xmin joins them
    assert xmins("voting_ballot") == xmins("voting_participation")
    assert len(xmins("voting_ballot")) == 30

    assert mixing.mix(contest) == 30
    after = xmins("voting_ballot")
    assert len(after) == 1 and after.total() == 30  # one transaction wrote the whole set
    assert not set(after) & set(xmins("voting_participation"))


@pytest.mark.postgres
def test_the_trigger_lets_only_a_mix_delete_ballots_and_never_an_update(omov):
    cast_in_order(omov, 3)
    refused = r"voting_ballot is append-only: (DELETE|UPDATE) refused"
    for sql in ("DELETE FROM voting_ballot", "UPDATE voting_ballot SET ranking = '[]'"):
        with pytest.raises(DatabaseError, match=refused), transaction.atomic(), \
                connection.cursor() as cur:
            cur.execute(sql)
    with pytest.raises(DatabaseError, match="voting_ballot is append-only: UPDATE refused"), \
            transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT set_config('hustings.mixing', 'on', true)")
        cur.execute("UPDATE voting_ballot SET ranking = '[]'")
    mixing.mix(omov)  # in this (the test's) transaction: the mix turns its permission off
    with pytest.raises(DatabaseError, match="voting_ballot is append-only: DELETE refused"), \
            transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM voting_ballot")
    assert Ballot.objects.count() == 3
