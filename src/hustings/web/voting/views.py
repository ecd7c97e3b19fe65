"""The voter's pages: enter the code → rank → review → cast → receipt. No JavaScript.

State between steps travels in hidden fields of POSTed forms (never in the URL, never in a
server session), and every step re-checks the security code, so no step can be skipped or
forged. Opening a link (a GET, as mail scanners do) only shows the code form filled in: a
code is used only by a cast. Wrong codes count against the client address (django-ratelimit,
in the database cache; a right code is never refused for it) and against the credential
(``casting.check_code``).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from hustings.web.clientip import client_ip
from hustings.web.contests.models import Contest
from hustings.web.voting import casting, contest_info, sealing
from hustings.web.voting.errors import AlreadyVoted, BallotFormError, CredentialError, NotOpen
from hustings.web.voting.models import Credential
from hustings.web.voting.ranking import field_name, form_values, read_ranking

RATE_GROUP = "voting.code"


def _limited(request: HttpRequest, *, increment: bool = False) -> bool:
    """Has this client address used up its wrong codes? Asked only about a code that was
    wrong: a right code is always checked and accepted, so voters behind one address (a
    proxy, an office, a household) are never refused because of each other's mistakes.
    Over the limit, further wrong codes get 429 and a wait. What bounds a guesser is the
    code itself (a 40-bit ballot id and a 100-bit secret) and the per-credential lockout
    (``casting.check_code``): see docs/deploying.md for the figures.

    The address is the client's as ``hustings.web.clientip`` finds it (X-Forwarded-For
    only from ``HUSTINGS_TRUSTED_PROXIES``). The count is django-ratelimit's, in the
    database cache every server process shares; a process asks it only once it has itself
    seen a wrong code from the address this hour (a hint in its local memory)."""
    hint = f"voting-wrong-code:{client_ip(request)}"
    if not increment and not caches["default"].get(hint):
        return False
    usage = get_usage(
        request, group=RATE_GROUP, key="ip", rate=settings.HUSTINGS_CODE_FAILURES,
        method="POST", increment=increment,
    )
    if increment:
        caches["default"].set(hint, True, 3600)
    return usage is not None and usage["count"] > usage["limit"]


_CONTESTS: dict[str, tuple[float, Contest]] = {}


def _contest(slug: str) -> Contest:
    """The contest, kept by this process for ``HUSTINGS_CONTEST_CACHE_SECONDS`` (default 1 s)
    with its candidates: two queries fewer on every step of every vote. A stale copy is
    harmless: the cast re-reads the stage under a lock (``casting._locked_stage``), and the
    ballot cannot change while it is open."""
    ttl = float(getattr(settings, "HUSTINGS_CONTEST_CACHE_SECONDS", 1.0))
    now = time.monotonic()
    hit = _CONTESTS.get(slug)
    if hit and hit[0] > now:
        return hit[1]
    contest = get_object_or_404(Contest, slug=slug)
    if contest.stage == contest_info.DRAFT:
        raise Http404("no such contest")
    if ttl > 0:
        contest_info.candidates(contest)  # memoised on the instance
        _CONTESTS[slug] = (now + ttl, contest)
    return contest


def _rows(contest, values: dict[str, str], errors: dict[str, str]) -> list[dict]:
    cands = contest_info.candidates(contest)
    return [
        {"name": name, "field": field_name(i), "value": values.get(field_name(i), ""),
         "error": errors.get(field_name(i), "")}
        for i, name in enumerate(cands)
    ]


def _code_page(request, contest, *, code: str = "", error: str = "", status: int = 200):
    return render(
        request, "voting/code.html",
        {"contest": contest, "code": code, "error": error, "open": contest_info.ballot_is_open(contest)},
        status=status,
    )


def _ballot_page(request, contest, cred, section, values=None, errors=None, summary=""):
    cands = contest_info.candidates(contest)
    return render(
        request, "voting/ballot.html",
        {"contest": contest, "code": request.POST.get("code", ""), "section": section,
         "sections": casting.remaining_sections(contest, cred.voter),
         "rows": _rows(contest, values or {}, errors or {}), "ranks": range(1, len(cands) + 1),
         "summary": summary, "errors": errors or {}},
        status=400 if errors else 200,
    )


def _verified(request, contest):
    """The credential of the POSTed code, or a response to send instead. The code is
    checked first: a right one is never refused by the per-address limit."""
    try:
        return casting.check_code(contest, request.POST.get("code", "")), None
    except CredentialError as e:
        if _limited(request, increment=True):
            response = _code_page(
                request, contest, error="Too many wrong security codes from your connection. "
                "Check your code and try again in a while.", status=429,
            )
            response["Retry-After"] = "60"
            return None, response
        return None, _code_page(request, contest, code=request.POST.get("code", ""),
                                error=str(e), status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """The code form. A GET (an emailed link) only fills it in."""
    contest = _contest(slug)
    if request.method == "GET" or not contest_info.ballot_is_open(contest):
        return _code_page(request, contest, code=request.GET.get("code", ""))
    cred, response = _verified(request, contest)
    if response:
        return response
    remaining = casting.remaining_sections(contest, cred.voter)
    if not remaining:
        return render(request, "voting/already.html", {"contest": contest}, status=409)
    section = request.POST.get("section") or remaining[0]
    if section not in remaining:
        section = remaining[0]
    return _ballot_page(request, contest, cred, section)


def _ballot_step(request: HttpRequest, slug: str) -> tuple[Contest, Credential, str] | HttpResponse:
    """The opening review and cast share: the contest, while its ballot is open; the
    credential of the POSTed code; the section the form names. Or the page to send
    instead (the code form)."""
    contest = _contest(slug)
    if not contest_info.ballot_is_open(contest):
        return _code_page(request, contest)
    cred, response = _verified(request, contest)
    if response:
        return response
    return contest, cred, request.POST.get("section", "")


@never_cache
@require_http_methods(["POST"])
def review(request: HttpRequest, slug: str) -> HttpResponse:
    """Check the ranking against the rule book; show it back, or the errors by the fields."""
    step = _ballot_step(request, slug)
    if isinstance(step, HttpResponse):
        return step
    contest, cred, section = step
    if section not in casting.ballot_sections(contest, cred.voter):
        return _code_page(request, contest, error="That ballot is not yours.", status=400)
    cands = contest_info.candidates(contest)
    values = {field_name(i): request.POST.get(field_name(i), "") for i in range(len(cands))}
    rules = contest_info.rules(contest)
    try:
        ranking = read_ranking(cands, values, max_rankings=rules.ballot_rules.max_rankings)
    except BallotFormError as e:
        return _ballot_page(request, contest, cred, section, values, e.field_errors, str(e))
    return render(request, "voting/review.html", {
        "contest": contest, "code": request.POST["code"], "section": section,
        "ranking": ranking, "values": values,
        "sections": casting.ballot_sections(contest, cred.voter),
    })


@never_cache
@require_http_methods(["POST"])
def cast(request: HttpRequest, slug: str) -> HttpResponse:
    """Cast (or go back to change the ranking). The receipt is shown after the commit."""
    step = _ballot_step(request, slug)
    if isinstance(step, HttpResponse):
        return step
    contest, cred, section = step
    cands = contest_info.candidates(contest)
    ranking = request.POST.getlist("choice")
    if request.POST.get("action") == "change":
        return _ballot_page(request, contest, cred, section, form_values(cands, ranking))
    # the review page's hidden fields, checked again by the rule book: a forged or stale
    # form (unknown name, a name twice, too many ranks) is sent back, never stored
    try:
        if set(ranking) - set(cands) or len(set(ranking)) != len(ranking):
            raise BallotFormError("Your ballot could not be read. Please rank again.")
        read_ranking(cands, form_values(cands, ranking),
                     max_rankings=contest_info.rules(contest).ballot_rules.max_rankings)
    except BallotFormError as e:
        return _ballot_page(request, contest, cred, section, form_values(cands, ranking),
                            e.field_errors or {field_name(0): str(e)}, str(e))
    try:
        receipt = casting.cast(contest, cred.voter, section, ranking)
    except AlreadyVoted as e:
        return render(request, "voting/already.html", {"contest": contest, "message": str(e)},
                      status=409)
    except NotOpen as e:
        return _code_page(request, contest, error=str(e), status=400)
    return render(request, "voting/receipt.html", {
        "contest": contest, "receipt": receipt, "short": sealing.short_receipt(receipt),
        "section": section, "code": request.POST["code"],
        # OMOV: one ballot, nothing remains (spares a query on the busiest page)
        "remaining": casting.remaining_sections(contest, cred.voter)
        if contest_info.rules(contest).is_college else [],
    })
