"""On PostgreSQL: two officers pressing "record the count" at once (the stage button and
the voting page, say) count once. The count runs under the contest row lock, so the
second waits, then is refused by the stage check; nothing is written twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from conftest import open_box
from hustings.web.contests.models import Contest
from hustings.web.errors import TransitionError
from hustings.web.voting import casting, ledger
from hustings.web.voting.models import LedgerEntry, PublishedFile

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_officers_counting_at_once_count_once(omov, omov_codes, officer, second_officer):
    for ref in ("L001", "L002", "L003"):
        voter = casting.check_code(omov, omov_codes[ref]).voter
        casting.cast(omov, voter, "All voters", ["Liz Kendall"])
    omov.close_ballot(by=officer)
    open_box(omov)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(who):
        try:
            contest = Contest.objects.get(pk=omov.pk)
            barrier.wait()
            contest.mark_counted(by=who)
            outcomes.append("counted")
        except TransitionError as e:
            outcomes.append(str(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(u,)) for u in (officer, second_officer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [
        "cannot record count: the contest is at 'Counted'; "
        "that step is only allowed from 'Ballot closed'",
        "counted",
    ]
    assert LedgerEntry.objects.filter(contest=omov, kind="counted").count() == 1
    assert PublishedFile.objects.filter(contest=omov).count() == 5
    assert omov.audit_log.filter(action="record count").count() == 1
    ledger.verify(omov)
