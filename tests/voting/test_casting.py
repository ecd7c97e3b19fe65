"""Casting: one transaction, one ballot per voter and section, receipts in the ledger."""

from __future__ import annotations

import pytest

from hustings.web.voting import casting, ledger
from hustings.web.voting.errors import AlreadyVoted, CredentialError, NotOpen
from hustings.web.voting.models import Ballot, LedgerEntry, Participation



pytestmark = pytest.mark.django_db


def test_cast_stores_ballot_participation_and_ledger_entry(omov, omov_codes):
    cred = casting.check_code(omov, omov_codes["L001"])
    receipt = casting.cast(omov, cred.voter, "All voters", ["Jeremy Corbyn", "Andy Burnham"])
    assert Ballot.objects.get().ranking == ["Jeremy Corbyn", "Andy Burnham"]
    assert Participation.objects.get().voter == cred.voter
    entry = LedgerEntry.objects.get(kind="cast")
    assert entry.payload == {"receipt": receipt, "section": "All voters"}
    assert ledger.verify(omov) == 1


def test_second_cast_is_already_voted_and_stores_nothing(omov, omov_codes):
    cred = casting.check_code(omov, omov_codes["L001"])
    casting.cast(omov, cred.voter, "All voters", ["Liz Kendall"])
    with pytest.raises(AlreadyVoted, match="You have already voted in All voters."):
        casting.cast(omov, cred.voter, "All voters", ["Yvette Cooper"])
    assert Ballot.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="cast").count() == 1


def test_college_voter_gets_one_ballot_per_section(college, voters):
    codes = voters(college, [("M1", ["Members", "Affiliates"])])
    cred = casting.check_code(college, codes["M1"])
    assert casting.ballot_sections(college, cred.voter) == ["Members", "Affiliates"]
    casting.cast(college, cred.voter, "Members", ["Ed Miliband"])
    assert casting.remaining_sections(college, cred.voter) == ["Affiliates"]
    casting.cast(college, cred.voter, "Affiliates", ["David Miliband"])
    assert Ballot.objects.count() == 2
    with pytest.raises(NotOpen, match="You do not have a ballot in the section 'MPs and MEPs'"):
        casting.cast(college, cred.voter, "MPs and MEPs", ["Ed Balls"])


def test_omov_voter_in_several_roll_groups_gets_one_ballot(omov, voters):
    codes = voters(omov, [("S1", ["All voters"])])
    cred = casting.check_code(omov, codes["S1"])
    assert casting.ballot_sections(omov, cred.voter) == ["All voters"]


def test_wrong_secret_counts_and_locks_the_credential(omov, omov_codes):
    code = omov_codes["L002"]
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    for _ in range(casting.MAX_FAILED):
        with pytest.raises(CredentialError, match="That security code is not right"):
            casting.check_code(omov, wrong)
    with pytest.raises(CredentialError, match="locked after too many wrong tries"):
        casting.check_code(omov, code)  # even the right code, while locked


def test_not_a_code():
    with pytest.raises(CredentialError, match="That is not a security code"):
        casting.check_code(None, "hello")


def test_cannot_cast_when_ballot_not_open(omov, omov_codes):
    from hustings.web.contests.models import Contest

    cred = casting.check_code(omov, omov_codes["L001"])
    Contest.objects.filter(pk=omov.pk).update(stage="ballot_closed")
    omov.refresh_from_db()
    with pytest.raises(NotOpen, match="The ballot is not open."):
        casting.cast(omov, cred.voter, "All voters", ["Liz Kendall"])
    assert Ballot.objects.count() == 0
