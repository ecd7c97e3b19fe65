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

A voter's visit to an election (``cast_visit``) casts in several contests at once: those
three rows for each contest, in that contest's own tables and ledger, all in one
transaction, so a visit is stored whole or not at all. A one-contest online cast is a
visit of one ballot.

On PostgreSQL each contest's rows of an online cast are two statements, prepared once per
connection (``_pg_rows``): the stage lock, the participation, the ballot and the lane-head
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
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from hustings.publication import chain
from hustings.web.contests.elections import Election
from hustings.web.contests.models import Stage
from hustings.web.voting import codes, contest_info, ledger, trustees
from hustings.web.voting.errors import AlreadyVoted, CredentialError, NotOpen
from hustings.web.voting.models import Channel, Credential, Participation, SealedBallot, Voter

MAX_FAILED = 5  # wrong secrets before a credential locks
LOCKOUT = timedelta(minutes=15)


def credential_key() -> bytes:
    return settings.HUSTINGS_CREDENTIAL_KEY.encode("utf-8")


def check_code(where, text: str) -> Credential:
    """The credential a typed security code opens among the voters of ``where`` (an
    election, or a contest: its election's roll), or CredentialError.

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
    cred = _credential(where.pk if isinstance(where, Election) else where.election_id, ballot_id)
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
        raise CredentialError("This security code is no longer valid. "
                              "Contact the returning officer.")
    return cred


def _credential(election_id: int, ballot_id: str) -> Credential | None:
    if connection.vendor != "postgresql":
        return (
            Credential.objects.select_related("voter")
            .filter(ballot_id=ballot_id, voter__election_id=election_id)
            .first()
        )
    row = _pg_execute(_PG_CREDENTIAL, [ballot_id, election_id]).fetchone()
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


def _already_voted(e: IntegrityError, where: str, several: bool = False) -> Exception:
    """A second ballot is refused by the participation's unique constraint (PostgreSQL
    names the constraint, SQLite the table): that is AlreadyVoted; any other is itself."""
    if "participation" in str(e).lower():
        tail = " Nothing from this visit was cast." if several else ""
        return AlreadyVoted(f"You have already voted in {where}.{tail}")
    return e


def _pg_execute(sql: str, params: Sequence):
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


def ballot_sections(contest, voter) -> list[str]:
    """The sections a voter holds a ballot in: all their sections in a college (2010 rules:
    one ballot in each section they belong to), the single section under OMOV."""
    if not contest.eligible(voter.marks):  # e.g. London's contest, for voters outside London
        return []
    sections = [s.name for s in contest_info.rules(contest).sections]
    if len(sections) == 1:
        return sections
    return [s for s in sections if s in voter.sections]


def remaining_sections(contest, voter) -> list[str]:
    done = set(Participation.objects.filter(voter=voter, contest=contest)
               .values_list("section", flat=True))
    return [s for s in ballot_sections(contest, voter) if s not in done]


def remaining_by_contest(contests, voter) -> dict[int, list[str]]:
    """``remaining_sections`` of several contests in one query: {contest id: the sections
    the voter still has a ballot in}, for the contests where there is one."""
    eligible = {c.pk: ballot_sections(c, voter) for c in contests}
    eligible = {pk: sections for pk, sections in eligible.items() if sections}
    done: dict[int, set[str]] = {}
    if eligible:
        rows = Participation.objects.filter(voter=voter, contest_id__in=list(eligible))
        for contest_id, section in rows.values_list("contest_id", "section"):
            done.setdefault(contest_id, set()).add(section)
    left = {pk: [s for s in sections if s not in done.get(pk, set())]
            for pk, sections in eligible.items()}
    return {pk: sections for pk, sections in left.items() if sections}


def _locked_stage(contest) -> str:
    with connection.cursor() as cur:
        lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
        cur.execute(f"SELECT stage FROM contests_contest WHERE id = %s{lock}", [contest.pk])
        return cur.fetchone()[0]


def cast(
    contest, voter, section: str, ranking: Sequence[str], *, channel: str = Channel.ONLINE
) -> str:
    """Seal and store one ballot; return its receipt, the ciphertext's SHA-256 (after
    commit). Raises AlreadyVoted, NotOpen. An online ballot is a visit of one contest."""
    if channel == Channel.ONLINE:
        return cast_visit(voter, [(contest, section, ranking)])[0]
    if section not in ballot_sections(contest, voter):
        raise NotOpen(f"You do not have a ballot in the section {section!r}.")
    ciphertext, receipt = trustees.seal_for(contest, section, ranking)
    try:
        with transaction.atomic():
            _orm_rows(contest, voter, section, ciphertext, receipt, channel)
    except IntegrityError as e:
        raise _already_voted(e, section) from None
    return receipt


def cast_visit(voter, ballots: Sequence[tuple[Any, str, Sequence[str]]]) -> list[str]:
    """Cast a voter's visit to an election: one ballot per (contest, section, ranking), all
    stored in one transaction or none. Returns the receipts in the order given (after commit).

    Each contest's rows are written as a one-ballot cast writes them (participation, sealed
    ballot, ledger entry in that contest's ledger, its stage locked FOR SHARE), in order of
    contest id, so two visits lock the same rows in the same order and never deadlock. A
    participation already there in any contest (a second visit, or two at once) is
    AlreadyVoted and nothing of the visit is stored; so is a contest closed meanwhile
    (NotOpen). Sealing runs before the transaction: it is CPU, and holds no lock."""
    if not ballots:
        raise ValueError("cast_visit needs at least one ballot")
    several = len(ballots) > 1
    for contest, section, _ranking in ballots:
        if not contest_info.ballot_is_open(contest):
            raise NotOpen(_not_open(contest, several))
        if section not in ballot_sections(contest, voter):
            raise NotOpen(f"You do not have a ballot in the section {section!r}.")
    sealed = [(contest, section, *trustees.seal_for(contest, section, ranking))
              for contest, section, ranking in ballots]
    write = _pg_rows if connection.vendor == "postgresql" else _orm_rows
    current = sealed[0]
    try:
        with transaction.atomic():
            for current in sorted(sealed, key=lambda b: (b[0].pk, b[1])):
                contest, section, ciphertext, receipt = current
                try:
                    write(contest, voter, section, ciphertext, receipt, Channel.ONLINE)
                except NotOpen:
                    raise NotOpen(_not_open(contest, several)) from None
    except IntegrityError as e:
        raise _already_voted(e, _where(current[0], current[1], several), several) from None
    return [receipt for _c, _s, _ct, receipt in sealed]


def _not_open(contest, several: bool) -> str:
    if not several:
        return "The ballot is not open."
    return f"The ballot in {contest.title} is not open: nothing from this visit was cast."


def _where(contest, section: str, several: bool) -> str:
    """How a refusal names the ballot: its section alone in a one-ballot cast (as ever), the
    contest (and the section of a college) in a visit of several."""
    if not several:
        return section
    if len(contest_info.rules(contest).sections) > 1:
        return f"{contest.title} ({section})"
    return contest.title


def _orm_rows(contest, voter, section: str, ciphertext: bytes, receipt: str, channel: str) -> None:
    """One ballot's rows through the ORM, inside the caller's transaction."""
    # Re-read the stage under a shared lock: closing takes the contest row FOR UPDATE,
    # so a cast either commits before the close (and the close's seal records it) or
    # sees the ballot closed. Never a ballot after the seal.
    stage = _locked_stage(contest)
    if stage not in (contest_info.ACCEPTING if channel == Channel.PAPER else
                     (contest_info.BALLOT_OPEN,)):
        raise NotOpen("The ballot is not open.")
    Participation.objects.create(contest=contest, voter=voter, section=section, channel=channel)
    SealedBallot.objects.create(
        contest=contest, section=section, ciphertext=ciphertext, receipt=receipt
    )
    # paper may merge after the close has sealed the cast lanes: it goes on lane 0
    ledger.append(contest, ledger.Kind.CAST, {"receipt": receipt, "section": section},
                  lane=0 if channel == Channel.PAPER else None)


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
    VALUES (%(contest)s, %(lane)s, %(seq)s, %(kind)s, %(at)s, %(payload)s::jsonb,
            %(prev)s, %(hash)s)
)
UPDATE voting_ledgerhead SET seq = %(seq)s, hash = %(hash)s WHERE id = %(head)s
"""


def _pg_rows(contest, voter, section: str, ciphertext: bytes, receipt: str, channel: str) -> None:
    """One online ballot's rows on PostgreSQL, inside the caller's transaction: the same
    rows and locks as ``_orm_rows``, in two prepared statements."""
    lane = ledger.cast_lane()
    payload = {"receipt": receipt, "section": section}
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
        return
    seq += 1
    at = timezone.now().isoformat(timespec="microseconds")
    body = chain.entry_body(seq, ledger.Kind.CAST, at, payload, lane)
    digest = chain.entry_hash(prev, body)
    _pg_execute(_PG_CAST_2, {
        "contest": contest.pk, "lane": lane, "seq": seq, "kind": ledger.Kind.CAST,
        "at": at, "payload": chain.canonical_json(body["payload"]), "prev": prev,
        "hash": digest, "head": head,
    })
