"""Issuing security codes, and sending them: emails through the task queue, letters as CSV.

A code is never stored, in any form a copy of the database could use: the credential keeps
its ballot id and the keyed hash of its secret, and the secret is *made again* from the
code key whenever it must be shown (``codes.derive_secret``):

* the mail task's arguments are the voter's id and the ballot id (the issue's generation),
  never the code: the worker makes the code while it sends the mail, and a task for a code
  that has since been reissued sends nothing;
* the printed letters are made on demand, as a CSV download, and never written anywhere.

Re-issuing draws a new ballot id (the old code stops working), is written in the audit log
(who, which voter; never the code) and is refused once the ballot has closed. Reminders go
only to voters who have not voted in every section they hold a ballot in, and carry the
same code as the first mail (it can be made again, so nothing is voided).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from hustings.formats import csv_cells
from hustings.web.contests.models import Stage
from hustings.web.voting import casting, codes
from hustings.web.voting.errors import NotOpen, VotingError
from hustings.web.voting.mailing import code_for
from hustings.web.voting.models import Credential, Voter, VotingSetup

LETTER_HEADER = ("reference", "name", "postal_address", "security_code", "link")
# Stages at which a code may still be (re)issued: a code is of no use after the close, and
# a new one then could only confuse a recount.
_CLOSED = (Stage.BALLOT_CLOSED, Stage.COUNTED, Stage.PUBLISHED)
def csv_text(rows: Iterable[Iterable[str]]) -> str:
    """Rows as CSV, every cell neutralised against formula injection (OWASP), as every
    CSV Hustings writes (``hustings.formats.csv_cells``)."""
    out = io.StringIO()
    csv_cells.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _secret_key() -> bytes:
    return codes.code_keys(settings.HUSTINGS_CODE_KEY)[0]


def _issue(voter: Voter) -> Credential:
    ballot_id = codes.new_ballot_id()
    secret = codes.derive_secret(_secret_key(), voter.pk, ballot_id)
    cred, _ = Credential.objects.update_or_create(
        voter=voter,
        defaults={"ballot_id": ballot_id,
                  "secret_digest": codes.digest(casting.credential_key(), secret),
                  "failed_attempts": 0, "locked_until": None, "sent_at": None,
                  # a reissued code is handed over as a letter (``reissue_letter``)
                  "mail_status": "", "mail_error": "", "mail_attempts": 0},
    )
    return cred


def _link(contest, base_url: str) -> str:
    """The voting page of the contest's election: one code, one visit, every contest."""
    return base_url.rstrip("/") + reverse("voting:start", args=[contest.election.slug])


def _refuse_after_close(contest, what: str) -> None:
    contest.refresh_from_db(fields=["stage"])
    if contest.stage in _CLOSED:
        raise NotOpen(f"the ballot has closed: {what} is no longer possible")


def issue_all(contest, *, base_url: str = "http://127.0.0.1:8000") -> tuple[int, str]:
    """``issue_codes``, and the letters of the voters it issued to as CSV text (reference,
    name, postal address, code, link), made now and kept nowhere. For a small roll in one
    request; a national one is issued by the worker (``jobs.issue_codes``) and its letters
    downloaded as a stream (``letters``)."""
    done = issue_codes(contest, base_url=base_url, keep_letters=True)
    link = _link(contest, base_url)
    rows: list[tuple[str, ...]] = [LETTER_HEADER]
    creds = (Credential.objects.select_related("voter").filter(pk__in=done.letter_ids)
             .order_by("voter__reference"))
    for cred in creds.iterator(chunk_size=2000):
        v = cred.voter
        rows.append((v.reference, v.name, v.postal_address, code_for(cred), link))
    return done.queued, csv_text(rows)


@dataclass
class Issued:
    issued: int = 0
    queued: int = 0  # emails queued (in mail tasks of up to HUSTINGS_MAIL_BATCH)
    letters: int = 0
    letter_ids: list[int] = field(default_factory=list)  # only with keep_letters


