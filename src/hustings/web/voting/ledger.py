"""Appending to and reading the contest's ledger (the hash chains of chain.py).

Every append locks the head of its lane (SELECT … FOR UPDATE), so a lane's entries get
consecutive numbers and each hashes the one before, even with many casts at once. A cast
goes to a lane drawn at random; everything else goes to lane 0. It must run inside the
caller's transaction: the entry commits with what it records, or not at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hustings.publication import chain
from hustings.publication.errors import LedgerError
from hustings.web.voting.models import LedgerEntry, LedgerHead, VotingSetup


class Kind:
    """The kinds of entry (the issue's list): roll freeze, open, cast, paper batch, close,
    count, publication; plus exclusions, which scrutineers must see too."""

    ROLL_FROZEN = "roll-frozen"
    EXCLUDED = "voter-excluded"
    BALLOT_OPENED = "ballot-opened"
    CAST = "cast"
    PAPER_BATCH = "paper-batch"
    BALLOT_CLOSED = chain.CLOSE_KIND
    COUNTED = "counted"
    PUBLISHED = "published"


def lanes() -> int:
    return int(getattr(settings, "HUSTINGS_LEDGER_LANES", 8))


def cast_lane() -> int:
    """The lane a cast goes to: drawn at random, so concurrent casts lock different heads."""
    return secrets.randbelow(lanes())


def setup_for(contest) -> VotingSetup:
    setup, created = VotingSetup.objects.get_or_create(contest=contest)
    if created or not LedgerHead.objects.filter(contest=contest).exists():
        LedgerHead.objects.bulk_create(
            [LedgerHead(contest=contest, lane=k) for k in range(lanes())], ignore_conflicts=True
        )
    return setup


def append(contest, kind: str, payload: Mapping[str, Any], *,
           lane: int | None = None) -> LedgerEntry:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.append must run inside the transaction it records")
    if lane is None:
        lane = cast_lane() if kind == Kind.CAST else 0
    head = LedgerHead.objects.select_for_update().filter(contest=contest, lane=lane).first()
    if head is None:  # the contest's first entry
        setup_for(contest)
        head = LedgerHead.objects.select_for_update().get(contest=contest, lane=lane)
    if kind == Kind.BALLOT_CLOSED:
        payload = {**payload, "heads": _seal(contest)}
    seq = head.seq + 1
    at = timezone.now().isoformat(timespec="microseconds")
    body = chain.entry_body(seq, kind, at, payload, lane)
    digest = chain.entry_hash(head.hash, body)
    entry = LedgerEntry.objects.create(
        contest=contest, lane=lane, seq=seq, kind=kind, at=at, payload=body["payload"],
        prev_hash=head.hash, hash=digest,
    )
    LedgerHead.objects.filter(pk=head.pk).update(seq=seq, hash=digest)
    return entry


def _seal(contest) -> dict[str, list]:
    """Lock every lane (in lane order, as no cast locks two) and record its head."""
    heads = LedgerHead.objects.select_for_update().filter(contest=contest).order_by("lane")
    return {str(h.lane): [h.seq, h.hash] for h in heads}


_FIELDS = ("lane", "seq", "kind", "at", "payload", "prev_hash", "hash")  # LedgerEntry.as_dict's


def entries(contest) -> list[dict[str, Any]]:
    """Every entry as a dict (``LedgerEntry.as_dict``'s keys, in its order), read as rows in
    chunks: no model objects, and no queryset cache holding 500,000 of them beside the dicts."""
    return list(iter_entries(contest))


def iter_entries(contest) -> Iterator[dict[str, Any]]:
    """``entries`` one at a time, from a server-side cursor (ledger.json is written so)."""
    rows = (LedgerEntry.objects.filter(contest=contest).order_by("lane", "seq")
            .values_list(*_FIELDS).iterator(chunk_size=20_000))
    return (dict(zip(_FIELDS, r)) for r in rows)


def verify(contest) -> int:
    """Re-check the stored chains and that the heads match them; returns the entry count."""
    items = entries(contest)
    n = chain.verify_entries(items)
    last: dict[int, tuple[int, str]] = {}
    for e in items:
        last[e["lane"]] = (e["seq"], e["hash"])
    for head in LedgerHead.objects.filter(contest=contest):
        if last.get(head.lane, (0, chain.GENESIS)) != (head.seq, head.hash):
            raise LedgerError(
                f"lane {head.lane}: the head says entry {head.seq} ({head.hash[:12]}…), "
                f"but the stored lane ends at entry {last.get(head.lane, (0, ''))[0]}"
            )
    return n
