"""Migrations contests 0004 and voting 0008 (the roll belongs to the election), forwards
and backwards, on SQLite and on PostgreSQL: each contest gets an election of its own slug
and title, its voters move to it, and going back returns them to their contest."""

from __future__ import annotations

import pytest
from test_migration_sealed import latest, migrate  # the same steps through the migrations

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("voting", "0007_national_scale"), ("contests", "0003_people_and_timetable")]
AFTER = [("voting", "0008_election_roll")]


def test_each_contest_gets_an_election_and_its_voters_move_there_and_back():
    old = migrate(BEFORE)
    try:
        Contest, Voter = old.get_model("contests", "Contest"), old.get_model("voting", "Voter")
        a = Contest.objects.create(slug="leader-old", title="Leader (old)")
        b = Contest.objects.create(slug="deputy-old", title="Deputy (old)")
        Voter.objects.create(contest=a, reference="A1", name="A", sections=["Members"])
        Voter.objects.create(contest=b, reference="A1", name="A", sections=["Members"])
        Voter.objects.create(contest=b, reference="B2", name="B", sections=["Members"])

        new = migrate(AFTER)
        Election = new.get_model("contests", "Election")
        Contest, Voter = new.get_model("contests", "Contest"), new.get_model("voting", "Voter")
        elections = {e.slug: e for e in Election.objects.all()}
        assert {"leader-old", "deputy-old"} <= set(elections)
        assert elections["deputy-old"].title == "Deputy (old)"
        assert Contest.objects.get(slug="deputy-old").election_id == elections["deputy-old"].pk
        assert sorted(Voter.objects.filter(election=elections["deputy-old"])
                      .values_list("reference", flat=True)) == ["A1", "B2"]
        assert list(Voter.objects.filter(election=elections["leader-old"])
                    .values_list("reference", "marks")) == [("A1", [])]

        back = migrate(BEFORE)
        Contest, Voter = back.get_model("contests", "Contest"), back.get_model("voting", "Voter")
        assert sorted(Voter.objects.filter(contest__slug="deputy-old")
                      .values_list("reference", flat=True)) == ["A1", "B2"]
        assert Voter.objects.filter(contest__slug="leader-old").count() == 1
    finally:
        migrate(latest())
