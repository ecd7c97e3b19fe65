"""The voter's pages: enter the code → rank → review → cast → receipt. No JavaScript.

The pages are an *election's* (``vote/<election slug>/``): one code, one ballot page with a
block per contest, one review, one cast of every contest ranked (``visit``,
``casting.cast_visit``). A one-contest election's slug is normally its contest's, so a link
to a contest's slug still opens its ballot; the slug of a contest on an election of another
slug redirects to its election's page (GET with its query, and a POST keeping its body).

State between steps travels in hidden fields of POSTed forms (never in the URL, never in a
server session), and every step re-checks the security code, so no step can be skipped or
forged. Opening a link (a GET, as mail scanners do) only shows the code form filled in: a
code is used only by a cast. Wrong codes count against the client address (django-ratelimit,
in the database cache; a right code is never refused for it) and against the credential
(``casting.check_code``).
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from hustings.web.clientip import client_ip
from hustings.web.contests.elections import Election
from hustings.web.contests.models import Contest
from hustings.web.voting import casting, contest_info, sealing, visit
from hustings.web.voting.errors import AlreadyVoted, CredentialError, NotOpen

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


_ELECTIONS: dict[str, tuple[float, visit.ElectionBallot]] = {}


class _Moved(Exception):
    """The slug is a contest's on an election of another slug: go there."""

    def __init__(self, slug: str) -> None:
        self.slug = slug


def _election(slug: str) -> visit.ElectionBallot:
    """The election and its contests past draft, kept by this process for
    ``HUSTINGS_CONTEST_CACHE_SECONDS`` (default 1 s) with their candidates: queries fewer on
    every step of every vote. A stale copy is harmless: the cast re-reads each stage under
    a lock (``casting._locked_stage``), and a ballot cannot change while it is open."""
    ttl = float(getattr(settings, "HUSTINGS_CONTEST_CACHE_SECONDS", 1.0))
    now = time.monotonic()
    hit = _ELECTIONS.get(slug)
    if hit and hit[0] > now:
        return hit[1]
    election = Election.objects.filter(slug=slug).first()
    if election is None:
        contest = Contest.objects.filter(slug=slug).select_related("election").first()
        if contest is None or contest.stage == contest_info.DRAFT:
            raise Http404("no such election")
        raise _Moved(contest.election.slug)
    contests = [c for c in election.ordered_contests() if c.stage != contest_info.DRAFT]
    if not contests:
        raise Http404("no such election")
    for c in contests:
        c.election = election
        contest_info.candidates(c)  # memoised on the instance
    found = visit.ElectionBallot(election, contests)
    if ttl > 0:
        _ELECTIONS[slug] = (now + ttl, found)
    return found


def _page(view):
    """Turn a moved slug into a redirect to the election's page of the same step."""
    @functools.wraps(view)
    def wrapped(request: HttpRequest, slug: str) -> HttpResponse:
        try:
            return view(request, slug)
        except _Moved as moved:
            url = reverse(f"voting:{view.__name__}", args=[moved.slug])
            if request.method == "GET":
                query = request.GET.urlencode()
                return HttpResponseRedirect(f"{url}?{query}" if query else url)
            response = HttpResponseRedirect(url)
            response.status_code = 307  # the POST again, with its body, at the election's page
            return response
    return wrapped


def _code_page(request, election, *, code: str = "", error: str = "", status: int = 200):
    opened = election.open_contests
    return render(
        request, "voting/code.html",
        # base.html names the page by ``contest.title``: on the voter's pages, the election's
        {"contest": election, "election": election, "code": code, "error": error,
         "open": bool(opened),
         "closed": not opened and all(c.stage in CLOSED for c in election.contests),
         "published": [c for c in election.contests if c.stage == contest_info.PUBLISHED]},
        status=status,
    )


CLOSED = (contest_info.BALLOT_CLOSED, contest_info.COUNTED, contest_info.PUBLISHED)


def _ballot_page(request, election, blocks, summary=""):
    return render(
        request, "voting/ballot.html",
        {"contest": election, "election": election, "code": request.POST.get("code", ""),
         "blocks": blocks, "summary": summary},
        status=400 if summary else 200,
    )


def _already(request, election, message="", title="You have already voted"):
    return render(request, "voting/already.html",
                  {"contest": election, "message": message, "title": title}, status=409)


