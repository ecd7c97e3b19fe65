"""Election presets (presets/elections/*.toml) read into typed data, with every problem
reported as file:line; the 2015 election made from its preset in one transaction, on the
site's path for contests and from ``hustings election create``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied

from hustings.cli import main
from hustings.web.contests import election_presets as presets
from hustings.web.contests.election_presets import parse_preset
from hustings.web.contests.elections import Election
from hustings.web.contests.models import AuditEntry, Contest, Office, Role
from hustings.web.contests.setup_election import create_election
from hustings.web.errors import SetupError

from .web_factories import make_person

GOOD = """\
[election]
title = "Test election"

[[contests]]
key = "leader"
title = "Leader"
office = "leader"
rule_book = "labour-2015"

[[contests]]
key = "london"
title = "Mayor"
office = "mayor"
rule_book = "labour-2015"
eligibility = "london"
optional = true
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(SetupError) as e:
        parse_preset(text, source="x.toml")
    return e.value.errors


# -- parsing (no database) ------------------------------------------------------------------


def test_the_2015_preset_reads_as_leader_deputy_and_an_optional_london_contest():
    p = presets.load_preset("labour-2015")
    assert [(c.key, c.office, c.rule_book, c.eligibility, c.optional) for c in p.contests] == [
        ("leader", "leader", "labour-2015", "", False),
        ("deputy", "deputy", "labour-2015", "", False),
        ("london", "mayor", "labour-2015", "london", True),
    ]
    assert [c.key for c in p.chosen()] == ["leader", "deputy"]
    assert [c.key for c in p.chosen(["london"])] == ["leader", "deputy", "london"]
    assert presets.election_preset_names() == ["labour-2015"]


def test_the_parser_knows_every_office_the_model_does():
    assert set(presets.OFFICES) == set(Office.values)


def test_a_good_preset_gives_frozen_plans_in_ballot_order():
    p = parse_preset(GOOD.replace('key = "leader"', 'key = "leader"\nballot_order = 5'),
                     source="x.toml")
    assert [c.key for c in p.contests] == ["london", "leader"]  # london at 1 (its position)
    with pytest.raises(AttributeError):
        p.contests[0].key = "other"  # type: ignore[misc]


def test_each_bad_value_is_reported_with_its_line():
    text = GOOD.replace('office = "leader"', 'office = "king"').replace(
        'rule_book = "labour-2015"\neligibility', 'rule_book = "labour-2099"\neligibility'
    ).replace('eligibility = "london"', 'eligibility = "London Voters"')
    assert errors_of(text) == [
        "x.toml:7: contest 1: office 'king'; expected one of leader, deputy, mayor, body",
        "x.toml:14: contest 2: rule book 'labour-2099' is not a preset; expected one of "
        "labour-2010, labour-2015, labour-2020",
        "x.toml:15: contest 2: eligibility 'London Voters'; expected a roll mark in lower case "
        "(letters, digits, - or _; e.g. \"london\"), or \"\" for every voter",
    ]


def test_unknown_and_missing_keys_and_repeats():
    text = GOOD.replace('title = "Leader"\n', 'titel = "Leader"\n')
    assert errors_of(text) == [
        "x.toml:6: contest 1: unknown key 'titel'; expected key, title, office, seats, "
        "rule_book, ballot_order, eligibility, optional",
        "x.toml:4: contest 1: no title; expected title = ...",
    ]
    twice = GOOD.replace('key = "london"', 'key = "leader"').replace("optional = true",
                                                                      "ballot_order = 0")
    assert errors_of(twice) == [
        "x.toml:10: contest key 'leader' is also the key of the contest at line 4; "
        "expected a key of its own for each contest",
        "x.toml:10: ballot_order 0 is also that of the contest at line 4; expected one place "
        "on the ballot per contest",
    ]


def test_broken_toml_and_no_contests():
    assert errors_of('[election]\ntitle = "x"\nseats = = 1\n') == [
        "x.toml:3: invalid value; expected valid TOML"]
    assert errors_of('[election]\ntitle = "x"\n') == [
        "x.toml:1: no [[contests]] tables; expected one [[contests]] table per contest, "
        "at least one"]


def test_asking_for_an_optional_contest_the_preset_lacks():
    with pytest.raises(SetupError, match="no optional contest 'scotland'; expected one of london"):
        presets.load_preset("labour-2015").chosen(["scotland"])
    with pytest.raises(SetupError, match="no election preset named 'labour-1994'; expected one "
                                         "of labour-2015"):
        presets.load_preset("labour-1994")


