"""Casting a ballot: one transaction, or nothing.

The transaction writes, in this order,

1. the ``Participation`` (contest, voter, section) — its unique constraint is the real guard
   against a second ballot: a repeated or concurrent submission fails here, and
2. the anonymous ``Ballot``, and
3. the ledger entry with the receipt,

and the receipt is returned only after the commit, so a receipt shown to a voter always
stands for a ballot that is durably stored (Helios acknowledged votes before storing them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hustings.web.voting import codes, contest_info, ledger
from hustings.web.voting.errors import AlreadyVoted, CredentialError, NotOpen
from hustings.web.voting.models import Ballot, Channel, Credential, Participation

MAX_FAILED = 5  # wrong secrets before a credential locks
LOCKOUT = timedelta(minutes=15)


def credential_key() -> bytes:
    return settings.HUSTINGS_CREDENTIAL_KEY.encode("utf-8")


def check_code(contest, text: str) -> Credential:  # noqa: ANN001
    """The credential a typed security code opens, or CredentialError.

    Wrong secrets count against the ballot id, and five lock it for 15 minutes (the
    per-credential lockout; per-IP rate limits are applied by the view). Checking a code
    never uses it up: only a cast does, through its participation."""
    parts = codes.split_code(text)
    if parts is None:
        raise CredentialError(
            "That is not a security code: it has 28 letters and digits, like "
            "ABCD1234-EFGHJ-KMNPQ-RSTVW-XYZ01."
        )
    ballot_id, secret = parts
    cred = (
        Credential.objects.select_related("voter")
        .filter(ballot_id=ballot_id, voter__contest=contest)
        .first()
    )
    now = timezone.now()
    if cred is None:
        raise CredentialError("That security code is not right. Check it and try again.")
    if cred.locked_until and cred.locked_until > now:
        raise CredentialError(
            "This security code is locked after too many wrong tries. Try again in 15 minutes."
        )
    if not codes.matches(credential_key(), secret, cred.secret_digest):
        failed = cred.failed_attempts + 1
        locked = now + LOCKOUT if failed >= MAX_FAILED else None
        Credential.objects.filter(pk=cred.pk).update(
            failed_attempts=0 if locked else failed, locked_until=locked
        )
        raise CredentialError("That security code is not right. Check it and try again.")
    if cred.failed_attempts:
        Credential.objects.filter(pk=cred.pk).update(failed_attempts=0)
    if cred.voter.excluded:
        raise CredentialError("This security code is no longer valid. Contact the returning officer.")
    return cred


def ballot_sections(contest, voter) -> list[str]:  # noqa: ANN001
    """The sections a voter holds a ballot in: all their sections in a college (2010 rules:
    one ballot in each section they belong to), the single section under OMOV."""
    sections = [s.name for s in contest_info.rules(contest).sections]
    if len(sections) == 1:
        return sections
    return [s for s in sections if s in voter.sections]


def remaining_sections(contest, voter) -> list[str]:  # noqa: ANN001
    done = set(Participation.objects.filter(voter=voter).values_list("section", flat=True))
    return [s for s in ballot_sections(contest, voter) if s not in done]


def _locked_stage(contest) -> str:  # noqa: ANN001
    with connection.cursor() as cur:
        lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
        cur.execute(f"SELECT stage FROM contests_contest WHERE id = %s{lock}", [contest.pk])
        return cur.fetchone()[0]


def cast(
    contest, voter, section: str, ranking: Sequence[str], *, channel: str = Channel.ONLINE
) -> str:  # noqa: ANN001
    """Store one ballot and return its receipt (after commit). Raises AlreadyVoted, NotOpen."""
    if channel == Channel.ONLINE and not contest_info.ballot_is_open(contest):
        raise NotOpen("The ballot is not open.")
    if section not in ballot_sections(contest, voter):
        raise NotOpen(f"You do not have a ballot in the section {section!r}.")
    receipt = codes.new_receipt()
    try:
        with transaction.atomic():
            # Re-read the stage under a shared lock: closing takes the contest row FOR UPDATE,
            # so a cast either commits before the close (and the close's seal records it) or
            # sees the ballot closed. Never a ballot after the seal.
            stage = _locked_stage(contest)
            if stage not in (contest_info.ACCEPTING if channel == Channel.PAPER else
                             (contest_info.BALLOT_OPEN,)):
                raise NotOpen("The ballot is not open.")
            Participation.objects.create(
                contest=contest, voter=voter, section=section, channel=channel
            )
            Ballot.objects.create(
                contest=contest, section=section, ranking=list(ranking), channel=channel
            )
            # paper may merge after the close has sealed the cast lanes: it goes on lane 0
            ledger.append(contest, ledger.Kind.CAST, {"receipt": receipt, "section": section},
                          lane=0 if channel == Channel.PAPER else None)
    except IntegrityError as e:
        # PostgreSQL names the constraint, SQLite the table: either way, the participation
        if "participation" in str(e).lower():
            raise AlreadyVoted(f"You have already voted in {section}.") from None
        raise
    return receipt
