"""Endorsements edited on the site, the search on "Record a nomination", the candidate
response page when an officer acts for the candidate, and the styled error pages."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from hustings.web.endorsements.models import Endorsement

from .web_factories import make_contest, nominate_directly

pytestmark = pytest.mark.django_db


def test_an_endorsement_is_added_edited_and_deleted_with_each_change_audited(contest, officer,
                                                                             client_for):
    c = client_for(officer)
    balls = contest.candidates.get(name="Ed Balls")
    r = c.post(reverse("endorsement-add", args=[contest.slug]), {
        "candidate": balls.pk, "endorser_name": "Unite", "date": "2010-07-01",
        "publication": "The Guardian", "source_url": "https://example.org/unite",
        "quote": "We back Ed."})
    assert r.status_code == 302
    e = Endorsement.objects.get(contest=contest)
    assert (e.endorser_name, e.quote, e.added_by) == ("Unite", "We back Ed.", officer)
    c.post(reverse("endorsement-edit", args=[contest.slug, e.pk]), {
        "candidate": balls.pk, "endorser_name": "Unite", "date": "2010-07-02",
        "publication": "The Guardian", "quote": "We back Ed Balls."})
    e.refresh_from_db()
    assert (e.date.isoformat(), e.quote, e.source_url) == ("2010-07-02", "We back Ed Balls.", "")
    c.post(reverse("endorsement-delete", args=[contest.slug, e.pk]))
    assert not Endorsement.objects.filter(contest=contest).exists()
    log = list(contest.audit_log.all())
    assert [x.action for x in log] == ["endorsement added", "endorsement edited",
                                       "endorsement deleted"]
    assert log[1].detail["was"]["quote"] == "We back Ed."
    assert log[1].detail["endorsement"]["date"] == "2010-07-02"
    assert log[2].detail["endorsement"]["quote"] == "We back Ed Balls."


def test_a_bad_endorsement_form_names_the_field(contest, officer, client_for):
    r = client_for(officer).post(reverse("endorsement-add", args=[contest.slug]), {
        "candidate": contest.candidates.first().pk, "endorser_name": "", "date": "1 July",
        "publication": "P"})
    page = r.content.decode()
    assert r.status_code == 400 and "Not saved" in page and "Enter a valid date." in page
    assert not contest.audit_log.exists()


@pytest.fixture
def big(db):
    """A roll the size of 2010's (257 MPs, 10 CLPs) with many live nominations."""
    contest = make_contest(slug="big-2010", stage="nominations_open",
                           roll={"MP": 257, "CLP": 10, "TU": [("Unite", 1000), ("GMB", 600)]})
    nominate_directly(contest, "Ed Miliband", "MP", 63)
    nominate_directly(contest, "David Miliband", "MP", 81, start=63)
    return contest


def test_record_a_nomination_shows_a_page_of_nominations_and_a_search(big, client_for):
    from hustings.web.contests.models import Role

    from .web_factories import make_person

    ro = make_person("big-ro", contest=big, role=Role.RETURNING_OFFICER)
    c = client_for(ro)
    page = c.get(reverse("record-nomination", args=[big.slug])).content.decode()
    assert "Showing 20 of 144 live nominations" in page
    assert page.count('aria-label="Withdraw') == 20
    # by body name: "MP 01" is MP 010 to MP 019, all among the 144 that nominated
    page = c.get(reverse("record-nomination", args=[big.slug]), {"q": "MP 01"}).content.decode()
    assert "10 live nominations matching the search" in page
    assert page.count('aria-label="Withdraw') == 10
    page = c.get(reverse("record-nomination", args=[big.slug]), {"kind": "TU"}).content.decode()
    assert '<option value="' in page and ">Unite</option>" in page and ">GMB</option>" in page
    assert ">MP 200</option>" not in page and "No live nomination matches the search." in page
    page = c.get(reverse("record-nomination", args=[big.slug]),
                 {"q": "Ed Miliband"}).content.decode()
    assert "20 of 63 live nominations matching the search" in page.replace("Showing ", "")


