"""Writing a published file without holding it whole (issue 15: 500,000 ballots).

A published file is a ``PublishedFile`` row (its text and its SHA-256). ``store`` takes
the text as pieces from a generator and hashes them as they pass: on PostgreSQL each
piece is escaped into a temporary file, which is then sent as a ``COPY`` of the one row
(the SHA-256 column last), so this process holds one piece at a time; on SQLite (small
contests, tests) the pieces are joined. The bytes stored are the pieces joined,
exactly as a whole string would have been.

``ledger_json_chunks`` is ``json.dumps({"contest": …, "entries": ledger.entries(…)},
indent=1)`` a piece at a time, byte for byte, with the entries read from a server-side
cursor as they are written, so the 500,000 entries are never in memory at once.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection

from hustings.web.voting.models import PublishedFile


def _copy_text(text: str) -> str:
    """``text`` escaped for COPY's text format (str.replace: ten times str.translate's speed)."""
    return (text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def store(contest, name: str, pieces: Iterable[str]) -> str:
    """Store the file ``name`` of ``contest`` from its pieces; returns its SHA-256 (hex)."""
    digest = hashlib.sha256()
    if connection.vendor != "postgresql":
        text = "".join(pieces)
        digest.update(text.encode())
        PublishedFile.objects.create(contest=contest, name=name, content=text,
                                     sha256=digest.hexdigest())
        return digest.hexdigest()
    # The pieces come from server-side cursors on this connection, which cannot fetch
    # while it is in COPY: they go through a temporary file (public text, unlinked at once).
    with tempfile.TemporaryFile() as spool:
        for piece in pieces:
            data = piece.encode()
            digest.update(data)
            spool.write(_copy_text(piece).encode())
        spool.seek(0)
        with connection.cursor() as cur:
            sql = "COPY voting_publishedfile (contest_id, name, content, sha256) FROM STDIN"
            with cur.cursor.copy(sql) as cp:  # one row, in COPY's text format
                cp.write(f"{contest.pk}\t{_copy_text(name)}\t".encode())
                while block := spool.read(1 << 20):
                    cp.write(block)
                cp.write(f"\t{digest.hexdigest()}\n".encode())
    return digest.hexdigest()


def server_rows(sql: str, params: list, *, size: int = 20_000) -> Iterator[tuple]:
    """Rows of a query from a PostgreSQL server-side cursor, ``size`` at a time, without
    the ORM's per-row converters (the caller's transaction; psycopg's own types)."""
    import uuid

    connection.ensure_connection()
    with connection.connection.cursor(name=f"hustings_{uuid.uuid4().hex}") as cur:
        cur.itersize = size
        cur.execute(sql, params)
        yield from cur


def _entries(contest) -> Iterator[dict[str, Any]]:
    """The ledger's entries as ``ledger.iter_entries`` gives them; on PostgreSQL straight
    from a server-side cursor (the payload decoded by json itself)."""
    from hustings.web.voting.ledger import iter_entries

    if connection.vendor != "postgresql":
        yield from iter_entries(contest)
        return
    loads = json.loads
    for lane, seq, kind, at, payload, prev, hash_ in server_rows(
            "SELECT lane, seq, kind, at, payload::text, prev_hash, hash FROM voting_ledgerentry "
            "WHERE contest_id = %s ORDER BY lane, seq", [contest.pk]):
        yield {"lane": lane, "seq": seq, "kind": kind, "at": at, "payload": loads(payload),
               "prev_hash": prev, "hash": hash_}


def ledger_json_chunks(contest, *, size: int = 1 << 20) -> Iterator[str]:
    """ledger.json's text (see module doc) in pieces of about ``size`` characters."""
    head = '{\n "contest": ' + _enc(contest.slug) + ',\n "entries": '
    parts, n, first = [head], len(head), True
    for entry in _entries(contest):
        text = _entry(entry)
        parts.append(("[\n  " if first else ",\n  ") + text)
        n += len(text) + 4
        first = False
        if n >= size:
            yield "".join(parts)
            parts, n = [], 0
    parts.append("[]\n}" if first else "\n ]\n}")
    yield "".join(parts)


_FIELDS = ("lane", "seq", "kind", "at", "payload", "prev_hash", "hash")  # ledger's order
_enc = json.encoder.encode_basestring_ascii  # json's own (C) string encoder


def _entry(e: dict[str, Any]) -> str:
    """One entry as ``json.dumps(..., indent=1)`` writes it two levels deep. The common
    shape (the ledger's fields, a flat payload of text and whole numbers: every cast) is
    written here with json's C string encoder, many times faster than the indenting
    encoder, which is pure Python; any other shape goes through json itself."""
    lane, seq, kind, at, prev, hash_ = (e.get(k) for k in ("lane", "seq", "kind", "at",
                                                            "prev_hash", "hash"))
    if (tuple(e) != _FIELDS or type(lane) is not int or type(seq) is not int
            or type(kind) is not str or type(at) is not str or type(prev) is not str
            or type(hash_) is not str):
        return json.dumps(e, indent=1).replace("\n", "\n  ")
    payload = _payload(e["payload"])
    return (f'{{\n   "lane": {lane},\n   "seq": {seq},\n   "kind": {_enc(kind)},\n   "at": '
            f'{_enc(at)},\n   "payload": {payload},\n   "prev_hash": {_enc(prev)},\n   '
            f'"hash": {_enc(hash_)}\n  }}')


def _payload(p: object) -> str:
    """A payload three levels deep, as json.dumps(indent=1) writes it there."""
    if type(p) is dict and p:
        items = []
        for k, v in p.items():
            if type(k) is not str:
                break
            if type(v) is str:
                items.append(f"    {_enc(k)}: {_enc(v)}")
            elif type(v) is int:
                items.append(f"    {_enc(k)}: {v}")
            else:
                break
        else:
            return "{\n" + ",\n".join(items) + "\n   }"
    return json.dumps(p, indent=1).replace("\n", "\n   ")
