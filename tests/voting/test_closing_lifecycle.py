"""One lifecycle: the contest's generic stage button and the officer's voting page both go
through ``Contest``'s transitions, which seal, count, store and publish (``closing``'s
hooks). Expected winners are worked out by hand from the ballots cast here."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from conftest import open_box
from hustings.web.contests.models import AuditEntry, Contest
from hustings.web.errors import TransitionError
from hustings.web.voting import casting, ledger
from hustings.web.voting.models import LedgerEntry, Participation, PublishedFile

pytestmark = pytest.mark.django_db

FILES = ["ballots-all-voters.blt", "ballots-all-voters.csv", "election.toml", "result.json",
         "sealed-ballots.csv"]

# Corbyn 2, Burnham 2, Kendall 1 (Burnham next): Kendall is eliminated, Burnham wins 3–2.
PLAN = {"L001": ["Jeremy Corbyn"], "L002": ["Jeremy Corbyn"],
        "L003": ["Andy Burnham", "Jeremy Corbyn"], "L004": ["Andy Burnham"],
        "L005": ["Liz Kendall", "Andy Burnham"]}


def cast_all(contest, codes, plan=PLAN):
    for ref, ranking in plan.items():
        casting.cast(contest, casting.check_code(contest, codes[ref]).voter, "All voters", ranking)


def button(client, contest, step, **extra):
    return client.post(f"/contests/{contest.slug}/transition/", {"step": step, **extra},
                       follow=True)


def stage(contest) -> str:
    return Contest.objects.get(pk=contest.pk).stage


def test_the_stage_button_close_seals_the_ledger(omov, omov_codes, officer, client):
    cast_all(omov, omov_codes, {"L001": ["Liz Kendall"], "L002": ["Yvette Cooper"]})
    client.force_login(officer)
    page = button(client, omov, "close_ballot").content.decode()
    assert "the contest is now at “Ballot closed”" in page
    close = LedgerEntry.objects.get(contest=omov, kind="ballot-closed")
    assert (close.payload["participations"], close.payload["ballots"]) == (2, 2)
    assert set(close.payload["heads"]) == {str(k) for k in range(ledger.lanes())}
    audit = omov.audit_log.get(action="close ballot")
    assert audit.detail["ledger"] == {"lane": 0, "seq": close.seq, "hash": close.hash}
    assert ledger.verify(omov) == 4  # the trustees' key, two casts and the seal


def test_the_stage_button_records_the_count_by_counting(omov, omov_codes, officer, client):
    cast_all(omov, omov_codes)
    client.force_login(officer)
    button(client, omov, "close_ballot")
    page = button(client, omov, "mark_counted").content.decode()
    assert ("cannot record count: the ballot box is still sealed; 1 trustee(s) must open it "
            "first") in page  # the trustees first
    open_box(omov)
    page = button(client, omov, "mark_counted").content.decode()
    assert "the contest is now at “Counted”" in page
    stored = {f.name: f for f in PublishedFile.objects.filter(contest=omov)}
    assert sorted(stored) == FILES
    for f in stored.values():
        assert f.sha256 == hashlib.sha256(f.content.encode()).hexdigest()
    counted = LedgerEntry.objects.get(contest=omov, kind="counted")
    assert counted.payload["winners"] == ["Andy Burnham"]
    assert counted.payload["ballots"] == 5
    assert counted.payload["files"] == {n: f.sha256 for n, f in stored.items()}
    audit = omov.audit_log.get(action="record count")
    assert audit.detail["winners"] == ["Andy Burnham"]
    assert audit.detail["files"] == counted.payload["files"]
    assert sorted(stored["ballots-all-voters.csv"].content.splitlines()[1:]) == sorted([
        "All voters,Jeremy Corbyn,", "All voters,Jeremy Corbyn,",
        "All voters,Andy Burnham,Jeremy Corbyn", "All voters,Andy Burnham,",
        "All voters,Liz Kendall,Andy Burnham"])
    # and publishing from the same button writes the publication entry and ledger.json
    button(client, omov, "publish")
    assert stage(omov) == "published"
    published = LedgerEntry.objects.get(contest=omov, kind="published")
    assert published.payload["result_sha256"] == stored["result.json"].sha256
    ledger_json = PublishedFile.objects.get(contest=omov, name="ledger.json").content
    assert '"kind": "published"' in ledger_json
    assert "Elected: Andy Burnham" in client.get(f"/contests/{omov.slug}/results/").content.decode()
    assert ledger.verify(omov) == 5 + 5  # casts; key, close, opening, count, publication
    audit = client.get(f"/contests/{omov.slug}/audit/").content.decode()
    assert "close ballot — 5 ballots sealed in the ledger" in audit
    assert "record count — 5 ballots; elected Andy Burnham" in audit


def test_the_officer_page_goes_through_the_same_transitions(omov, omov_codes, officer, client,
                                                             tasks_at_once):
    Contest.objects.filter(pk=omov.pk).update(stage="nominations_closed")
    client.force_login(officer)
    client.post(f"/contests/{omov.slug}/voting/", {"action": "open"})
    assert stage(omov) == "ballot_open"
    opened = LedgerEntry.objects.get(contest=omov, kind="ballot-opened")
    assert omov.audit_log.get(action="open ballot").detail["ledger"]["hash"] == opened.hash
    cast_all(omov, omov_codes)
    r = client.post(f"/contests/{omov.slug}/voting/", {"action": "close"})
    assert r["Location"] == f"/contests/{omov.slug}/voting/open-box/"  # the trustees' turn
    assert stage(omov) == "ballot_closed"
    from conftest import SHARES

    r = client.post(r["Location"], {"share-1": SHARES[omov.slug][0]})
    assert stage(omov) == "counted"
    assert [e.action for e in omov.audit_log.all()] == [
        "open ballot", "close ballot", "open ballot box", "record count"]
    counted_entry = LedgerEntry.objects.get(contest=omov, kind="counted")
    assert counted_entry.payload["winners"] == ["Andy Burnham"]
    r = client.post(f"/contests/{omov.slug}/voting/", {"action": "publish"})
    assert r.status_code == 302 and r["Location"] == f"/contests/{omov.slug}/results/"
    assert omov.audit_log.last().action == "publish result"


def test_close_is_refused_when_a_participation_has_no_ballot(omov, omov_codes, officer, client):
    voter = casting.check_code(omov, omov_codes["L001"]).voter
    Participation.objects.create(contest=omov, voter=voter, section="All voters", channel="online")
    client.force_login(officer)
    for post in (lambda: button(client, omov, "close_ballot"),
                 lambda: client.post(f"/contests/{omov.slug}/voting/", {"action": "close"},
                                     follow=True)):
        page = post().content.decode()
        assert ("cannot close ballot: 1 participations but 0 sealed ballots; they must be "
                "equal") in page
        assert stage(omov) == "ballot_open"
    assert not LedgerEntry.objects.filter(contest=omov, kind="ballot-closed").exists()
    assert not omov.audit_log.exists()


def test_only_a_returning_officer_may_count_from_the_button(omov, omov_codes, member, client):
    cast_all(omov, omov_codes)
    Contest.objects.filter(pk=omov.pk).update(stage="ballot_closed")
    client.force_login(member)
    r = client.post(f"/contests/{omov.slug}/transition/", {"step": "mark_counted"})
    assert r.status_code == 403
    assert stage(omov) == "ballot_closed"
    assert not PublishedFile.objects.filter(contest=omov).exists()
    with pytest.raises(PermissionDenied):
        omov.mark_counted(by=member)


def test_a_ballot_closed_without_a_seal_is_sealed_by_the_count(omov, omov_codes, officer):
    """A contest closed by an older version's stage button (stage set, no seal)."""
    cast_all(omov, omov_codes)
    Contest.objects.filter(pk=omov.pk).update(stage="ballot_closed")
    omov.refresh_from_db()
    open_box(omov)
    entry = omov.mark_counted(by=officer)
    assert entry.detail["sealed_at_count"]["ballots"] == 5
    kinds = list(LedgerEntry.objects.filter(contest=omov, lane=0).order_by("seq")
                 .values_list("kind", flat=True))
    assert kinds[-2:] == ["ballot-closed", "counted"]
    ledger.verify(omov)


