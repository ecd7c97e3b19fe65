"""A visit's cast on PostgreSQL (``casting.cast_visit`` over ``_pg_rows``): the prepared
statements of each contest inside one transaction; concurrent visits of one code store one
visit; concurrent visits of many voters, listed in opposite orders, never deadlock.
Runs in the PostgreSQL pass only."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from election_2015 import add_voters, make_election

from hustings.web.voting import box, casting, contest_info, ledger, trustees
from hustings.web.voting.errors import AlreadyVoted
from hustings.web.voting.models import LedgerEntry, Participation, SealedBallot

pytestmark = [pytest.mark.postgres]


def warm(*contests):
    for c in contests:  # as the view's cached election holds them
        ledger.setup_for(c)
        contest_info.candidates(c)
        box.block(c)
        trustees.box_key(c)


@pytest.mark.django_db
def test_a_two_contest_visit_is_prepared_statements_in_one_transaction():
    election, leader, deputy, _london = make_election()
    codes = add_voters(election, [("V1", []), ("V2", [])])
    warm(leader, deputy)
    voter = casting.check_code(election, codes["V1"]).voter
    with CaptureQueriesContext(connection) as q:
        receipts = casting.cast_visit(voter, [(leader, "All voters", ["Liz Kendall"]),
                                              (deputy, "All voters", ["Tom Watson"])])
    # one savepoint for the visit (the test's transaction is the outer one), no ORM query,
    # no savepoint per contest
    assert [x["sql"].split()[0] for x in q.captured_queries] == ["SAVEPOINT", "RELEASE"]
    for contest, receipt in zip((leader, deputy), receipts, strict=True):
        assert LedgerEntry.objects.get(contest=contest, kind="cast").payload["receipt"] == receipt
        assert ledger.verify(contest) == 2
    casting.cast_visit(casting.check_code(election, codes["V2"]).voter,
                       [(deputy, "All voters", ["Angela Eagle"])])
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                    ["%voting_%"])
        prepared = [row[0].split()[0] for row in cur.fetchall()]
    assert sorted(prepared) == ["SELECT", "WITH", "WITH"]  # each once, whatever the contest


@pytest.mark.django_db
def test_a_refusal_in_the_second_contest_rolls_back_the_first_on_postgres():
    election, leader, deputy, _london = make_election()
    codes = add_voters(election, [("V1", [])])
    warm(leader, deputy)
    voter = casting.check_code(election, codes["V1"]).voter
    casting.cast(leader, voter, "All voters", ["Andy Burnham"])
    assert deputy.pk < leader.pk  # so the deputy's rows are written, then the leader refuses
    with pytest.raises(AlreadyVoted, match="You have already voted in Leader. Nothing"):
        casting.cast_visit(voter, [(deputy, "All voters", ["Tom Watson"]),
                                   (leader, "All voters", ["Liz Kendall"])])
    assert not Participation.objects.filter(contest=deputy).exists()
    assert not SealedBallot.objects.filter(contest=deputy).exists()
    assert not LedgerEntry.objects.filter(contest=deputy, kind="cast").exists()
    assert ledger.verify(deputy) == 1  # the key: the head did not move either
    assert Participation.objects.filter(contest=leader).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_visits_of_one_code_store_one_visit():
    election, leader, deputy, london = make_election()
    codes = add_voters(election, [("L1", ["london"])])
    voter = casting.check_code(election, codes["L1"]).voter
    workers = 24
    start = threading.Barrier(workers)

    def attempt(_i: int):
        try:
            start.wait()
            return casting.cast_visit(voter, [(leader, "All voters", ["Jeremy Corbyn"]),
                                              (deputy, "All voters", ["Tom Watson"]),
                                              (london, "All voters", ["Sadiq Khan"])])
        except AlreadyVoted:
            return "already"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(attempt, range(workers)))
    won = [o for o in outcomes if o != "already"]
    assert len(won) == 1 and outcomes.count("already") == workers - 1
    for contest, receipt in zip((leader, deputy, london), won[0], strict=True):
        assert list(SealedBallot.objects.filter(contest=contest)
                    .values_list("receipt", flat=True)) == [receipt]
        assert Participation.objects.filter(contest=contest).count() == 1
        assert ledger.verify(contest) == 2


@pytest.mark.django_db(transaction=True)
def test_visits_listing_contests_in_opposite_orders_do_not_deadlock():
    election, leader, deputy, _london = make_election()
    codes = add_voters(election, [(f"V{i:02d}", []) for i in range(40)])
    people = [casting.check_code(election, c).voter for c in codes.values()]

    def attempt(k: int):
        pair = [(leader, "All voters", ["Liz Kendall"]), (deputy, "All voters", ["Tom Watson"])]
        try:
            return casting.cast_visit(people[k], pair if k % 2 else pair[::-1])
        finally:
            connections.close_all()

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(attempt, range(len(people))))
    assert len({r for pair in outcomes for r in pair}) == 80
    for contest in (leader, deputy):
        assert SealedBallot.objects.filter(contest=contest).count() == 40
        assert Participation.objects.filter(contest=contest).count() == 40
        assert ledger.verify(contest) == 41
