"""The voter's visit to an election of several contests (issue 15): one code, one ballot
page with a block per contest the voter has a ballot in, one review, one cast storing every
contest's ballot in one transaction. Runs on SQLite and on PostgreSQL (each pass's own
casting path)."""

from __future__ import annotations

import re

import pytest
from django.test.utils import CaptureQueriesContext
from election_2015 import add_voters, make_election
from test_pages import csrf_client, token

from hustings.web.voting import casting, ledger
from hustings.web.voting.errors import AlreadyVoted, NotOpen
from hustings.web.voting.models import LedgerEntry, Participation, SealedBallot

pytestmark = pytest.mark.django_db


@pytest.fixture
def e2015(db):
    election, leader, deputy, london = make_election()
    codes = add_voters(election, [("LON1", ["london"]), ("LON2", ["london"]), ("NOR1", []),
                                  ("NOR2", [])])
    return election, leader, deputy, london, codes


def ballot_page(c, slug, code):
    return c.post(f"/vote/{slug}/",
                  {"code": code, "csrfmiddlewaretoken": token(c.get(f"/vote/{slug}/"))})


def legends(html: str) -> list[str]:
    return re.findall(r"<legend><h2>([^<]+)</h2></legend>", html)


def field(contest, i: int) -> str:
    return f"c{contest.pk}-rank-{i}"


def test_a_london_voter_sees_three_contests_in_ballot_order_and_others_two(e2015):
    election, leader, deputy, london, codes = e2015
    c = csrf_client()
    html = ballot_page(c, election.slug, codes["LON1"]).content.decode()
    assert legends(html) == ["Leader", "Deputy Leader", "London Mayoral candidate"]
    assert f'<select id="{field(london, 5)}" name="{field(london, 5)}"' in html
    assert f'<label class="name" for="{field(deputy, 4)}">Tom Watson' in html
    assert f'name="c{london.pk}-section" value="All voters"' in html
    assert "<script" not in html
    html = ballot_page(c, election.slug, codes["NOR1"]).content.decode()
    assert legends(html) == ["Leader", "Deputy Leader"]
    assert f"c{london.pk}-" not in html and "Sadiq Khan" not in html


def test_one_code_votes_in_three_contests_with_one_review_and_one_cast(e2015):
    election, leader, deputy, london, codes = e2015
    c = csrf_client()
    r = ballot_page(c, election.slug, codes["LON1"])
    r = c.post(f"/vote/{election.slug}/review/", {
        "code": codes["LON1"], "csrfmiddlewaretoken": token(r),
        f"c{leader.pk}-section": "All voters", f"c{deputy.pk}-section": "All voters",
        f"c{london.pk}-section": "All voters",
        field(leader, 2): "1", field(leader, 0): "2",  # Corbyn, Burnham
        field(deputy, 4): "1",  # Watson
        field(london, 2): "1", field(london, 1): "2"})  # Khan, Jowell
    assert r.status_code == 200, r.content
    html = r.content.decode()
    assert re.findall(r'<ol id="c(\d+)-your-ranking">', html) == [
        str(leader.pk), str(deputy.pk), str(london.pk)]
    assert "<li>Jeremy Corbyn</li><li>Andy Burnham</li>" in html
    assert "<li>Sadiq Khan</li><li>Tessa Jowell</li>" in html
    assert not SealedBallot.objects.exists()  # nothing is stored before the cast
    form = {k: v for k, v in re.findall(r'name="(c\d+-(?:section|choice))" value="([^"]+)"', html)}
    choices = re.findall(r'name="(c\d+-choice)" value="([^"]+)"', html)
    post = {"code": codes["LON1"], "csrfmiddlewaretoken": token(r), "action": "cast",
            **{k: v for k, v in form.items() if k.endswith("section")}}
    for name in {n for n, _ in choices}:
        post[name] = [v for n, v in choices if n == name]
    r = c.post(f"/vote/{election.slug}/cast/", post)
    assert r.status_code == 200, r.content
    html = r.content.decode()
    receipts = dict(re.findall(r'<code id="c(\d+)-receipt-full">([0-9a-f]{64})<', html))
    assert set(receipts) == {str(leader.pk), str(deputy.pk), str(london.pk)}
    for contest in (leader, deputy, london):
        entry = LedgerEntry.objects.get(contest=contest, kind="cast")
        assert entry.payload == {"receipt": receipts[str(contest.pk)], "section": "All voters"}
        assert SealedBallot.objects.get(contest=contest).receipt == receipts[str(contest.pk)]
        assert Participation.objects.filter(contest=contest).count() == 1
        assert ledger.verify(contest) == 2  # the box key and the cast
        assert f'href="/contests/{contest.slug}/receipts/"' in html
    assert "You also have a ballot" not in html
    r = ballot_page(c, election.slug, codes["LON1"])
    assert r.status_code == 409 and b"You have already voted" in r.content


