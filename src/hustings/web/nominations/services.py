"""Making, withdrawing and counting nominations; fixing the ballot when they close.

The threshold arithmetic is in ``hustings.rulebook`` (pure, exact fractions); this module
only gathers the numbers from the database and records the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from hustings.rulebook import BodyType, Tally, assess
from hustings.web.contests.models import AuditEntry, Candidate, CandidateResponse, Contest, Stage
from hustings.web.errors import NominationError
from hustings.web.nominations.models import NominatingBody, Nomination


def may_act_for(user, body: NominatingBody) -> bool:
    """The body's own officers (the MP, the union's officer) and the officers of the
    body's contest (``Action.EDIT``: a paper nomination, a withdrawal by letter)."""
    from hustings.web.contests.access import Action, can

    if user is None or not user.is_authenticated:
        return False
    return body.officers.filter(pk=user.pk).exists() or can(user, body.contest, Action.EDIT)


def nominate(body: NominatingBody, candidate: Candidate, *, by) -> Nomination:
    """Record ``body``'s nomination of ``candidate``; one live nomination per body."""
    if not may_act_for(by, body):
        raise PermissionDenied(f"{by} may not nominate for {body.name}")
    if candidate.contest_id != body.contest_id:
        raise NominationError(
            f"{candidate.name} is not a candidate in the contest {body.name} nominates in"
        )
    try:
        with transaction.atomic():
            # Lock the contest row: nominations cannot close under a nomination being made.
            contest = Contest.objects.select_for_update().get(pk=body.contest_id)
            if contest.stage != Stage.NOMINATIONS_OPEN:
                raise NominationError(
                    f"{body.name} cannot nominate: nominations are "
                    f"{Stage(contest.stage).label.lower()}"
                    " (expected: nominations open)"
                )
            if candidate.response == CandidateResponse.DECLINED:
                raise NominationError(f"{candidate.name} has declined nomination")
            existing = Nomination.objects.filter(body=body, withdrawn_at__isnull=True).first()
            if existing is not None:
                raise NominationError(
                    f"{body.name} has already nominated {existing.candidate.name}; "
                    "withdraw that nomination first"
                )
            nomination = Nomination.objects.create(body=body, candidate=candidate, made_by=by)
            AuditEntry.record(contest, by, "nomination made", detail={
                "body": body.name, "kind": body.kind, "candidate": candidate.name})
            return nomination
    except IntegrityError:
        # Another request for the same body won the race between our check and insert.
        raise NominationError(
            f"{body.name} has already nominated a candidate; one nomination per body"
        ) from None


def withdraw(nomination: Nomination, *, by) -> None:
    """Withdraw a live nomination while nominations are open."""
    body = nomination.body
    if not may_act_for(by, body):
        raise PermissionDenied(f"{by} may not withdraw {body.name}'s nomination")
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=body.contest_id)
        if contest.stage != Stage.NOMINATIONS_OPEN:
            raise NominationError(
                f"{body.name}'s nomination cannot be withdrawn: nominations are "
                f"{Stage(contest.stage).label.lower()}"
            )
        updated = Nomination.objects.filter(pk=nomination.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        if not updated:
            raise NominationError(f"{body.name}'s nomination was already withdrawn")
        AuditEntry.record(contest, by, "nomination withdrawn", detail={
            "body": body.name, "kind": body.kind, "candidate": nomination.candidate.name})


# -- the public table ----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    counts: tuple[int, ...]  # in the order of NominationsTable.columns
    candidate: Candidate | None = None


@dataclass(frozen=True)
class NominationsTable:
    """ "So far candidates have the following support": one row per candidate, then
    "Yet to declare" (eligible bodies with no live nomination), then the eligible totals."""

    columns: tuple[BodyType, ...]
    rows: tuple[Row, ...]
    yet_to_declare: Row
    eligible: Row


def _live(contest: Contest):
    return Nomination.objects.filter(body__contest=contest, withdrawn_at__isnull=True)


def nominations_table(contest: Contest) -> NominationsTable:
    columns = contest.nomination_rules().body_types
    counts: dict[tuple[int, str], int] = {
        (r["candidate_id"], r["body__kind"]): r["n"]
        for r in _live(contest).values("candidate_id", "body__kind").annotate(n=Count("id"))
    }
    eligible = {
        r["kind"]: r["n"]
        for r in NominatingBody.objects.filter(contest=contest)
        .values("kind")
        .annotate(n=Count("id"))
    }
    rows = tuple(
        Row(c.name, tuple(counts.get((c.pk, b.value), 0) for b in columns), c)
        for c in sorted(contest.candidates.all(), key=surname_key)
    )
    declared = [sum(counts.get((r.candidate.pk, b.value), 0) for r in rows) for b in columns]
    yet = Row(
        "Yet to declare", tuple(eligible.get(b.value, 0) - d for b, d in zip(columns, declared))
    )
    return NominationsTable(
        columns, rows, yet, Row("Eligible", tuple(eligible.get(b.value, 0) for b in columns))
    )


def tally(contest: Contest, candidate: Candidate) -> Tally:
    """The numbers the rule book is applied to, for one candidate."""
    mine = _live(contest).filter(candidate=candidate)
    nominations = {
        BodyType(r["body__kind"]): r["n"] for r in mine.values("body__kind").annotate(n=Count("id"))
    }
    membership = {
        BodyType(r["body__kind"]): r["m"] or 0
        for r in mine.values("body__kind").annotate(m=Sum("body__affiliated_membership"))
    }
    bodies = NominatingBody.objects.filter(contest=contest).values("kind")
    eligible = {BodyType(r["kind"]): r["n"] for r in bodies.annotate(n=Count("id"))}
    total_membership = {
        BodyType(r["kind"]): r["m"] or 0 for r in bodies.annotate(m=Sum("affiliated_membership"))
    }
    return Tally(nominations, eligible, membership, total_membership)


def surname_key(c: Candidate) -> tuple[str, str]:
    # Labour's ballot papers list candidates alphabetically by surname.
    return (c.name.split()[-1].lower(), c.name.lower())


def fix_ballot(contest: Contest) -> dict:
    """Apply the rule book to every candidate when nominations close; record whether and
    why each qualified. Returns the record for the audit entry."""
    rules = contest.nomination_rules()
    requirement = rules.requirement(vacancy=contest.vacancy)
    candidates = list(contest.candidates.all())
    for c in candidates:
        if c.response == CandidateResponse.ACCEPTED:
            result = assess(requirement, tally(contest, c), rules.rounding)
            c.on_ballot, c.qualification = result.passed, result.reason
        else:
            c.on_ballot = False
            c.qualification = (
                "declined nomination"
                if c.response == CandidateResponse.DECLINED
                else "did not accept nomination"
            )
        if rules.clause:
            c.qualification += f" ({rules.clause})"
        c.ballot_position = None
    for i, c in enumerate(sorted((c for c in candidates if c.on_ballot), key=surname_key), start=1):
        c.ballot_position = i
    Candidate.objects.bulk_update(candidates, ["on_ballot", "qualification", "ballot_position"])
    return {
        "ballot": {
            c.name: {"on_ballot": c.on_ballot, "reason": c.qualification} for c in candidates
        }
    }


def unfix_ballot(contest: Contest) -> dict:
    """Nominations reopened: no candidate is on or off the ballot until they close again."""
    contest.candidates.update(on_ballot=None, qualification="", ballot_position=None)
    return {"ballot": "cleared"}