def test_publishing_without_a_stored_count_is_refused(omov, officer):
    Contest.objects.filter(pk=omov.pk).update(stage="counted")
    omov.refresh_from_db()
    with pytest.raises(TransitionError) as e:
        omov.publish(by=officer)
    assert str(e.value) == ("cannot publish result: no count is stored; go back to 'Ballot closed' "
                            "and record the count")
    assert stage(omov) == "counted" and not LedgerEntry.objects.filter(kind="published").exists()


# -- going back ------------------------------------------------------------------------


def counted(omov, codes, officer):
    cast_all(omov, codes)
    omov.close_ballot(by=officer)
    open_box(omov)
    omov.mark_counted(by=officer)


def test_going_back_from_counted_keeps_the_files_as_superseded_and_recounts(omov, omov_codes,
                                                                            officer):
    counted(omov, omov_codes, officer)
    first = {f.name: f.sha256 for f in PublishedFile.objects.filter(contest=omov)}
    entry = omov.go_back("ballot_closed", by=officer, reason="the officer asked for a recount")
    assert entry.reason == "the officer asked for a recount"
    kept = {f.name: f.sha256 for f in PublishedFile.objects.filter(contest=omov)}
    assert kept == {f"superseded-1-{n}": h for n, h in first.items()}
    withdrawn = LedgerEntry.objects.get(contest=omov, kind="count-withdrawn")
    assert withdrawn.payload == {"reason": "the officer asked for a recount", "files": kept}
    omov.mark_counted(by=officer)
    now = PublishedFile.objects.filter(contest=omov)
    names = now.values_list("name", flat=True)
    assert sorted(n for n in names if not n.startswith("superseded-")) == FILES
    assert now.count() == 10
    winners = [e.payload["winners"] for e in LedgerEntry.objects.filter(kind="counted")]
    assert winners == [["Andy Burnham"]] * 2
    ledger.verify(omov)


