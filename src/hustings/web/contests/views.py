"""Contest pages and the returning officer's lifecycle controls. Thin: the work is in the
model methods (``Contest.open_nominations`` ...), which also do each step's voting work
(seal, count, publication), so this generic button and the voting page are one path."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hustings.web.contests.access import (
    Action,
    can,
    can_create_contest,
    contests_for,
    officer_page,
    visible_contest,
)
from hustings.web.contests.elections import Election
from hustings.web.contests.models import STAGES, CandidateResponse, Stage
from hustings.web.errors import PlatformError, TransitionError
from hustings.web.nominations.services import surname_key
from hustings.web.voting.errors import VotingError


def contest_list(request):
    return render(
        request,
        "hustings/contest_list.html",
        {"contests": contests_for(request.user), "may_create": can_create_contest(request.user)},
    )


def election_detail(request, slug):
    """An election's page: its contests in ballot order, with their stage, who may vote in
    each, and where to vote, read or follow the result. Drafts show only to those who may
    VIEW them; an election with nothing to show is 404, as a draft contest is."""
    election = get_object_or_404(Election, slug=slug)
    contests = [c for c in election.ordered_contests()
                if c.stage != Stage.DRAFT or can(request.user, c, Action.VIEW)]
    if not contests:
        raise Http404("no such election")
    rows = [{"contest": c, "officer": can(request.user, c, Action.VIEW),
             "published": c.stage == Stage.PUBLISHED} for c in contests]
    return render(request, "hustings/election_detail.html", {
        "election": election, "rows": rows,
        "voting": any(c.stage == Stage.BALLOT_OPEN for c in contests),
        "limited": [c for c in contests if c.eligibility],
    })


def contest_detail(request, slug):
    contest = visible_contest(request, slug)
    rules = contest.nomination_rules()
    return render(
        request,
        "hustings/contest_detail.html",
        {
            "contest": contest,
            "requirement": rules.requirement(vacancy=contest.vacancy),
            "rules": rules,
            "candidates": sorted(contest.candidates.all(), key=surname_key),
            "is_ro": can(request.user, contest, Action.VIEW),
        },
    )


def candidate_detail(request, slug, candidate):
    contest = visible_contest(request, slug)
    cand = contest.candidates.filter(slug=candidate).first()
    if cand is None:
        raise Http404("no such candidate")
    nominations = (
        cand.nominations.filter(withdrawn_at__isnull=True)
        .select_related("body")
        .order_by("body__name")
    )
    order = [b.value for b in contest.nomination_rules().body_types]
    groups: dict[str, list] = {}
    for n in sorted(
        nominations, key=lambda n: order.index(n.body.kind) if n.body.kind in order else len(order)
    ):
        groups.setdefault(n.body.body_type.plural, []).append(n.body)
    return render(
        request,
        "hustings/candidate_detail.html",
        {
            "contest": contest,
            "candidate": cand,
            "groups": groups,
            "has_placeholders": any(b.placeholder for bodies in groups.values() for b in bodies),
            "endorsements": cand.endorsements.all(),
            "may_respond": request.user.is_authenticated
            and (request.user == cand.user or can(request.user, contest, Action.EDIT)),
        },
    )


def manage(request, slug):
    """The stage buttons; a scrutineer sees the page without them."""
    contest, denied = officer_page(request, slug, Action.VIEW)
    if denied:
        return denied
    earlier = STAGES[: contest.stage_index]
    return render(
        request,
        "hustings/manage.html",
        {
            "contest": contest,
            "next_step": contest.next_step(),
            "earlier": earlier,
            "is_ro": True,
            "may_run": can(request.user, contest, Action.RUN),
            "next_label": STEP_LABELS.get(contest.next_step() or "", ""),
            "consequence": consequence(contest),
        },
    )


def consequence(contest) -> str:
    """What the next step will do, said before it is done (steps that cannot simply be
    undone: everything after opening nominations)."""
    step = contest.next_step()
    if step == "close_nominations":
        accepted = contest.candidates.filter(response=CandidateResponse.ACCEPTED).count()
        total = contest.candidates.count()
        return (
            f"Close nominations: {accepted} of {total} candidates have accepted; the rule book "
            "decides now which of them are on the ballot, and no more nominations are accepted. "
            "Going back needs a reason, kept in the audit log."
        )
    if step == "open_ballot":
        return (
            f"Open the ballot for {contest.ballot().count()} candidates: voters may vote from now "
            "on. Check the roll and the codes on Run the ballot first."
        )
    if step == "close_ballot":
        voters, voted = _turnout(contest)
        return (
            f"Close the ballot: {voted:,} of {voters:,} voters have voted; no more ballots will be "
            "accepted, and the ledger is sealed."
        )
    if step == "mark_counted":
        return (
            "Count every section now and store the result files; the count is hashed into "
            "the ledger."
        )
    if step == "publish":
        return "Publish the result: it becomes public at once and cannot be taken back."
    return ""


def _turnout(contest) -> tuple[int, int]:
    from hustings.web.voting.console import contest_voters  # voting builds on contests
    from hustings.web.voting.models import Participation

    voters = contest_voters(contest).count()
    voted = Participation.objects.filter(contest=contest).values("voter").distinct().count()
    return voters, voted


STEP_LABELS = {
    "open_nominations": "Open nominations",
    "close_nominations": "Close nominations and fix the ballot",
    "open_ballot": "Open the ballot",
    "close_ballot": "Close the ballot",
    "mark_counted": "Count the ballots and record the count",
    "publish": "Publish the result",
}


@require_POST
def transition(request, slug):
    contest, denied = officer_page(request, slug, Action.RUN)
    if denied:
        return denied
    step = request.POST.get("step", "")
    try:
        if step == "go_back":
            contest.go_back(
                request.POST.get("to", ""), by=request.user, reason=request.POST.get("reason", "")
            )
        elif step in STEP_LABELS:
            getattr(contest, step)(by=request.user)
        else:
            raise TransitionError(
                f"unknown step {step!r}; expected one of {', '.join(STEP_LABELS)} or go_back"
            )
    except (PlatformError, VotingError, ValueError) as e:
        # TransitionError and the voting hooks' refusals (e.g. participations != ballots)
        messages.error(request, str(e))
        return redirect("contest-manage", slug=contest.slug)
    messages.success(request, f"Done: the contest is now at “{Stage(contest.stage).label}”.")
    return redirect("contest-manage", slug=contest.slug)


def audit_log(request, slug):
    contest, denied = officer_page(request, slug, Action.VIEW)
    if denied:
        return denied
    return render(
        request,
        "hustings/audit.html",
        {"contest": contest, "entries": contest.audit_log.all(), "is_ro": True},
    )
