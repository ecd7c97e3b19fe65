"""People per contest: each role on every officer view, and the negative persona (the
returning officer of another contest) refused at each one, with nothing written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hustings.web.contests import people
from hustings.web.contests.access import Action, can, contests_for
from hustings.web.contests.models import AuditEntry, Contest, Role, Stage
from hustings.web.endorsements.models import Endorsement
from hustings.web.nominations import services
from hustings.web.nominations.models import NominatingBody, Nomination

from .web_factories import make_contest, make_person

pytestmark = pytest.mark.django_db

# The table of the access module's docstring, written out again here: a change to who may
# do what must change this test too.
EXPECTED = {
    Role.RETURNING_OFFICER: {"view", "edit", "run", "appoint"},
    Role.DEPUTY: {"view", "edit", "run"},
    Role.SCRUTINEER: {"view"},
    Role.TRUSTEE: {"view", "hold_key"},
    Role.NOMINATOR: {"nominate"},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_do_what_the_table_says_in_its_own_contest_only(role, contest, other_contest):
    user = make_person(f"u-{role.value}", contest=contest, role=role)
    assert {a.value for a in Action if can(user, contest, a)} == EXPECTED[role]
    assert [a for a in Action if can(user, other_contest, a)] == []


def test_a_superuser_may_do_everything_everywhere(superuser, contest, other_contest):
    assert all(can(superuser, c, a) for c in (contest, other_contest) for a in Action)


def test_the_old_global_group_runs_only_contests_with_no_appointed_officer(
    returning_officer, contest, other_contest
):
    assert can(returning_officer, contest, Action.RUN)  # no one appointed: the old way
    make_person("appointed", contest=contest, role=Role.RETURNING_OFFICER)
    assert not can(returning_officer, contest, Action.RUN)
    assert can(returning_officer, other_contest, Action.RUN)  # still none appointed there
    with pytest.raises(PermissionDenied):
        contest.close_nominations(by=returning_officer)


def test_the_model_layer_refuses_an_officer_of_another_contest(contest, other_officer):
    with pytest.raises(PermissionDenied, match="only this contest's returning officer or deputy"):
        contest.close_nominations(by=other_officer)
    body = NominatingBody.objects.filter(contest=contest, kind="MP").first()
    with pytest.raises(PermissionDenied):
        services.nominate(body, contest.candidates.first(), by=other_officer)
    with pytest.raises(PermissionDenied):
        contest.candidates.first().respond(accept=False, by=other_officer)
    assert Contest.objects.get(pk=contest.pk).stage == Stage.NOMINATIONS_OPEN


def test_drafts_are_listed_only_for_those_who_may_view_them(contest, other_officer, scrutineer):
    draft = make_contest(slug="draft-2026")
    make_person("draft-ro", contest=draft, role=Role.RETURNING_OFFICER)
    assert draft not in contests_for(other_officer)
    assert draft not in contests_for(scrutineer)
    draft_scrutineer = make_person("draft-scrutineer", contest=draft, role=Role.SCRUTINEER)
    assert draft in contests_for(draft_scrutineer)


# -- every officer view, every role -----------------------------------------------------------


@pytest.fixture
def world(contest):
    """A nomination to withdraw and an endorsement to edit."""
    mp = NominatingBody.objects.filter(contest=contest, kind="MP").order_by("id")[1]
    balls = contest.candidates.get(name="Ed Balls")
    nomination = Nomination.objects.create(body=mp, candidate=balls)
    endorsement = Endorsement.objects.create(
        contest=contest, candidate=balls, endorser_name="A. Person",
        date="2010-06-01", publication="The Paper",
    )
    return {"nomination": nomination.pk, "endorsement": endorsement.pk}


# (url name, args, needs) for pages read with GET
GETS = [
    ("contest-manage", lambda c, w: [c.slug], "view"),
    ("audit-log", lambda c, w: [c.slug], "view"),
    ("record-nomination", lambda c, w: [c.slug], "view"),
    ("contest-setup", lambda c, w: [c.slug], "view"),
    ("contest-people", lambda c, w: [c.slug], "view"),
    ("endorsement-import", lambda c, w: [c.slug], "edit"),
    ("endorsement-add", lambda c, w: [c.slug], "edit"),
    ("endorsement-edit", lambda c, w: [c.slug, w["endorsement"]], "edit"),
    ("setup-bodies", lambda c, w: [c.slug], "edit"),
    ("respond", lambda c, w: [c.slug, "ed-balls"], "edit"),
]


def _csv(text):
    return SimpleUploadedFile("bodies.csv", text.encode(), content_type="text/csv")


# (url name, args, data, needs) for changes made with POST
POSTS = [
    ("contest-transition", lambda c, w: [c.slug], lambda c: {"step": "close_nominations"}, "run"),
    ("record-nomination", lambda c, w: [c.slug],
     lambda c: {"body": NominatingBody.objects.filter(contest=c, kind="MP").order_by("id")[5].pk,
                "candidate": c.candidates.get(name="Ed Balls").pk}, "edit"),
    ("withdraw", lambda c, w: [c.slug, w["nomination"]], lambda c: {}, "edit"),
    ("setup-candidates", lambda c, w: [c.slug],
     lambda c: {"action": "add", "name": "New Person"}, "edit"),
    ("setup-dates", lambda c, w: [c.slug],
     lambda c: {"nominations_open_on": "2026-06-01T09:00"}, "edit"),
    ("setup-bodies", lambda c, w: [c.slug],
     lambda c: {"file": _csv("kind,name\nMP,New MP\n")}, "edit"),
    ("contest-people", lambda c, w: [c.slug],
     lambda c: {"action": "appoint", "username": "root", "role": "scrutineer"}, "appoint"),
    ("endorsement-add", lambda c, w: [c.slug],
     lambda c: {"candidate": c.candidates.get(name="Ed Balls").pk, "endorser_name": "B",
                "date": "2010-06-02", "publication": "P"}, "edit"),
    ("endorsement-edit", lambda c, w: [c.slug, w["endorsement"]],
     lambda c: {"candidate": c.candidates.get(name="Ed Balls").pk, "endorser_name": "C",
                "date": "2010-06-02", "publication": "P"}, "edit"),
    ("endorsement-delete", lambda c, w: [c.slug, w["endorsement"]], lambda c: {}, "edit"),
    ("respond", lambda c, w: [c.slug, "ed-balls"], lambda c: {"answer": "decline"}, "edit"),
]

ROLES = {"officer": Role.RETURNING_OFFICER, "deputy": Role.DEPUTY, "scrutineer": Role.SCRUTINEER,
         "trustee": Role.TRUSTEE}


@pytest.mark.parametrize("name, args, needs", GETS)
@pytest.mark.parametrize("persona", ["officer", "deputy", "scrutineer", "trustee", "other_officer"])
def test_officer_pages_by_role(name, args, needs, persona, request, client_for, contest, world):
    user = request.getfixturevalue(persona)
    allowed = persona in ROLES and needs in EXPECTED[ROLES[persona]]
    response = client_for(user).get(reverse(name, args=args(contest, world)))
    assert response.status_code == (200 if allowed else 403), (persona, name)
    if not allowed:
        assert "You are not allowed to do this" in response.content.decode()  # the styled 403


@pytest.mark.parametrize("name, args, data, needs", POSTS)
@pytest.mark.parametrize("persona", ["officer", "deputy", "scrutineer", "trustee", "other_officer"])
def test_officer_changes_by_role(name, args, data, needs, persona, request, client_for, contest,
                                 world, superuser):
    user = request.getfixturevalue(persona)
    allowed = persona in ROLES and needs in EXPECTED[ROLES[persona]]
    before = AuditEntry.objects.filter(contest=contest).count()
    response = client_for(user).post(reverse(name, args=args(contest, world)), data(contest))
    after = AuditEntry.objects.filter(contest=contest).count()
    if allowed:
        assert response.status_code == 302, (persona, name, response.content.decode()[:2000])
        assert after == before + 1, (persona, name)  # every change is audited
    else:
        assert response.status_code == 403, (persona, name)
        assert after == before  # refused: nothing written


@pytest.mark.parametrize("name, args, needs", GETS)
def test_a_draft_is_not_found_for_an_officer_of_another_contest(name, args, needs, client_for,
                                                                other_officer):
    draft = make_contest(slug="draft-2026", stage=Stage.DRAFT)
    make_person("draft-ro", contest=draft, role=Role.RETURNING_OFFICER)
    world = {"endorsement": 0, "nomination": 0}
    assert client_for(other_officer).get(reverse(name, args=args(draft, world))).status_code == 404


@pytest.mark.parametrize("name, args, needs", GETS)
def test_anonymous_visitors_are_sent_to_log_in(name, args, needs, public_visitor, contest, world):
    response = public_visitor.get(reverse(name, args=args(contest, world)))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# -- appointing -----------------------------------------------------------------------------


def test_appointing_and_removing_are_audited(contest, officer, client_for):
    make_person("newcomer")
    c = client_for(officer)
    c.post(reverse("contest-people", args=[contest.slug]),
           {"action": "appoint", "username": "newcomer", "role": "deputy"})
    a = contest.appointments.get(user__username="newcomer")
    assert a.role == Role.DEPUTY
    c.post(reverse("contest-people", args=[contest.slug]),
           {"action": "remove", "appointment": a.pk})
    assert not contest.appointments.filter(user__username="newcomer").exists()
    log = [(e.action, e.detail) for e in contest.audit_log.all()]
    assert ("person appointed", {"user": "newcomer", "role": "Deputy returning officer"}) in log
    assert ("person removed", {"user": "newcomer", "role": "Deputy returning officer"}) in log


def test_the_last_returning_officer_cannot_be_removed(contest, officer):
    a = contest.appointments.get(user=officer)
    with pytest.raises(people.AppointmentError, match="a contest needs a returning officer"):
        people.remove(a, by=officer)


def test_an_unknown_username_is_named_on_the_page(contest, officer, client_for):
    response = client_for(officer).post(
        reverse("contest-people", args=[contest.slug]),
        {"action": "appoint", "username": "nobody", "role": "scrutineer"}, follow=True)
    assert ("no user &#x27;nobody&#x27;; expected the username of an existing account"
            in response.content.decode())


def test_an_appointed_nominator_nominates_for_their_body(contest, officer, client_for):
    user = make_person("clp-secretary")
    body = NominatingBody.objects.filter(contest=contest, kind="CLP").first()
    client_for(officer).post(reverse("contest-people", args=[contest.slug]),
                             {"action": "appoint", "username": "clp-secretary", "role": "nominator",
                              "body": body.pk})
    assert can(user, contest, Action.NOMINATE)
    r = client_for(user).post(reverse("nominate", args=[contest.slug]),
                              {"body": body.pk,
                               "candidate": contest.candidates.get(name="Ed Miliband").pk})
    assert r.status_code == 302
    assert Nomination.objects.get(body=body).candidate.name == "Ed Miliband"
    assert contest.audit_log.filter(action="person appointed", detail__body=body.name).exists()


def test_the_shared_factories_in_tests_conftest_give_the_same_personas(person, contest_factory):
    c = contest_factory(slug="shared", stage=Stage.NOMINATIONS_OPEN)
    ro = person("shared-ro", contest=c, role=Role.RETURNING_OFFICER)
    assert can(ro, c, Action.RUN) and not ro.is_staff


def test_a_removed_person_loses_their_rights_at_once(contest, officer):
    helper = make_person("helper", contest=contest, role=Role.DEPUTY)
    assert can(helper, contest, Action.RUN)
    people.remove(contest.appointments.get(user=helper), by=officer)
    assert not can(helper, contest, Action.RUN)  # the same user object: nothing cached


def test_officer_contest_is_the_one_call_for_the_voting_pages(rf, contest, officer, scrutineer,
                                                              other_officer):
    """What voting/officer.py is to call: GET needs VIEW, a POST needs RUN."""
    from hustings.web.contests.access import officer_contest

    def ask(user, method, action):
        request = getattr(rf, method)("/")
        request.user = user
        return officer_contest(request, contest.slug, action)

    assert ask(officer, "post", Action.RUN) == contest
    assert ask(scrutineer, "get", Action.VIEW) == contest
    with pytest.raises(PermissionDenied):
        ask(scrutineer, "post", Action.RUN)
    with pytest.raises(PermissionDenied):
        ask(other_officer, "get", Action.VIEW)


def test_a_removed_nominator_no_longer_acts_for_their_body(contest, officer):
    body = NominatingBody.objects.filter(contest=contest, kind="CLP").first()
    make_person("secretary")
    a = people.appoint(contest, "secretary", Role.NOMINATOR, by=officer, body=body)
    assert body.officers.filter(pk=a.user.pk).exists()
    people.remove(a, by=officer)
    assert not body.officers.filter(pk=a.user.pk).exists()
    assert not services.may_act_for(a.user, body)