@pytest.mark.parametrize("to", ["ballot_open", "nominations_open", "draft"])
def test_a_counted_contest_goes_back_only_to_ballot_closed(omov, omov_codes, officer, to):
    counted(omov, omov_codes, officer)
    with pytest.raises(TransitionError) as e:
        omov.go_back(to, by=officer, reason="start again")
    assert str(e.value) == (f"cannot go back to {to!r} from 'Counted': once counted, a "
                            "contest goes back only to 'Ballot closed' (a recount)")
    assert stage(omov) == "counted" and PublishedFile.objects.filter(contest=omov).count() == 5


def test_a_published_result_cannot_be_taken_back(omov, omov_codes, officer, client):
    counted(omov, omov_codes, officer)
    omov.publish(by=officer)
    client.force_login(officer)
    page = button(client, omov, "go_back", to="ballot_closed",
                  reason="second thoughts").content.decode()
    assert ("cannot go back from &#x27;Result published&#x27;: the result is declared and its "
            "files and ledger are public; a correction needs a new contest") in page
    assert stage(omov) == "published"
    assert not LedgerEntry.objects.filter(kind="count-withdrawn").exists()
    assert AuditEntry.objects.filter(contest=omov, action__startswith="go back").count() == 0


def test_with_ballots_stored_the_ballot_cannot_be_unfixed(omov, omov_codes, officer):
    cast_all(omov, {"L001": omov_codes["L001"]}, {"L001": ["Liz Kendall"]})
    with pytest.raises(TransitionError) as e:
        omov.go_back("nominations_closed", by=officer, reason="add a candidate")
    assert str(e.value) == ("cannot go back to 'nominations_closed': 1 ballots are stored, and the "
                            "ballot they were cast on cannot change under them; expected "
                            "'Ballot open' or later")
    assert stage(omov) == "ballot_open"


