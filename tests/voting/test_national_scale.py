"""Issue 15, the national path for one contest: the roll streamed from a file (checked
whole, then written with COPY or batched INSERTs), codes issued in resumable batches with
one mail task per batch, mail over one connection with bounces and retries recorded, and
the long steps as jobs with progress."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from hustings.web.voting import codes, credentials, jobs, mailing, roll
from hustings.web.voting.errors import RollError
from hustings.web.voting.models import Credential, Job, Voter

pytestmark = pytest.mark.django_db

HEADER = "reference,name,email,postal_address,sections\n"


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # where uploaded rolls wait for the worker


def _roll(n: int, *, postal_every: int = 4) -> str:
    rows = [f"N{i:05d},Voter {i},{'' if i % postal_every == 0 else f'v{i}@example.org'},"
            f"{f'{i} High St' if i % postal_every == 0 else ''},Member\n" for i in range(n)]
    return HEADER + "".join(rows)


def test_a_roll_file_is_streamed_in_and_replaces_the_old_roll_with_its_codes(omov, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_text(_roll(12), encoding="utf-8")
    seen = []
    assert roll.import_roll(omov, path, source="roll.csv",
                            progress=lambda what, n: seen.append(what)) == 12
    assert seen == ["writing"] and Voter.objects.filter(election=omov.election).count() == 12
    # codes of the old roll go with it (set-wise DELETEs, not the collector)
    Credential.objects.create(voter=Voter.objects.get(reference="N00001"), ballot_id="AAAAAAAA",
                              secret_digest="x")
    path.write_text(_roll(3), encoding="utf-8")
    assert roll.import_roll(omov, path) == 3
    references = Voter.objects.values_list("reference", flat=True)
    assert sorted(references) == ["N00000", "N00001", "N00002"]
    assert Credential.objects.count() == 0


def test_every_bad_line_of_a_streamed_roll_is_reported_and_nothing_written(omov, tmp_path):
    roll.import_roll(omov, _roll(2))
    path = tmp_path / "bad.csv"
    path.write_text(_roll(3) + "N00001,Dup,,,Member\nX9,,bad-email,,Nobody\n", encoding="utf-8")
    with pytest.raises(RollError) as e:
        roll.import_roll(omov, path, source="bad.csv")
    assert e.value.problems == [
        "bad.csv, line 5: reference 'N00001' already used on line 3",
        "bad.csv, line 5: neither an email nor a postal address to send the code to",
        "bad.csv, line 6: the name is empty",
        "bad.csv, line 6: 'bad-email' is not an email address",
        "bad.csv, line 6: unknown section 'Nobody'; expected one of All voters",
    ]
    assert sorted(Voter.objects.values_list("reference", flat=True)) == ["N00000", "N00001"]


def test_freeze_excludes_late_joiners_with_one_update_per_date(omov):
    text = ("reference,name,email,postal_address,sections,joined\n"
            "A,Ann,a@example.org,,Member,2015-01-01\nB,Bob,b@example.org,,Member,2015-08-13\n"
            "C,Cat,c@example.org,,Member,2015-08-13\nD,Dan,d@example.org,,Member,\n")
    roll.import_roll(omov, text)
    import datetime as dt

    assert roll.freeze(omov, dt.date(2015, 8, 12)) == 2
    assert Voter.objects.get(reference="C").excluded_reason == (
        "joined 2015-08-13, after the freeze date 2015-08-12")
    assert Voter.objects.filter(excluded_at__isnull=True).count() == 2


def _frozen(omov, n: int) -> None:
    roll.import_roll(omov, _roll(n))
    roll.freeze(omov)


def _queued_pairs() -> list[tuple[int, str]]:
    from django_tasks_db.models import DBTaskResult

    return [tuple(p) for r in DBTaskResult.objects.filter(task_path__endswith="send_batch")
            for p in r.args_kwargs["args"][0]]


def _db_queue(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}


def test_issuing_is_batched_one_mail_task_per_batch(omov, settings):
    _db_queue(settings)
    settings.HUSTINGS_ISSUE_BATCH, settings.HUSTINGS_MAIL_BATCH = 5, 2
    _frozen(omov, 12)  # 9 emailed, 3 letters
    out = credentials.issue_codes(omov)
    assert (out.issued, out.queued, out.letters) == (12, 9, 3)
    pairs = _queued_pairs()
    assert sorted(pairs) == sorted(Credential.objects.exclude(mail_status="")
                                   .values_list("voter_id", "ballot_id"))
    from django_tasks_db.models import DBTaskResult

    # batches of 5 voters (4, 4, 1 emailed) in tasks of at most 2: 2 + 2 + 1
    assert DBTaskResult.objects.count() == 5
    assert mailing.status(omov) == {"issued": 12, "queued": 9, "sent": 0, "failed": 0,
                                    "letters": 3, "without_code": 0}


def test_a_crash_midway_then_issue_again_gives_everyone_exactly_one_code_and_one_mail(
        omov, settings, monkeypatch):
    _db_queue(settings)
    settings.HUSTINGS_ISSUE_BATCH, settings.HUSTINGS_MAIL_BATCH = 4, 50
    _frozen(omov, 12)
    real = credentials._enqueue
    calls = []

    def dies_on_the_second_batch(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("the worker was killed")
        real(*args)

    monkeypatch.setattr(credentials, "_enqueue", dies_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        credentials.issue_codes(omov)
    assert Credential.objects.count() == 4  # the first batch committed, the second did not
    monkeypatch.setattr(credentials, "_enqueue", real)
    credentials.issue_codes(omov)
    assert Credential.objects.count() == 12
    emailed = set(Voter.objects.exclude(email="").values_list("pk", flat=True))
    pairs = _queued_pairs()
    assert sorted(v for v, _ in pairs) == sorted(emailed)  # each exactly once
    assert all(Credential.objects.get(voter_id=v).ballot_id == b for v, b in pairs)


def test_a_repeated_ballot_id_is_drawn_again(omov, monkeypatch):
    _frozen(omov, 3)
    draws = iter(["SAMEID00", "SAMEID00", "SAMEID00", "OTHER001", "OTHER002"])
    monkeypatch.setattr(codes, "new_ballot_id", lambda: next(draws))
    credentials.issue_codes(omov)
    assert sorted(Credential.objects.values_list("ballot_id", flat=True)) == [
        "OTHER001", "OTHER002", "SAMEID00"]


def test_a_batch_goes_over_one_connection_and_its_codes_work(omov,
                                                             django_capture_on_commit_callbacks):
    from hustings.web.voting import casting

    _frozen(omov, 8)
    opened = []
    from django.core.mail.backends.locmem import EmailBackend

    real_open = EmailBackend.open
    EmailBackend.open = lambda self: opened.append(1) or real_open(self)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            credentials.issue_codes(omov)  # the immediate backend sends at the commit
    finally:
        EmailBackend.open = real_open
    assert len(mail.outbox) == 6 and len(opened) == 1
    code = mail.outbox[0].body.split("security code:\n\n    ")[1].split()[0]
    assert casting.check_code(omov, code).voter.email == mail.outbox[0].to[0]
    assert mailing.status(omov)["sent"] == 6


class _Flaky:
    """An SMTP connection that refuses one address for good and drops the line once."""

    def __init__(self, refuse: str, drop_at: int):
        self.refuse, self.drop_at, self.sent = refuse, drop_at, []

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        (m,) = messages
        if m.to[0] == self.refuse:
            raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"no such user")})
        if len(self.sent) == self.drop_at:
            self.drop_at = -1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        self.sent.append(m.to[0])
        return 1


def test_a_bounce_is_failed_and_a_dropped_connection_is_retried(omov, settings, monkeypatch):
    _db_queue(settings)
    _frozen(omov, 6)  # N00001..N00003, N00005 emailed
    credentials.issue_codes(omov)
    flaky = _Flaky("v2@example.org", drop_at=2)
    monkeypatch.setattr(mailing, "get_connection", lambda: flaky)
    from django_tasks_db.models import DBTaskResult

    (first,) = DBTaskResult.objects.all()
    out = mailing.send_batch.call(*first.args_kwargs["args"])
    assert out == {"sent": 2, "failed": 1, "retrying": 1, "skipped": 0}
    bounced = Credential.objects.get(voter__reference="N00002")
    assert bounced.mail_status == "failed" and "550" in bounced.mail_error
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.args_kwargs["args"][2:] == [False, 2] and retry.run_after > first.enqueued_at
    assert mailing.send_batch.call(*retry.args_kwargs["args"])["sent"] == 1
    assert mailing.status(omov) == {"issued": 6, "queued": 0, "sent": 3, "failed": 1,
                                    "letters": 2, "without_code": 0}
    assert mailing.failures(omov) == [("N00002", bounced.mail_error)]


def test_a_message_is_failed_after_the_last_retry(omov, settings, monkeypatch):
    _frozen(omov, 2)
    settings.HUSTINGS_MAIL_RETRIES = 3
    credentials.issue_codes(omov)
    cred_ids = [list(p) for p in Credential.objects.exclude(mail_status="")
                .values_list("voter_id", "ballot_id")]
    Credential.objects.update(mail_status="queued")

    class Down:
        def open(self):
            raise ConnectionRefusedError(111, "Connection refused")

        def close(self):
            pass

    monkeypatch.setattr(mailing, "get_connection", lambda: Down())
    assert mailing.send_batch.call(cred_ids, "http://x/", False, 3)["retrying"] == 1
    c = Credential.objects.get(voter_id=cred_ids[0][0])
    assert c.mail_status == "failed" and c.mail_error.startswith("gave up after 3 attempts")


def test_the_officer_imports_and_issues_through_jobs(omov, officer, client):
    client.force_login(officer)
    r = client.post(f"/contests/{omov.slug}/voting/", {
        "action": "roll", "roll": SimpleUploadedFile("roll.csv", _roll(5).encode())}, follow=True)
    assert "Imported 5 voters." in r.content.decode()
    job = Job.objects.get(kind="roll")
    assert (job.state, job.done, job.total) == ("done", 5, 5)
    assert list(jobs.upload_dir().iterdir()) == []  # the upload is gone once imported
    page = client.get(f"/contests/{omov.slug}/voting/jobs/{job.pk}/?format=json").json()
    assert page["state"] == "done" and page["percent"] == 100
    roll.freeze(omov)
    r = client.post(f"/contests/{omov.slug}/voting/", {"action": "issue"})
    assert r["Content-Type"].startswith("text/csv")
    assert r.content.decode().count("\n") == 3  # the header, N00000's and N00004's letters
    counts = client.get(f"/contests/{omov.slug}/voting/codes/").json()
    assert (counts["issued"], counts["queued"], counts["letters"]) == (5, 3, 2)
    lines = b"".join(client.get(f"/contests/{omov.slug}/voting/letters.csv").streaming_content)
    assert lines.decode().startswith("reference,name,postal_address,security_code,link\nN00000,")


def test_a_job_page_shows_every_error_of_a_refused_roll(omov, officer, client, settings):
    job = Job.objects.create(contest=omov, kind="roll", state="failed",
                             message="roll.csv, line 2: the name is empty\nroll.csv, line 3: x")
    client.force_login(officer)
    html = client.get(f"/contests/{omov.slug}/voting/jobs/{job.pk}/").content.decode()
    assert "<li>roll.csv, line 2: the name is empty</li>" in html
    assert "<li>roll.csv, line 3: x</li>" in html


def test_a_waiting_job_page_follows_its_job_and_shows_progress(omov, officer, client):
    job = Job.objects.create(contest=omov, kind="codes", state="running", step="issuing codes",
                             done=150, total=600)
    client.force_login(officer)
    html = client.get(f"/contests/{omov.slug}/voting/jobs/{job.pk}/").content.decode()
    # no timed reload (WCAG 2.2.1): a script asks the job's JSON; without it, a reload link
    assert 'http-equiv="refresh"' not in html
    assert f'data-url="/contests/{omov.slug}/voting/jobs/{job.pk}/?format=json"' in html
    assert "Reload this page</a> to see how far it has gone" in html
    assert '<progress max="100" value="25">' in html and "150 of 600" in html


def test_a_roll_that_is_not_utf8_at_its_end_is_refused_before_the_worker(omov, tmp_path):
    upload = SimpleUploadedFile("roll.csv", _roll(2).encode() + b"\xc3")
    with pytest.raises(RollError, match="is not UTF-8 text"):
        jobs.start_import(omov, upload)
    assert not Job.objects.exists() and list(jobs.upload_dir().iterdir()) == []


def test_a_member_sees_no_job_no_counts_no_letters(omov, member, client):
    job = Job.objects.create(contest=omov, kind="roll")
    client.force_login(member)
    for url in (f"/contests/{omov.slug}/voting/jobs/{job.pk}/",
                f"/contests/{omov.slug}/voting/codes/",
                f"/contests/{omov.slug}/voting/letters.csv"):
        assert client.get(url).status_code == 403


def test_a_job_whose_worker_died_does_not_stop_issuing_again(omov, settings):
    import datetime as dt

    _db_queue(settings)
    _frozen(omov, 3)
    dead = Job.objects.create(contest=omov, kind="codes", state="running")
    Job.objects.filter(pk=dead.pk).update(updated_at=dead.updated_at - dt.timedelta(minutes=6))
    alive = Job.objects.create(contest=omov, kind="roll", state="running")
    assert jobs.start_issue(omov, base_url="http://x/").pk != dead.pk
    with pytest.raises(Exception, match="a roll import is already running"):
        jobs.start_import(omov, SimpleUploadedFile("roll.csv", _roll(2).encode()))
    assert alive.state == "running"
