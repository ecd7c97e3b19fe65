"""The lifecycle's follow-ups (``contests.followups``): registered by the apps that own the
work, and never skipped: a step whose follow-up is missing is refused and writes nothing."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from hustings.web.contests import followups
from hustings.web.contests.models import Stage
from hustings.web.nominations import services
from hustings.web.voting import closing

from .test_lifecycle import at_stage

pytestmark = pytest.mark.django_db


def test_voting_and_nominations_are_installed_and_register_their_work():
    assert apps.is_installed("hustings.web.voting")
    assert apps.is_installed("hustings.web.nominations")
    assert followups.voting() == followups.VotingFollowups(
        opened=closing.opened, seal=closing.seal, count_and_store=closing.count_and_store,
        publish_files=closing.publish_files, going_back=closing.going_back)
    assert followups.nominations() == followups.NominationFollowups(
        fix_ballot=services.fix_ballot, unfix_ballot=services.unfix_ballot)


def test_closing_the_ballot_without_the_voting_follow_ups_is_refused(
        monkeypatch, returning_officer):
    contest = at_stage(Stage.BALLOT_OPEN, returning_officer)
    monkeypatch.setattr(followups, "_voting", None)
    with pytest.raises(ImproperlyConfigured, match="^the contest lifecycle needs the voting "
                       r"app's follow-ups \(ledger, seal, count\)"):
        contest.close_ballot(by=returning_officer)
    contest.refresh_from_db()
    assert contest.stage == Stage.BALLOT_OPEN and not contest.audit_log.exists()


def test_closing_nominations_without_the_nominations_follow_ups_is_refused(
        monkeypatch, returning_officer):
    contest = at_stage(Stage.NOMINATIONS_OPEN, returning_officer)
    monkeypatch.setattr(followups, "_nominations", None)
    with pytest.raises(ImproperlyConfigured, match="fixing the ballot"):
        contest.close_nominations(by=returning_officer)
    contest.refresh_from_db()
    assert contest.stage == Stage.NOMINATIONS_OPEN


def test_the_close_runs_the_registered_seal(monkeypatch, returning_officer):
    contest = at_stage(Stage.BALLOT_OPEN, returning_officer)
    sealed = []
    registered = followups.voting()
    monkeypatch.setattr(followups, "_voting", followups.VotingFollowups(
        opened=registered.opened, seal=lambda c: sealed.append(c.pk) or {"sealed": True},
        count_and_store=registered.count_and_store, publish_files=registered.publish_files,
        going_back=registered.going_back))
    entry = contest.close_ballot(by=returning_officer)
    assert sealed == [contest.pk] and entry.detail == {"sealed": True}
