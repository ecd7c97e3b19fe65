"""The PostgreSQL cast (two prepared statements, ``casting._pg_cast``) keeps every guard of
the ORM path: the same rows, a ledger that verifies, the stage re-read under the lock, one
ballot per voter and section. Runs in the PostgreSQL pass only; the ORM path is the one the
SQLite pass of test_casting.py exercises."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hustings.publication import chain
from hustings.web.voting import box, casting, contest_info, ledger, trustees
from hustings.web.voting.errors import AlreadyVoted, NotOpen
from hustings.web.voting.models import LedgerEntry, LedgerHead, Participation, SealedBallot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_cast_with_lanes_set_up_appends_to_a_lane_and_moves_its_head(omov, omov_codes):
    ledger.setup_for(omov)  # as opening the ballot does: every lane has a head
    cred = casting.check_code(omov, omov_codes["L001"])
    assert cred.voter.sections == ["All voters"]  # jsonb read back as a list, not text
    receipts = [casting.cast(omov, cred.voter, "All voters", ["Jeremy Corbyn", "Andy Burnham"])]
    for ref in ("L002", "L003", "L004"):
        voter = casting.check_code(omov, omov_codes[ref]).voter
        receipts.append(casting.cast(omov, voter, "All voters", ["Liz Kendall"]))
    assert SealedBallot.objects.count() == Participation.objects.count() == 4
    assert sorted(SealedBallot.objects.values_list("receipt", flat=True)) == sorted(receipts)
    entries = list(LedgerEntry.objects.filter(kind="cast"))
    assert sorted(e.payload["receipt"] for e in entries) == sorted(receipts)
    for e in entries:
        head = LedgerHead.objects.get(contest=omov, lane=e.lane)
        assert head.seq >= e.seq
        assert e.hash == chain.entry_hash(e.prev_hash, chain.entry_body(
            e.seq, e.kind, e.at, e.payload, e.lane))
    assert ledger.verify(omov) == 5  # the key and four casts


def test_a_cast_is_two_statements_between_begin_and_commit(omov, omov_codes):
    ledger.setup_for(omov)
    voter = casting.check_code(omov, omov_codes["L001"]).voter
    contest_info.candidates(omov)  # the view's cached contest holds them (views._contest),
    box.block(omov)  # and the box's key and block size
    trustees.box_key(omov)
    with CaptureQueriesContext(connection) as q:
        casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    # the prepared statements bypass Django's query log: only the savepoint (the test's
    # own transaction) shows, and no ORM query slipped back into the path
    assert [x["sql"] for x in q.captured_queries if not x["sql"].startswith(
        ("SAVEPOINT", "RELEASE SAVEPOINT"))] == []
    assert LedgerEntry.objects.filter(kind="cast").count() == 1


def test_second_cast_is_already_voted_and_leaves_no_ballot_or_entry(omov, omov_codes):
    ledger.setup_for(omov)
    voter = casting.check_code(omov, omov_codes["L001"]).voter
    casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    with pytest.raises(AlreadyVoted, match="You have already voted in All voters."):
        casting.cast(omov, voter, "All voters", ["Yvette Cooper"])
    assert SealedBallot.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="cast").count() == 1
    assert ledger.verify(omov) == 2


def test_stage_is_read_in_the_transaction_not_from_the_cached_contest(omov, omov_codes):
    from hustings.web.contests.models import Contest

    voter = casting.check_code(omov, omov_codes["L001"]).voter
    Contest.objects.filter(pk=omov.pk).update(stage="ballot_closed")
    assert omov.stage == "ballot_open"  # the view's (possibly stale) copy
    with pytest.raises(NotOpen, match="The ballot is not open."):
        casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    assert SealedBallot.objects.count() == Participation.objects.count() == 0
    assert not LedgerEntry.objects.filter(kind="cast").exists()


def test_unknown_code_and_code_of_another_contest_are_not_found(omov, omov_codes, college, voters):
    from hustings.web.voting.errors import CredentialError

    other = voters(college, [("M1", ["Members"])])
    with pytest.raises(CredentialError, match="That security code is not right"):
        casting.check_code(omov, other["M1"])
    cred = casting.check_code(college, other["M1"])
    assert cred.voter.reference == "M1" and cred.voter.election_id == college.election_id
    assert cred.failed_attempts == 0 and cred.locked_until is None


def test_the_cast_statements_are_prepared_once_per_connection(omov, omov_codes):
    ledger.setup_for(omov)
    for ref in ("L001", "L002", "L003"):
        voter = casting.check_code(omov, omov_codes[ref]).voter
        casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                    ["%voting_%"])
        prepared = [row[0] for row in cur.fetchall()]
    # the credential lookup and the two cast statements, each once (Django's own queries
    # are not prepared: its cursors bind parameters on the client)
    assert sorted(s.split()[0] for s in prepared) == ["SELECT", "WITH", "WITH"]