def issue_codes(contest, *, base_url: str = "http://127.0.0.1:8000",
                progress: Callable[[int, int], None] | None = None,
                keep_letters: bool = False) -> Issued:
    """Issue a code to every voter on the frozen roll who has none yet, in batches of
    ``HUSTINGS_ISSUE_BATCH``: each batch's credentials (keyed hashes, written with one
    INSERT) and its mail tasks (one per ``HUSTINGS_MAIL_BATCH`` emails, holding voter ids
    and ballot ids, never a code) commit together. So it is idempotent and resumable: after
    a crash, issuing again gives a code to exactly the voters still without one, and every
    emailed voter has exactly one mail task. Voters with a code are never touched: pressing
    the button twice must not void the letters already printed (a lost letter is replaced
    by ``reissue``). ``progress(done, total)`` after each batch."""
    from hustings.web.voting import mailing
    from hustings.web.voting.ledger import setup_for

    if not setup_for(contest).roll_frozen_at:
        raise NotOpen("freeze the roll before issuing security codes")
    _refuse_after_close(contest, "issuing security codes")
    link = _link(contest, base_url)
    secret_key, digest_key = _secret_key(), casting.credential_key()
    eligible = Voter.objects.filter(election_id=contest.election_id, excluded_at__isnull=True)
    total = eligible.filter(credential__isnull=True).count()
    out, last = Issued(), 0
    while True:
        with transaction.atomic():
            # one issuer at a time per contest: a second press waits, then finds no one left
            VotingSetup.objects.select_for_update().get(contest=contest)
            # the next voters by id, then those of them that have a code left out: an index
            # walk per batch, where an anti-join with the credentials would read them all
            rows = list(eligible.filter(pk__gt=last).order_by("pk").values_list("pk", "email")
                        [: settings.HUSTINGS_ISSUE_BATCH])
            if not rows:
                break
            last = rows[-1][0]
            have = set(Credential.objects.filter(voter_id__in=[v for v, _ in rows])
                       .values_list("voter_id", flat=True))
            rows = [r for r in rows if r[0] not in have]
            creds = _insert(rows, secret_key, digest_key)
            emailed = [[c.voter_id, c.ballot_id] for c in creds if c.emailed]
            for i in range(0, len(emailed), settings.HUSTINGS_MAIL_BATCH):
                _enqueue(mailing.send_batch, emailed[i : i + settings.HUSTINGS_MAIL_BATCH], link)
        out.issued += len(creds)
        out.queued += len(emailed)
        out.letters += len(creds) - len(emailed)
        if keep_letters:
            out.letter_ids += [c.pk for c in creds if not c.emailed]
        if progress:
            progress(out.issued, total)
    return out


@dataclass(frozen=True)
class _Made:
    voter_id: int
    ballot_id: str
    pk: int
    emailed: bool


def _insert(rows: list[tuple[int, str]], secret_key: bytes, digest_key: bytes) -> list[_Made]:
    """Credentials for (voter id, email) rows, written at once (PostgreSQL: COPY into a
    temporary table, then one INSERT … ON CONFLICT DO NOTHING; else one bulk INSERT). Ballot
    ids are 40 random bits, so among 600,000 a repeat is likely (about one issue in six): a
    row whose ballot id is taken is left out by the INSERT and drawn again."""
    made: dict[int, _Made] = {}
    todo = rows
    while todo:
        batch = []
        for voter_id, email in todo:
            ballot_id = codes.new_ballot_id()
            digest = codes.digest(digest_key, codes.derive_secret(secret_key, voter_id, ballot_id))
            batch.append((voter_id, ballot_id, digest, bool(email)))
        stored = _write(batch)
        for voter_id, ballot_id, _, emailed in batch:
            if voter_id in stored:
                made[voter_id] = _Made(voter_id, ballot_id, stored[voter_id], emailed)
        todo = [(v, e) for v, e in todo if v not in made]
        if todo:  # a voter given a code meanwhile (``reissue``) keeps it; only repeats redraw
            taken = set(Credential.objects.filter(voter_id__in=[v for v, _ in todo])
                        .values_list("voter_id", flat=True))
            todo = [(v, e) for v, e in todo if v not in taken]
    return [made[v] for v, _ in rows if v in made]


def _write(batch: list[tuple[int, str, str, bool]]) -> dict[int, int]:
    """Insert what does not conflict; returns voter id → credential id of the rows written."""
    from hustings.web.voting import mailing

    if connection.vendor != "postgresql":
        Credential.objects.bulk_create(
            [Credential(voter_id=v, ballot_id=b, secret_digest=d,
                        mail_status=mailing.QUEUED if e else "") for v, b, d, e in batch],
            ignore_conflicts=True)
        wanted = {(v, b) for v, b, _, _ in batch}
        return {v: pk for v, b, pk in Credential.objects.filter(voter_id__in=[v for v, *_ in batch])
                .values_list("voter_id", "ballot_id", "pk") if (v, b) in wanted}
    table = connection.ops.quote_name(Credential._meta.db_table)
    with connection.cursor() as c:
        c.execute("CREATE TEMPORARY TABLE IF NOT EXISTS hustings_issue (voter_id bigint, "
                  "ballot_id text, secret_digest text, mail_status text) ON COMMIT DELETE ROWS")
        c.execute("TRUNCATE hustings_issue")
        with c.cursor.copy("COPY hustings_issue FROM STDIN") as copy:
            for v, b, d, e in batch:
                copy.write_row((v, b, d, mailing.QUEUED if e else ""))
        c.execute(
            f"INSERT INTO {table} (voter_id, ballot_id, secret_digest, mail_status, "
            "failed_attempts, reminders_sent, mail_attempts, mail_error) "
            "SELECT voter_id, ballot_id, secret_digest, mail_status, 0, 0, 0, '' "
            "FROM hustings_issue ON CONFLICT DO NOTHING RETURNING voter_id, id")
        return dict(c.fetchall())


