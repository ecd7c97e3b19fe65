"""Writing a published file without holding it whole (issue 15: 500,000 ballots).

A published file is a ``PublishedFile`` row (its text and its SHA-256). ``store`` takes
the text as pieces from a generator and hashes them as they pass: on PostgreSQL each
piece is escaped into a temporary file, which is then sent as a ``COPY`` of the one row
(the SHA-256 column last), so this process holds one piece at a time; on SQLite (small
contests, tests) the pieces are joined. The bytes stored are the pieces joined,
exactly as a whole string would have been.

``ledger_json_chunks`` is ``json.dumps({"contest": …, "entries": ledger.entries(…)},
indent=1)`` a piece at a time: the same encoder over a list that reads the entries from
a server-side cursor as it is walked, so the 500,000 entries are never in memory at once.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection

from hustings.web.voting.models import LedgerEntry, PublishedFile

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def store(contest, name: str, pieces: Iterable[str]) -> str:  # noqa: ANN001
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
            spool.write(piece.translate(_COPY_ESCAPES).encode())
        spool.seek(0)
        with connection.cursor() as cur:
            sql = "COPY voting_publishedfile (contest_id, name, content, sha256) FROM STDIN"
            with cur.cursor.copy(sql) as cp:  # one row, in COPY's text format
                cp.write(f"{contest.pk}\t{name.translate(_COPY_ESCAPES)}\t".encode())
                while block := spool.read(1 << 20):
                    cp.write(block)
                cp.write(f"\t{digest.hexdigest()}\n".encode())
    return digest.hexdigest()


class _Entries(list):  # type: ignore[type-arg]
    """A list to ``json``'s encoder, walked once: it yields the ledger's entries from a
    server-side cursor (the indenting encoder asks only its truth and iterates it)."""

    def __init__(self, contest) -> None:  # noqa: ANN001
        super().__init__()
        self._contest = contest
        self._any = LedgerEntry.objects.filter(contest=contest).exists()

    def __bool__(self) -> bool:
        return self._any

    def __iter__(self) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        from hustings.web.voting.ledger import iter_entries

        return iter_entries(self._contest)


def ledger_json_chunks(contest, *, size: int = 1 << 20) -> Iterator[str]:  # noqa: ANN001
    """ledger.json's text (see module doc) in pieces of about ``size`` characters."""
    encoder = json.JSONEncoder(indent=1)  # indented: the pure-Python encoder, which walks
    parts: list[str] = []  # the list lazily (the C one is used only without an indent)
    n = 0
    for part in encoder.iterencode({"contest": contest.slug, "entries": _Entries(contest)}):
        parts.append(part)
        n += len(part)
        if n >= size:
            yield "".join(parts)
            parts, n = [], 0
    if parts:
        yield "".join(parts)