# -- creating the election ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_2015_election_is_made_with_its_contests_and_officer():
    alice = make_person("alice", can_create=True)
    election = create_election(by=alice, preset="labour-2015", slug="labour-2015",
                               include=["london"])
    assert election.title == "Labour Party leadership and deputy leadership elections 2015"
    contests = list(election.ordered_contests())
    assert [(c.slug, c.office, c.eligibility, c.ballot_order, c.rule_book_preset)
            for c in contests] == [
        ("labour-2015-leader", "leader", "", 0, "labour-2015"),
        ("labour-2015-deputy", "deputy", "", 1, "labour-2015"),
        ("labour-2015-london", "mayor", "london", 2, "labour-2015"),
    ]
    for c in contests:
        assert c.stage == "draft" and "[nominations]" in c.rule_book
        appointment = c.appointments.get()
        assert appointment.user == alice and appointment.role == Role.RETURNING_OFFICER
        entry = AuditEntry.objects.get(contest=c, action="contest created")
        assert entry.detail["election"] == "labour-2015"
    assert AuditEntry.objects.get(contest=contests[2], action="contest created"
                                  ).detail["eligibility"] == "london"


@pytest.mark.django_db
def test_all_or_nothing_and_only_for_an_officer():
    alice = make_person("alice", can_create=True)
    Contest.objects.create(slug="lab-deputy", title="in the way")
    with pytest.raises(SetupError, match="'lab-deputy' is taken by a contest"):
        create_election(by=alice, preset="labour-2015", slug="lab")
    assert not Election.objects.filter(slug="lab").exists()
    assert not Contest.objects.filter(slug="lab-leader").exists()
    with pytest.raises(PermissionDenied, match="needs an officer's account"):
        create_election(by=make_person("bob"), preset="labour-2015", slug="lab2")
    assert not Election.objects.filter(slug="lab2").exists()


@pytest.mark.django_db
def test_cli_creates_the_election_and_refuses_in_one_line():
    make_person("alice", can_create=True)
    r = CliRunner().invoke(main, ["election", "create", "--preset", "labour-2015", "--slug",
                                  "lab15", "--officer", "alice", "--with-london",
                                  "--title", "Labour 2015"])
    assert r.exit_code == 0, r.output
    assert "Created the election 'lab15': Labour 2015" in r.output
    assert "2. lab15-london: Labour candidate for Mayor of London (labour-2015; voters marked " \
           "'london')" in r.output
    again = CliRunner().invoke(main, ["election", "create", "--preset", "labour-2015", "--slug",
                                      "lab15", "--officer", "alice"])
    assert again.exit_code == 2
    assert "Error: an election is already called 'lab15'; expected a new short name" in again.output
    nobody = CliRunner().invoke(main, ["election", "create", "--preset", "labour-2015",
                                       "--slug", "x", "--officer", "zed"])
    assert nobody.exit_code == 2 and "no account 'zed'" in nobody.output
    assert "Example:" in CliRunner().invoke(main, ["election", "create", "--help"]).output
    listed = CliRunner().invoke(main, ["election", "presets"])
    assert "london: Labour candidate for Mayor of London, labour-2015, voters marked 'london' " \
           "(optional: --with london)" in listed.output


# -- the site's page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_officer_sets_up_the_election_on_the_site(client_for):
    alice = make_person("alice", can_create=True)
    client = client_for(alice)
    page = client.get("/new-election/").content.decode()
    assert "labour-2015: Labour Party leadership and deputy leadership elections 2015" in page
    assert "Labour candidate for Mayor of London (for voters marked london)" in page
    r = client.post("/new-election/", {"preset": "labour-2015", "slug": "lab26",
                                       "title": "Leader and deputy 2026", "include": ["london"]})
    assert r.status_code == 302 and r["Location"] == "/elections/lab26/"
    election = Election.objects.get(slug="lab26")
    assert election.title == "Leader and deputy 2026" and election.contests.count() == 3
    again = client.post("/new-election/", {"preset": "labour-2015", "slug": "lab26"})
    assert again.status_code == 400
    assert "an election is already called &#x27;lab26&#x27;" in again.content.decode()
    assert "Set up an election of several contests" in client.get("/").content.decode()


@pytest.mark.django_db
def test_only_an_officer_account_may_set_up_an_election(client_for, public_visitor):
    member = make_person("member")
    assert client_for(member).get("/new-election/").status_code == 403
    r = client_for(member).post("/new-election/", {"preset": "labour-2015", "slug": "x1"})
    assert r.status_code == 403 and not Election.objects.filter(slug="x1").exists()
    r = public_visitor.post("/new-election/", {"preset": "labour-2015", "slug": "x2"})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert not Election.objects.filter(slug="x2").exists()
