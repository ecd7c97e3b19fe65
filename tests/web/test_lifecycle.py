"""The contest lifecycle: every transition allowed and refused, the audit log append-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from hustings.web.contests.models import STAGES, AuditEntry, Contest, Stage
from hustings.web.errors import AuditLogError, TransitionError

from .web_factories import make_contest, nominate_directly

pytestmark = pytest.mark.django_db

FORWARD = [
    ("open_nominations", Stage.DRAFT, Stage.NOMINATIONS_OPEN),
    ("close_nominations", Stage.NOMINATIONS_OPEN, Stage.NOMINATIONS_CLOSED),
    ("open_ballot", Stage.NOMINATIONS_CLOSED, Stage.BALLOT_OPEN),
    ("close_ballot", Stage.BALLOT_OPEN, Stage.BALLOT_CLOSED),
    ("mark_counted", Stage.BALLOT_CLOSED, Stage.COUNTED),
    ("publish", Stage.COUNTED, Stage.PUBLISHED),
]


def at_stage(stage, returning_officer):
    """A contest at ``stage``; from "ballot closed" on, with two candidates on the ballot
    and, at "counted", a stored count (publishing is refused without one)."""
    if stage not in (Stage.BALLOT_CLOSED, Stage.COUNTED):
        return with_trustee(make_contest(stage=stage))
    contest = make_contest(stage=Stage.BALLOT_CLOSED)
    contest.candidates.filter(name__in=["Ed Balls", "Ed Miliband"]).update(on_ballot=True)
    if stage == Stage.COUNTED:
        contest.mark_counted(by=returning_officer)
    return contest


def with_trustee(contest):
    """The ballot opens only once trustees hold the key its ballots are sealed to (voting)."""
    from django.db import transaction

    from hustings.web.voting import trustees

    if contest.stage in trustees.BEFORE_THE_BALLOT:
        with transaction.atomic():
            trustees.name_trustees(contest, ["the returning officer"], 1)
    return contest


@pytest.mark.parametrize("method, start, end", FORWARD)
def test_each_step_moves_one_stage_and_is_logged(method, start, end, returning_officer):
    contest = at_stage(start, returning_officer)
    before = contest.audit_log.count()
    entry = getattr(contest, method)(by=returning_officer)
    contest.refresh_from_db()
    assert contest.stage == end
    assert (entry.from_stage, entry.to_stage, entry.actor, entry.actor_name) == (
        start,
        end,
        returning_officer,
        "ro",
    )
    assert contest.audit_log.count() == before + 1 and contest.audit_log.last() == entry


def test_recording_the_count_needs_candidates_on_the_ballot(returning_officer):
    contest = make_contest(stage=Stage.BALLOT_CLOSED)
    with pytest.raises(TransitionError) as e:
        contest.mark_counted(by=returning_officer)
    assert str(e.value) == "cannot record count: no candidate is on the ballot"
    contest.refresh_from_db()
    assert contest.stage == Stage.BALLOT_CLOSED and not contest.audit_log.exists()


# every (step, stage) pair but the step's own start, which the test above moves on
OTHER_STAGES = [(method, start, stage) for method, start, _ in FORWARD
                for stage in STAGES if stage != start]


def test_the_refused_cases_are_every_step_from_every_other_stage():
    assert len(OTHER_STAGES) == len(FORWARD) * (len(STAGES) - 1)


@pytest.mark.parametrize("method, start, stage", OTHER_STAGES)
def test_a_step_from_any_other_stage_is_refused(method, start, stage, returning_officer):
    contest = make_contest(stage=stage)
    with pytest.raises(TransitionError) as e:
        getattr(contest, method)(by=returning_officer)
    assert f"the contest is at {Stage(stage).label!r}" in str(e.value)
    assert f"that step is only allowed from {start.label!r}" in str(e.value)
    contest.refresh_from_db()
    assert contest.stage == stage
    assert not contest.audit_log.exists()


def test_the_whole_journey_in_order(returning_officer):
    contest = with_trustee(make_contest())
    nominate_directly(contest, "Ed Balls", "MP", 33)  # 33 of 257 is enough (12.5%)
    for method, _, _ in FORWARD:
        getattr(contest, method)(by=returning_officer)
    assert contest.stage == Stage.PUBLISHED
    assert contest.next_step() is None
    assert [e.action for e in contest.audit_log.all()] == [
        "open nominations",
        "close nominations",
        "open ballot",
        "close ballot",
        "record count",
        "publish result",
    ]


@pytest.mark.parametrize("method, start, end", FORWARD)
def test_only_a_returning_officer_may_move_a_contest(method, start, end, django_user_model):
    contest = make_contest(stage=start)
    staff_without_right = django_user_model.objects.create_user("clerk", is_staff=True)
    for who in (None, staff_without_right):
        with pytest.raises(PermissionDenied):
            getattr(contest, method)(by=who)
    contest.refresh_from_db()
    assert contest.stage == start


def test_going_back_needs_a_reason_and_records_it(returning_officer):
    contest = make_contest(stage=Stage.BALLOT_OPEN)
    for blank in ("", "   "):
        with pytest.raises(TransitionError, match="needs a reason; none given"):
            contest.go_back(Stage.NOMINATIONS_OPEN, by=returning_officer, reason=blank)
    entry = contest.go_back(
        Stage.NOMINATIONS_OPEN, by=returning_officer, reason="NEC extended the nomination period"
    )
    contest.refresh_from_db()
    assert contest.stage == Stage.NOMINATIONS_OPEN
    assert (entry.from_stage, entry.to_stage, entry.reason) == (
        Stage.BALLOT_OPEN,
        Stage.NOMINATIONS_OPEN,
        "NEC extended the nomination period",
    )


@pytest.mark.parametrize("to", [Stage.BALLOT_OPEN, Stage.PUBLISHED])
def test_going_back_cannot_go_forward_or_stay(to, returning_officer):
    contest = make_contest(stage=Stage.BALLOT_OPEN)
    with pytest.raises(TransitionError, match="it is not an earlier stage"):
        contest.go_back(to, by=returning_officer, reason="because")
    contest.refresh_from_db()
    assert contest.stage == Stage.BALLOT_OPEN


def test_going_back_needs_the_permission_too(nominating_mp):
    contest = make_contest(slug="other", stage=Stage.BALLOT_OPEN)
    with pytest.raises(PermissionDenied):
        contest.go_back(Stage.DRAFT, by=nominating_mp, reason="I would like to")


def test_closing_nominations_fixes_the_ballot_with_reasons(returning_officer):
    contest = make_contest(stage=Stage.NOMINATIONS_OPEN)
    nominate_directly(contest, "David Miliband", "MP", 81)
    nominate_directly(contest, "Ed Miliband", "MP", 63, start=81)
    nominate_directly(contest, "Ed Balls", "MP", 33, start=144)
    nominate_directly(contest, "Diane Abbott", "MP", 32, start=177)  # one short
    entry = contest.close_nominations(by=returning_officer)
    got = {
        c.name: (c.on_ballot, c.qualification, c.ballot_position) for c in contest.candidates.all()
    }
    clause = " (Labour Rule Book 2010, Chapter 4, Clause II.2.B)"
    assert got == {
        "Ed Balls": (True, "33 of 257 MPs = 12.84% ≥ 12.5%" + clause, 1),
        "David Miliband": (True, "81 of 257 MPs = 31.51% ≥ 12.5%" + clause, 2),
        "Ed Miliband": (True, "63 of 257 MPs = 24.51% ≥ 12.5%" + clause, 3),
        "Diane Abbott": (
            False,
            "32 of 257 MPs = 12.45% < 12.5%; 33 needed (exact rounding)" + clause,
            None,
        ),
        "Andy Burnham": (
            False,
            "0 of 257 MPs = 0% < 12.5%; 33 needed (exact rounding)" + clause,
            None,
        ),
    }
    assert entry.detail["ballot"]["Ed Balls"]["on_ballot"] is True
    assert [c.name for c in contest.ballot()] == ["Ed Balls", "David Miliband", "Ed Miliband"]


def test_a_candidate_who_did_not_accept_is_not_on_the_ballot(returning_officer):
    contest = make_contest(stage=Stage.NOMINATIONS_OPEN, accepted=False, candidates=("A B", "C D"))
    nominate_directly(contest, "A B", "MP", 40)
    contest.candidates.filter(name="C D").update(response="declined")
    contest.close_nominations(by=returning_officer)
    assert dict(contest.candidates.values_list("name", "on_ballot")) == {"A B": False, "C D": False}
    assert contest.candidates.get(name="A B").qualification.startswith("did not accept nomination")
    assert contest.candidates.get(name="C D").qualification.startswith("declined nomination")


def test_reopening_nominations_unfixes_the_ballot(returning_officer):
    contest = make_contest(stage=Stage.NOMINATIONS_OPEN)
    nominate_directly(contest, "Ed Balls", "MP", 33)
    contest.close_nominations(by=returning_officer)
    contest.go_back(
        Stage.NOMINATIONS_OPEN,
        by=returning_officer,
        reason="a late nomination was lost in the post",
    )
    assert set(contest.candidates.values_list("on_ballot", flat=True)) == {None}


def test_a_challenge_uses_the_challenge_threshold(returning_officer):
    contest = make_contest(stage=Stage.NOMINATIONS_OPEN, vacancy=False, candidates=("Owen Smith",))
    nominate_directly(contest, "Owen Smith", "MP", 51)
    contest.close_nominations(by=returning_officer)
    assert contest.candidates.get().qualification.startswith(
        "51 of 257 MPs = 19.84% < 20%; 52 needed"
    )


# -- the audit log is append-only -------------------------------------------------------


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm(returning_officer):
    contest = make_contest()
    entry = contest.open_nominations(by=returning_officer)
    entry.reason = "rewritten"
    with pytest.raises(AuditLogError, match=f"entry {entry.pk} cannot be changed"):
        entry.save()
    with pytest.raises(AuditLogError, match=f"entry {entry.pk} cannot be deleted"):
        entry.delete()
    with pytest.raises(AuditLogError, match="bulk update refused"):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AuditLogError, match="delete refused"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_a_contest_with_a_log_cannot_be_deleted(returning_officer):
    from django.db.models import ProtectedError

    contest = make_contest()
    contest.open_nominations(by=returning_officer)
    with pytest.raises(ProtectedError):
        contest.delete()


@pytest.mark.postgres
def test_postgres_trigger_refuses_raw_update_and_delete(returning_officer):
    contest = make_contest()
    entry = contest.open_nominations(by=returning_officer)
    for sql in (
        "UPDATE contests_auditentry SET reason = 'x' WHERE id = %s",
        "DELETE FROM contests_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="the audit log is append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


@pytest.mark.postgres
def test_two_officers_closing_at_once_close_once(returning_officer):
    """Both press "close nominations": the row lock lets one through; the other is refused."""
    import threading

    contest = make_contest(stage=Stage.NOMINATIONS_OPEN)
    barrier = threading.Barrier(2)
    outcomes = []

    def press():
        try:
            c = Contest.objects.get(pk=contest.pk)
            barrier.wait()
            c.close_nominations(by=returning_officer)
            outcomes.append("closed")
        except TransitionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["closed", "refused"]
    assert contest.audit_log.filter(action="close nominations").count() == 1
