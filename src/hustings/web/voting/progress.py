"""The officer's pages for long steps: a job's progress, the mail counts, the letters.

Thin views over ``jobs`` and ``mailing``; each needs the returning officer's permission
(``contests.run_contest``), as the voting page does; a trustee (``Action.HOLD_KEY``) may
follow the progress of the box's opening.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hustings.web.contests.access import Action, can
from hustings.web.contests.models import Contest
from hustings.web.voting import credentials, mailing
from hustings.web.voting.errors import VotingError
from hustings.web.voting.models import Job

TITLES = {"roll": "Importing the roll", "codes": "Issuing security codes",
          "count": "Counting", "publish": "Publishing the result",
          "open-box": "Opening the ballot box"}


def _officer(request: HttpRequest, slug: str) -> Contest:
    if not request.user.has_perm("contests.run_contest"):
        raise PermissionDenied("only a returning officer may run the ballot")
    return get_object_or_404(Contest, slug=slug)


@never_cache
@login_required
@require_GET
def job(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A job's progress: a page that reloads itself until the job ends, or JSON
    (``?format=json``) for a script."""
    contest = get_object_or_404(Contest, slug=slug)
    found = get_object_or_404(Job, contest=contest, pk=pk)
    # the trustees who opened the box follow its progress too
    if not (request.user.has_perm("contests.run_contest")
            or found.kind == "open-box" and can(request.user, contest, Action.HOLD_KEY)):
        raise PermissionDenied("only a returning officer may run the ballot")
    if request.GET.get("format") == "json":
        return JsonResponse({"kind": found.kind, "state": found.state, "step": found.step,
                             "done": found.done, "total": found.total,
                             "percent": found.percent, "message": found.message})
    return render(request, "voting/job.html", {
        "contest": contest, "job": found, "title": TITLES.get(found.kind, found.kind),
        "codes": mailing.status(contest) if found.kind == "codes" else None})


@never_cache
@login_required
@require_GET
def codes_status(request: HttpRequest, slug: str) -> JsonResponse:
    """The mail counts (``mailing.status``) as JSON."""
    return JsonResponse(mailing.status(_officer(request, slug)))


@never_cache
@login_required
@require_GET
def letters(request: HttpRequest, slug: str) -> HttpResponse:
    """Every printed letter, streamed as CSV: the codes are made again as it is sent."""
    return letters_response(request, _officer(request, slug))


def letters_response(request: HttpRequest, contest: Contest) -> HttpResponse:
    """The streamed letters download (also the answer to "Issue codes" once issued)."""
    try:
        lines = credentials.letters(contest, base_url=request.build_absolute_uri("/"))
    except VotingError as e:
        return HttpResponse(str(e), status=409, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{contest.slug}-letters.csv"'
    return response


def after_start(request: HttpRequest, job: Job) -> HttpResponse:
    """The answer to a button that started a job: its progress page, or, when it has
    already ended (the demo's tasks run at once), its outcome as messages on the page."""
    job.refresh_from_db()
    if job.state == Job.State.FAILED:
        for line in job.message.splitlines():
            messages.error(request, line)
        return redirect("voting:manage", job.contest.slug)
    if job.state == Job.State.DONE:
        messages.success(request, job.message)
        return redirect("voting:manage", job.contest.slug)
    return redirect("voting:job", job.contest.slug, job.pk)
