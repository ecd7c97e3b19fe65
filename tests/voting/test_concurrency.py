"""On PostgreSQL: 200 concurrent casts of one credential store exactly one ballot.

Threads each open their own connection and race through the casting transaction; the
participation's unique constraint must let exactly one through. (At most 40 run at once:
the server allows 100 connections and other test runs share it.)"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from hustings.web.voting import casting, ledger
from hustings.web.voting.errors import AlreadyVoted
from hustings.web.voting.models import LedgerEntry, Participation, SealedBallot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 200
WORKERS = 40


def test_200_concurrent_casts_of_one_credential_store_one_ballot(omov, omov_codes):
    assert connection.vendor == "postgresql"
    voter = casting.check_code(omov, omov_codes["L001"]).voter
    start = threading.Barrier(WORKERS)

    def attempt(i: int) -> str:
        try:
            if i < WORKERS:
                start.wait()  # the first wave leaves together
            return casting.cast(omov, voter, "All voters", ["Jeremy Corbyn"])
        except AlreadyVoted:
            return "already"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(attempt, range(ATTEMPTS)))
    receipts = [o for o in outcomes if o != "already"]
    assert len(receipts) == 1
    assert outcomes.count("already") == ATTEMPTS - 1
    assert SealedBallot.objects.count() == 1
    assert Participation.objects.count() == 1
    assert list(LedgerEntry.objects.filter(kind="cast").values_list("payload", flat=True)) == [
        {"receipt": receipts[0], "section": "All voters"}
    ]
    assert ledger.verify(omov) == 2  # the key and the one cast


def test_concurrent_casts_of_different_voters_keep_one_chain(omov, voters):
    codes = voters(omov, [(f"C{i:03d}", ["All voters"]) for i in range(60)])
    people = [casting.check_code(omov, c).voter for c in codes.values()]

    def attempt(v) -> str:
        try:
            return casting.cast(omov, v, "All voters", ["Liz Kendall", "Andy Burnham"])
        finally:
            connections.close_all()

    with ThreadPoolExecutor(20) as pool:
        receipts = list(pool.map(attempt, people))
    assert len(set(receipts)) == 60
    assert SealedBallot.objects.count() == Participation.objects.count() == 60
    assert ledger.verify(omov) == 61  # the trustees' box-key entry and 60 casts


def test_database_refuses_to_change_a_ballot_or_the_ledger(omov, omov_codes):
    from django.db import DatabaseError, transaction

    voter = casting.check_code(omov, omov_codes["L002"]).voter
    casting.cast(omov, voter, "All voters", ["Yvette Cooper"])
    for model in (SealedBallot, LedgerEntry, Participation):
        with (pytest.raises(DatabaseError, match="append-only: UPDATE refused"),
              transaction.atomic()):
            model.objects.update(section="x") if model is not LedgerEntry else \
                model.objects.update(kind="x")
        with (pytest.raises(DatabaseError, match="append-only: DELETE refused"),
              transaction.atomic()):
            model.objects.all().delete()


def test_casts_racing_the_close_are_either_sealed_in_or_refused(omov, voters, officer):
    from hustings.web.voting import closing
    from hustings.web.voting.errors import NotOpen

    codes = voters(omov, [(f"R{i:03d}", ["All voters"]) for i in range(80)])
    people = [casting.check_code(omov, c).voter for c in codes.values()]
    go = threading.Event()

    def attempt(v) -> str:
        go.wait()
        try:
            return casting.cast(omov, v, "All voters", ["Yvette Cooper"])
        except NotOpen:
            return "closed"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(attempt, v) for v in people]
        go.set()
        closing.close(omov, by=officer)  # while the casts are in flight
        outcomes = [f.result() for f in futures]
    receipts = {o for o in outcomes if o != "closed"}
    payloads = LedgerEntry.objects.filter(kind="cast").values_list("payload", flat=True)
    stored = {p["receipt"] for p in payloads}
    assert receipts == stored
    assert SealedBallot.objects.count() == Participation.objects.count() == len(stored)
    assert ledger.verify(omov) == len(stored) + 2  # the key, the casts and the sealing close
    close = LedgerEntry.objects.get(kind="ballot-closed")
    assert close.payload["ballots"] == len(stored)
