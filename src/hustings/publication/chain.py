"""The ledger's hash chains, as pure functions (no Django): canonical JSON and SHA-256.

A contest's ledger is a few parallel chains ("lanes", default 8), so that casts at the
same moment lock different chain heads and their commits can share the disk's flushes;
with one chain every cast would wait for the previous one's commit. Each entry's hash is
``sha256(prev_hash + canonical_json(body))``, the body holding the entry's lane, sequence
number in its lane, kind, time and payload; a lane's first ``prev_hash`` is ``GENESIS``.

Lane 0 carries everything but casts (roll freeze, opening, paper batches, close, count,
publication). The close entry records every lane's head (``payload["heads"]``: lane →
[seq, hash]), which ties the lanes into one record: a cast added to any lane after the
close, or a cast dropped before it, no longer matches. Anyone holding an export can
re-check all of it with ``hustings verify ledger``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from hustings.publication.errors import LedgerError

GENESIS = "0" * 64
CLOSE_KIND = "ballot-closed"


def canonical_json(value: Any) -> str:
    """One spelling for one value: sorted keys, no spaces, UTF-8 kept (RFC 8785-like for the
    strings, integers and lists the ledger holds; floats never appear in it)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_body(
    seq: int, kind: str, at: str, payload: Mapping[str, Any], lane: int = 0
) -> dict[str, Any]:
    return {"lane": lane, "seq": seq, "kind": kind, "at": at, "payload": dict(payload)}


def entry_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def verify_entries(entries: Iterable[Mapping[str, Any]]) -> int:
    """Re-check every lane of a ledger given as dicts (lane, seq, kind, at, payload,
    prev_hash, hash), each lane in order, and the lane heads a close entry recorded.
    Returns how many entries were checked; raises LedgerError naming the first bad one."""
    heads: dict[int, tuple[int, str]] = {}
    closes: list[Mapping[str, Any]] = []
    hashes: dict[tuple[int, int], str] = {}
    n = 0
    for n, e in enumerate(entries, start=1):
        for key in ("seq", "kind", "at", "payload", "prev_hash", "hash"):
            if key not in e:
                raise LedgerError(f"entry {n}: missing field {key!r}")
        lane = int(e.get("lane", 0))
        where = f"lane {lane} entry {e['seq']} ({e['kind']})"
        seq, prev = heads.get(lane, (0, GENESIS))
        if e["seq"] != seq + 1:
            raise LedgerError(
                f"lane {lane}: entry after {seq} is numbered {e['seq']}, expected {seq + 1}"
            )
        if e["prev_hash"] != prev:
            raise LedgerError(
                f"{where}: prev_hash {e['prev_hash'][:12]}… does not match the hash of the "
                f"entry before it ({prev[:12]}…)"
            )
        want = entry_hash(prev, entry_body(e["seq"], e["kind"], e["at"], e["payload"], lane))
        if e["hash"] != want:
            raise LedgerError(
                f"{where}: stored hash {e['hash'][:12]}… does not match its contents "
                f"(expected {want[:12]}…)"
            )
        heads[lane] = (e["seq"], e["hash"])
        hashes[(lane, e["seq"])] = e["hash"]
        if e["kind"] == CLOSE_KIND:
            closes.append(e)
    for k, close in enumerate(closes):
        recorded = close["payload"].get("heads", {})
        for lane_text, (seq, digest) in recorded.items():
            lane = int(lane_text)
            if lane == 0:
                continue  # lane 0 goes on after the close (count, publication)
            if hashes.get((lane, seq), GENESIS) != digest:
                raise LedgerError(
                    f"lane {lane}: the close recorded entry {seq} as {digest[:12]}…, "
                    "which the lane does not hold"
                )
            now = heads.get(lane, (0, GENESIS))
            if k == len(closes) - 1 and now[0] != seq:
                raise LedgerError(
                    f"lane {lane}: the close recorded its head as entry {seq}, but the lane "
                    f"goes on to entry {now[0]}: entries were added after the close"
                )
    return n
