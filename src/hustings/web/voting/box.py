"""The ballot box: sealing a cast, and opening the box with k trustees' shares.

Sealing (``seal_for``): the ranking is sealed to the contest's public key on the server
(so voting needs no JavaScript); only the ciphertext and its SHA-256 are stored.

Opening (``open_box``), after the close, once, in one transaction under the contest row's
lock:

1. paper batches held back by the 'online' rule are merged (sealed like every ballot);
2. every share is read and held to its trustee's fingerprint; k of them are combined in
   memory (``sealing.combine``), refused unless the key is the contest's;
3. the sealed ballots are held to the ledger (``sealedlist.check``): a ballot changed,
   added or removed in the database stops the opening;
4. every sealed ballot is opened (on every core for a large box), the opened ballots are
   shuffled with ``secrets`` and written as ``Ballot`` rows with new random keys. The
   transaction reads the sealed rows and writes nothing to them; its rows share no key,
   order or column with them;
5. the key is dropped: it was never written to the database, a file, a log or a task.
   (Python cannot scrub the memory a bytes object used; the process's memory is the
   residue, see docs/threat-model.md.)

The ledger's ``box-opened`` entry records who gave shares and the numbers sealed, opened
and of participations; the contest's audit log records the opening too.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from hustings.web.voting import contest_info, ledger, sealedlist, sealing, trustees
from hustings.web.voting.errors import BoxError, ShareError
from hustings.web.voting.models import (
    Ballot,
    LedgerEntry,
    Participation,
    SealedBallot,
    Trustee,
)
from hustings.web.voting.trustees import block, seal_for  # noqa: F401 - box's public names too

BOX_OPENED = sealedlist.BOX_OPENED


def is_opened(contest) -> bool:
    return ledger.setup_for(contest).box_opened_at is not None


def needs_opening(contest) -> bool:
    """Are there sealed ballots (or paper to seal) that the count cannot read yet?"""
    from hustings.web.voting.models import PaperBatch

    if is_opened(contest):
        return False
    return (SealedBallot.objects.filter(contest=contest).exists()
            or PaperBatch.objects.filter(contest=contest,
                                         status=PaperBatch.Status.ACCEPTED).exists())


def open_box(contest, share_texts: Sequence[str], *, by=None, processes: int | None = None,
             progress=None) -> dict:
    """Open the closed ballot box with the trustees' shares, in this process (``hustings
    open-box``, scripts; see module doc). Returns the ledger entry's payload. Raises
    BoxError/ShareError and changes nothing when refused."""
    check_closed(contest)
    secret, given = combine_shares(contest, share_texts)
    try:
        return open_with(contest, secret, given, by=by, processes=processes, progress=progress)
    finally:
        del secret  # the only reference: nothing else ever held the key


def check_closed(contest) -> None:
    """BoxError unless the box may be opened now: after the close, once."""
    from hustings.web.contests.models import Contest

    stage = Contest.objects.filter(pk=contest.pk).values_list("stage", flat=True).first()
    if stage != contest_info.BALLOT_CLOSED:
        raise BoxError(
            f"the ballot box is opened after the close; the contest is at {stage!r}")
    if is_opened(contest):
        raise BoxError("the ballot box is already open: it is opened once")


def combine_shares(contest, share_texts: Sequence[str]) -> tuple[bytes | None, list[int]]:
    """The contest's private key from k trustees' shares, each held to its trustee's
    fingerprint and the result to the contest's public key (cheap: no ballot is read), and
    the positions of the shares given. (None, []) for a contest with no box key."""
    key = trustees.box_key(contest)
    if key is None:
        return None, []
    shares = _read_shares(contest, key, share_texts)
    return (sealing.combine(shares, key.threshold, key.public_bytes),
            sorted(s.index for s in shares))


def open_with(contest, secret: bytes | None, given: Sequence[int], *, by=None,
              processes: int | None = None, progress=None) -> dict:
    """Open the box with the combined key (``combine_shares``): steps 1 and 3 to 5 of the
    module doc, under the contest row's lock. ``progress(step, done, total)`` is told how
    far the opening is. Returns the ledger entry's payload."""
    from hustings.web.contests.models import AuditEntry, Contest
    from hustings.web.voting import paper

    def tell(step: str, done: int = 0, total: int = 0) -> None:
        if progress is not None:
            progress(step, done, total)

    def locked_closed():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.stage != contest_info.BALLOT_CLOSED:
            raise BoxError(
                f"the ballot box is opened after the close; the contest is at {locked.stage!r}")
        if ledger.setup_for(locked).box_opened_at is not None:
            raise BoxError("the ballot box is already open: it is opened once")
        return locked

    with transaction.atomic():  # paper held back by the 'online' rule is sealed first, on
        paper.merge_held_batches(locked_closed())  # its own: the opening writes no sealed row
    with transaction.atomic():
        locked = locked_closed()
        setup = ledger.setup_for(locked)
        key = trustees.box_key(locked)
        tell("reading the sealed ballots")
        rows = _sealed_rows(locked)
        if key is None or secret is None:
            if rows:
                raise BoxError("sealed ballots but no box key: the database has been changed")
            given = []
        else:
            tell("holding the sealed ballots to the ledger", 0, len(rows))
            sealed = [sealedlist.Sealed(r, s, bytes(c)) for r, s, c in rows]
            participations = Participation.objects.filter(contest=locked).count()
            sealedlist.check(_cast_entries(locked), sealed, participations=participations)
            # shuffled before opening: the opened ballots are written in this order
            secrets.SystemRandom().shuffle(sealed)
            opened = sealing.iter_open(secret, key.public_bytes, [s.ciphertext for s in sealed],
                                       block(locked), processes=processes, as_json=True)
            del secret  # iter_open holds it now (and its processes, until closed)
            try:
                written = _write_opened(
                    locked, sealed, opened,
                    lambda n: tell("opening and shuffling the ballots", n, len(rows)))
            finally:
                opened.close()  # stops the opening processes, even on a refusal
                del opened  # the only reference left: nothing else ever held the key
            if written != len(rows):
                raise BoxError(f"opened {written} of {len(rows)} sealed ballots")
        tell("recording the opening", len(rows), len(rows))
        payload = {"sealed": len(rows), "opened": len(rows),
                   "participations": Participation.objects.filter(contest=locked).count(),
                   "shares_from": list(given)}
        entry = ledger.append(locked, BOX_OPENED, payload)
        setup.box_opened_at = timezone.now()
        setup.save(update_fields=["box_opened_at"])
        AuditEntry.record(
            locked, by, "open ballot box", actor_name="hustings open-box",
            detail={"sealed": payload["sealed"], "opened": payload["opened"],
                    "shares_from": list(given),
                    "ledger": {"lane": entry.lane, "seq": entry.seq, "hash": entry.hash}})
    return payload


