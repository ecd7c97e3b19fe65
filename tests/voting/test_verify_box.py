"""``hustings verify sealed``, ``verify box``, ``verify all`` and ``open-box``: tampering
with sealed ballots (with the trigger out of the way) is caught, a plain ballot changed
after the opening is caught by a trustee's re-opening, and bad input is one line, exit 2.
Runs on SQLite and again on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from tamper import rewrite_opened, rewrite_sealed

from conftest import CANDIDATES_2015, SHARES, add_voters, make_contest
from hustings.cli import main
from hustings.web.voting import casting, closing
from hustings.web.voting.models import PublishedFile

pytestmark = pytest.mark.django_db

PLAN = [["Jeremy Corbyn", "Andy Burnham"], ["Liz Kendall"], ["Yvette Cooper", "Liz Kendall"],
        ["Jeremy Corbyn"], ["Andy Burnham", "Yvette Cooper", "Jeremy Corbyn"], ["Liz Kendall"]]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def closed(officer):
    contest = make_contest("seal-2of3", "labour-2015", CANDIDATES_2015, trustees=(2, 3))
    codes = add_voters(contest, [(f"S{i}", ["All voters"]) for i in range(len(PLAN))])
    for i, r in enumerate(PLAN):
        casting.cast(contest, casting.check_code(contest, codes[f"S{i}"]).voter, "All voters", r)
    closing.close(contest, by=officer)
    contest.refresh_from_db()
    return contest


def share_files(tmp_path, contest, positions):
    paths = []
    for p in positions:
        path = tmp_path / f"share-{p}.txt"
        path.write_text(SHARES[contest.slug][p - 1], encoding="utf-8")
        paths.append(path)
    return paths


def publish(contest, officer, folder):
    """Count and publish an opened box; the downloads into ``folder``."""
    contest.refresh_from_db()
    contest.mark_counted(by=officer)
    contest.publish(by=officer)
    folder.mkdir()
    for f in PublishedFile.objects.filter(contest=contest):
        (folder / f.name).write_text(f.content, encoding="utf-8")
    return folder


def test_the_database_box_verifies_before_and_after_the_opening(closed, tmp_path):
    r = run("verify", "sealed", "--contest", closed.slug)
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Verified: 6 sealed ballots = 6 receipts in the ledger; opened "
                               "not yet; participations 6")
    one, three = share_files(tmp_path, closed, [1, 3])
    r = run("open-box", "--contest", closed.slug, one)
    assert r.exit_code == 2
    assert r.output.strip() == ("Error: 1 share(s) given, but 2 trustees' shares are needed to "
                                "open the ballot box")
    r = run("open-box", "--contest", closed.slug, one, three)
    assert r.exit_code == 0, r.output
    assert "Opened: 6 of 6 sealed ballots" in r.output and "[1, 3]" in r.output
    r = run("verify", "sealed", "--contest", closed.slug)
    assert r.exit_code == 0 and "opened 6; participations 6" in r.output


@pytest.mark.parametrize("how, says", [
    ("change", "is not in the sealed ballots (one was removed or changed)"),
    ("add", "has no cast entry in the ledger (one was added)"),
    ("delete", "is not in the sealed ballots (one was removed or changed)"),
])
def test_a_sealed_ballot_changed_added_or_deleted_in_the_database_is_caught(closed, how, says):
    touched = rewrite_sealed(closed, how)
    r = run("verify", "sealed", "--contest", closed.slug)
    assert r.exit_code == 1, r.output
    assert r.output.startswith("NOT VERIFIED: ") and says in r.output
    assert touched[:16] in r.output or how != "add"


def test_a_sealed_ballot_changed_without_its_receipt_is_caught_by_its_hash(closed):
    from django.db import connection

    from hustings.web.voting.models import SealedBallot

    victim = SealedBallot.objects.filter(contest=closed).order_by("receipt").first()
    changed = bytearray(bytes(victim.ciphertext))
    changed[-1] ^= 1
    from tamper import _triggers

    _triggers(False)
    SealedBallot.objects.filter(pk=victim.pk).update(ciphertext=bytes(changed))
    _triggers(True)
    r = run("verify", "sealed", "--contest", closed.slug)
    assert r.exit_code == 1
    assert (f"NOT VERIFIED: sealed ballot {victim.receipt[:16]}: its ciphertext does not hash to "
            "its receipt (the ballot was changed)") in r.output
    assert connection.vendor in ("sqlite", "postgresql")


def test_published_downloads_verify_and_a_trustee_re_opens_them(closed, officer, tmp_path):
    from conftest import open_box

    open_box(closed, SHARES[closed.slug][1:])
    folder = publish(closed, officer, tmp_path / "pub")
    r = run("verify", "all", folder)
    assert r.exit_code == 0, r.output
    assert "Verified: 6 sealed ballots = 6 receipts in the ledger; opened 6; participations 6; " \
           "published ballots 6" in r.output
    assert "Reproduced: 6 ballots" in r.output
    two, three = share_files(tmp_path, closed, [2, 3])
    r = run("verify", "box", folder, "--share", two, "--share", three)
    assert r.exit_code == 0, r.output
    assert "the 6 sealed ballots open to exactly the 6 published ballots" in r.output
    (one,) = share_files(tmp_path, closed, [1])
    r = run("verify", "box", folder, "--share", one)
    assert r.exit_code == 2 and "1 share(s) given, but 2 trustees' shares are needed" in r.output
    # a published sealed ballot dropped from the list: the ledger still has its receipt
    lines = (folder / "sealed-ballots.csv").read_text().splitlines()
    (folder / "sealed-ballots.csv").write_text("\n".join(lines[:-1]) + "\n")
    r = run("verify", "sealed", folder)
    assert r.exit_code == 1 and "is not in the sealed ballots" in r.output


def test_a_plain_ballot_changed_after_the_opening_is_caught_by_verify_box(closed, officer,
                                                                         tmp_path):
    from conftest import open_box

    open_box(closed, SHARES[closed.slug][:2])
    rewrite_opened(closed, ["Liz Kendall"])  # after the opening, before the count
    folder = publish(closed, officer, tmp_path / "pub")
    # the recount reproduces the altered result: only the trustee's re-opening sees it
    assert run("verify", "ballots", "--rules", folder / "election.toml", "--result",
               folder / "result.json", folder / "ballots-all-voters.csv").exit_code == 0
    one, two = share_files(tmp_path, closed, [1, 2])
    r = run("verify", "box", folder, "--share", one, "--share", two)
    assert r.exit_code == 1, r.output
    assert r.output.startswith("NOT VERIFIED: the sealed ballots open to 6 ballots, the "
                               "published ballots are 6: 1 opened but not published, 1 "
                               "published but not opened (e.g. All voters: Liz Kendall published)")


# -- bad input: one line, exit 2 ---------------------------------------------------------------


@pytest.mark.parametrize("entries, says", [
    ([{"seq": "1", "kind": "cast", "at": "x", "payload": {}, "prev_hash": "0", "hash": "0"}],
     "entry 1: field 'seq' is str; expected int"),
    ([{"seq": 1, "kind": "cast", "at": "x", "payload": [], "prev_hash": "0", "hash": "0"}],
     "entry 1: field 'payload' is list; expected dict"),
    ([7], "entry 1: int; expected an object"),
    ([{"seq": 1, "kind": "ballot-closed", "at": "x", "payload": {"heads": {"1": "x"}},
       "prev_hash": "0", "hash": "0"}],
     "entry 1: the close's 'heads' are not lane: [seq, hash] pairs"),
    ([{"seq": 1, "kind": "cast", "at": "x", "payload": {}, "prev_hash": 0, "hash": "0"}],
     "entry 1: field 'prev_hash' is int; expected str"),
])
def test_a_malformed_ledger_is_one_line_and_exit_2(tmp_path, entries, says):
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps({"entries": entries}))
    r = run("verify", "ledger", path)
    assert r.exit_code == 2, r.output
    assert r.output == f"Error: {path}: {says}\n"


def test_a_malformed_sealed_list_or_share_is_one_line_and_exit_2(closed, officer, tmp_path):
    from conftest import open_box

    open_box(closed, SHARES[closed.slug][:2])
    folder = publish(closed, officer, tmp_path / "pub")
    good = (folder / "sealed-ballots.csv").read_text()
    for text, says in [("receipt,ciphertext\n", "line 1: header 'receipt,ciphertext'; expected "
                        "receipt,section,ciphertext"),
                       (good + "abc,All voters,%%%\n", "the ciphertext is not base64"),
                       (good + "abc\n", "1 columns; expected 3")]:
        (folder / "sealed-ballots.csv").write_text(text)
        r = run("verify", "sealed", folder)
        assert r.exit_code == 2, r.output
        assert r.output.count("\n") == 1 and says in r.output
    (folder / "sealed-ballots.csv").write_text(good)
    bad = tmp_path / "bad-share.txt"
    bad.write_text("hustings trustee share 1 of 3\nABCDE FGHIJ\n")
    r = run("verify", "box", folder, "--share", bad, "--share", tmp_path / "missing.txt")
    assert r.exit_code == 2 and "missing.txt: cannot open: No such file or directory" in r.output
    r = run("verify", "box", folder, "--share", bad)
    assert r.exit_code == 2
    assert "share 1: 10 characters; expected 60 letters A-Z and digits 2-7" in r.output
    assert run("verify", "sealed", tmp_path / "nowhere").exit_code == 2
    r = run("open-box", "--contest", "no-such", bad)
    assert r.exit_code == 2 and r.output == "Error: no contest 'no-such' in the database\n"


def test_a_ledger_with_malformed_cast_or_opening_entries_is_bad_input(closed, officer, tmp_path):
    from conftest import open_box
    from hustings.publication import chain

    open_box(closed, SHARES[closed.slug][:2])
    folder = publish(closed, officer, tmp_path / "pub")
    doc = json.loads((folder / "ledger.json").read_text())

    def rewrite(kind, change):
        entries = json.loads(json.dumps(doc["entries"]))
        heads = {}
        for e in entries:  # re-hash the chain, so only the payload is wrong, not the chain
            if e["kind"] == kind and kind not in heads.get("done", ()):
                change(e["payload"])
                heads["done"] = (kind,)
            e["prev_hash"] = heads.get(e["lane"], chain.GENESIS)
            e["hash"] = chain.entry_hash(e["prev_hash"], chain.entry_body(
                e["seq"], e["kind"], e["at"], e["payload"], e["lane"]))
            heads[e["lane"]] = e["hash"]
        (folder / "ledger.json").write_text(json.dumps({"entries": entries}))

    rewrite("box-opened", lambda p: p.update(opened="six"))
    r = run("verify", "sealed", folder)
    assert r.exit_code == 2 and r.output == (
        "Error: the ledger's box-opened entry: 'opened' is not a whole number\n")
    # a cast entry whose receipt is not text (the check itself, below the chain's)
    from hustings.web.voting import sealedlist

    bad = [{"kind": "cast", "lane": 3, "seq": 1, "payload": {"receipt": ["x"], "section": "A"}}]
    with pytest.raises(sealedlist.SealedListFormatError, match="ledger lane 3 entry 1: a cast "
                       "entry without a receipt and a section"):
        sealedlist.check(bad, [])
