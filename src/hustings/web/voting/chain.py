"""The ledger's hash chain, as pure functions (no Django): canonical JSON and SHA-256.

Each entry's hash is ``sha256(prev_hash + canonical_json(body))`` where the body holds the
entry's sequence number, kind, time and payload. The first entry's ``prev_hash`` is
``GENESIS``. Anyone holding an export of the ledger can re-check it with
``hustings verify ledger``: changing, dropping or reordering any entry breaks every hash
after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from hustings.web.voting.errors import LedgerError

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """One spelling for one value: sorted keys, no spaces, UTF-8 kept (RFC 8785-like for the
    strings, integers and lists the ledger holds; floats never appear in it)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_body(seq: int, kind: str, at: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    return {"seq": seq, "kind": kind, "at": at, "payload": dict(payload)}


def entry_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def verify_entries(entries: Iterable[Mapping[str, Any]]) -> int:
    """Re-check a chain given as dicts with seq, kind, at, payload, prev_hash and hash, in
    order. Returns how many entries were checked; raises LedgerError naming the first bad one.
    """
    prev = GENESIS
    n = 0
    for n, e in enumerate(entries, start=1):
        for key in ("seq", "kind", "at", "payload", "prev_hash", "hash"):
            if key not in e:
                raise LedgerError(f"entry {n}: missing field {key!r}")
        if e["seq"] != n:
            raise LedgerError(f"entry {n}: sequence number is {e['seq']}, expected {n}")
        if e["prev_hash"] != prev:
            raise LedgerError(
                f"entry {n} ({e['kind']}): prev_hash {e['prev_hash'][:12]}… does not match "
                f"the hash of entry {n - 1} ({prev[:12]}…)"
            )
        want = entry_hash(prev, entry_body(e["seq"], e["kind"], e["at"], e["payload"]))
        if e["hash"] != want:
            raise LedgerError(
                f"entry {n} ({e['kind']}): stored hash {e['hash'][:12]}… does not match its "
                f"contents (expected {want[:12]}…)"
            )
        prev = e["hash"]
    return n