def _read_shares(contest, key, texts: Sequence[str]) -> list[sealing.Share]:
    holders = {t.position: t for t in Trustee.objects.filter(contest=contest)}
    shares = []
    for n, text in enumerate(t for t in texts if t and t.strip()):
        share = sealing.read_share(text, key.public_bytes, where=f"share {n + 1}")
        trustee = holders.get(share.index)
        if trustee is None or trustee.fingerprint != share.fingerprint:
            raise ShareError(
                f"share {n + 1}: it is not the share handed to trustee {share.index}"
                + (f" ({trustee.holder})" if trustee else "")
                + ": its fingerprint differs from the ledger's")
        shares.append(share)
    if not shares:
        raise ShareError(f"no share given; {key.threshold} trustees' shares open the box")
    return shares


def _sealed_rows(contest) -> list[tuple[str, str, bytes]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT receipt, section, ciphertext FROM voting_sealedballot WHERE "
                        "contest_id = %s", [contest.pk])
            return cur.fetchall()
    return list(SealedBallot.objects.filter(contest=contest)
                .values_list("receipt", "section", "ciphertext"))


def _cast_entries(contest) -> list[dict]:
    """The ledger's cast entries as sealedlist.check reads them. On PostgreSQL the two
    fields are taken out of the JSON by the server: half a million entries in a second."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT lane, seq, payload->>'receipt', payload->>'section' FROM "
                        "voting_ledgerentry WHERE contest_id = %s AND kind = %s",
                        [contest.pk, sealedlist.CAST])
            return [{"kind": sealedlist.CAST, "lane": lane, "seq": seq,
                     "payload": {"receipt": r, "section": s}}
                    for lane, seq, r, s in cur.fetchall()]
    return [{"kind": k, "lane": lane, "seq": seq, "payload": p} for k, lane, seq, p in
            LedgerEntry.objects.filter(contest=contest, kind=sealedlist.CAST)
            .values_list("kind", "lane", "seq", "payload")]


def _server_makes_keys() -> bool:
    """Does voting_ballot.id default to gen_random_uuid() (migration 0009, PostgreSQL 13+)?"""
    with connection.cursor() as cur:
        cur.execute("SELECT column_default FROM information_schema.columns WHERE table_name = "
                    "'voting_ballot' AND column_name = 'id' AND table_schema = current_schema()")
        row = cur.fetchone()
    return bool(row and row[0] and "gen_random_uuid" in row[0])


def _copy_cell(text: str) -> str:
    """A field in COPY's text format (JSON and section names hold no tab or newline, but
    may hold a backslash)."""
    return (text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def _write_opened(contest, sealed, opened, tell) -> int:
    """Store the opened ballots, chunk by chunk as they are opened, in the shuffled order,
    with new random keys; check each was sealed for the section it is stored under;
    ``tell(n)`` after each chunk. Returns how many were written."""
    n = 0

    def rows():
        nonlocal n
        for part in opened:
            tell(n)
            for section, ranking_json in part:
                s = sealed[n]
                if section != s.section:
                    raise BoxError(
                        f"sealed ballot {s.receipt[:16]} is stored under {s.section!r} but was "
                        f"sealed for {section!r}: the database has been changed")
                n += 1
                yield section, ranking_json

    if connection.vendor == "postgresql" and _server_makes_keys():
        # COPY in its text format, a chunk at a time, written while the next chunks are
        # opened; each row's key is drawn by the server (gen_random_uuid(), the column's
        # default since migration 0009), so this process, which shares the two cores with
        # the opening processes, only joins text
        cells: dict[str, str] = {}
        head = f"{contest.pk}\t"
        with connection.cursor() as cur:
            raw = cur.cursor
            with raw.copy("COPY voting_ballot (contest_id, section, ranking) FROM STDIN") as cp:
                lines: list[str] = []
                for section, ranking_json in rows():
                    cell = cells.get(section)
                    if cell is None:
                        cell = cells[section] = head + _copy_cell(section) + "\t"
                    lines.append(cell + (_copy_cell(ranking_json) if "\\" in ranking_json
                                         else ranking_json) + "\n")
                    if len(lines) >= 5000:
                        cp.write("".join(lines))
                        lines = []
                cp.write("".join(lines))
        return n
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            raw = cur.cursor
            with raw.copy("COPY voting_ballot (id, contest_id, section, ranking) FROM STDIN") as cp:
                for section, ranking_json in rows():
                    cp.write_row((uuid.uuid4(), contest.pk, section, ranking_json))
        return n
    Ballot.objects.bulk_create(
        (Ballot(contest=contest, section=s, ranking=json.loads(r)) for s, r in rows()),
        batch_size=2000)
    return n
