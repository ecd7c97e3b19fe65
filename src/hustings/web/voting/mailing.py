"""Sending security codes by email in batches, and how far the sending has got.

One mail task (``send_batch``, queue "mail") carries a batch of (voter id, ballot id)
pairs, never a code: the worker makes each code from the code key as it sends (as
``credentials.send_code`` does for one). A batch goes over one SMTP connection
(``get_connection``, opened once, one ``send_messages`` call per message so that one
refused address does not lose the rest), at most ``HUSTINGS_MAIL_RATE`` messages a second
per worker process (the ``limits`` library's moving window, in the process's memory).

The limit is per worker process on purpose, not one global cap: the issue's goal is that
more worker processes send proportionally more, as each claims its own batches, and a
global cap would stop that at the cap. With N workers the site sends at most N × the
rate; where the mail relay imposes one cap on the whole site, set ``HUSTINGS_MAIL_RATE`` to
that cap ÷ N (docs/deploying.md, "Mail"). The limiter is made once per process *id*, so a
process forked from one that had already sent (a pre-forking server or worker pool) starts
with an allowance and a moving window of its own instead of a copy of its parent's (whose
expiry timer thread does not survive the fork).

What happens to each message is recorded on its credential (``mail_status``):

* ``queued`` when the code is issued (in the same transaction as the task row, so a crash
  never leaves a code without its mail or a mail without its code);
* ``sent`` when the SMTP server accepted it;
* ``failed`` when the server refused the address (a bounce at sending time: 5xx), or after
  ``HUSTINGS_MAIL_RETRIES`` attempts that failed for a passing reason (connection lost,
  4xx), each retried by a new task for what remained, run later (``run_after``) with a
  growing delay. The reason is kept in ``mail_error``; the officer reissues such a code
  as a letter.

``status(contest)`` gives the officer's page its counts (template
``voting/_codes_status.html``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import smtplib
from collections.abc import Sequence
from functools import cache

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Count, F
from django.utils import timezone
from django_tasks import task
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from hustings.web.voting import codes
from hustings.web.voting.models import Credential, Voter

QUEUED, SENT, FAILED = "queued", "sent", "failed"


@cache
def _limiter(rate: str, pid: int) -> tuple[MovingWindowRateLimiter, object]:
    """One limiter per rate and per process (``pid`` is only the cache's key)."""
    return MovingWindowRateLimiter(MemoryStorage()), parse(rate)


def process_limiter() -> tuple[MovingWindowRateLimiter, object]:
    """This worker process's mail limiter and its rate (``HUSTINGS_MAIL_RATE``)."""
    return _limiter(settings.HUSTINGS_MAIL_RATE, os.getpid())


def _wait_for_rate() -> None:
    import time

    limiter, item = process_limiter()
    while not limiter.hit(item, "mail"):
        time.sleep(0.005)


def message(voter: Voter, code: str, link: str, reminder: bool) -> EmailMessage:
    election = voter.election  # one code for every contest of the election
    subject = ("Reminder: " if reminder else "") + f"Your ballot in the {election.title}"
    body = (
        f"Dear {voter.name},\n\n"
        f"{'You have not voted yet. ' if reminder else ''}"
        f"To vote in the {election.title}, go to\n\n    {link}\n\n"
        f"and enter your security code:\n\n    {code}\n\n"
        "Opening the link does not use the code up. Your vote is secret: the ballot is\n"
        "stored without your name or your code.\n"
    )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [voter.email])


def _permanent(e: Exception) -> bool:
    """Is it the address that is refused (5xx: a bounce), not a passing failure?"""
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in e.recipients.values())
    code = getattr(e, "smtp_code", None)
    return (isinstance(code, int) and code >= 500
            and not isinstance(e, smtplib.SMTPServerDisconnected))


