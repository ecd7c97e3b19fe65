"""The voter's pages through Django's test client: code → ballot → review → cast → receipt,
and the officer's close → count → publish → results."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hustings.web.voting.models import Ballot, LedgerEntry, SealedBallot

pytestmark = pytest.mark.django_db


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def token(response) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)
    return found.group(1).decode()


def vote(client, slug, code, ranks: dict[str, str], section=None):
    r = client.get(f"/vote/{slug}/")
    r = client.post(f"/vote/{slug}/", {"code": code, "csrfmiddlewaretoken": token(r)})
    assert r.status_code == 200, r.content
    section = section or re.search(rb'name="section" value="([^"]+)"', r.content).group(1).decode()
    r = client.post(f"/vote/{slug}/review/", {"code": code, "section": section,
                                               "csrfmiddlewaretoken": token(r), **ranks})
    assert r.status_code == 200, r.content
    choices = re.findall(rb'name="choice" value="([^"]+)"', r.content)
    return client.post(f"/vote/{slug}/cast/", {
        "code": code, "section": section, "action": "cast", "csrfmiddlewaretoken": token(r),
        "choice": [c.decode() for c in choices]})


def test_get_of_link_never_uses_the_code(omov, omov_codes):
    c = csrf_client()
    r = c.get(f"/vote/{omov.slug}/", {"code": omov_codes["L001"]})
    assert r.status_code == 200
    assert omov_codes["L001"].encode() in r.content  # filled in, nothing more
    r = vote(c, omov.slug, omov_codes["L001"], {"rank-2": "1"})
    assert b"Your vote has been recorded" in r.content


def test_ballot_page_has_a_labelled_rank_control_per_candidate(omov, omov_codes):
    c = csrf_client()
    r = c.post(f"/vote/{omov.slug}/", {"code": omov_codes["L001"],
                                       "csrfmiddlewaretoken": token(c.get(f"/vote/{omov.slug}/"))})
    html = r.content.decode()
    for i, name in enumerate(["Andy Burnham", "Yvette Cooper", "Jeremy Corbyn", "Liz Kendall"]):
        assert f'<label class="name" for="rank-{i}">{name}' in html
        assert f'<select id="rank-{i}" name="rank-{i}"' in html
    assert "draggable" not in html and "<script" not in html


def test_repeated_rank_is_shown_next_to_the_fields(omov, omov_codes):
    c = csrf_client()
    r = c.post(f"/vote/{omov.slug}/", {"code": omov_codes["L001"],
                                       "csrfmiddlewaretoken": token(c.get(f"/vote/{omov.slug}/"))})
    r = c.post(f"/vote/{omov.slug}/review/", {
        "code": omov_codes["L001"], "section": "All voters", "rank-0": "1", "rank-1": "1",
        "csrfmiddlewaretoken": token(r)})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="rank-0-error" class="error"' in html
    assert "Rank 1 is given to more than one candidate (Andy Burnham and Yvette Cooper)." in html
    assert 'aria-invalid="true"' in html
    assert Ballot.objects.count() == 0


def test_receipt_is_in_the_ledger_and_second_vote_is_refused(omov, omov_codes):
    c = csrf_client()
    r = vote(c, omov.slug, omov_codes["L003"], {"rank-3": "1", "rank-0": "2"})
    short = re.search(rb'id="receipt">([^<]+)<', r.content).group(1).decode()
    receipt = re.search(rb'id="receipt-full">([^<]+)<', r.content).group(1).decode()
    assert short == " ".join(receipt[i:i + 4] for i in range(0, 16, 4))  # its first 16 digits
    assert LedgerEntry.objects.get(kind="cast").payload["receipt"] == receipt
    assert SealedBallot.objects.get().receipt == receipt and not Ballot.objects.exists()
    r = c.post(f"/vote/{omov.slug}/", {"code": omov_codes["L003"],
                                       "csrfmiddlewaretoken": token(c.get(f"/vote/{omov.slug}/"))})
    assert r.status_code == 409 and b"You have already voted" in r.content


def test_post_without_csrf_token_is_refused(omov, omov_codes):
    r = csrf_client().post(f"/vote/{omov.slug}/", {"code": omov_codes["L001"]})
    assert r.status_code == 403


def test_wrong_codes_are_rate_limited_per_ip(omov, omov_codes, settings):
    settings.HUSTINGS_CODE_FAILURES = "3/h"
    c = csrf_client()
    t = token(c.get(f"/vote/{omov.slug}/"))
    for i in range(3):
        r = c.post(f"/vote/{omov.slug}/", {"code": f"AAAAAAAA-BBBBB-CCCCC-DDDDD-EEEE{i}",
                                           "csrfmiddlewaretoken": t})
        assert r.status_code == 400
    r = c.post(f"/vote/{omov.slug}/", {"code": "AAAAAAAA-BBBBB-CCCCC-DDDDD-EEEE9",
                                       "csrfmiddlewaretoken": t})
    assert r.status_code == 429 and r["Retry-After"] == "60"
    assert b"Too many wrong security codes from your connection" in r.content
    # issue 10: a right code is never refused because of the address's wrong ones
    r = c.post(f"/vote/{omov.slug}/", {"code": omov_codes["L001"], "csrfmiddlewaretoken": t})
    assert r.status_code == 200


def test_officer_page_needs_the_permission(omov, member, client):
    assert client.get(f"/contests/{omov.slug}/voting/").status_code == 302  # to login
    client.force_login(member)
    assert client.get(f"/contests/{omov.slug}/voting/").status_code == 403
    assert client.post(f"/contests/{omov.slug}/voting/", {"action": "close"}).status_code == 403


def test_results_not_shown_before_publication(omov, client):
    assert client.get(f"/contests/{omov.slug}/results/").status_code == 404
    assert client.get(f"/contests/{omov.slug}/results/result.json").status_code == 404


def test_close_count_publish_shows_rounds_and_downloads(omov, omov_codes, officer, client,
                                                        tasks_at_once):
    c = csrf_client()
    # 5 voters: Corbyn 2, Burnham 2 (one with Corbyn second), Kendall 1 (Burnham second)
    plans = {"L001": {"rank-2": "1"}, "L002": {"rank-2": "1"},
             "L003": {"rank-0": "1", "rank-2": "2"}, "L004": {"rank-0": "1"},
             "L005": {"rank-3": "1", "rank-0": "2"}}
    for ref, ranks in plans.items():
        assert vote(c, omov.slug, omov_codes[ref], ranks).status_code == 200
    client.force_login(officer)
    r = client.post(f"/contests/{omov.slug}/voting/", {"action": "close"})
    assert r.status_code == 302 and r["Location"].endswith("/voting/open-box/")
    from conftest import SHARES

    page = client.get(r["Location"]).content.decode()
    assert "Share 1: Trustee 1" in page
    r = client.post(r["Location"], {"share-1": SHARES[omov.slug][0]})
    assert r.status_code == 302
    omov.refresh_from_db()
    assert omov.stage == "counted"
    r = client.post(f"/contests/{omov.slug}/voting/", {"action": "publish"})
    assert r.status_code == 302
    page = client.get(f"/contests/{omov.slug}/results/").content.decode()
    assert "Elected: Andy Burnham" in page
    assert "Round 2" in page and "eliminated" in page
    names = ["ballots-all-voters.csv", "ballots-all-voters.blt", "result.json",
             "election.toml", "ledger.json", "sealed-ballots.csv"]
    for name in names:
        assert f'href="/contests/{omov.slug}/results/{name}"' in page
    csv_text = client.get(f"/contests/{omov.slug}/results/ballots-all-voters.csv").content.decode()
    assert csv_text.splitlines()[0] == "section,pref1,pref2"
    assert sorted(csv_text.splitlines()[1:]) == sorted([
        "All voters,Jeremy Corbyn,", "All voters,Jeremy Corbyn,",
        "All voters,Andy Burnham,Jeremy Corbyn", "All voters,Andy Burnham,",
        "All voters,Liz Kendall,Andy Burnham"])
    assert LedgerEntry.objects.filter(kind="cast").count() == 5
    lane0 = list(LedgerEntry.objects.filter(lane=0).exclude(kind="cast").order_by("seq")
                 .values_list("kind", flat=True))
    assert lane0 == ["box-key", "ballot-closed", "box-opened", "counted", "published"]


def test_a_voter_cannot_use_a_section_that_is_not_theirs(college, voters):
    codes = voters(college, [("M1", ["Members"])])
    c = csrf_client()
    t = token(c.get(f"/vote/{college.slug}/"))
    r = c.post(f"/vote/{college.slug}/review/", {
        "code": codes["M1"], "section": "MPs and MEPs", "rank-0": "1", "csrfmiddlewaretoken": t})
    assert r.status_code == 400 and b"That ballot is not yours." in r.content
    r = c.post(f"/vote/{college.slug}/cast/", {
        "code": codes["M1"], "section": "MPs and MEPs", "action": "cast", "choice": "Ed Balls",
        "csrfmiddlewaretoken": t})
    assert r.status_code == 400
    assert SealedBallot.objects.count() == 0


def test_a_code_from_another_contest_does_not_open_this_one(omov, college, voters):
    codes = voters(college, [("M2", ["Members"])])
    c = csrf_client()
    r = c.post(f"/vote/{omov.slug}/", {"code": codes["M2"],
                                       "csrfmiddlewaretoken": token(c.get(f"/vote/{omov.slug}/"))})
    assert r.status_code == 400 and b"That security code is not right" in r.content


def test_draft_contest_has_no_ballot_page(db, client):
    from conftest import make_contest

    make_contest("draft-1", "labour-2015", ["A", "B"], stage="draft")
    assert client.get("/vote/draft-1/").status_code == 404


def test_verify_ledger_reads_the_database(omov, omov_codes):
    from click.testing import CliRunner

    from hustings.cli import main
    from hustings.web.voting import casting

    voter = casting.check_code(omov, omov_codes["L004"]).voter
    casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    r = CliRunner().invoke(main, ["verify", "ledger", "--contest", omov.slug])
    assert r.exit_code == 0, r.output
    assert f"Verified: contest {omov.slug}: 2 entries" in r.output  # the key and the cast
    r = CliRunner().invoke(main, ["verify", "ledger", "--contest", "no-such"])
    assert r.exit_code == 2 and "no contest 'no-such' in the database" in r.output


def test_ballot_closed_by_the_platform_button_is_sealed_and_counted(omov, omov_codes, officer,
                                                                    client, tasks_at_once):
    from hustings.web.voting import casting

    voter = casting.check_code(omov, omov_codes["L005"]).voter
    casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    omov.close_ballot(by=officer)  # the platform's generic transition, not ours
    client.force_login(officer)
    r = client.post(f"/contests/{omov.slug}/voting/", {"action": "close"})
    from conftest import SHARES

    client.post(r["Location"], {"share-1": SHARES[omov.slug][0]})
    omov.refresh_from_db()
    assert omov.stage == "counted"
    assert LedgerEntry.objects.filter(kind="ballot-closed").count() == 1


def test_a_forged_cast_is_sent_back_not_stored(omov, omov_codes):
    c = csrf_client()
    t = token(c.get(f"/vote/{omov.slug}/"))
    for choice in (["Jeremy Corbyn", "Jeremy Corbyn"], ["Tony Blair"], []):
        r = c.post(f"/vote/{omov.slug}/cast/", {
            "code": omov_codes["L001"], "section": "All voters", "action": "cast",
            "choice": choice, "csrfmiddlewaretoken": t})
        assert r.status_code == 400
        assert b'class="error-summary"' in r.content
    assert SealedBallot.objects.count() == 0