def test_errors_are_shown_by_the_fields_of_the_right_contest(e2015):
    election, leader, deputy, london, codes = e2015
    c = csrf_client()
    r = ballot_page(c, election.slug, codes["NOR1"])
    r = c.post(f"/vote/{election.slug}/review/", {
        "code": codes["NOR1"], "csrfmiddlewaretoken": token(r),
        f"c{leader.pk}-section": "All voters", f"c{deputy.pk}-section": "All voters",
        field(leader, 0): "1", field(deputy, 0): "1", field(deputy, 1): "1"})
    assert r.status_code == 400
    html = r.content.decode()
    assert f'id="{field(deputy, 0)}-error" class="error"' in html
    assert f'id="{field(deputy, 1)}-error" class="error"' in html
    assert f"{field(leader, 0)}-error" not in html
    assert ("Deputy Leader: Ben Bradshaw: Rank 1 is given to more than one candidate "
            "(Ben Bradshaw and Stella Creasy).") in html
    assert "There are 2 problems with your ballot." in html
    # the leader's rank is kept, the deputy's shown as given
    assert re.search(rf'id="{field(leader, 0)}"[^>]*>\s*<option value="">Not ranked</option>\s*'
                     r'<option value="1" selected>', html)
    assert not SealedBallot.objects.exists() and not Participation.objects.exists()


def test_each_contest_keeps_its_own_ballot_rules(e2015):
    """Ranks run 1..4 for the leader's four candidates and 1..5 for the deputy's five."""
    election, leader, deputy, london, codes = e2015
    c = csrf_client()
    r = ballot_page(c, election.slug, codes["NOR1"])
    r = c.post(f"/vote/{election.slug}/review/", {
        "code": codes["NOR1"], "csrfmiddlewaretoken": token(r),
        f"c{leader.pk}-section": "All voters", f"c{deputy.pk}-section": "All voters",
        field(leader, 0): "5", **{field(deputy, i): str(i + 1) for i in range(5)}})
    assert r.status_code == 400
    html = r.content.decode()
    assert "Choose a rank from 1 to 4, or leave it unranked." in html
    assert "There is a problem with your ballot." in html
    assert html.count('class="error"><span') == 1


def test_a_contest_left_blank_casts_no_ballot_in_it_and_stays_open_to_the_code(e2015):
    election, leader, deputy, london, codes = e2015
    c = csrf_client()
    r = ballot_page(c, election.slug, codes["NOR2"])
    r = c.post(f"/vote/{election.slug}/review/", {
        "code": codes["NOR2"], "csrfmiddlewaretoken": token(r),
        f"c{leader.pk}-section": "All voters", f"c{deputy.pk}-section": "All voters",
        field(leader, 3): "1"})
    assert r.status_code == 200
    html = r.content.decode()
    assert (f'<p id="c{deputy.pk}-blank">You have left this contest blank: '
            "no ballot will be cast in it.") in html
    r = c.post(f"/vote/{election.slug}/cast/", {
        "code": codes["NOR2"], "csrfmiddlewaretoken": token(r), "action": "cast",
        f"c{leader.pk}-section": "All voters", f"c{deputy.pk}-section": "All voters",
        f"c{leader.pk}-choice": ["Liz Kendall"]})
    assert r.status_code == 200
    html = r.content.decode()
    assert f'id="c{leader.pk}-receipt-full"' in html
    assert f'id="c{deputy.pk}-receipt-full"' not in html
    assert "You also have a ballot in Deputy Leader." in html
    assert Participation.objects.filter(contest=leader).count() == 1
    assert not Participation.objects.filter(contest=deputy).exists()
    assert not LedgerEntry.objects.filter(contest=deputy, kind="cast").exists()
    html = ballot_page(c, election.slug, codes["NOR2"]).content.decode()
    assert legends(html) == ["Deputy Leader"]