def test_a_ballot_reopened_before_the_count_is_sealed_again(omov, omov_codes, officer):
    cast_all(omov, {"L001": omov_codes["L001"]}, {"L001": ["Liz Kendall"]})
    omov.close_ballot(by=officer)
    omov.go_back("ballot_open", by=officer, reason="closed an hour early by mistake")
    reopened = LedgerEntry.objects.get(contest=omov, kind="ballot-opened")
    assert reopened.payload == {"reopened": "closed an hour early by mistake"}
    cast_all(omov, {"L002": omov_codes["L002"]}, {"L002": ["Liz Kendall"]})
    omov.close_ballot(by=officer)
    seals = LedgerEntry.objects.filter(contest=omov, kind="ballot-closed").order_by("seq")
    assert [s.payload["ballots"] for s in seals] == [1, 2]
    open_box(omov)
    omov.mark_counted(by=officer)
    assert "sealed_at_count" not in omov.audit_log.get(action="record count").detail
    # the key, two casts, two seals, the reopening, the opening of the box, the count
    assert ledger.verify(omov) == 8
    with pytest.raises(TransitionError, match="cannot reopen the ballot: the ballot box has been "
                       "opened, and ballots cast now could not be counted"):
        omov.go_back("ballot_closed", by=officer, reason="recount")
        omov.go_back("ballot_open", by=officer, reason="again")


def test_files_left_by_an_older_go_back_are_superseded_not_overwritten(omov, omov_codes, officer):
    counted(omov, omov_codes, officer)
    Contest.objects.filter(pk=omov.pk).update(stage="ballot_closed")  # the old go_back: files kept
    omov.refresh_from_db()
    first = {f.name: f.sha256 for f in PublishedFile.objects.filter(contest=omov)}
    entry = omov.mark_counted(by=officer)
    assert entry.detail["superseded"]["count_withdrawn"] == {
        f"superseded-1-{n}": h for n, h in first.items()}
    assert PublishedFile.objects.filter(contest=omov).count() == 10
    ledger.verify(omov)


def test_the_real_2010_plp_ballots_through_the_stage_button_with_a_recount(
    shared, officer, client, tmp_path, tasks_at_once
):
    """266 published PLP ballots of Labour 2010, cast online, then only the generic stage
    button: close, count, go back for a recount, count, publish. Both counts give the
    declared figures (25 Sept 2010, MPs and MEPs section); the public ledger verifies."""
    import csv
    import json

    from click.testing import CliRunner

    from conftest import CANDIDATES_2010, SHARES, add_voters, make_contest
    from hustings.cli import main

    rows = list(csv.DictReader((shared / "data/labour/labour-2010-plp-ballots.csv").open()))
    contest = make_contest("plp-2010", "labour-2015", CANDIDATES_2010)
    codes = add_voters(contest, [(f"P{r['ballot_id']}", ["All voters"]) for r in rows])
    for r in rows:
        ranking = [r[f"pref{i}"] for i in range(1, 6) if r[f"pref{i}"]]
        casting.cast(contest, casting.check_code(contest, codes[f"P{r['ballot_id']}"]).voter,
                     "All voters", ranking)
    client.force_login(officer)
    button(client, contest, "close_ballot")
    client.post(f"/contests/{contest.slug}/voting/open-box/", {"share-1": SHARES[contest.slug][0]})
    assert stage(contest) == "counted"  # opened, then counted
    for step, extra in [
                        ("go_back", {"to": "ballot_closed", "reason": "recount requested"}),
                        ("mark_counted", {}), ("publish", {})]:
        page = button(client, contest, step, **extra).content.decode()
        assert "Done: the contest is now at" in page
    assert stage(contest) == "published"
    for name in ("result.json", "superseded-1-result.json"):
        doc = json.loads(PublishedFile.objects.get(contest=contest, name=name).content)
        rounds = [r["tally"] for r in doc["results"]]
        assert rounds[0] == {"Diane Abbott": "7", "Ed Balls": "40", "Andy Burnham": "24",
                             "David Miliband": "111", "Ed Miliband": "84"}
        assert rounds[-1] == {"David Miliband": "140", "Ed Miliband": "122"}
    (tmp_path / "ledger.json").write_text(
        PublishedFile.objects.get(contest=contest, name="ledger.json").content, encoding="utf-8")
    r = CliRunner().invoke(main, ["verify", "ledger", str(tmp_path / "ledger.json")])
    assert r.exit_code == 0, r.output
    # the key, 266 casts + close, opening, count, count withdrawn, recount, publication
    assert "273 entries" in r.output