def _verified(request, election):
    """The credential of the POSTed code, or a response to send instead. The code is
    checked first: a right one is never refused by the per-address limit."""
    try:
        return casting.check_code(election.election, request.POST.get("code", "")), None
    except CredentialError as e:
        if _limited(request, increment=True):
            response = _code_page(
                request, election, error="Too many wrong security codes from your connection. "
                "Check your code and try again in a while.", status=429,
            )
            response["Retry-After"] = "60"
            return None, response
        return None, _code_page(request, election, code=request.POST.get("code", ""),
                                error=str(e), status=400)


@never_cache
@require_http_methods(["GET", "POST"])
@_page
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """The code form. A GET (an emailed link) only fills it in."""
    election = _election(slug)
    if request.method == "GET" or not election.open_contests:
        return _code_page(request, election, code=request.GET.get("code", ""))
    cred, response = _verified(request, election)
    if response:
        return response
    return _visit_or_refusal(request, election, cred.voter, request.POST)


def _visit_or_refusal(request, election, voter, post):
    """The ballot page of a new visit; or, when no open contest has a ballot left for the
    voter, why: they have voted in each, or none open now is theirs (London's contest, say,
    for a voter outside London)."""
    blocks = visit.start_blocks(election, voter, post)
    if blocks:
        return _ballot_page(request, election, blocks)
    if any(casting.ballot_sections(c, voter) for c in election.open_contests):
        return _already(request, election)
    return _already(request, election, "None of the contests open now has a ballot for you.",
                    title="No ballot for you")


def _ballot_step(request: HttpRequest, slug: str):
    """What the review and cast share: the election, while a ballot of it is open; the
    credential of the POSTed code; the blocks the form carries. Or the page to send
    instead (the code form)."""
    election = _election(slug)
    if not election.open_contests:
        return _code_page(request, election)
    cred, response = _verified(request, election)
    if response:
        return response
    try:
        blocks = visit.posted_blocks(election, cred.voter, request.POST)
    except (CredentialError, NotOpen) as e:
        return _code_page(request, election, error=str(e), status=400)
    if not blocks:  # a form of none of the election's contests: start again
        return _visit_or_refusal(request, election, cred.voter, {})
    return election, cred, blocks


@never_cache
@require_http_methods(["POST"])
@_page
def review(request: HttpRequest, slug: str) -> HttpResponse:
    """Check each ranking against its contest's rule book; show them back, or the errors by
    the fields of the right contest."""
    step = _ballot_step(request, slug)
    if isinstance(step, HttpResponse):
        return step
    election, _cred, blocks = step
    summary = visit.read_ranks(blocks, request.POST)
    if summary:
        return _ballot_page(request, election, blocks, summary)
    return render(request, "voting/review.html", {
        "contest": election, "election": election, "code": request.POST["code"],
        "blocks": blocks,
    })


@never_cache
@require_http_methods(["POST"])
@_page
def cast(request: HttpRequest, slug: str) -> HttpResponse:
    """Cast every ranked contest at once (or go back to change the rankings). The receipts
    are shown after the commit."""
    step = _ballot_step(request, slug)
    if isinstance(step, HttpResponse):
        return step
    election, cred, blocks = step
    summary = visit.read_choices(blocks, request.POST)
    if request.POST.get("action") == "change":
        for b in blocks:
            b.errors = {}
        return _ballot_page(request, election, blocks)
    if summary:
        return _ballot_page(request, election, blocks, summary)
    ranked = [b for b in blocks if b.ranking]
    try:
        receipts = casting.cast_visit(cred.voter,
                                      [(b.contest, b.section, b.ranking) for b in ranked])
    except AlreadyVoted as e:
        return _already(request, election, str(e))
    except NotOpen as e:
        return _code_page(request, election, error=str(e), status=400)
    cast_ids = {b.contest.pk for b in ranked}
    # OMOV with every contest of the voter cast: nothing remains (spares a query on the
    # busiest page). A college's next section, or a contest left blank, remains.
    maybe_more = any(b.show_section for b in blocks) or any(
        c.pk not in cast_ids and c.eligible(cred.voter.marks) for c in election.open_contests)
    return render(request, "voting/receipt.html", {
        "contest": election, "election": election, "code": request.POST["code"],
        "cast": [{"block": b, "receipt": r, "short": sealing.short_receipt(r)}
                 for b, r in zip(ranked, receipts, strict=True)],
        "blank": [b for b in blocks if not b.ranking],
        "remaining": visit.remaining_labels(election, cred.voter) if maybe_more else [],
    })