def _enqueue(task_, *args) -> None:
    """With the database queue the task row joins the caller's transaction (it commits
    with the codes, or not at all); another backend (the demo's immediate one) runs it when
    the transaction commits."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    if isinstance(task_backends[task_.backend], DatabaseBackend):
        task_.enqueue(*args)
    else:
        transaction.on_commit(lambda: task_.enqueue(*args))


def letters(contest, *, base_url: str = "http://127.0.0.1:8000") -> Iterator[str]:
    """Every printed letter of the contest (voters with no email), as CSV lines made on
    demand for a streamed download: the codes are made again, not read back. Refused (at
    once, not part-way through the download) once the ballot has closed."""
    _refuse_after_close(contest, "printing letters")
    return _letter_lines(contest, _link(contest, base_url))


def _letter_lines(contest, link: str) -> Iterator[str]:
    yield csv_text([LETTER_HEADER])
    creds = (Credential.objects.select_related("voter")
             .filter(voter__election_id=contest.election_id, voter__excluded_at__isnull=True,
                     voter__email="")
             .order_by("voter__reference"))
    for cred in creds.iterator(chunk_size=2000):
        v = cred.voter
        yield csv_text([(v.reference, v.name, v.postal_address, code_for(cred), link)])


def reissue(contest, reference: str, *, by=None) -> str:
    """A new code for one voter (a lost letter); the old one stops working. Returned for a
    printed letter. Refused once the ballot has closed; written in the contest's audit log
    (who asked, for which voter: never the code). ``by`` is the officer."""
    from hustings.web.contests.models import AuditEntry, Contest

    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.stage in _CLOSED:
            raise NotOpen(f"the ballot has closed: a security code can no longer be reissued "
                          f"(the contest is at {locked.get_stage_display()!r})")
        voter = Voter.objects.filter(election_id=contest.election_id, reference=reference).first()
        if voter is None:
            raise VotingError(f"no voter with reference {reference!r} on the roll")
        if voter.excluded:
            raise VotingError(f"voter {reference} is excluded: {voter.excluded_reason}")
        cred = _issue(voter)
        AuditEntry.record(
            locked, by, "reissue security code", actor_name="(not recorded)",
            from_stage=locked.stage, to_stage=locked.stage, detail={"reference": reference},
        )
    return code_for(cred)


def reissue_letter(contest, reference: str, *, by=None) -> str:
    """``reissue``, as the one-letter CSV the officer page downloads (cells neutralised)."""
    code = reissue(contest, reference, by=by)
    voter = Voter.objects.get(election_id=contest.election_id, reference=reference)
    return csv_text([LETTER_HEADER[:4], (reference, voter.name, voter.postal_address, code)])


def remind(contest, *, base_url: str = "http://127.0.0.1:8000") -> int:
    """Email each voter with an email who still has a ballot to cast their code again, in
    mail tasks of ``HUSTINGS_MAIL_BATCH`` (``mailing.send_batch``)."""
    from hustings.web.voting import mailing

    _refuse_after_close(contest, "sending reminders")
    link = _link(contest, base_url)
    due: list[list] = []
    with transaction.atomic():
        voters = (Voter.objects.filter(election_id=contest.election_id, excluded_at__isnull=True,
                                       credential__isnull=False)
                  .exclude(email="").select_related("credential"))
        for voter in voters.iterator(chunk_size=2000):
            if not casting.remaining_sections(contest, voter):
                continue
            due.append([voter.pk, voter.credential.ballot_id])
        Credential.objects.filter(voter_id__in=[v for v, _ in due]).update(
            reminders_sent=F("reminders_sent") + 1)
        for i in range(0, len(due), settings.HUSTINGS_MAIL_BATCH):
            _enqueue(mailing.send_batch, due[i : i + settings.HUSTINGS_MAIL_BATCH], link, True)
    return len(due)


@task(queue_name="mail")
def send_code(  # one voter; kept for tasks queued by earlier versions (issue uses send_batch)
voter_id: int, ballot_id: str, link: str, reminder: bool) -> str:
    """Mail a voter their code, made now from the code key. A task queued for a ballot id
    that has since been reissued sends nothing (the newer issue has its own mail)."""
    cred = Credential.objects.select_related("voter__election").filter(voter_id=voter_id).first()
    if cred is None or cred.ballot_id != ballot_id:
        return "superseded"
    voter, contest = cred.voter, cred.voter.election
    subject = ("Reminder: " if reminder else "") + f"Your ballot in the {contest.title}"
    body = (
        f"Dear {voter.name},\n\n"
        f"{'You have not voted yet. ' if reminder else ''}"
        f"To vote in the {contest.title}, go to\n\n    {link}\n\n"
        f"and enter your security code:\n\n    {code_for(cred)}\n\n"
        "Opening the link does not use the code up. Your vote is secret: the ballot is\n"
        "stored without your name or your code.\n"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [voter.email])
    Credential.objects.filter(pk=cred.pk, ballot_id=ballot_id).update(sent_at=timezone.now())
    return "sent"
