"""The sealed ballot box: trustees k of n, opening with shares, refusals, the receipt check
and the key never at rest. Runs on SQLite and again on PostgreSQL."""

from __future__ import annotations

import base64
from collections import Counter

import pytest
from Crypto.Protocol.SecretSharing import Shamir
from django.db import transaction
from nacl.exceptions import CryptoError

from conftest import CANDIDATES_2015, SHARES, add_voters, make_contest, open_box
from hustings.web.voting import box, casting, closing, sealing, trustees
from hustings.web.voting.errors import BoxError, ShareError
from hustings.web.voting.models import Ballot, LedgerEntry, SealedBallot, Trustee

pytestmark = pytest.mark.django_db

PLAN = [["Jeremy Corbyn", "Andy Burnham"], ["Liz Kendall"], ["Yvette Cooper", "Liz Kendall"],
        ["Jeremy Corbyn"], ["Andy Burnham", "Yvette Cooper", "Jeremy Corbyn"]]


def cast_plan(contest, plan=PLAN):
    codes = add_voters(contest, [(f"T{i}", ["All voters"]) for i in range(len(plan))])
    return [casting.cast(contest, casting.check_code(contest, codes[f"T{i}"]).voter,
                         "All voters", r) for i, r in enumerate(plan)]


@pytest.fixture
def three_of_five(officer):
    contest = make_contest("box-3of5", "labour-2015", CANDIDATES_2015, trustees=(3, 5))
    receipts = cast_plan(contest)
    closing.close(contest, by=officer)
    contest.refresh_from_db()
    return contest, receipts


def test_naming_trustees_records_the_public_key_and_fingerprints_never_a_share(omov):
    entry = LedgerEntry.objects.get(contest=omov, kind="box-key")
    key = trustees.box_key(omov)
    assert entry.payload["public_key"] == key.public_key and entry.payload["threshold"] == 1
    (share,) = SHARES[omov.slug]
    parsed = sealing.read_share(share, key.public_bytes)
    assert entry.payload["trustees"] == [{"position": 1, "holder": "Trustee 1",
                                          "share_fingerprint": parsed.fingerprint}]
    assert Trustee.objects.get(contest=omov).fingerprint == parsed.fingerprint
    with pytest.raises(BoxError, match=r"name at least one trustee \(the returning officer may "
                       r"be the only one\)"):
        trustees.name_trustees(omov, [" "], 1)
    with pytest.raises(BoxError, match=r"3 shares to open the box, with 2 trustee\(s\); expected "
                       "a number from 1 to 2"):
        trustees.name_trustees(omov, ["A", "B"], 3)


def test_trustees_cannot_change_once_the_ballot_is_open(omov):
    cast_plan(omov, PLAN[:1])
    with pytest.raises(BoxError, match="trustees are named before the ballot opens; it has "
                       "opened"), transaction.atomic():
        trustees.name_trustees(omov, ["Someone else"], 1)
    assert Trustee.objects.get(contest=omov).holder == "Trustee 1"


def test_k_of_n_shares_open_the_box_shuffled_and_counted(three_of_five, officer):
    contest, receipts = three_of_five
    shares = SHARES[contest.slug]
    done = open_box(contest, [shares[4], shares[0], shares[2]])  # any three, in any order
    assert done == {"sealed": 5, "opened": 5, "participations": 5, "shares_from": [1, 3, 5]}
    assert Counter(tuple(b) for b in Ballot.objects.values_list("ranking", flat=True)) == Counter(
        map(tuple, PLAN))
    # the sealed rows are untouched; the opened rows share no key with them
    assert sorted(SealedBallot.objects.values_list("receipt", flat=True)) == sorted(receipts)
    assert not set(Ballot.objects.values_list("id", flat=True)) & set(
        SealedBallot.objects.values_list("id", flat=True))
    assert contest.audit_log.get(action="open ballot box").detail["shares_from"] == [1, 3, 5]
    entry = closing.count_contest(contest, by=officer)
    assert entry.detail["ballots"] == 5
    with pytest.raises(BoxError, match="the ballot box is opened after the close; the contest "
                       "is at 'counted'"):
        open_box(contest, shares[:3])


def test_fewer_than_k_shares_cannot_open_it(three_of_five):
    contest, _ = three_of_five
    key = trustees.box_key(contest)
    shares = [sealing.read_share(t, key.public_bytes) for t in SHARES[contest.slug]]
    with pytest.raises(ShareError, match=r"^2 share\(s\) given, but 3 trustees' shares are "
                       "needed to open the ballot box$"):
        open_box(contest, SHARES[contest.slug][:2])
    assert not Ballot.objects.exists() and not box.is_opened(contest)
    # and not by going round the refusal: Shamir over k-1 shares gives some other key
    two = shares[:2]
    guess = (Shamir.combine([(s.index, s.first) for s in two])
             + Shamir.combine([(s.index, s.second) for s in two]))
    ciphertext = bytes(SealedBallot.objects.first().ciphertext)
    with pytest.raises(CryptoError):
        from nacl.bindings import crypto_box_seal_open

        crypto_box_seal_open(ciphertext, key.public_bytes, guess)
    with pytest.raises(ShareError, match="these shares do not open this ballot box"):
        sealing.combine(two + [sealing.Share(3, guess[:16], guess[16:])], 3, key.public_bytes)


