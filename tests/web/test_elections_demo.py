"""The demo's 2015-style election beside the 2010 contest: three contests from the
labour-2015 preset, the leadership's published MP nominations, one synthetic roll with
london marks, the ballot open, one code per voter for every contest open to them, and
each box opened by the demo's share of its own to count."""

from __future__ import annotations

import pytest

from hustings.web import demo
from hustings.web.contests.elections import Election
from hustings.web.contests.models import Contest
from hustings.web.voting import casting, console
from hustings.web.voting import demo as voting_demo
from hustings.web.voting.models import Credential, Voter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_share_in_tmp(settings, tmp_path):
    settings.HUSTINGS_DEMO_SHARE_FILE = str(tmp_path / "demo-trustee-share.txt")
    settings.HUSTINGS_CONTEST_CACHE_SECONDS = 0  # stages move between requests here
    # as in `hustings demo`: no worker, tasks (the count's job) run at once
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "mail"]}}


def test_the_2015_election_is_loaded_beside_the_2010_contest():
    contest_2010 = demo.load_demo()
    assert contest_2010.slug == "labour-leader-2010" and contest_2010.stage == "nominations_open"
    election = Election.objects.get(slug="labour-2015")
    contests = list(election.ordered_contests())
    assert [(c.slug, c.eligibility, c.stage) for c in contests] == [
        ("labour-2015-leader", "", "ballot_open"),
        ("labour-2015-deputy", "", "ballot_open"),
        ("labour-2015-london", "london", "ballot_open"),
    ]
    # the leadership's ballot is fixed by the rule book from the published nominations
    leader = contests[0]
    assert [c.name for c in leader.ballot()] == ["Andy Burnham", "Yvette Cooper",
                                                 "Jeremy Corbyn", "Liz Kendall"]
    corbyn = leader.candidates.get(name="Jeremy Corbyn")
    assert corbyn.nominations.count() == 36 and corbyn.qualification.startswith(
        "36 of 232 MPs = 15.51% ≥ 15%")
    assert "published" in leader.notes and "placeholders" in contests[1].notes
    assert [e.eligible for e in console.election_contests(leader)] == [30, 30, 10]
    # the 2010 contest's roll is its own election's
    assert Voter.objects.filter(election=contest_2010.election).count() == 24
    again = demo.load_demo()
    assert again == contest_2010 and Contest.objects.count() == 4
    assert Voter.objects.filter(election=election).count() == 30


def test_one_demo_code_votes_in_every_contest_open_to_its_voter(settings):
    demo.load_demo()
    reference, code = demo.demo_code_2015()
    assert reference == "DEMO15-001"
    london_voter = Voter.objects.get(reference=reference)
    assert london_voter.marks == ["london"] and london_voter.email == ""
    for contest in Election.objects.get(slug="labour-2015").ordered_contests():
        assert casting.check_code(contest, code).voter == london_voter
        assert casting.ballot_sections(contest, london_voter) == ["All voters"]
    elsewhere = Voter.objects.get(reference="DEMO15-002")
    assert elsewhere.marks == []
    assert casting.ballot_sections(Contest.objects.get(slug="labour-2015-london"), elsewhere) == []
    assert casting.ballot_sections(Contest.objects.get(slug="labour-2015-deputy"),
                                   elsewhere) == ["All voters"]
    assert Credential.objects.filter(voter__election__slug="labour-2015").count() == 30


def test_each_contest_has_its_own_demo_share_and_counts_with_it(client, tmp_path):
    demo.load_demo()
    leader = Contest.objects.get(slug="labour-2015-leader")
    deputy = Contest.objects.get(slug="labour-2015-deputy")
    own = tmp_path / "demo-trustee-share-labour-2015-leader.txt"
    assert voting_demo.demo_share(leader) == own and own.stat().st_mode & 0o077 == 0
    assert voting_demo.demo_share(deputy) != own
    voter = Voter.objects.get(reference="DEMO15-002")
    casting.cast(leader, voter, "All voters", ["Jeremy Corbyn", "Andy Burnham"])
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=demo.STAFF_USERNAME))
    r = client.post(f"/contests/{leader.slug}/voting/", {"action": "close"}, follow=True)
    assert r.status_code == 200
    assert "The ballot is closed and counted." in [m.message for m in r.context["messages"]]
    leader.refresh_from_db()
    deputy.refresh_from_db()
    assert leader.stage == "counted" and deputy.stage == "ballot_open"  # counted on its own


def test_reset_deletes_every_demo_share(tmp_path):
    from hustings.cli.web import _reset_demo

    for name in ("hustings.sqlite3", "demo-trustee-share.txt",
                 "demo-trustee-share-labour-2015-leader.txt", "keep-me.txt"):
        (tmp_path / name).write_text("x")
    _reset_demo(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep-me.txt"]