def test_at_least_one_contest_must_be_ranked(e2015):
    election, leader, deputy, london, codes = e2015
    c = csrf_client()
    r = ballot_page(c, election.slug, codes["NOR1"])
    sections = {f"c{leader.pk}-section": "All voters", f"c{deputy.pk}-section": "All voters"}
    r = c.post(f"/vote/{election.slug}/review/", {
        "code": codes["NOR1"], "csrfmiddlewaretoken": token(r), **sections})
    assert r.status_code == 400
    assert "Rank at least one candidate in one of the contests." in r.content.decode()
    assert f'id="{field(leader, 0)}-error"' in r.content.decode()
    r = c.post(f"/vote/{election.slug}/cast/", {  # nor may a forged cast be empty
        "code": codes["NOR1"], "csrfmiddlewaretoken": token(r), "action": "cast", **sections})
    assert r.status_code == 400 and not Participation.objects.exists()


def test_a_forged_cast_in_one_contest_stores_nothing_in_any(e2015):
    election, leader, deputy, london, codes = e2015
    c = csrf_client()
    t = token(c.get(f"/vote/{election.slug}/"))
    r = c.post(f"/vote/{election.slug}/cast/", {
        "code": codes["NOR1"], "csrfmiddlewaretoken": t, "action": "cast",
        f"c{leader.pk}-section": "All voters", f"c{deputy.pk}-section": "All voters",
        f"c{leader.pk}-choice": ["Liz Kendall"], f"c{deputy.pk}-choice": ["Liz Kendall"]})
    assert r.status_code == 400
    assert "Your ballot could not be read. Please rank again." in r.content.decode()
    # London's block posted by a voter outside London is not theirs
    r = c.post(f"/vote/{election.slug}/cast/", {
        "code": codes["NOR1"], "csrfmiddlewaretoken": t, "action": "cast",
        f"c{london.pk}-section": "All voters", f"c{london.pk}-choice": ["Sadiq Khan"]})
    assert r.status_code == 400 and "That ballot is not yours." in r.content.decode()
    assert not SealedBallot.objects.exists() and not Participation.objects.exists()


def test_a_contest_slug_redirects_to_its_elections_pages(e2015):
    election, leader, deputy, london, codes = e2015
    c = csrf_client()
    r = c.get(f"/vote/{deputy.slug}/", {"code": codes["NOR1"]})
    assert r.status_code == 302 and r["Location"] == f"/vote/{election.slug}/?code={codes['NOR1']}"
    t = token(c.get(f"/vote/{election.slug}/"))
    r = c.post(f"/vote/{deputy.slug}/review/", {"code": codes["NOR1"], "csrfmiddlewaretoken": t})
    assert r.status_code == 307 and r["Location"] == f"/vote/{election.slug}/review/"
    assert c.get("/vote/no-such-thing/").status_code == 404


def test_a_closed_contest_leaves_the_visit(e2015):
    from hustings.web.contests.models import Contest

    election, leader, deputy, london, codes = e2015
    Contest.objects.filter(pk=deputy.pk).update(stage="ballot_closed")
    html = ballot_page(csrf_client(), election.slug, codes["LON2"]).content.decode()
    assert legends(html) == ["Leader", "London Mayoral candidate"]
    Contest.objects.filter(election=election).update(stage="ballot_closed")
    html = csrf_client().get(f"/vote/{election.slug}/").content.decode()
    assert "The ballot is not open: it has closed." in html and 'name="code"' not in html


# -- casting.cast_visit -----------------------------------------------------------------

def counts(*contests):
    return [(Participation.objects.filter(contest=c).count(),
             SealedBallot.objects.filter(contest=c).count(),
             LedgerEntry.objects.filter(contest=c, kind="cast").count()) for c in contests]


def test_a_refusal_in_the_second_contest_stores_nothing_in_the_first(e2015):
    election, leader, deputy, london, codes = e2015
    voter = casting.check_code(election, codes["NOR1"]).voter
    assert leader.pk > deputy.pk  # deputy is written first; the leader's refusal comes second
    casting.cast(leader, voter, "All voters", ["Andy Burnham"])  # an earlier visit
    with pytest.raises(AlreadyVoted, match=r"^You have already voted in Leader\. Nothing from "
                       r"this visit was cast\.$"):
        casting.cast_visit(voter, [(leader, "All voters", ["Liz Kendall"]),
                                   (deputy, "All voters", ["Tom Watson"])])
    assert counts(deputy, leader) == [(0, 0, 0), (1, 1, 1)]
    assert ledger.verify(deputy) == 1 and ledger.verify(leader) == 2


