"""Nominating: one live nomination per body (also under concurrent requests), withdrawal
before close, the candidate's answer, the live table, and the 2020 routes end to end."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from hustings.web.contests.models import Stage
from hustings.web.errors import NominationError
from hustings.web.nominations import services
from hustings.web.nominations.models import NominatingBody, Nomination

from .web_factories import make_contest, nominate_directly

pytestmark = pytest.mark.django_db


def mp_body(contest, user):
    return NominatingBody.objects.get(contest=contest, officers=user)


def test_an_mp_nominates_once_and_it_is_logged(contest, nominating_mp):
    body = mp_body(contest, nominating_mp)
    balls = contest.candidates.get(name="Ed Balls")
    services.nominate(body, balls, by=nominating_mp)
    with pytest.raises(NominationError) as e:
        services.nominate(body, contest.candidates.get(name="Ed Miliband"), by=nominating_mp)
    assert str(e.value) == "MP 001 has already nominated Ed Balls; withdraw that nomination first"
    assert list(Nomination.objects.values_list("body__name", "candidate__name")) == [
        ("MP 001", "Ed Balls")
    ]
    entry = contest.audit_log.get(action="nomination made")
    assert entry.detail == {"body": "MP 001", "kind": "MP", "candidate": "Ed Balls"}


def test_the_database_itself_refuses_a_second_live_nomination(contest):
    body = NominatingBody.objects.filter(contest=contest).first()
    a, b = contest.candidates.all()[:2]
    Nomination.objects.create(body=body, candidate=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.create(body=body, candidate=b)


def test_double_submit_of_the_form_makes_one_nomination(contest, nominating_mp, client_for):
    """SQLite and PostgreSQL: the same POST twice (a double click)."""
    client = client_for(nominating_mp)
    body = mp_body(contest, nominating_mp)
    cand = contest.candidates.get(name="Andy Burnham")
    url = reverse("nominate", args=[contest.slug])
    first = client.post(url, {"body": body.pk, "candidate": cand.pk})
    second = client.post(url, {"body": body.pk, "candidate": cand.pk})
    assert first.status_code == 302
    assert second.status_code == 400
    assert (
        "MP 001 has already nominated Andy Burnham; withdraw that nomination first"
        in second.content.decode()
    )
    assert Nomination.objects.filter(body=body).count() == 1


@pytest.mark.postgres
def test_concurrent_nominations_for_one_body_make_exactly_one(contest, nominating_mp):
    """Eight threads nominate for the same MP at the same moment, each on its own
    connection: one succeeds, seven are told the body has already nominated."""
    body = mp_body(contest, nominating_mp)
    candidates = list(contest.candidates.all())
    barrier = threading.Barrier(8)
    outcomes = []

    def attempt(i):
        try:
            barrier.wait()
            services.nominate(body, candidates[i % len(candidates)], by=nominating_mp)
            outcomes.append("ok")
        except NominationError as e:
            outcomes.append(str(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert all("MP 001 has already nominated" in o for o in outcomes if o != "ok")
    assert Nomination.objects.filter(body=body, withdrawn_at__isnull=True).count() == 1


def test_withdraw_then_nominate_again_before_close(contest, nominating_mp):
    body = mp_body(contest, nominating_mp)
    first = services.nominate(body, contest.candidates.get(name="Ed Balls"), by=nominating_mp)
    services.withdraw(first, by=nominating_mp)
    with pytest.raises(NominationError, match="was already withdrawn"):
        services.withdraw(first, by=nominating_mp)
    services.nominate(body, contest.candidates.get(name="Diane Abbott"), by=nominating_mp)
    assert [(n.candidate.name, n.live) for n in Nomination.objects.filter(body=body)] == [
        ("Ed Balls", False),
        ("Diane Abbott", True),
    ]


def test_no_withdrawal_after_close(contest, nominating_mp, returning_officer):
    n = services.nominate(
        mp_body(contest, nominating_mp), contest.candidates.first(), by=nominating_mp
    )
    contest.close_nominations(by=returning_officer)
    with pytest.raises(NominationError) as e:
        services.withdraw(n, by=nominating_mp)
    assert (
        str(e.value)
        == "MP 001's nomination cannot be withdrawn: nominations are nominations closed"
    )


@pytest.mark.parametrize("stage", [s for s in Stage if s != Stage.NOMINATIONS_OPEN])
def test_nominating_outside_the_nomination_period_is_refused(stage, contest, nominating_mp):
    type(contest).objects.filter(pk=contest.pk).update(stage=stage)
    with pytest.raises(NominationError) as e:
        services.nominate(
            mp_body(contest, nominating_mp), contest.candidates.first(), by=nominating_mp
        )
    assert str(e.value).endswith("(expected: nominations open)")
    assert not Nomination.objects.exists()


def test_a_body_nominates_only_through_its_own_officers(contest, nominating_mp, union_officer):
    union = NominatingBody.objects.get(contest=contest, name="Unite")
    with pytest.raises(PermissionDenied):
        services.nominate(union, contest.candidates.first(), by=nominating_mp)
    services.nominate(union, contest.candidates.first(), by=union_officer)


def test_a_declined_candidate_cannot_be_nominated(contest, nominating_mp):
    cand = contest.candidates.get(name="Ed Balls")
    cand.user = nominating_mp
    cand.save()
    cand.respond(accept=False, by=nominating_mp)
    with pytest.raises(NominationError, match="Ed Balls has declined nomination"):
        services.nominate(mp_body(contest, nominating_mp), cand, by=nominating_mp)


def test_only_the_candidate_answers_and_only_while_open(
    contest, nominating_mp, union_officer, returning_officer
):
    cand = contest.candidates.get(name="Ed Balls")
    cand.user = nominating_mp
    cand.save()
    with pytest.raises(PermissionDenied):
        cand.respond(accept=True, by=union_officer)
    cand.respond(accept=True, by=nominating_mp)
    contest.close_nominations(by=returning_officer)
    with pytest.raises(
        NominationError, match="Ed Balls cannot answer now: nominations are nominations closed"
    ):
        cand.respond(accept=False, by=nominating_mp)


def test_the_table_counts_live_nominations_and_yet_to_declare(contest, nominating_mp):
    nominate_directly(contest, "David Miliband", "MP", 81)
    nominate_directly(contest, "Ed Miliband", "CLP", 3)
    withdrawn = Nomination.objects.filter(body__kind="MP").first()
    services.withdraw(withdrawn, by=withdrawn.body.officers.first() or _ro(contest))
    table = services.nominations_table(contest)
    assert [b.value for b in table.columns] == ["MP", "CLP", "MEP", "TU", "SS"]
    rows = {r.label: r.counts for r in table.rows}
    assert rows["David Miliband"] == (80, 0, 0, 0, 0)
    assert rows["Ed Miliband"] == (0, 3, 0, 0, 0)
    assert table.yet_to_declare.counts == (177, 7, 0, 1, 0)
    assert table.eligible.counts == (257, 10, 0, 1, 0)
    # ordered as the press prints them: by surname
    assert [r.label for r in table.rows] == [
        "Diane Abbott",
        "Ed Balls",
        "Andy Burnham",
        "David Miliband",
        "Ed Miliband",
    ]


def _ro(contest):
    from django.contrib.auth.models import User

    from hustings.web.contests.access import returning_officers_group

    u = User.objects.create_user("ro-helper")
    u.groups.add(returning_officers_group())
    return User.objects.get(pk=u.pk)


# -- 2020: MPs and MEPs, and CLPs or affiliates ----------------------------------------


def contest_2020():
    unions = [(f"Union {i}", 100_000) for i in range(1, 11)]  # 1,000,000 affiliated in unions
    societies = [(f"Society {i}", 10_000) for i in range(1, 6)]  # 50,000 in societies
    return make_contest(
        slug="leader-2020",
        preset="labour-2020",
        candidates=("Keir Starmer", "Rebecca Long-Bailey", "Lisa Nandy", "Emily Thornberry"),
        roll={"MP": 202, "MEP": 10, "CLP": 645, "TU": unions, "SS": societies},
        stage=Stage.NOMINATIONS_OPEN,
    )


def test_2020_close_applies_both_routes(returning_officer):
    c = contest_2020()
    # 22 of 212 MPs+MEPs each
    nominate_directly(c, "Keir Starmer", "MP", 21)
    nominate_directly(c, "Keir Starmer", "MEP", 1)
    nominate_directly(c, "Rebecca Long-Bailey", "MP", 22, start=21)
    nominate_directly(c, "Lisa Nandy", "MP", 22, start=43)
    nominate_directly(c, "Emily Thornberry", "MP", 22, start=65)
    nominate_directly(c, "Keir Starmer", "CLP", 33)  # 5% of 645 = 32.25 -> 33: CLP route
    nominate_directly(c, "Emily Thornberry", "CLP", 32, start=33)  # one short, no affiliates
    # affiliates: 2 unions + 1 society = 210,000 of 1,050,000 = 20%
    nominate_directly(c, "Rebecca Long-Bailey", "TU", 2)
    nominate_directly(c, "Rebecca Long-Bailey", "SS", 1)
    # 3 affiliates but only 1 union
    nominate_directly(c, "Lisa Nandy", "TU", 1, start=2)
    nominate_directly(c, "Lisa Nandy", "SS", 2, start=1)
    c.close_nominations(by=returning_officer)
    got = dict(c.candidates.values_list("name", "on_ballot"))
    assert got == {
        "Keir Starmer": True,
        "Rebecca Long-Bailey": True,
        "Lisa Nandy": False,
        "Emily Thornberry": False,
    }
    nandy = c.candidates.get(name="Lisa Nandy").qualification
    assert (
        "3 affiliates (1 unions, 2 socialist societies) with 120,000 of 1,050,000 "
        "affiliated members"
        in nandy
    )
    assert "2 unions needed" in nandy
    thornberry = c.candidates.get(name="Emily Thornberry").qualification
    assert "32 of 645 CLPs = 4.96% < 5%; 33 needed" in thornberry
