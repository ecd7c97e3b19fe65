"""Issuing security codes, and sending them: emails through the task queue, letters as CSV.

A code's secret exists only in memory between being drawn and being handed to the mail
task (its arguments, a row in the task table until it has run) or written into the
letters CSV; the database keeps the HMAC. Re-issuing replaces a voter's code (the old one
stops working), so a lost letter can be replaced. Reminders go only to voters who have not
voted in every section they hold a ballot in, and carry a new code (the old secret is not
kept anywhere to resend).
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from hustings.web.voting import casting, codes
from hustings.web.voting.errors import NotOpen
from hustings.web.voting.models import Credential, Voter


def _issue(voter: Voter) -> str:
    ballot_id, secret = codes.new_credential()
    Credential.objects.update_or_create(
        voter=voter,
        defaults={"ballot_id": ballot_id, "secret_digest": codes.digest(casting.credential_key(), secret),
                  "failed_attempts": 0, "locked_until": None},
    )
    return codes.format_code(ballot_id, secret)


def issue_all(contest, *, base_url: str = "http://127.0.0.1:8000") -> tuple[int, str]:  # noqa: ANN001
    """Issue a code to every voter on the frozen roll who has none yet: email ones are
    queued, the rest are returned as the letters CSV (reference, name, postal address, code,
    link)."""
    from hustings.web.voting.ledger import setup_for

    if not setup_for(contest).roll_frozen_at:
        raise NotOpen("freeze the roll before issuing security codes")
    letters = io.StringIO()
    w = csv.writer(letters, lineterminator="\n")
    w.writerow(["reference", "name", "postal_address", "security_code", "link"])
    queued = 0
    link = base_url.rstrip("/") + reverse("voting:start", args=[contest.slug])
    with transaction.atomic():
        # only voters without a code: pressing the button twice must not void the letters
        # already printed (a lost letter is replaced by `reissue`)
        voters = Voter.objects.filter(contest=contest, excluded_at__isnull=True,
                                      credential__isnull=True).order_by("reference")
        for voter in voters:
            code = _issue(voter)
            if voter.email:
                transaction.on_commit(
                    lambda v=voter.pk, c=code: send_code.enqueue(v, c, link, False)
                )
                queued += 1
            else:
                w.writerow([voter.reference, voter.name, voter.postal_address, code, link])
    return queued, letters.getvalue()


def reissue(contest, reference: str) -> str:  # noqa: ANN001
    """A new code for one voter (a lost letter); the old one stops working. Returned for a
    printed letter; the voter must not have voted in every section already."""
    from hustings.web.voting.errors import VotingError

    voter = Voter.objects.filter(contest=contest, reference=reference).first()
    if voter is None:
        raise VotingError(f"no voter with reference {reference!r} on the roll")
    if voter.excluded:
        raise VotingError(f"voter {reference} is excluded: {voter.excluded_reason}")
    with transaction.atomic():
        return _issue(voter)


def remind(contest, *, base_url: str = "http://127.0.0.1:8000") -> int:  # noqa: ANN001
    """Email a fresh code to each voter with an email who still has a ballot to cast."""
    link = base_url.rstrip("/") + reverse("voting:start", args=[contest.slug])
    n = 0
    with transaction.atomic():
        for voter in Voter.objects.filter(contest=contest, excluded_at__isnull=True).exclude(email=""):
            if not casting.remaining_sections(contest, voter):
                continue
            code = _issue(voter)
            Credential.objects.filter(voter=voter).update(reminders_sent=voter.credential.reminders_sent + 1)
            transaction.on_commit(lambda v=voter.pk, c=code: send_code.enqueue(v, c, link, True))
            n += 1
    return n


@task(queue_name="mail")
def send_code(voter_id: int, code: str, link: str, reminder: bool) -> None:
    voter = Voter.objects.select_related("contest").get(pk=voter_id)
    contest = voter.contest
    subject = ("Reminder: " if reminder else "") + f"Your ballot in the {contest.title}"
    body = (
        f"Dear {voter.name},\n\n"
        f"{'You have not voted yet. ' if reminder else ''}"
        f"To vote in the {contest.title}, go to\n\n    {link}\n\n"
        f"and enter your security code:\n\n    {code}\n\n"
        "Opening the link does not use the code up. Your vote is secret: the ballot is\n"
        "stored without your name or your code.\n"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [voter.email])
    Credential.objects.filter(voter_id=voter_id).update(sent_at=timezone.now())