def test_a_contest_closed_meanwhile_stores_nothing_in_the_other(e2015):
    from hustings.web.contests.models import Contest

    election, leader, deputy, london, codes = e2015
    voter = casting.check_code(election, codes["NOR1"]).voter
    Contest.objects.filter(pk=leader.pk).update(stage="ballot_closed")
    assert leader.stage == "ballot_open"  # the view's (possibly stale) copy
    with pytest.raises(NotOpen, match=r"^The ballot in Leader is not open: nothing from this "
                       r"visit was cast\.$"):
        casting.cast_visit(voter, [(leader, "All voters", ["Liz Kendall"]),
                                   (deputy, "All voters", ["Tom Watson"])])
    assert counts(deputy, leader) == [(0, 0, 0), (0, 0, 0)]


def test_a_whole_visit_cast_twice_is_refused_and_changes_nothing(e2015):
    election, leader, deputy, london, codes = e2015
    voter = casting.check_code(election, codes["LON1"]).voter
    visit = [(leader, "All voters", ["Jeremy Corbyn"]), (deputy, "All voters", ["Tom Watson"]),
             (london, "All voters", ["Sadiq Khan"])]
    receipts = casting.cast_visit(voter, visit)
    assert [SealedBallot.objects.get(contest=c).receipt for c, _s, _r in visit] == receipts
    with pytest.raises(AlreadyVoted):
        casting.cast_visit(voter, visit)
    assert counts(leader, deputy, london) == [(1, 1, 1)] * 3


def test_outside_london_the_london_ballot_is_refused(e2015):
    election, leader, deputy, london, codes = e2015
    voter = casting.check_code(election, codes["NOR1"]).voter
    with pytest.raises(NotOpen, match="You do not have a ballot in the section 'All voters'."):
        casting.cast_visit(voter, [(leader, "All voters", ["Liz Kendall"]),
                                   (london, "All voters", ["Sadiq Khan"])])
    assert counts(leader, london) == [(0, 0, 0), (0, 0, 0)]


def test_a_visit_writes_its_contests_in_order_of_contest_id(e2015, monkeypatch):
    """Two visits lock the same rows in the same order, whatever order the page gave."""
    election, leader, deputy, london, codes = e2015
    voter = casting.check_code(election, codes["LON2"]).voter
    order = []
    for name in ("_orm_rows", "_pg_rows"):
        real = getattr(casting, name)
        monkeypatch.setattr(casting, name,
                            lambda c, *a, real=real: (order.append(c.pk), real(c, *a)))
    receipts = casting.cast_visit(voter, [(london, "All voters", ["Sadiq Khan"]),
                                          (leader, "All voters", ["Liz Kendall"]),
                                          (deputy, "All voters", ["Tom Watson"])])
    assert order == sorted(c.pk for c in (leader, deputy, london))
    assert receipts[0] == SealedBallot.objects.get(contest=london).receipt  # in the order given


def test_on_sqlite_a_visit_is_one_transaction(e2015):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL path is checked in test_visit_pg.py")
    election, leader, deputy, london, codes = e2015
    voter = casting.check_code(election, codes["NOR1"]).voter
    with CaptureQueriesContext(connection) as q:
        casting.cast_visit(voter, [(leader, "All voters", ["Liz Kendall"]),
                                   (deputy, "All voters", ["Tom Watson"])])
    sql = [x["sql"] for x in q.captured_queries]
    # one savepoint (the test's own transaction holds the outer one), no savepoint per contest
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1
    assert sum("INSERT INTO \"voting_participation\"" in s for s in sql) == 2


def test_a_voter_with_no_ballot_in_the_open_contests_is_told_so(e2015):
    from hustings.web.contests.models import Contest

    election, leader, deputy, london, codes = e2015
    Contest.objects.filter(pk__in=[leader.pk, deputy.pk]).update(stage="ballot_closed")
    r = ballot_page(csrf_client(), election.slug, codes["NOR1"])
    assert r.status_code == 409
    assert "None of the contests open now has a ballot for you." in r.content.decode()
    assert "You have already voted" not in r.content.decode()
    r = ballot_page(csrf_client(), election.slug, codes["LON1"])
    assert r.status_code == 200 and legends(r.content.decode()) == ["London Mayoral candidate"]
