"""The officer's side of an election of several contests: the 2015 election from its
preset, its roll (with the ``marks`` column) imported through "Run the ballot" as a job, a
misspelt mark refused with its line, the eligible voters counted per contest, the election
named on each contest's page; the admin's and the public election page, and who is refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hustings.web.contests.access import officers_group
from hustings.web.contests.models import AuditEntry, Contest
from hustings.web.contests.setup_election import change_contest, create_election
from hustings.web.errors import SetupError
from hustings.web.voting import console, roll
from hustings.web.voting.models import Voter

pytestmark = pytest.mark.django_db

ROLL = (
    "reference,name,email,postal_address,sections,marks\n"
    "A1,Ann,a1@example.org,,Member,london\n"
    "A2,Bob,a2@example.org,,Registered supporter,\n"
    "A3,Cat,,3 High St,Affiliated supporter,London\n"
    "A4,Dan,a4@example.org,,Member,\n"
)


@pytest.fixture
def alice(django_user_model):
    u = django_user_model.objects.create_user("alice", password="pw-alice-12345")
    u.groups.add(officers_group())
    return django_user_model.objects.get(pk=u.pk)


@pytest.fixture
def election(alice):
    return create_election(by=alice, preset="labour-2015", slug="lab15", include=["london"])


def contest(slug: str) -> Contest:
    return Contest.objects.get(slug=slug)


def upload(text: str, name: str = "roll.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def test_roll_with_marks_through_the_officers_page_serves_every_contest(election, alice, client):
    client.force_login(alice)
    page = "/contests/lab15-deputy/voting/"
    r = client.post(page, {"action": "roll", "roll": upload(ROLL)}, follow=True)
    assert "Imported 4 voters." in r.content.decode()
    marks = dict(Voter.objects.filter(election=election).values_list("reference", "marks"))
    assert marks == {"A1": ["london"], "A2": [], "A3": ["london"], "A4": []}
    counts = {e.contest.slug: e.eligible
              for e in console.election_contests(contest("lab15-leader"))}
    assert counts == {"lab15-leader": 4, "lab15-deputy": 4, "lab15-london": 2}
    html = client.get("/contests/lab15-london/voting/").content.decode()
    assert 'data-testid="roll-mark">london</strong>' in html
    assert "one code per voter for all of its 3 contests" in html
    # the other contests are listed with their officer pages and who may vote in each
    assert '<a href="/contests/lab15-leader/voting/">Leader of the Labour Party</a>' in html
    assert "<td>voters marked london</td>\n    <td>2</td>" in html
    assert "Labour candidate for Mayor of London (this page)" in html
    assert "this freezes it for all 3 of its contests at once" in html
    roll.exclude(contest("lab15-leader"), "A1", "moved abroad")
    assert [e.eligible for e in console.election_contests(contest("lab15-leader"))] == [3, 3, 1]


def test_a_misspelt_mark_is_refused_with_its_line_and_nothing_is_imported(election, alice, client):
    client.force_login(alice)
    bad = ROLL.replace("A4,Dan,a4@example.org,,Member,", "A4,Dan,a4@example.org,,Member,londn")
    r = client.post("/contests/lab15-leader/voting/",
                    {"action": "roll", "roll": upload(bad, "members.csv")}, follow=True)
    assert [m.message for m in r.context["messages"]] == [
        "members.csv, line 5: unknown mark 'londn'; expected one of london"]
    assert "members.csv, line 5: unknown mark &#x27;londn&#x27;" in r.content.decode()
    assert not Voter.objects.filter(election=election).exists()


def test_the_import_help_names_the_marks_the_election_accepts(election, alice, client):
    client.force_login(alice)
    html = client.get("/contests/lab15-leader/voting/").content.decode()
    assert "optional joined, marks" in html
    assert "this election's contests accept the marks <code>london</code>" in html
    alone = Contest.objects.create(slug="alone", title="Alone", rule_book_preset="labour-2015")
    from hustings.web.contests.people import appoint

    appoint(alone, "alice", "returning_officer", by=alice, check=False)
    html = client.get("/contests/alone/voting/").content.decode()
    assert "so a <code>marks</code> column must be empty" in html
    assert "open to every voter on the roll" in html


def test_a_stranger_and_an_officer_of_another_election_see_no_officer_page(
        election, django_user_model, client):
    bob = django_user_model.objects.create_user("bob", password="pw-bob-123456")
    bob.groups.add(officers_group())
    create_election(by=django_user_model.objects.get(pk=bob.pk), preset="labour-2015",
                    slug="other")
    client.force_login(bob)
    assert client.get("/contests/lab15-london/voting/").status_code == 403
    assert client.post("/contests/lab15-london/voting/",
                       {"action": "roll", "roll": upload(ROLL)}).status_code == 403
    assert not Voter.objects.filter(election=election).exists()
    anonymous = client.__class__()
    assert anonymous.get("/contests/lab15-london/voting/").status_code == 302  # to log in


def test_the_election_page_shows_drafts_only_to_their_officers(election, alice, client):
    assert client.get("/elections/lab15/").status_code == 404  # every contest is a draft
    client.force_login(alice)
    html = client.get("/elections/lab15/").content.decode()
    assert "3 contests on one ballot" in html
    table = html[html.index('data-testid="election-contests"'):]
    assert table.index("Leader of the Labour Party") < table.index("Deputy Leader") < table.index(
        "Mayor of London")
    assert "Labour candidate for Mayor of London: open only to voters the roll marks" in html
    assert "run the ballot" in html and 'data-testid="vote-link"' not in html
    Contest.objects.filter(slug="lab15-leader").update(stage="ballot_open")
    public = client.__class__()
    html = public.get("/elections/lab15/").content.decode()
    assert "Leader of the Labour Party" in html and "Deputy Leader" not in html  # still drafts
    assert 'href="/vote/lab15/"' in html and "run the ballot" not in html
    assert public.get("/elections/nope/").status_code == 404


def test_changing_order_and_mark_is_audited_and_refused_once_fixed(election, alice,
                                                                   django_user_model):
    london = contest("lab15-london")
    # "London" is the mark it has (marks are lower case, as the roll's are): no change
    assert change_contest(london, by=alice, ballot_order=5, eligibility="London") == [
        "ballot_order"]
    assert change_contest(london, by=alice, eligibility="Greater-London") == ["eligibility"]
    assert london.eligibility == "greater-london"
    entries = AuditEntry.objects.filter(contest=london, action="contest changed on its election")
    assert [e.detail for e in entries] == [{"ballot_order": [2, 5]},
                                           {"eligibility": ["london", "greater-london"]}]
    with pytest.raises(SetupError, match="eligibility 'in london'; expected a roll mark"):
        change_contest(london, by=alice, eligibility="in london")
    with pytest.raises(SetupError, match="the roll is frozen; expected who may vote in it"):
        change_contest(london, by=alice, eligibility="scotland", roll_frozen=True)
    Contest.objects.filter(pk=london.pk).update(stage="ballot_open")
    london.refresh_from_db()
    with pytest.raises(SetupError, match="the ballot is open; expected its place on the ballot"):
        change_contest(london, by=alice, ballot_order=0)
    from django.core.exceptions import PermissionDenied

    stranger = django_user_model.objects.create_user("zed", password="pw-zed-1234567")
    with pytest.raises(PermissionDenied):
        change_contest(london, by=stranger, ballot_order=1)
