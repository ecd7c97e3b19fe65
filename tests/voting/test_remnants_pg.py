"""The remnant attack of issue 9, repeated: an auditor with the database's files reads every
page of every table and index (``pageinspect``: live and dead row versions, free space
alike) and the write-ahead log written during the ballot, looking for rankings.

Before the close and after it, they find ciphertexts and no ranking. After the opening
the opened ballots are there, which shows the search would find a ranking if one were
stored: but they were all written by the opening's one transaction, so none of them
shares a transaction id (``xmin``) with a participation.

The candidates' names carry a token drawn for the run, so no other database on the server
(the WAL is the whole server's) can hold the rankings searched for. A ranking is searched
for as storage would hold it: jsonb keeps an array's strings back to back, JSON text
keeps them quoted and separated by a comma. Only pairs that are not in ballot order are
searched (the published election.toml lists the candidates in ballot order).
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from conftest import SHARES, add_voters, make_contest, open_box
from hustings.web.voting import casting, closing
from hustings.web.voting.models import SealedBallot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def names() -> tuple[str, ...]:
    token = secrets.token_hex(4)
    return tuple(f"Cand{token}{c} Person" for c in "ABCDE")


def rankings(cands, n=40):
    """Rankings whose first two names are not neighbours in ballot order."""
    out = []
    for perm in itertools.permutations(range(len(cands)), 3):
        if perm[1] != perm[0] + 1:
            out.append([cands[i] for i in perm])
    return out[:n]


def patterns(ranking) -> list[bytes]:
    a, b = ranking[0], ranking[1]
    return [f"{a}{b}".encode(), f'"{a}","{b}"'.encode(), f'"{a}", "{b}"'.encode()]


def all_pages() -> bytes:
    """Every page of every relation of this database outside the system catalogues,
    TOAST tables included, as pageinspect's get_raw_page returns them."""
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cur.execute(
            "SELECT c.oid, pg_relation_size(c.oid) / current_setting('block_size')::int "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'i', 't', 'm') AND n.nspname NOT IN "
            "('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_temp%%'")
        out = []
        for oid, blocks in cur.fetchall():
            for blk in range(blocks):
                cur.execute("SELECT get_raw_page(%s::regclass::text, %s)", [oid, blk])
                out.append(bytes(cur.fetchone()[0]))
    return b"".join(out)


def found(haystack: bytes, plan) -> list[list[str]]:
    return [r for r in plan if any(p in haystack for p in patterns(r))]


def wal_since(start_segment: str) -> tuple[bytes, Path] | None:
    with connection.cursor() as cur:
        cur.execute("SHOW data_directory")
        wal = Path(cur.fetchone()[0]) / "pg_wal"
        cur.execute("SELECT pg_walfile_name(pg_current_wal_lsn())")
        end = cur.fetchone()[0]
    if not os.access(wal, os.R_OK):
        return None
    files = sorted(p for p in wal.iterdir() if len(p.name) == 24 and start_segment <= p.name <= end)
    return b"".join(_records(p.read_bytes()) for p in files), wal


def _records(segment: bytes, page: int = 8192) -> bytes:
    """A WAL segment without its page headers (the first page's long one, 40 bytes, then
    24 on each page), so a record that runs over a page boundary reads on unbroken."""
    return b"".join(segment[i + (40 if i == 0 else 24):i + page]
                    for i in range(0, len(segment), page))


def test_the_pages_and_the_wal_hold_ciphertexts_never_a_ranking(officer):
    cands = names()
    contest = make_contest("remnant-2015", "labour-2015", cands)
    plan = rankings(cands)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_walfile_name(pg_current_wal_lsn()), pg_current_wal_lsn()")
        start_segment, start_lsn = cur.fetchone()
    codes = add_voters(contest, [(f"R{i:03d}", ["All voters"]) for i in range(len(plan))])
    for i, r in enumerate(plan):  # each its own committed transaction, as on the web
        casting.cast(contest, casting.check_code(contest, codes[f"R{i:03d}"]).voter,
                     "All voters", r)
    ciphertexts = [bytes(c) for c in SealedBallot.objects.values_list("ciphertext", flat=True)]
    assert len(ciphertexts) == len(plan) == 40

    pages = all_pages()
    assert all(c in pages for c in ciphertexts)  # the ciphertexts are what is stored
    assert found(pages, plan) == []

    closing.close(contest, by=officer)
    with connection.cursor() as cur:
        cur.execute("VACUUM")
    pages = all_pages()
    assert found(pages, plan) == []

    wal = wal_since(start_segment)
    if wal is not None:
        log, folder = wal
        assert all(c in log for c in ciphertexts)  # the casts are in the WAL searched
        assert found(log, plan) == []
        waldump = shutil.which("pg_waldump") or next(
            iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_waldump"))), None)
        if waldump:  # PostgreSQL's own reader agrees the casts' inserts are in that range
            with connection.cursor() as cur:
                cur.execute("SELECT pg_relation_filenode('voting_sealedballot')")
                node = cur.fetchone()[0]
            out = subprocess.run([str(waldump), "-p", str(folder), "-s", start_lsn, "-r", "Heap"],
                                 capture_output=True, text=True, timeout=120).stdout
            inserts = [ln for ln in out.splitlines() if "INSERT" in ln and f"/{node} " in ln + " "]
            assert len(inserts) >= 40

    # the control: once opened, the rankings are on the pages (the search finds them) …
    open_box(contest, SHARES[contest.slug])
    assert len(found(all_pages(), plan)) == 40
    # … written by one transaction that no participation shares
    with connection.cursor() as cur:
        cur.execute("SELECT count(DISTINCT xmin::text) FROM voting_ballot")
        assert cur.fetchone()[0] == 1
        cur.execute("SELECT count(*) FROM voting_ballot b JOIN voting_participation p "
                    "ON b.xmin = p.xmin")
        assert cur.fetchone()[0] == 0
