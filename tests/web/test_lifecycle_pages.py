"""The contest page links to the voting pages at the right stages, and a returning officer
withdraws a body's nomination from the web before nominations close."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hustings.web.contests.models import Contest, Stage
from hustings.web.nominations import services
from hustings.web.nominations.models import NominatingBody, Nomination

pytestmark = pytest.mark.django_db


def links(html: str, slug: str) -> set[str]:
    wanted = {
        "vote": f'href="/vote/{slug}/"',
        "results": f'href="/contests/{slug}/results/"',
        "run the ballot": f'href="/contests/{slug}/voting/"',
    }
    return {name for name, href in wanted.items() if href in html}


@pytest.mark.parametrize(
    "stage, public, officer",
    [
        (Stage.NOMINATIONS_OPEN, set(), {"run the ballot"}),
        (Stage.BALLOT_OPEN, {"vote"}, {"vote", "run the ballot"}),
        (Stage.BALLOT_CLOSED, set(), {"run the ballot"}),
        (Stage.COUNTED, set(), {"run the ballot"}),
        (Stage.PUBLISHED, {"results"}, {"results", "run the ballot"}),
    ],
)
def test_the_contest_page_links_to_the_voting_pages(
    stage, public, officer, contest, returning_officer, client_for
):
    Contest.objects.filter(pk=contest.pk).update(stage=stage)
    url = reverse("contest-detail", args=[contest.slug])
    assert links(Client().get(url).content.decode(), contest.slug) == public
    assert links(client_for(returning_officer).get(url).content.decode(), contest.slug) == officer


def _unite(contest, union_officer):
    body = NominatingBody.objects.get(contest=contest, name="Unite")
    return services.nominate(body, contest.candidates.get(name="Ed Balls"), by=union_officer)


def test_a_returning_officer_withdraws_a_nomination_from_the_record_page(
    contest, union_officer, returning_officer, client_for
):
    n = _unite(contest, union_officer)
    client = client_for(returning_officer)
    page = client.get(reverse("record-nomination", args=[contest.slug])).content.decode()
    withdraw_url = reverse("withdraw", args=[contest.slug, n.pk])
    assert (
        f'action="{withdraw_url}"' in page and 'aria-label="Withdraw Unite\'s nomination"' in page
    )
    response = client.post(withdraw_url, follow=True)
    assert response.redirect_chain == [(reverse("record-nomination", args=[contest.slug]), 302)]
    assert "Unite&#x27;s nomination is withdrawn." in response.content.decode()
    n.refresh_from_db()
    assert not n.live
    entry = contest.audit_log.get(action="nomination withdrawn")
    assert (entry.actor_name, entry.detail) == (
        "ro",
        {"body": "Unite", "kind": "TU", "candidate": "Ed Balls"},
    )


@pytest.mark.parametrize("persona", ["nominating_mp", "public_visitor"])
def test_only_the_body_or_a_returning_officer_may_withdraw(
    persona, contest, union_officer, nominating_mp, client_for
):
    n = _unite(contest, union_officer)
    client = Client() if persona == "public_visitor" else client_for(nominating_mp)
    response = client.post(reverse("withdraw", args=[contest.slug, n.pk]))
    if persona == "public_visitor":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403  # an MP does not act for Unite
    assert client.get(reverse("record-nomination", args=[contest.slug])).status_code in (302, 403)
    n.refresh_from_db()
    assert n.live
    assert not contest.audit_log.filter(action="nomination withdrawn").exists()


def test_no_withdrawal_from_the_web_after_nominations_close(
    contest, union_officer, returning_officer, client_for
):
    n = _unite(contest, union_officer)
    contest.close_nominations(by=returning_officer)
    client = client_for(returning_officer)
    page = client.get(reverse("record-nomination", args=[contest.slug])).content.decode()
    assert "Withdraw a nomination" not in page
    response = client.post(reverse("withdraw", args=[contest.slug, n.pk]), follow=True)
    assert (
        "Unite&#x27;s nomination cannot be withdrawn: nominations are nominations closed"
        in response.content.decode()
    )
    n.refresh_from_db()
    assert n.live
    assert Nomination.objects.filter(body__name="Unite", withdrawn_at__isnull=True).count() == 1
