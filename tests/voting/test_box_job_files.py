"""The published files written a piece at a time (issue 15): the bytes stored are those the
whole-string writers give, and the hash is of those bytes. Runs on SQLite and again on
PostgreSQL (where ``published.store`` goes through COPY)."""

from __future__ import annotations

import hashlib
import json

import pytest

from conftest import CANDIDATES_2015, make_contest
from hustings.counting import Ballots
from hustings.formats.ballot_csv import ballots_csv_chunks, ballots_csv_text
from hustings.formats.blt import blt_chunks, blt_text
from hustings.web.voting import ledger, published, sealedlist
from hustings.web.voting.models import PublishedFile

pytestmark = pytest.mark.django_db

AWKWARD = 'tab\there, new\nline, back\\slash, \r, "quoted", £ – ü, =SUM(A1)'


def test_a_file_stored_in_pieces_is_the_joined_text_and_its_hash(omov):
    pieces = ["section,pref1\n", f"{AWKWARD}\n" * 3, "", "end\\n\n"]
    digest = published.store(omov, "odd name\t.csv", iter(pieces))
    stored = PublishedFile.objects.get(contest=omov, name="odd name\t.csv")
    text = "".join(pieces)
    assert stored.content == text
    assert digest == stored.sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_ledger_json_in_pieces_is_json_dumps_of_the_whole_chain(omov):
    payloads = [{"receipt": "ab" * 32, "section": "Ünïon – members"}, {}, {"yes": True},
                {"f": 1.5, "none": None}, {"big": 10**20, "neg": -3}, {"text": AWKWARD},
                {"nested": {"a": [1, 2, {}]}, "list": []}]
    for i in range(30):  # the common shape (flat text and numbers) and every other
        ledger.append(omov, "note", payloads[i % len(payloads)])
    whole = json.dumps({"contest": omov.slug, "entries": ledger.entries(omov)}, indent=1)
    pieces = list(published.ledger_json_chunks(omov, size=500))
    assert len(pieces) > 3 and "".join(pieces) == whole


def test_ledger_json_of_a_contest_with_no_entry_is_json_dumps_too():
    contest = make_contest("empty-ledger", "labour-2015", CANDIDATES_2015, trustees=None)
    whole = json.dumps({"contest": contest.slug, "entries": []}, indent=1)
    assert "".join(published.ledger_json_chunks(contest)) == whole


def test_ballot_csv_blt_and_sealed_list_in_pieces_equal_the_whole_writers():
    rankings = [["Ann", "Bob"], ["=HYPERLINK(1)"], ["Bob", "Cat", "Ann"], ["Cat"]] * 7
    assert "".join(ballots_csv_chunks("Members", rankings, rows=3)) == ballots_csv_text(
        "Members", rankings)
    assert "".join(ballots_csv_chunks("Members", [], rows=3)) == ballots_csv_text("Members", [])
    ballots = Ballots.from_rankings(("Ann", "Bob", "Cat", "=HYPERLINK(1)"), rankings)
    assert "".join(blt_chunks(ballots, seats=1, title="T – Members", rows=4)) == blt_text(
        ballots, seats=1, title="T – Members")
    rows = [sealedlist.Sealed(f"{i:064x}", "Members", bytes([i]) * 40) for i in range(50)]
    rows += [sealedlist.Sealed("f" * 64 + "0", 'a,b "c"', b"x"),
             sealedlist.Sealed("f" * 65, "", b""),
             sealedlist.Sealed("ff,x", " lead\n", b"\0")]  # cells the csv module must quote
    ordered = sorted((r.receipt, r.section, r.ciphertext) for r in rows)  # as the cursor gives
    assert "".join(sealedlist.write_chunks(ordered, rows=7)) == sealedlist.write(reversed(rows))