def test_a_wrong_share_is_refused_with_a_clear_message(three_of_five, omov):
    contest, _ = three_of_five
    shares = SHARES[contest.slug]
    key = trustees.box_key(contest)
    # another contest's share
    with pytest.raises(ShareError, match="share 3: its check does not match: mistyped, or a "
                       "share of another contest's ballot box"):
        open_box(contest, shares[:2] + SHARES[omov.slug])
    # a typing slip
    slip = shares[2].replace(shares[2].split("\n")[1][:5], "AAAAA", 1)
    with pytest.raises(ShareError, match="share 3: its check does not match"):
        open_box(contest, shares[:2] + [slip])
    # well formed, with a valid check, but not the share handed out (a forgery)
    real = sealing.read_share(shares[2], key.public_bytes)
    forged = sealing.Share(real.index, bytes(16), real.second)
    text = sealing.share_text(forged, k=3, n=5, contest=contest.slug, public_key=key.public_bytes)
    with pytest.raises(ShareError, match="share 3: it is not the share handed to trustee 3 "
                       r"\(Trustee 3\): its fingerprint differs from the ledger's"):
        open_box(contest, shares[:2] + [text])
    with pytest.raises(ShareError, match="the same trustee's share was given twice"):
        open_box(contest, [shares[0], shares[0], shares[1]])
    with pytest.raises(ShareError, match=r"share 1: 3 characters; expected 60 letters"):
        open_box(contest, ["abc"])
    assert not Ballot.objects.exists() and not box.is_opened(contest)


def test_the_box_opens_once_and_only_after_the_close(omov, officer):
    cast_plan(omov, PLAN[:2])
    with pytest.raises(BoxError, match="the ballot box is opened after the close; the contest is "
                       "at 'ballot_open'"):
        open_box(omov)
    closing.close(omov, by=officer)
    open_box(omov)
    with pytest.raises(BoxError, match="the ballot box is already open: it is opened once"):
        open_box(omov)
    assert Ballot.objects.count() == 2


def test_a_sealed_ballot_changed_in_the_database_stops_the_opening(omov, officer):
    """With the trigger out of the way (SQLite has none), a DBA rewrites a sealed ballot:
    its receipt no longer matches the ledger's, and the box refuses to open."""
    cast_plan(omov, PLAN[:3])
    closing.close(omov, by=officer)
    from tamper import rewrite_sealed

    rewrite_sealed(omov, "change")
    with pytest.raises(Exception, match="is not in the sealed ballots|does not hash to its "
                       "receipt"):
        open_box(omov)
    assert not Ballot.objects.exists()


# -- the public receipt check ------------------------------------------------------------


def test_the_receipt_check_finds_a_sealed_ballot_by_its_short_or_full_receipt(
        omov, officer, client):
    receipts = cast_plan(omov, PLAN[:2])
    page = f"/contests/{omov.slug}/receipts/"
    assert "Check a receipt" in client.get(page).content.decode()
    for asked in (receipts[0], sealing.short_receipt(receipts[0]), receipts[0].upper()):
        html = client.get(page, {"receipt": asked}).content.decode()
        assert "this sealed ballot is in the ballot box" in html
        assert "When the result is published" in html
    html = client.get(page, {"receipt": "0" * 64}).content.decode()
    assert "No sealed ballot with this receipt is in the ballot box" in html
    r = client.get(page, {"receipt": "not a receipt"})
    assert r.status_code == 400 and "That is not a receipt" in r.content.decode()
    closing.close_count_publish(omov, by=officer, shares=SHARES[omov.slug])
    html = client.get(page, {"receipt": sealing.short_receipt(receipts[1])}).content.decode()
    assert "It is in the published list of sealed ballots" in html
    # no identity anywhere on the page: not the voter, not the code, not a time
    assert "T1" not in html and "Voter" not in html


# -- the key is never at rest --------------------------------------------------------------


def key_forms(shares_text, public):
    """Every spelling of the key and its shares a careless program might have written."""
    shares = [sealing.read_share(t, public) for t in shares_text]
    secret = sealing.combine(shares, len(shares), public)
    forms = [secret, secret.hex().encode(), base64.b64encode(secret), base64.b32encode(secret)]
    for t, s in zip(shares_text, shares):
        letters = "".join(t.strip().splitlines()[1].split())
        forms += [s.payload, s.payload.hex().encode(), s.first, s.second,
                  t.strip().splitlines()[1].encode(), letters.encode()]
    return forms


