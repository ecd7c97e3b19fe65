"""Roll import (all or nothing), freeze, exclusions; codes by email through the task queue,
letters as CSV, reminders only to those who have not voted."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command

from hustings.web.voting import casting, credentials, roll
from hustings.web.voting.errors import CredentialError, NotOpen, RollError, VotingError
from hustings.web.voting.models import Credential, LedgerEntry, Voter

pytestmark = pytest.mark.django_db

ROLL = (
    "reference,name,email,postal_address,sections\n"
    "L1,Ann Example,ann@example.org,,Member\n"
    "L2,Bob Example,,\"1 High St, Leeds\",Registered supporter\n"
    "L3,Cat Example,cat@example.org,,Affiliated supporter\n"
)
CODE = re.compile(r"[0-9A-Z]{8}(?:-[0-9A-Z]{5}){4}")


def test_bad_line_imports_nothing(omov):
    bad = ROLL + "L4,Dan,,,\n"
    with pytest.raises(RollError) as e:
        roll.import_roll(omov, bad, source="roll.csv")
    assert e.value.problems == [
        "roll.csv, line 5: neither an email nor a postal address to send the code to",
        "roll.csv, line 5: no section given; expected one or more of All voters",
    ]
    assert Voter.objects.count() == 0


def test_import_freeze_then_no_more_imports(omov):
    assert roll.import_roll(omov, ROLL) == 3
    assert Voter.objects.get(reference="L2").sections == ["All voters"]
    roll.freeze(omov)
    entry = LedgerEntry.objects.get(kind="roll-frozen")
    assert entry.payload["voters"] == 3 and entry.payload["sections"] == {"All voters": 3}
    with pytest.raises(NotOpen, match="the roll is frozen"):
        roll.import_roll(omov, ROLL)


def test_codes_need_a_frozen_roll(omov):
    roll.import_roll(omov, ROLL)
    with pytest.raises(NotOpen, match="freeze the roll before issuing security codes"):
        credentials.issue_all(omov)


def test_issue_emails_through_the_queue_and_letters_as_csv(omov,
                                                           django_capture_on_commit_callbacks):
    roll.import_roll(omov, ROLL)
    roll.freeze(omov)
    with django_capture_on_commit_callbacks(execute=True):
        queued, letters = credentials.issue_all(omov)
    assert queued == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "cat@example.org"]
    ann = next(m for m in mail.outbox if m.to == ["ann@example.org"])
    code = CODE.search(ann.body).group(0)
    assert casting.check_code(omov, code).voter.reference == "L1"
    lines = letters.splitlines()
    assert lines[0] == "reference,name,postal_address,security_code,link"
    assert lines[1].startswith('L2,Bob Example,"1 High St, Leeds",')
    # only the keyed hash is stored: the secret part appears in no column
    secret = code.split("-", 1)[1].replace("-", "")
    for row in Credential.objects.values():
        assert all(secret not in str(v) for v in row.values())


def test_reminders_go_only_to_those_who_have_not_voted(omov, django_capture_on_commit_callbacks):
    roll.import_roll(omov, ROLL)
    roll.freeze(omov)
    with django_capture_on_commit_callbacks(execute=True):
        credentials.issue_all(omov)
    ann_mail = next(m for m in mail.outbox if m.to == ["ann@example.org"])
    ann_code = CODE.search(ann_mail.body).group(0)
    casting.cast(omov, casting.check_code(omov, ann_code).voter, "All voters", ["Liz Kendall"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert credentials.remind(omov) == 1
    assert [m.to for m in mail.outbox] == [["cat@example.org"]]
    assert mail.outbox[0].subject.startswith("Reminder: ")


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_database_queue_holds_the_mail_until_the_worker_runs(omov, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}
    from django_tasks_db.models import DBTaskResult

    roll.import_roll(omov, ROLL)
    roll.freeze(omov)
    queued, _ = credentials.issue_all(omov)  # the task row commits with the codes
    assert queued == 2 and DBTaskResult.objects.count() == 1  # one task per batch of emails
    assert mail.outbox == []  # the request returned before any letter was sent
    call_command("db_worker", "--batch", "--queue-name", "mail", "--no-startup-delay", verbosity=0)
    assert len(mail.outbox) == 2


def test_exclusion_needs_a_reason_and_stops_the_code(omov, omov_codes):
    with pytest.raises(VotingError, match="an exclusion needs a reason"):
        roll.exclude(omov, "L001", "  ")
    roll.exclude(omov, "L001", "membership lapsed before the freeze date")
    assert LedgerEntry.objects.get(kind="voter-excluded").payload == {
        "reference": "L001", "reason": "membership lapsed before the freeze date"}
    with pytest.raises(CredentialError, match="no longer valid"):
        casting.check_code(omov, omov_codes["L001"])


def test_cannot_exclude_after_voting(omov, omov_codes):
    voter = casting.check_code(omov, omov_codes["L002"]).voter
    casting.cast(omov, voter, "All voters", ["Yvette Cooper"])
    with pytest.raises(VotingError, match="voter L002 has already voted and cannot be excluded"):
        roll.exclude(omov, "L002", "late objection")


def test_officer_imports_roll_through_the_page(omov, officer, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    r = client.post(f"/contests/{omov.slug}/voting/", {
        "action": "roll", "roll": SimpleUploadedFile("roll.csv", ROLL.encode())}, follow=True)
    assert "Imported 3 voters." in r.content.decode()
    r = client.post(f"/contests/{omov.slug}/voting/", {
        "action": "roll", "roll": SimpleUploadedFile("bad.csv", b"reference,name\nx,y\n"),
    }, follow=True)
    assert "bad.csv, line 1: missing column(s) sections" in r.content.decode()


def test_member_cannot_issue_codes_or_key_paper(omov, member, client):
    client.force_login(member)
    for action in ("roll", "freeze", "exclude", "issue", "reissue", "remind", "paper", "open",
                   "close", "publish"):
        assert client.post(f"/contests/{omov.slug}/voting/", {"action": action}).status_code == 403


def test_freeze_date_excludes_those_who_joined_after_it(omov):
    import datetime as dt

    text = ("reference,name,email,postal_address,sections,joined\n"
            "J1,Early,,1 St,Member,2015-05-01\n"
            "J2,Late,,2 St,Registered supporter,2015-08-13\n"
            "J3,Unknown,,3 St,Member,\n")
    roll.import_roll(omov, text)
    assert roll.freeze(omov, dt.date(2015, 8, 12)) == 1
    late = Voter.objects.get(reference="J2")
    assert late.excluded_reason == "joined 2015-08-13, after the freeze date 2015-08-12"
    assert not Voter.objects.get(reference="J1").excluded
    entry = LedgerEntry.objects.get(kind="roll-frozen")
    assert entry.payload["freeze_date"] == "2015-08-12"
    assert entry.payload["joined_after_freeze_date"] == 1


def test_bad_joined_date_is_a_roll_error(omov):
    with pytest.raises(RollError, match=r"line 2: joined '12/08/2015' is not a date; "
                                        r"expected YYYY-MM-DD"):
        roll.import_roll(omov, "reference,name,email,postal_address,sections,joined\n"
                               "J1,Ann,,1 St,Member,12/08/2015\n")


def test_issuing_twice_does_not_void_the_letters(omov):
    roll.import_roll(omov, ROLL)
    roll.freeze(omov)
    _, letters = credentials.issue_all(omov)
    bob = CODE.search(letters).group(0)
    queued, again = credentials.issue_all(omov)
    assert queued == 0 and again.splitlines()[1:] == []
    assert casting.check_code(omov, bob).voter.reference == "L2"
    new = credentials.reissue(omov, "L2")  # a lost letter
    with pytest.raises(CredentialError):
        casting.check_code(omov, bob)
    assert casting.check_code(omov, new).voter.reference == "L2"


def test_officer_replaces_a_lost_code(omov, omov_codes, officer, client):
    client.force_login(officer)
    r = client.post(f"/contests/{omov.slug}/voting/", {"action": "reissue", "reference": "L003"})
    assert r["Content-Type"].startswith("text/csv")
    line = r.content.decode().splitlines()[1]
    assert line.startswith("L003,Voter L003,,")
    assert casting.check_code(omov, line.split(",")[-1]).voter.reference == "L003"
