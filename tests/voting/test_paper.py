"""Paper batches: two independent keyings must agree; online+paper duplicates are set aside
by the contest's rule and reported."""

from __future__ import annotations

import pytest

from conftest import open_box
from hustings.web.voting import casting, closing, ledger, paper
from hustings.web.voting.errors import AlreadyVoted, PaperBatchError
from hustings.web.voting.models import (
    Ballot,
    LedgerEntry,
    PaperBatch,
    PaperRule,
    Participation,
    SealedBallot,
    SetAside,
)

pytestmark = pytest.mark.django_db

BATCH = (
    "reference,pref1,pref2,pref3\n"
    "L001,Jeremy Corbyn,Andy Burnham,\n"
    "L002,Liz Kendall,,Yvette Cooper\n"
    "X999,Yvette Cooper,,\n"
)


def test_disagreeing_keyings_are_refused(omov, omov_codes, officer, second_officer):
    paper.submit_keying(omov, section="All voters", label="B1", text=BATCH, by=officer)
    wrong = BATCH.replace("L002,Liz Kendall,,Yvette Cooper", "L002,Liz Kendall,Yvette Cooper,")
    with pytest.raises(PaperBatchError) as e:
        paper.submit_keying(omov, section="All voters", label="B1", text=wrong, by=second_officer)
    assert str(e.value) == (
        "batch B1: the two keyings disagree: envelope L002: first Liz Kendall > (blank) > "
        "Yvette Cooper, second Liz Kendall > Yvette Cooper"
    )
    assert Ballot.objects.count() == 0
    assert PaperBatch.objects.get().status == PaperBatch.Status.AWAITING_SECOND


def test_same_person_cannot_key_twice(omov, omov_codes, officer):
    paper.submit_keying(omov, section="All voters", label="B1", text=BATCH, by=officer)
    with pytest.raises(PaperBatchError, match="must be by someone other than officer"):
        paper.submit_keying(omov, section="All voters", label="B1", text=BATCH, by=officer)


def test_agreeing_keyings_merge_and_report_set_asides(omov, omov_codes, officer, second_officer):
    # L001 voted online first: under first-received, their paper ballot is set aside
    voter = casting.check_code(omov, omov_codes["L001"]).voter
    casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    paper.submit_keying(omov, section="All voters", label="B1", text=BATCH, by=officer)
    batch = paper.submit_keying(omov, section="All voters", label="B1", text=BATCH,
                                by=second_officer)
    batch.refresh_from_db()
    assert (batch.status, batch.counted, batch.set_aside) == ("merged", 1, 2)
    assert batch.first_keying == ""  # the envelope-to-ranking link is gone
    assert sorted(SetAside.objects.values_list("reference", "reason")) == [
        ("L001", "already voted (online or on another paper ballot)"),
        ("X999", "not on the roll"),
    ]
    assert SealedBallot.objects.count() == Participation.objects.count() == 2
    assert not Ballot.objects.exists()  # sealed, like online ballots, until the box is opened
    entry = LedgerEntry.objects.get(kind="paper-batch")
    assert entry.payload["counted"] == 1 and entry.payload["set_aside"] == 2
    # and the paper voter can no longer vote online
    with pytest.raises(AlreadyVoted):
        casting.cast(omov, casting.check_code(omov, omov_codes["L002"]).voter, "All voters",
                     ["Andy Burnham"])
    closing.close(omov, by=officer)
    open_box(omov)
    assert sorted(b.ranking for b in Ballot.objects.all()) == [
        ["Liz Kendall"], ["Liz Kendall", None, "Yvette Cooper"]]
    with pytest.raises(Exception, match="the ballot box has been opened: paper batches are "
                       "accepted until then"):
        paper.submit_keying(omov, section="All voters", label="B9", text=BATCH, by=officer)


def test_online_rule_holds_paper_until_close_and_online_wins(omov, omov_codes, officer,
                                                             second_officer):
    setup = ledger.setup_for(omov)
    setup.paper_rule = PaperRule.ONLINE
    setup.save()
    paper.submit_keying(omov, section="All voters", label="B1", text=BATCH, by=officer)
    paper.submit_keying(omov, section="All voters", label="B1", text=BATCH, by=second_officer)
    assert SealedBallot.objects.count() == 0  # held
    # L002 votes online after posting a paper ballot: online wins
    voter = casting.check_code(omov, omov_codes["L002"]).voter
    casting.cast(omov, voter, "All voters", ["Andy Burnham"])
    closing.close(omov, by=officer)
    opened = open_box(omov)  # held paper is sealed first, then opened with the rest
    counted = closing.count_contest(omov, by=officer)
    assert sorted(SetAside.objects.values_list("reference", flat=True)) == ["L002", "X999"]
    assert sorted(b.ranking for b in Ballot.objects.all()) == [
        ["Andy Burnham"], ["Jeremy Corbyn", "Andy Burnham"]]
    assert opened["sealed"] == opened["opened"] == 2 and counted.detail["ballots"] == 2


def test_bad_batch_file_names_the_line(omov, officer):
    text = "reference,pref1\nL001,Nobody Known\nL001,Liz Kendall\n"
    with pytest.raises(PaperBatchError) as e:
        paper.submit_keying(omov, section="All voters", label="B2", text=text, by=officer)
    assert str(e.value) == (
        "batch B2 (officer), line 2: unknown candidate 'Nobody Known'; expected one of "
        "Andy Burnham, Yvette Cooper, Jeremy Corbyn, Liz Kendall; "
        "batch B2 (officer), line 3: reference 'L001' already on line 2"
    )
