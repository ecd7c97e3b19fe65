"""Casting: one transaction, one ballot per voter and section, receipts in the ledger."""

from __future__ import annotations

import pytest

from hustings.web.voting import casting, ledger, roll, sealing, trustees
from hustings.web.voting.errors import AlreadyVoted, CredentialError, NotOpen
from hustings.web.voting.models import Ballot, LedgerEntry, Participation, SealedBallot, Voter

pytestmark = pytest.mark.django_db


def test_cast_stores_ballot_participation_and_ledger_entry(omov, omov_codes):
    cred = casting.check_code(omov, omov_codes["L001"])
    receipt = casting.cast(omov, cred.voter, "All voters", ["Jeremy Corbyn", "Andy Burnham"])
    sealed = SealedBallot.objects.get()
    # only the ciphertext is stored; the receipt is its SHA-256, and the ledger has it
    assert b"Corbyn" not in bytes(sealed.ciphertext) and not Ballot.objects.exists()
    assert receipt == sealed.receipt == sealing.receipt(bytes(sealed.ciphertext))
    assert Participation.objects.get().voter == cred.voter
    entry = LedgerEntry.objects.get(kind="cast")
    assert entry.payload == {"receipt": receipt, "section": "All voters"}
    assert ledger.verify(omov) == 2  # the trustees' box-key entry, the cast


def test_every_ballot_of_a_contest_seals_to_one_length(omov, voters):
    """A ciphertext's length would tell a short ranking (or a short name) from a long one:
    padding makes them all one length."""
    codes = voters(omov, [(f"N{i}", ["All voters"]) for i in range(3)])
    for ref, ranking in zip(codes, (["Liz Kendall"], ["Andy Burnham", "Yvette Cooper",
                                   "Jeremy Corbyn", "Liz Kendall"], ["Jeremy Corbyn"])):
        casting.cast(omov, casting.check_code(omov, codes[ref]).voter, "All voters", ranking)
    sealed = SealedBallot.objects.values_list("ciphertext", flat=True)
    assert len({len(bytes(c)) for c in sealed}) == 1


def test_without_trustees_there_is_nothing_to_seal_to(voters):
    from conftest import CANDIDATES_2015, make_contest

    contest = make_contest("keyless", "labour-2015", CANDIDATES_2015, trustees=None)
    codes = voters(contest, [("K1", ["All voters"])])
    assert trustees.box_key(contest) is None
    with pytest.raises(NotOpen, match="The ballot box has no key: the returning officer names "
                       "the trustees before the ballot opens."):
        casting.cast(contest, casting.check_code(contest, codes["K1"]).voter, "All voters",
                     ["Liz Kendall"])
    assert not SealedBallot.objects.exists() and not Participation.objects.exists()


def test_second_cast_is_already_voted_and_stores_nothing(omov, omov_codes):
    cred = casting.check_code(omov, omov_codes["L001"])
    casting.cast(omov, cred.voter, "All voters", ["Liz Kendall"])
    with pytest.raises(AlreadyVoted, match="You have already voted in All voters."):
        casting.cast(omov, cred.voter, "All voters", ["Yvette Cooper"])
    assert SealedBallot.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="cast").count() == 1


def test_college_voter_gets_one_ballot_per_section(college, voters):
    codes = voters(college, [("M1", ["Members", "Affiliates"])])
    cred = casting.check_code(college, codes["M1"])
    assert casting.ballot_sections(college, cred.voter) == ["Members", "Affiliates"]
    casting.cast(college, cred.voter, "Members", ["Ed Miliband"])
    assert casting.remaining_sections(college, cred.voter) == ["Affiliates"]
    casting.cast(college, cred.voter, "Affiliates", ["David Miliband"])
    sections = SealedBallot.objects.values_list("section", flat=True)
    assert sorted(sections) == ["Affiliates", "Members"]
    with pytest.raises(NotOpen, match="You do not have a ballot in the section 'MPs and MEPs'"):
        casting.cast(college, cred.voter, "MPs and MEPs", ["Ed Balls"])


def test_omov_voter_in_several_roll_groups_gets_one_ballot(omov):
    """A member who is also an affiliated and a registered supporter is listed under all
    three groups on the roll; under OMOV every group is the one section, so one ballot."""
    roll.import_roll(omov, "reference,name,email,sections\n"
                           "S1,Sam Several,s1@example.org,Member;Affiliated supporter;"
                           "Registered supporter\n")
    voter = Voter.objects.get(election=omov.election, reference="S1")
    assert voter.sections == ["All voters"]
    assert casting.ballot_sections(omov, voter) == ["All voters"]
    casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    assert casting.remaining_sections(omov, voter) == []
    with pytest.raises(AlreadyVoted, match="You have already voted in All voters."):
        casting.cast(omov, voter, "All voters", ["Yvette Cooper"])
    assert SealedBallot.objects.count() == 1


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
    assert SealedBallot.objects.count() == 0
