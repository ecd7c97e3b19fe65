"""Appending to and reading the contest's ledger (the hash chain of chain.py).

Every append locks the contest's ``VotingSetup`` row (SELECT … FOR UPDATE), so entries get
consecutive sequence numbers and each one hashes the one before, even with many casts at
once. It must run inside the caller's transaction: the entry commits with what it records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from hustings.web.voting import chain
from hustings.web.voting.models import LedgerEntry, VotingSetup


class Kind:
    """The kinds of entry (the issue's list): roll freeze, open, cast, paper batch, close,
    count, publication; plus exclusions, which must be visible to scrutineers too."""

    ROLL_FROZEN = "roll-frozen"
    EXCLUDED = "voter-excluded"
    BALLOT_OPENED = "ballot-opened"
    CAST = "cast"
    PAPER_BATCH = "paper-batch"
    BALLOT_CLOSED = "ballot-closed"
    COUNTED = "counted"
    PUBLISHED = "published"


def setup_for(contest) -> VotingSetup:  # noqa: ANN001 - contests.Contest
    setup, _ = VotingSetup.objects.get_or_create(contest=contest)
    return setup


def append(contest, kind: str, payload: Mapping[str, Any]) -> LedgerEntry:  # noqa: ANN001
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.append must run inside the transaction it records")
    setup_for(contest)  # created outside the lock the first time; harmless if it exists
    setup = VotingSetup.objects.select_for_update().get(contest=contest)
    seq = setup.ledger_seq + 1
    at = timezone.now().isoformat(timespec="microseconds")
    body = chain.entry_body(seq, kind, at, payload)
    digest = chain.entry_hash(setup.ledger_hash, body)
    entry = LedgerEntry.objects.create(
        contest=contest, seq=seq, kind=kind, at=at, payload=body["payload"],
        prev_hash=setup.ledger_hash, hash=digest,
    )
    VotingSetup.objects.filter(pk=setup.pk).update(ledger_seq=seq, ledger_hash=digest)
    return entry


def entries(contest) -> list[dict[str, Any]]:  # noqa: ANN001
    return [e.as_dict() for e in LedgerEntry.objects.filter(contest=contest).order_by("seq")]


def verify(contest) -> int:  # noqa: ANN001
    """Re-check the stored chain and that its head matches; returns the number of entries."""
    items = entries(contest)
    n = chain.verify_entries(items)
    setup = setup_for(contest)
    if n != setup.ledger_seq or (n and items[-1]["hash"] != setup.ledger_hash):
        from hustings.web.voting.errors import LedgerError

        raise LedgerError(
            f"the ledger head says {setup.ledger_seq} entries ending {setup.ledger_hash[:12]}…, "
            f"but {n} entries are stored"
        )
    return n