def test_after_the_opening_no_key_material_is_in_the_database_logs_or_tasks(
        three_of_five, officer, caplog):
    import logging

    from django.core import serializers

    contest, _ = three_of_five
    caplog.set_level(logging.DEBUG)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        open_box(contest, SHARES[contest.slug][1:4])
        closing.count_contest(contest, by=officer)
    forms = key_forms(SHARES[contest.slug][1:4], trustees.box_key(contest).public_bytes)
    # every row of every table, as a dump would hold it
    from django.apps import apps

    dump = "".join(serializers.serialize("json", m.objects.all()) for m in apps.get_models()
                   if m._meta.managed).encode()
    logged = "\n".join(r.getMessage() for r in caplog.records).encode()
    sql = "\n".join(q["sql"] for q in queries.captured_queries).encode()
    for where, text in (("the database", dump), ("the logs", logged), ("the queries", sql)):
        for form in forms:
            assert form not in text, f"key material in {where}"
    assert b"ciphertext" in dump and len(dump) > 10_000  # the search did read the data


# -- the officer's pages ----------------------------------------------------------------------


def test_the_officer_names_trustees_and_sees_each_share_once(officer, client):
    contest = make_contest("naming", "labour-2015", CANDIDATES_2015, stage="nominations_closed",
                           trustees=None)
    client.force_login(officer)
    r = client.post(f"/contests/{contest.slug}/voting/", {
        "action": "trustees", "holders": "Ann Trustee\nBob Trustee\nCat Trustee\n",
        "threshold": "2"})
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    html = r.content.decode()
    assert "This page is the only copy." in html and html.count("<svg") == 3  # a QR code each
    key = trustees.box_key(contest)
    texts = [t.strip() + "\n" for t in __import__("re").findall(
        r'<pre class="share" id="share-text-\d">([^<]+)</pre>', html)]
    shares = [sealing.read_share(t, key.public_bytes) for t in texts]
    assert [(t.holder, t.fingerprint) for t in Trustee.objects.filter(contest=contest)] == [
        (h, s.fingerprint) for h, s in zip(["Ann Trustee", "Bob Trustee", "Cat Trustee"], shares)]
    assert sealing.combine(shares[1:], 2, key.public_bytes)  # any two open the box
    # the manage page names them afterwards, and never shows a share again
    page = client.get(f"/contests/{contest.slug}/voting/").content.decode()
    assert "Any 2 of 3 open the box: 1. Ann Trustee; 2. Bob Trustee; 3. Cat Trustee" in page
    assert texts[0].split("\n")[1] not in page
    r = client.post(f"/contests/{contest.slug}/voting/",
                    {"action": "trustees", "holders": "Ann\nBob", "threshold": "two"}, follow=True)
    assert "must be a whole number" in r.content.decode()


def test_the_open_box_page_needs_an_officer_and_reports_a_wrong_share(
        three_of_five, officer, member, client, tasks_at_once):
    contest, _ = three_of_five
    page = f"/contests/{contest.slug}/voting/open-box/"
    client.force_login(member)
    assert client.get(page).status_code == 403
    assert client.post(page, {"share-1": SHARES[contest.slug][0]}).status_code == 403
    client.force_login(officer)
    html = client.get(page).content.decode()
    assert "any 3 of the 5 trustees open the box together" in html
    shares = SHARES[contest.slug]
    r = client.post(page, {"share-1": shares[0], "share-2": shares[1]}, follow=True)
    assert "2 share(s) given, but 3 trustees&#x27; shares are needed" in r.content.decode()
    assert not box.is_opened(contest)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(page, {"share-1": shares[0], "share-2": shares[1],
                           "file-4": SimpleUploadedFile("s4.txt", shares[3].encode())}, follow=True)
    assert "The ballot box is open: 5 ballots opened, shuffled and counted." in r.content.decode()
    contest.refresh_from_db()
    assert contest.stage == "counted"


def test_a_large_box_is_opened_by_several_processes_with_the_same_result(monkeypatch):
    """The opening's processes (spawned, the key through their start-up pipe) give what one
    process gives, in the same order."""
    keys = sealing.new_key(2, 3)
    block = sealing.block_size(CANDIDATES_2015, ["All voters"])
    ciphertexts = [sealing.seal(keys.public_key, "All voters", r, block) for r in PLAN * 8]
    secret = sealing.combine(keys.shares[:2], 2, keys.public_key)
    one = sealing.open_all(secret, keys.public_key, ciphertexts, block, processes=1)
    monkeypatch.setattr(sealing, "PARALLEL_FROM", 0)
    two = list(sealing.iter_open(secret, keys.public_key, ciphertexts, block, processes=2,
                                 chunk=7))
    assert one == [(s, r) for s, r in zip(["All voters"] * 40, PLAN * 8)]
    assert [x for part in two for x in part] == one
