"""Setting a contest up on the site: the first officer from the command line, a contest
from a preset or an uploaded election.toml, candidates, the roll of nominators from CSV,
the dates; every change audited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from hustings.web.contests import setup
from hustings.web.contests.access import Action, can, can_create_contest
from hustings.web.contests.models import Contest, Role, Stage
from hustings.web.nominations.models import NominatingBody

from .web_factories import make_person

pytestmark = pytest.mark.django_db


# -- hustings createofficer -----------------------------------------------------------------


def test_createofficer_makes_a_staffless_account_that_may_create_contests(monkeypatch,
                                                                          django_user_model):
    monkeypatch.setenv("HUSTINGS_OFFICER_PASSWORD", "a long unguessable passphrase 2026")
    call_command("createofficer", "alice", "--email", "alice@example.org")
    alice = django_user_model.objects.get(username="alice")
    assert not alice.is_staff and not alice.is_superuser
    assert alice.check_password("a long unguessable passphrase 2026")
    assert can_create_contest(alice)
    assert not alice.has_perm("contests.run_contest")  # runs only the contests she is appointed to


def test_createofficer_refuses_a_weak_password_and_a_taken_name(monkeypatch, django_user_model):
    monkeypatch.setenv("HUSTINGS_OFFICER_PASSWORD", "password")
    with pytest.raises(CommandError, match="password refused: .*too common"):
        call_command("createofficer", "bob")
    assert not django_user_model.objects.filter(username="bob").exists()
    make_person("carol")
    with pytest.raises(CommandError, match="user 'carol' already exists; expected a new username"):
        call_command("createofficer", "carol")
    call_command("createofficer", "carol", "--existing")
    assert can_create_contest(django_user_model.objects.get(username="carol"))


# -- a new contest --------------------------------------------------------------------------


@pytest.fixture
def creator(db):
    return make_person("creator", can_create=True)


def new(client, **data):
    base = {"title": "Leader 2026", "slug": "", "office": "leader", "seats": "1", "vacancy": "on",
            "preset": "labour-2015"}
    return client.post(reverse("contest-new"), {**base, **data})


def test_a_new_contest_from_a_preset_makes_its_creator_returning_officer(creator, client_for):
    response = new(client_for(creator))
    contest = Contest.objects.get(slug="leader-2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("contest-setup", args=[contest.slug])
    assert contest.stage == Stage.DRAFT and contest.rule_book_preset == "labour-2015"
    appointed = contest.appointments.values_list("user__username", "role")
    assert list(appointed) == [("creator", Role.RETURNING_OFFICER)]
    assert [e.action for e in contest.audit_log.all()] == ["contest created", "person appointed"]
    page = client_for(creator).get(reverse("contest-setup", args=[contest.slug])).content.decode()
    assert "All voters" in page  # the sections come from the rule book


def test_an_uploaded_election_toml_gives_the_sections(creator, client_for):
    toml = (
        '[count]\nmethod = "irv"\n\n[[sections]]\nname = "Members"\nweight = "1/2"\n\n'
        '[[sections]]\nname = "Supporters"\nweight = "1/2"\n\n'
        '[nominations]\nbody_types = ["MP", "CLP"]\n\n[nominations.vacancy]\nlabel = "10% of MPs"\n'
        'bodies = ["MP"]\nshare = "10%"\n'
    )
    upload = SimpleUploadedFile("election.toml", toml.encode())
    new(client_for(creator), preset="", rule_book_file=upload)
    contest = Contest.objects.get(slug="leader-2026")
    assert contest.rule_book == toml
    summary = setup.rule_book_summary(contest)
    assert summary["sections"] == [("Members", "1/2"), ("Supporters", "1/2")]
    assert summary["body_types"] == ["MP", "CLP"]


def test_a_bad_election_toml_is_refused_with_its_line(creator, client_for):
    upload = SimpleUploadedFile("mine.toml", b'[count]\nmethod = "irv"\nseats = \n')
    response = new(client_for(creator), rule_book_file=upload)
    assert response.status_code == 400
    page = response.content.decode()
    assert "mine.toml:3: " in page and "expected valid TOML" in page
    assert not Contest.objects.exists()


def test_an_election_toml_without_nomination_rules_is_refused(creator, client_for):
    upload = SimpleUploadedFile("election.toml", b'[count]\nmethod = "irv"\n')
    response = new(client_for(creator), rule_book_file=upload)
    assert "election.toml: no [nominations] table" in response.content.decode()
    assert not Contest.objects.exists()


def test_a_taken_short_name_is_refused(creator, client_for, contest):
    response = new(client_for(creator), slug=contest.slug)
    assert f"short name &#x27;{contest.slug}&#x27; is taken" in response.content.decode()


@pytest.mark.parametrize("persona, status", [("officer", 200), ("other_officer", 200),
                                             ("nominating_mp", 403), ("scrutineer", 403)])
def test_only_accounts_that_may_create_contests_see_the_form(persona, status, request, client_for):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("contest-new")).status_code == status


def test_the_new_contest_page_sends_visitors_to_log_in(public_visitor):
    assert public_visitor.get(reverse("contest-new"))["Location"].startswith(reverse("login"))


# -- candidates, dates ----------------------------------------------------------------------


def test_candidates_are_added_renamed_and_withdrawn_until_the_ballot_is_fixed(contest, officer):
    c = setup.add_candidate(contest, "  Yvette   Cooper ", by=officer)
    assert (c.name, c.slug) == ("Yvette Cooper", "yvette-cooper")
    setup.rename_candidate(c, "Yvette Cooper MP", by=officer)
    setup.withdraw_candidate(c, by=officer)
    c.refresh_from_db()
    assert c.response == "declined"
    with pytest.raises(setup.SetupError, match="Ed Balls is already a candidate"):
        setup.add_candidate(contest, "ed balls", by=officer)
    log = [(e.action, e.detail) for e in contest.audit_log.all()]
    assert log == [("candidate added", {"candidate": "Yvette Cooper"}),
                   ("candidate renamed", {"candidate": "Yvette Cooper MP", "was": "Yvette Cooper"}),
                   ("candidate withdrawn", {"candidate": "Yvette Cooper MP"})]
    Contest.objects.filter(pk=contest.pk).update(stage=Stage.NOMINATIONS_CLOSED)
    with pytest.raises(setup.SetupError, match="the ballot is fixed"):
        setup.add_candidate(contest, "Late Entrant", by=officer)


def test_dates_out_of_order_are_refused(contest, officer, client_for):
    response = client_for(officer).post(
        reverse("setup-dates", args=[contest.slug]),
        {"nominations_open_on": "2026-06-10T09:00", "nominations_close_on": "2026-06-01T17:00"},
        follow=True)
    assert ("nominations close on (01 Jun 2026 17:00) is before nominations open on"
            in response.content.decode())
    contest.refresh_from_db()
    assert contest.nominations_open_on is None


# -- the roll of nominators from CSV -----------------------------------------------------------


def test_bodies_are_imported_from_csv(contest, officer):
    from hustings.web.nominations.bodyimport import import_bodies

    created = import_bodies(contest, 'kind,name,membership\nMP,Jon Cruddas,\nunion,GMB,"600,000"\n',
                            by=officer)
    assert [(b.kind, b.name, b.affiliated_membership) for b in created] == [
        ("MP", "Jon Cruddas", None), ("TU", "GMB", 600000)]
    entry = contest.audit_log.get(action="nominating bodies imported")
    assert entry.detail == {"count": 2, "by_kind": {"MP": 1, "TU": 1}}


def test_a_bad_bodies_csv_names_every_bad_line_and_imports_nothing(contest, officer, client_for):
    text = ("kind,name,membership\n"
            "MP,Fine Name,\n"
            "XX,Someone,\n"
            "CLP,,\n"
            "TU,Unite,many\n"          # Unite is on the roll already (the contest fixture)
            "MP,Fine Name,\n")
    before = NominatingBody.objects.filter(contest=contest).count()
    response = client_for(officer).post(reverse("setup-bodies", args=[contest.slug]),
                                        {"file": SimpleUploadedFile("b.csv", text.encode())})
    page = response.content.decode()
    assert response.status_code == 400
    for line in ["line 3: kind &#x27;XX&#x27; is not a body type of this rule book; "
                 "expected one of MP, CLP, MEP, TU, SS",
                 "line 4: name is empty; expected a value",
                 "line 5: membership &#x27;many&#x27; is not a whole number",
                 "line 5: TU &#x27;Unite&#x27; is already on the roll",
                 "line 6: MP &#x27;Fine Name&#x27; is already on the roll"]:
        assert line in page, line
    assert NominatingBody.objects.filter(contest=contest).count() == before


def test_a_bodies_csv_with_a_wrong_header_says_which_columns(contest, officer):
    from hustings.web.nominations.bodyimport import import_bodies

    with pytest.raises(setup.SetupError,
                       match="line 1: missing column.s. kind; unknown column.s. type"):
        import_bodies(contest, "type,name\nMP,X\n", by=officer)


def test_the_set_up_page_shows_each_step(contest, officer, client_for):
    page = client_for(officer).get(reverse("contest-setup", args=[contest.slug])).content.decode()
    for text in ["Rule book: labour-2010", "MPs and MEPs", "Members", "Affiliates",
                 "Import nominating bodies from CSV", "Add a candidate", "Save dates"]:
        assert text in page, text
    assert can(officer, contest, Action.APPOINT)


def test_an_election_toml_that_only_names_a_preset_is_refused(creator, client_for):
    upload = SimpleUploadedFile("election.toml",
                                b'preset = "labour-2010"\n[contest]\ntitle = "X"\n')
    page = new(client_for(creator), rule_book_file=upload).content.decode()
    assert "election.toml: preset: the site keeps a whole rule book" in page
    assert not Contest.objects.exists()


def test_every_packaged_preset_passes_the_upload_check():
    from hustings.rulebook import preset_names, preset_text

    for name in preset_names():
        assert setup.check_rule_book(preset_text(name), f"{name}.toml")["sections"]


def test_dates_in_order_are_saved_audited_and_shown_on_the_contest_page(contest, officer,
                                                                        client_for):
    c = client_for(officer)
    c.post(reverse("setup-dates", args=[contest.slug]),
           {"nominations_open_on": "2026-06-01T09:00", "nominations_close_on": "2026-06-10T17:00",
            "ballot_open_on": "", "ballot_close_on": "2026-07-20T12:00"})
    contest.refresh_from_db()
    assert contest.nominations_close_on.isoformat() == "2026-06-10T16:00:00+00:00"  # 17:00 BST
    assert contest.ballot_open_on is None
    entry = contest.audit_log.get(action="dates set")
    assert entry.detail["ballot_close_on"].startswith("2026-07-20T12:00")
    page = " ".join(c.get(reverse("contest-detail", args=[contest.slug])).content.decode().split())
    assert "Nominations close</dt><dd>10 June 2026, 17:00" in page
    assert "Ballot opens" not in page


def test_a_linked_candidate_answers_for_themselves(contest, officer, client_for):
    cooper = make_person("ycooper")
    c = client_for(officer)
    cand = contest.candidates.get(name="Ed Balls")
    c.post(reverse("setup-candidates", args=[contest.slug]),
           {"action": "account", "candidate": cand.pk, "username": "ycooper"})
    cand.refresh_from_db()
    assert cand.user == cooper
    page = client_for(cooper).get(
        reverse("respond", args=[contest.slug, cand.slug])).content.decode()
    assert "I accept nomination" in page
    r = c.post(reverse("setup-candidates", args=[contest.slug]),
               {"action": "account", "candidate": cand.pk, "username": "nobody"}, follow=True)
    assert ("no user &#x27;nobody&#x27;; expected the username of the candidate&#x27;s account"
            in r.content.decode())
    assert contest.audit_log.filter(action="candidate account linked",
                                    detail__user="ycooper").exists()
