"""The public nominations table, and nominating for a body (MPs, union officers...)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hustings.web.contests.access import Action, can, login_or_403, officer_page, visible_contest
from hustings.web.contests.models import CandidateResponse, Stage
from hustings.web.errors import NominationError
from hustings.web.nominations import services
from hustings.web.nominations.models import NominatingBody, Nomination


def nominations_table(request, slug):
    contest = visible_contest(request, slug)
    table = services.nominations_table(contest)
    placeholders = contest.bodies.filter(placeholder=True).exists()
    return render(
        request,
        "hustings/nominations_table.html",
        {"contest": contest, "table": table, "placeholders": placeholders},
    )


def nominate(request, slug):
    """GET: the bodies this user acts for and their nominations; POST: nominate."""
    contest = visible_contest(request, slug)
    bodies = (
        NominatingBody.objects.filter(contest=contest, officers=request.user)
        if request.user.is_authenticated
        else NominatingBody.objects.none()
    )
    denied = login_or_403(request, bodies.exists())
    if denied:
        return denied
    candidates = contest.candidates.exclude(response=CandidateResponse.DECLINED)
    if request.method == "POST":
        body = bodies.filter(pk=request.POST.get("body") or 0).first()
        candidate = candidates.filter(pk=request.POST.get("candidate") or 0).first()
        if body is None or candidate is None:
            messages.error(request, "Choose one of your bodies and one of the candidates.")
        else:
            try:
                services.nominate(body, candidate, by=request.user)
                messages.success(request, f"{body.name} nominates {candidate.name}.")
                return redirect("nominate", slug=contest.slug)
            except NominationError as e:
                messages.error(request, str(e))
    live = {
        n.body_id: n for n in Nomination.objects.filter(body__in=bodies, withdrawn_at__isnull=True)
    }
    return render(
        request,
        "hustings/nominate.html",
        {
            "contest": contest,
            "rows": [(b, live.get(b.pk)) for b in bodies],
            "free": any(b.pk not in live for b in bodies),
            "candidates": candidates,
            "open": contest.stage == Stage.NOMINATIONS_OPEN,
        },
        status=200 if request.method == "GET" else 400,
    )


@require_POST
def withdraw(request, slug, pk):
    """Withdraw a live nomination before nominations close: the body's own officers (from
    the nominate page) or a returning officer (from the record page, for any body)."""
    contest = visible_contest(request, slug)
    nomination = (
        Nomination.objects.filter(pk=pk, body__contest=contest).select_related("body").first()
    )
    if nomination is None:
        raise Http404("no such nomination")
    denied = login_or_403(request, services.may_act_for(request.user, nomination.body))
    if denied:
        return denied
    try:
        services.withdraw(nomination, by=request.user)
        messages.success(request, f"{nomination.body.name}'s nomination is withdrawn.")
    except NominationError as e:
        messages.error(request, str(e))
    # A returning officer withdrawing for a body they do not act for (a letter from a CLP
    # secretary, say) goes back to their own nominations page: "nominate" would be 403.
    if nomination.body.officers.filter(pk=request.user.pk).exists():
        return redirect("nominate", slug=contest.slug)
    return redirect("record-nomination", slug=contest.slug)


def respond(request, slug, candidate):
    """The candidate accepts or declines nomination."""
    contest = visible_contest(request, slug)
    cand = contest.candidates.filter(slug=candidate).first()
    if cand is None:
        raise Http404("no such candidate")
    own = request.user.is_authenticated and request.user == cand.user
    denied = login_or_403(request, own or can(request.user, contest, Action.EDIT))
    if denied:
        return denied
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            messages.error(request, "Choose accept or decline.")
        else:
            try:
                cand.respond(accept=answer == "accept", by=request.user)
                messages.success(request, f"{cand.name}: {cand.get_response_display().lower()}.")
                return redirect(cand.get_absolute_url())
            except NominationError as e:
                messages.error(request, str(e))
            except PermissionDenied:
                raise
    # An officer recording a candidate's answer (a letter, a call) must not be told "I accept".
    return render(
        request,
        "hustings/respond.html",
        {"contest": contest, "candidate": cand, "for_candidate": not own},
    )


SHOWN = 20  # rows of live nominations shown at once; a search finds the rest


def record(request, slug):
    """A returning officer records a nomination that arrived on paper (a CLP's form, a
    union's letter) for a body that has not yet nominated, and withdraws one when a body
    asks (the live nominations, each with a withdraw button). A search by name and body
    type (GET ``q``, ``kind``; no script needed) narrows both lists. Scrutineers see the
    page without its forms."""
    contest, denied = officer_page(request, slug, Action.VIEW)
    if denied:
        return denied
    may_edit = can(request.user, contest, Action.EDIT)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied("recording a nomination: only this contest's officers may")
    q = request.GET.get("q", "").strip()[:100]
    kinds = [(b.value, b.plural) for b in contest.nomination_rules().body_types]
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(kinds) else ""
    candidates = contest.candidates.exclude(response=CandidateResponse.DECLINED)
    live_q = Nomination.objects.filter(body=OuterRef("pk"), withdrawn_at__isnull=True)
    free = NominatingBody.objects.filter(contest=contest).exclude(Exists(live_q))
    status = 200
    if request.method == "POST":
        body = free.filter(pk=request.POST.get("body") or 0).first()
        candidate = candidates.filter(pk=request.POST.get("candidate") or 0).first()
        status = 400
        if body is None or candidate is None:
            messages.error(request, "Choose a body that has not nominated, and a candidate.")
        else:
            try:
                services.nominate(body, candidate, by=request.user)
                messages.success(request, f"Recorded: {body.name} nominates {candidate.name}.")
                return redirect(request.get_full_path())
            except NominationError as e:
                messages.error(request, str(e))
    live = Nomination.objects.filter(body__contest=contest, withdrawn_at__isnull=True)
    if q:
        free = free.filter(name__icontains=q)
        live = live.filter(body__name__icontains=q) | live.filter(candidate__name__icontains=q)
    if kind:
        free, live = free.filter(kind=kind), live.filter(body__kind=kind)
    groups: dict[str, list] = {}
    for b in free.order_by("kind", "name"):
        groups.setdefault(b.body_type.plural, []).append(b)
    live = live.select_related("body", "candidate").order_by("body__kind", "body__name")
    live_total = live.count()
    return render(
        request,
        "hustings/record_nomination.html",
        {
            "contest": contest,
            "groups": groups,
            "free_count": sum(len(v) for v in groups.values()),
            "candidates": candidates,
            "open": contest.stage == Stage.NOMINATIONS_OPEN,
            "may_edit": may_edit,
            "q": q,
            "kind": kind,
            "kinds": kinds,
            "searching": bool(q or kind),
            "live": live[:SHOWN],
            "live_total": live_total,
            "shown": SHOWN,
        },
        status=status,
    )