@task(queue_name="mail")
def send_batch(items: Sequence[Sequence], link: str, reminder: bool = False,
               attempt: int = 1) -> dict:
    """Mail a batch of codes over one connection; returns the counts. ``items`` are
    [voter id, ballot id] pairs; one whose code has since been reissued is skipped."""

    wanted = {int(v): str(b) for v, b in items}
    creds = [c for c in Credential.objects.select_related("voter__election")
             .filter(voter_id__in=wanted) if wanted[c.voter_id] == c.ballot_id]
    sent: list[str] = []
    refused: dict[str, str] = {}
    rest: list[Credential] = []
    error = ""
    connection = get_connection()
    try:
        connection.open()
        for i, cred in enumerate(creds):
            _wait_for_rate()
            try:
                connection.send_messages([message(cred.voter, code_for(cred), link, reminder)])
                sent.append(cred.ballot_id)
            except (smtplib.SMTPException, OSError) as e:
                if _permanent(e):
                    refused[cred.ballot_id] = _reason(e)
                else:
                    error, rest = _reason(e), creds[i:]
                    break
    except (smtplib.SMTPException, OSError) as e:  # could not connect at all
        error, rest = _reason(e), creds[len(sent) + len(refused):]
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    _record(sent, refused, rest, error, link, reminder, attempt)
    return {"sent": len(sent), "failed": len(refused), "retrying": len(rest),
            "skipped": len(wanted) - len(creds)}


def _reason(e: Exception) -> str:
    return f"{type(e).__name__}: {e}"[:300]


def _record(sent: list[str], refused: dict[str, str], rest: list[Credential], error: str,
            link: str, reminder: bool, attempt: int) -> None:
    now = timezone.now()
    if sent:
        fields = {"sent_at": now, "mail_attempts": F("mail_attempts") + 1}
        if not reminder:
            fields["mail_status"] = SENT
        Credential.objects.filter(ballot_id__in=sent).update(**fields)
    for ballot_id, reason in refused.items():
        Credential.objects.filter(ballot_id=ballot_id).update(
            mail_status=FAILED, mail_error=reason, mail_attempts=F("mail_attempts") + 1)
    if not rest:
        return
    ids = [c.ballot_id for c in rest]
    if attempt >= settings.HUSTINGS_MAIL_RETRIES:
        Credential.objects.filter(ballot_id__in=ids).update(
            mail_status=FAILED, mail_error=f"gave up after {attempt} attempts: {error}"[:300],
            mail_attempts=F("mail_attempts") + 1)
        return
    Credential.objects.filter(ballot_id__in=ids).update(
        mail_error=f"attempt {attempt}: {error}"[:300], mail_attempts=F("mail_attempts") + 1)
    later = timezone.now() + dt.timedelta(seconds=30 * 2 ** (attempt - 1))
    send_batch.using(run_after=later).enqueue(
        [[c.voter_id, c.ballot_id] for c in rest], link, reminder, attempt + 1)


def status(contest) -> dict[str, int]:
    """Codes issued, and their mail: queued, sent, failed; letters (voters with no email);
    voters on the roll still without a code. For the officer's page."""
    counts = dict(Credential.objects.filter(voter__election_id=contest.election_id)
                  .values_list("mail_status").annotate(n=Count("id")).order_by())
    issued = sum(counts.values())
    eligible = Voter.objects.filter(election_id=contest.election_id,
                                    excluded_at__isnull=True).count()
    return {"issued": issued, "queued": counts.get(QUEUED, 0), "sent": counts.get(SENT, 0),
            "failed": counts.get(FAILED, 0), "letters": counts.get("", 0),
            "without_code": max(0, eligible - issued)}


def failures(contest, limit: int = 50) -> list[tuple[str, str]]:
    """(reference, reason) of the codes whose mail failed, for the officer to reissue."""
    return list(Credential.objects
                .filter(voter__election_id=contest.election_id, mail_status=FAILED)
                .order_by("voter__reference")
                .values_list("voter__reference", "mail_error")[:limit])


def code_for(cred: Credential) -> str:
    """The credential's security code, made again from the code key (never read back).
    Made here, where mail is sent, so that mailing never imports credentials (which queues
    mailing's tasks and re-exports this)."""
    return codes.code_of(codes.code_keys(settings.HUSTINGS_CODE_KEY)[0], cred.voter_id,
                         cred.ballot_id)
