"""Every view, every persona: allowed, or refused with 403 / 404 (anonymous users asking
for a staff or nominator page are sent to log in)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hustings.web.contests.models import Stage
from hustings.web.nominations import services
from hustings.web.nominations.models import NominatingBody, Nomination

from .web_factories import make_contest

pytestmark = pytest.mark.django_db

PERSONAS = ["returning_officer", "nominating_mp", "union_officer", "public_visitor"]


@pytest.fixture
def as_(request, client_for, contest):
    """as_("nominating_mp") -> a client logged in as that persona (anonymous for the public)."""

    def make(persona):
        if persona == "public_visitor":
            return Client()
        return client_for(request.getfixturevalue(persona))

    return make


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


PUBLIC_PAGES = [
    ("contest-list", lambda c: []),
    ("contest-detail", lambda c: [c.slug]),
    ("nominations-table", lambda c: [c.slug]),
    ("candidate-detail", lambda c: [c.slug, "ed-balls"]),
    ("endorsements", lambda c: [c.slug]),
]


@pytest.mark.parametrize("name, args", PUBLIC_PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_public_pages_are_public_once_the_contest_is(name, args, persona, as_, contest):
    response = as_(persona).get(reverse(name, args=args(contest)))
    assert response.status_code == 200
    assert "Nominations open" in response.content.decode() or name == "contest-list"


@pytest.mark.parametrize("name, args", PUBLIC_PAGES[1:])
@pytest.mark.parametrize(
    "persona, status",
    [
        ("returning_officer", 200),
        ("nominating_mp", 404),
        ("union_officer", 404),
        ("public_visitor", 404),
    ],
)
def test_a_draft_is_seen_only_by_returning_officers(name, args, persona, status, as_, contest):
    type(contest).objects.filter(pk=contest.pk).update(stage=Stage.DRAFT)
    assert as_(persona).get(reverse(name, args=args(contest))).status_code == status


@pytest.mark.parametrize(
    "persona, listed", [("returning_officer", True), ("public_visitor", False)]
)
def test_the_contest_list_hides_drafts(persona, listed, as_, contest):
    draft = make_contest(slug="secret-draft")
    assert (draft.title in as_(persona).get("/").content.decode()) is listed


def test_unknown_contest_and_candidate_are_404(as_, contest):
    client = as_("public_visitor")
    assert client.get("/contests/no-such-contest/").status_code == 404
    assert client.get(reverse("candidate-detail", args=[contest.slug, "nobody"])).status_code == 404


def test_the_nominations_table_shows_the_numbers(as_, contest):
    from .web_factories import nominate_directly

    nominate_directly(contest, "Ed Balls", "MP", 33)
    html = (
        as_("public_visitor")
        .get(reverse("nominations-table", args=[contest.slug]))
        .content.decode()
    )
    assert '<tr data-row="Ed Balls">' in html
    assert "<td>33</td>" in html
    assert '<tr class="yet" data-row="Yet to declare">' in html
    assert "<td>224</td>" in html  # 257 - 33


# -- nominators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("nominating_mp", 200),
        ("union_officer", 200),
        ("returning_officer", 403),
        ("public_visitor", "login"),
    ],
)
def test_the_nomination_page_is_for_a_bodys_officers(persona, status, as_, contest):
    response = as_(persona).get(reverse("nominate", args=[contest.slug]))
    assert is_login_redirect(response) if status == "login" else response.status_code == status


def test_a_union_officer_nominates_through_the_form(as_, contest, union_officer):
    cand = contest.candidates.get(name="David Miliband")
    body = NominatingBody.objects.get(contest=contest, name="Unite")
    response = as_("union_officer").post(
        reverse("nominate", args=[contest.slug]), {"body": body.pk, "candidate": cand.pk}
    )
    assert response.status_code == 302
    assert Nomination.objects.get(body=body).candidate == cand


def test_an_officer_cannot_post_for_another_body(as_, contest, nominating_mp, union_officer):
    union = NominatingBody.objects.get(contest=contest, name="Unite")
    response = as_("nominating_mp").post(
        reverse("nominate", args=[contest.slug]),
        {"body": union.pk, "candidate": contest.candidates.first().pk},
    )
    assert response.status_code == 400
    assert not Nomination.objects.exists()


@pytest.mark.parametrize(
    "persona, status",
    [
        ("nominating_mp", 302),
        ("union_officer", 403),
        ("returning_officer", 302),
        ("public_visitor", "login"),
    ],
)
def test_withdrawing_is_for_the_bodys_officer(persona, status, as_, contest, nominating_mp):
    body = NominatingBody.objects.get(contest=contest, officers=nominating_mp)
    n = services.nominate(body, contest.candidates.first(), by=nominating_mp)
    response = as_(persona).post(reverse("withdraw", args=[contest.slug, n.pk]))
    if status == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == status
    n.refresh_from_db()
    assert n.live is (status != 302)


def test_withdraw_is_post_only_and_404_for_unknown(as_, contest, nominating_mp):
    client = as_("nominating_mp")
    assert client.get(reverse("withdraw", args=[contest.slug, 1])).status_code == 405
    assert client.post(reverse("withdraw", args=[contest.slug, 999999])).status_code == 404


@pytest.mark.parametrize(
    "persona, status",
    [
        ("nominating_mp", 200),
        ("returning_officer", 200),
        ("union_officer", 403),
        ("public_visitor", "login"),
    ],
)
def test_the_answer_page_is_for_the_candidate(persona, status, as_, contest, nominating_mp):
    contest.candidates.filter(slug="ed-balls").update(user=nominating_mp)  # the MP is the candidate
    response = as_(persona).get(reverse("respond", args=[contest.slug, "ed-balls"]))
    assert is_login_redirect(response) if status == "login" else response.status_code == status


def test_the_candidate_declines_through_the_form(as_, contest, nominating_mp):
    contest.candidates.filter(slug="ed-balls").update(user=nominating_mp)
    response = as_("nominating_mp").post(
        reverse("respond", args=[contest.slug, "ed-balls"]), {"answer": "decline"}
    )
    assert response.status_code == 302
    assert contest.candidates.get(slug="ed-balls").response == "declined"


# -- returning officers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["contest-manage", "audit-log", "endorsement-import", "record-nomination"]
)
@pytest.mark.parametrize(
    "persona, status",
    [
        ("returning_officer", 200),
        ("nominating_mp", 403),
        ("union_officer", 403),
        ("public_visitor", "login"),
    ],
)
def test_staff_pages_are_for_returning_officers(name, persona, status, as_, contest):
    response = as_(persona).get(reverse(name, args=[contest.slug]))
    assert is_login_redirect(response) if status == "login" else response.status_code == status


@pytest.mark.parametrize(
    "persona, status",
    [
        ("returning_officer", 302),
        ("nominating_mp", 403),
        ("union_officer", 403),
        ("public_visitor", "login"),
    ],
)
def test_only_a_returning_officer_closes_nominations_from_the_web(persona, status, as_, contest):
    response = as_(persona).post(
        reverse("contest-transition", args=[contest.slug]), {"step": "close_nominations"}
    )
    if status == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == status
    contest.refresh_from_db()
    assert (contest.stage == Stage.NOMINATIONS_CLOSED) is (status == 302)


def test_a_refused_step_is_explained_and_changes_nothing(as_, contest):
    client = as_("returning_officer")
    url = reverse("contest-transition", args=[contest.slug])
    response = client.post(url, {"step": "publish"}, follow=True)
    assert (
        "cannot publish result: the contest is at &#x27;Nominations open&#x27;"
        in response.content.decode()
    )
    response = client.post(url, {"step": "go_back", "to": "draft", "reason": ""}, follow=True)
    assert "needs a reason; none given" in response.content.decode()
    response = client.post(url, {"step": "go_back", "to": "voting", "reason": "x"}, follow=True)
    assert "&#x27;voting&#x27; is not a valid Stage" in response.content.decode()
    contest.refresh_from_db()
    assert contest.stage == Stage.NOMINATIONS_OPEN
    assert client.get(url).status_code == 405


def test_the_audit_log_page_lists_who_did_what_and_why(as_, contest, returning_officer):
    contest.go_back(Stage.DRAFT, by=returning_officer, reason="candidate list was wrong")
    html = as_("returning_officer").get(reverse("audit-log", args=[contest.slug])).content.decode()
    assert "go back to draft" in html and "candidate list was wrong" in html and ">ro<" in html


@pytest.mark.parametrize("persona, status", [("returning_officer", 200), ("nominating_mp", 302)])
def test_the_admin_is_for_staff(persona, status, as_):
    assert as_(persona).get("/admin/").status_code == status


def test_forms_need_the_csrf_token(contest, returning_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(returning_officer)
    response = client.post(
        reverse("contest-transition", args=[contest.slug]), {"step": "close_nominations"}
    )
    assert response.status_code == 403
    page = client.get(reverse("contest-manage", args=[contest.slug])).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_public_pages_do_a_fixed_number_of_queries(as_, contest, django_assert_max_num_queries):
    """The table is computed with grouped counts, not one query per body or candidate."""
    from .web_factories import nominate_directly

    nominate_directly(contest, "Ed Balls", "MP", 120)
    nominate_directly(contest, "Ed Balls", "CLP", 5)
    client = as_("public_visitor")
    with django_assert_max_num_queries(6):
        assert client.get(reverse("nominations-table", args=[contest.slug])).status_code == 200
    with django_assert_max_num_queries(6):
        page = client.get(
            reverse("candidate-detail", args=[contest.slug, "ed-balls"])
        ).content.decode()
    assert "<h4>MPs (120)</h4>" in page and "<h4>CLPs (5)</h4>" in page
    assert page.index("MPs (120)") < page.index("CLPs (5)")  # the rule book's column order


def test_a_returning_officer_records_a_paper_nomination(as_, contest, returning_officer):
    client = as_("returning_officer")
    url = reverse("record-nomination", args=[contest.slug])
    clp = NominatingBody.objects.filter(contest=contest, kind="CLP").first()
    cand = contest.candidates.get(name="Andy Burnham")
    assert f'<option value="{clp.pk}">{clp.name}</option>' in client.get(url).content.decode()
    assert client.post(url, {"body": clp.pk, "candidate": cand.pk}).status_code == 302
    assert Nomination.objects.get(body=clp).candidate == cand
    entry = contest.audit_log.get(action="nomination made")
    assert (entry.actor, entry.detail["body"]) == (returning_officer, clp.name)
    # the body is no longer offered, and a second attempt is refused
    page = client.get(url).content.decode()
    assert f'<option value="{clp.pk}">' not in page
    assert client.post(url, {"body": clp.pk, "candidate": cand.pk}).status_code == 400
    assert Nomination.objects.filter(body=clp).count() == 1