def test_the_search_keeps_the_body_list_to_the_matches(big, client_for):
    from hustings.web.contests.models import Role

    from .web_factories import make_person

    ro = make_person("big-ro", contest=big, role=Role.RETURNING_OFFICER)
    page = client_for(ro).get(reverse("record-nomination", args=[big.slug]),
                              {"q": "MP 25", "kind": "MP"}).content.decode()
    # MP 250..257 are free (only the first 144 MPs nominated)
    assert "8 that have not nominated, matching the search" in page


def test_the_response_page_does_not_say_i_accept_to_an_officer(contest, officer, client_for,
                                                               django_user_model):
    respond = reverse("respond", args=[contest.slug, "ed-balls"])
    page = client_for(officer).get(respond).content.decode()
    assert "I accept" not in page and "Ed Balls accepts nomination" in page
    assert "You are recording Ed Balls's answer for them" in page
    balls = contest.candidates.get(name="Ed Balls")
    balls.user = django_user_model.objects.create_user("edballs")
    balls.save()
    page = client_for(balls.user).get(respond).content.decode()
    assert "I accept nomination" in page and "for them" not in page


def test_an_officer_answering_for_a_candidate_is_recorded_as_such(contest, officer, client_for):
    client_for(officer).post(reverse("respond", args=[contest.slug, "ed-balls"]),
                             {"answer": "decline"})
    entry = contest.audit_log.get(action="candidate declines")
    assert entry.detail == {"candidate": "Ed Balls", "for_candidate": True}


def test_error_pages_are_styled(client, contest, nominating_mp, client_for):
    r = client.get("/contests/no-such-contest/")
    assert r.status_code == 404
    page = r.content.decode()
    assert "Page not found" in page and "hustings/site.css" in page and 'class="site"' in page
    r = client_for(nominating_mp).get(reverse("audit-log", args=[contest.slug]))
    assert r.status_code == 403 and "You are not allowed to do this" in r.content.decode()
    page = render_to_string("500.html")  # as Django's server_error does: no request, no context
    assert "Something went wrong on our side" in page and "hustings/site.css" in page


def test_the_audit_log_says_what_each_set_up_change_was(contest, officer, client_for):
    from hustings.web.contests import people, setup
    from hustings.web.nominations.bodyimport import import_bodies

    from .web_factories import make_person

    make_person("helper")
    people.appoint(contest, "helper", "scrutineer", by=officer)
    c = setup.add_candidate(contest, "Yvette Cooper", by=officer)
    setup.rename_candidate(c, "Yvette Cooper MP", by=officer)
    import_bodies(contest, "kind,name\nMP,New MP\nCLP,New CLP\n", by=officer)
    c.respond(accept=True, by=officer)
    page = client_for(officer).get(reverse("audit-log", args=[contest.slug])).content.decode()
    text = " ".join(page.split())
    for line in ["person appointed: helper as scrutineer", "candidate added: Yvette Cooper",
                 "candidate renamed: Yvette Cooper MP (was Yvette Cooper)",
                 "nominating bodies imported — 2: 1 MP, 1 CLP",
                 "candidate accepts: Yvette Cooper MP (recorded for the candidate)"]:
        assert line in text, line


@pytest.mark.parametrize("stage, text", [
    ("nominations_open", "Close nominations: 5 of 5 candidates have accepted"),
    ("ballot_open", "Close the ballot: 1 of 2 voters have voted; no more ballots will be accepted"),
    ("counted", "Publish the result: it becomes public at once and cannot be taken back."),
])
def test_each_irreversible_step_says_what_it_will_do_before_it_is_done(stage, text, officer,
                                                                        client_for, contest):
    from hustings.web.contests.models import Contest
    from hustings.web.voting.models import Participation, Voter

    Contest.objects.filter(pk=contest.pk).update(stage=stage)
    v = Voter.objects.create(election=contest.election, reference="V1", name="V One",
                             sections=["Members"])
    Voter.objects.create(election=contest.election, reference="V2", name="V Two",
                         sections=["Members"])
    Voter.objects.create(election=contest.election, reference="V3", name="V Three",
                         sections=["Members"], excluded_reason="left the party",
                         excluded_at="2010-06-01T00:00Z")
    Participation.objects.create(contest=contest, voter=v, section="Members")
    page = client_for(officer).get(reverse("contest-manage", args=[contest.slug])).content.decode()
    assert text in page
    assert '<details class="confirm">' in page
