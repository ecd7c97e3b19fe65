"""Casting a ballot: one transaction, or nothing.

The ranking is first sealed to the contest's public key (``trustees.seal_for``: libsodium's
sealed box, in this process; the server keeps nothing that opens it). The transaction then
writes, in this order,

1. the ``Participation`` (contest, voter, section) — its unique constraint is the real guard
   against a second ballot: a repeated or concurrent submission fails here, and
2. the ``SealedBallot`` (ciphertext, its SHA-256, the section), and
3. the ledger entry with the receipt: that SHA-256, so the ledger covers what every ballot
   says,

and the receipt is returned only after the commit, so a receipt shown to a voter always
stands for a ballot that is durably stored (Helios acknowledged votes before storing them).

On PostgreSQL an online cast is the same transaction in two statements, prepared once per
connection (``_pg_cast``): the stage lock, the participation, the ballot and the lane-head
lock in one, the ledger entry and the new head in the other. Each step still depends on the
one before (the participation is inserted only from the locked stage row, the ballot only
from the participation, the head is locked only once the participation is in), so the order
of locks, and with it the guards, are those of the ORM path used elsewhere. It saves four
round trips and most of Django's SQL compiling: the cast is the platform's hot path.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from hustings.web.contests.models import Stage
from hustings.publication import chain
from hustings.web.voting import codes, contest_info, ledger, trustees
from hustings.web.voting.errors import AlreadyVoted, CredentialError, NotOpen
from hustings.web.voting.models import Channel, Credential, Participation, SealedBallot, Voter

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
    cred = _credential(contest, ballot_id)
    now = timezone.now()
    if cred is None:
        raise CredentialError("That security code is not right. Check it and try again.")
    if cred.locked_until and cred.locked_until > now:
        raise CredentialError(
            "This security code is locked after too many wrong tries. Try again in 15 minutes."
        )
    if not codes.matches(credential_key(), secret, cred.secret_digest):
        # Counted in the database (F()), not from the row read above: concurrent wrong
        # guesses each count, so a burst of them cannot slip past the lockout.
        reached = Q(failed_attempts__gte=MAX_FAILED - 1)
        Credential.objects.filter(pk=cred.pk).update(
            failed_attempts=Case(When(reached, then=Value(0)), default=F("failed_attempts") + 1),
            locked_until=Case(When(reached, then=Value(now + LOCKOUT)), default=F("locked_until")),
        )
        raise CredentialError("That security code is not right. Check it and try again.")
    if cred.failed_attempts:
        Credential.objects.filter(pk=cred.pk).update(failed_attempts=0)
    if cred.voter.excluded:
        raise CredentialError("This security code is no longer valid. Contact the returning officer.")
    return cred


def _credential(contest, ballot_id: str) -> Credential | None:  # noqa: ANN001
    if connection.vendor != "postgresql":
        return (
            Credential.objects.select_related("voter")
            .filter(ballot_id=ballot_id, voter__election_id=contest.election_id)
            .first()
        )
    row = _pg_execute(_PG_CREDENTIAL, [ballot_id, contest.election_id]).fetchone()
    if row is None:
        return None
    cred = Credential.from_db("default", _CREDENTIAL_FIELDS, row[: len(_CREDENTIAL_FIELDS)])
    cred.voter = Voter.from_db("default", _VOTER_FIELDS, row[len(_CREDENTIAL_FIELDS):])
    for field in ("sections", "marks"):  # Django has psycopg hand jsonb over as text
        if isinstance(getattr(cred.voter, field), str):
            setattr(cred.voter, field, json.loads(getattr(cred.voter, field)))
    return cred


_CREDENTIAL_FIELDS = ["id", "voter_id", "ballot_id", "secret_digest", "failed_attempts",
                      "locked_until", "sent_at", "reminders_sent"]
_VOTER_FIELDS = ["id", "election_id", "reference", "name", "email", "postal_address", "sections",
                 "marks", "joined", "excluded_reason", "excluded_at"]
_PG_CREDENTIAL = (
    "SELECT " + ", ".join(f"c.{f}" for f in _CREDENTIAL_FIELDS) + ", "
    + ", ".join(f"v.{f}" for f in _VOTER_FIELDS)
    + " FROM voting_credential c JOIN voting_voter v ON v.id = c.voter_id"
    " WHERE c.ballot_id = %s AND v.election_id = %s"
)


_ONLY_WHEN_ASKED = 2**31 - 1


def _already_voted(e: IntegrityError, section: str) -> Exception:
    """A second ballot is refused by the participation's unique constraint (PostgreSQL
    names the constraint, SQLite the table): that is AlreadyVoted; any other is itself."""
    if "participation" in str(e).lower():
        return AlreadyVoted(f"You have already voted in {section}.")
    return e


def _pg_execute(sql: str, params: Sequence):  # noqa: ANN202
    """Run one statement on Django's connection (inside its transaction, if any) through a
    server-side-binding psycopg cursor, so PostgreSQL parses and plans it once per connection
    (``prepare=True``) instead of once per cast. Errors come out as Django's (IntegrityError
    …), and a broken connection is noticed by Django as with its own cursors."""
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django opens psycopg connections with preparing off (None), which ignores even
        # prepare=True. A threshold no statement reaches prepares only those that ask: Django's
        # own (client-side binding) cursors never prepare anything.
        raw.prepare_threshold = _ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        cur = psycopg.Cursor(raw)
        cur.execute(sql, params, prepare=True)
        return cur


def ballot_sections(contest, voter) -> list[str]:  # noqa: ANN001
    """The sections a voter holds a ballot in: all their sections in a college (2010 rules:
    one ballot in each section they belong to), the single section under OMOV."""
    if not contest.eligible(voter.marks):  # e.g. London's contest, for voters outside London
        return []
    sections = [s.name for s in contest_info.rules(contest).sections]
    if len(sections) == 1:
        return sections
    return [s for s in sections if s in voter.sections]


def remaining_sections(contest, voter) -> list[str]:  # noqa: ANN001
    done = set(Participation.objects.filter(voter=voter, contest=contest)
               .values_list("section", flat=True))
    return [s for s in ballot_sections(contest, voter) if s not in done]


def _locked_stage(contest) -> str:  # noqa: ANN001
    with connection.cursor() as cur:
        lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
        cur.execute(f"SELECT stage FROM contests_contest WHERE id = %s{lock}", [contest.pk])
        return cur.fetchone()[0]


def cast(
    contest, voter, section: str, ranking: Sequence[str], *, channel: str = Channel.ONLINE
) -> str:  # noqa: ANN001
    """Seal and store one ballot; return its receipt, the ciphertext's SHA-256 (after
    commit). Raises AlreadyVoted, NotOpen."""
    if channel == Channel.ONLINE and not contest_info.ballot_is_open(contest):
        raise NotOpen("The ballot is not open.")
    if section not in ballot_sections(contest, voter):
        raise NotOpen(f"You do not have a ballot in the section {section!r}.")
    ciphertext, receipt = trustees.seal_for(contest, section, ranking)
    if channel == Channel.ONLINE and connection.vendor == "postgresql":
        return _pg_cast(contest, voter, section, ciphertext, receipt)
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
            SealedBallot.objects.create(
                contest=contest, section=section, ciphertext=ciphertext, receipt=receipt
            )
            # paper may merge after the close has sealed the cast lanes: it goes on lane 0
            ledger.append(contest, ledger.Kind.CAST, {"receipt": receipt, "section": section},
                          lane=0 if channel == Channel.PAPER else None)
    except IntegrityError as e:
        raise _already_voted(e, section) from None
    return receipt


# One statement: lock the contest row (shared) and read its stage; insert the participation
# only from that row when the ballot is open; the ballot only from the participation; lock
# the lane's head only joined to the participation, so it is locked after the participation
# is in (as in the ORM path: a duplicate waits on the unique index holding no head lock).
_PG_CAST_1 = """
WITH s AS (
    SELECT stage FROM contests_contest WHERE id = %(contest)s FOR SHARE
), p AS (
    INSERT INTO voting_participation (id, contest_id, voter_id, section, channel)
    SELECT %(pid)s, %(contest)s, %(voter)s, %(section)s, 'online' FROM s
    WHERE s.stage = %(open)s
    RETURNING contest_id
), b AS (
    INSERT INTO voting_sealedballot (id, contest_id, section, ciphertext, receipt)
    SELECT %(bid)s, p.contest_id, %(section)s, %(ciphertext)s, %(receipt)s FROM p
    RETURNING 1
), h AS (
    SELECT lh.id, lh.seq, lh.hash FROM voting_ledgerhead lh JOIN p ON p.contest_id = lh.contest_id
    WHERE lh.lane = %(lane)s FOR UPDATE OF lh
)
SELECT (SELECT count(*) FROM b), h.id, h.seq, h.hash FROM (SELECT 1) one LEFT JOIN h ON true
"""
_PG_CAST_2 = """
WITH e AS (
    INSERT INTO voting_ledgerentry (contest_id, lane, seq, kind, at, payload, prev_hash, hash)
    VALUES (%(contest)s, %(lane)s, %(seq)s, %(kind)s, %(at)s, %(payload)s::jsonb, %(prev)s, %(hash)s)
)
UPDATE voting_ledgerhead SET seq = %(seq)s, hash = %(hash)s WHERE id = %(head)s
"""


def _pg_cast(contest, voter, section: str, ciphertext: bytes, receipt: str) -> str:  # noqa: ANN001
    """``cast`` for an online ballot on PostgreSQL: the same transaction, two statements."""
    lane = ledger.cast_lane()
    payload = {"receipt": receipt, "section": section}
    try:
        with transaction.atomic():
            stored, head, seq, prev = _pg_execute(_PG_CAST_1, {
                "open": Stage.BALLOT_OPEN.value,
                "contest": contest.pk, "voter": voter.pk, "section": section,
                "pid": uuid.uuid4(), "bid": uuid.uuid4(), "lane": lane,
                "ciphertext": ciphertext, "receipt": receipt,
            }).fetchone()
            if not stored:
                raise NotOpen("The ballot is not open.")
            if head is None:  # the contest's ledger has no lanes yet: the ORM path makes them
                ledger.append(contest, ledger.Kind.CAST, payload, lane=lane)
            else:
                seq += 1
                at = timezone.now().isoformat(timespec="microseconds")
                body = chain.entry_body(seq, ledger.Kind.CAST, at, payload, lane)
                digest = chain.entry_hash(prev, body)
                _pg_execute(_PG_CAST_2, {
                    "contest": contest.pk, "lane": lane, "seq": seq, "kind": ledger.Kind.CAST,
                    "at": at, "payload": chain.canonical_json(body["payload"]), "prev": prev,
                    "hash": digest, "head": head,
                })
    except IntegrityError as e:
        raise _already_voted(e, section) from None
    return receipt
