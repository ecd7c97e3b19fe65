"""The returning officer's voting page: roll, codes, paper batches, close, count, publish.

Open, close, count and publish are the ``Contest`` transitions (the same methods as the
contest's generic stage button); their ledger entries, seal, count and files come with
them from ``closing``.

Trustees are named here before the ballot opens: the response is the printable sheet of
their shares, shown once and never stored. After the close, "Open the ballot box" takes k
trustees' shares (typed, pasted or uploaded together at one sitting: a share given alone
would have to be kept until the others came), checks and combines them, and hands the
key, sealed to the running worker's ephemeral key, to an open-box job
(``jobs.start_opening``), which opens the box and, for a returning officer, counts.

The page is a checklist (``console``): what is done, what is next and what it will do, the
roll one page at a time with search and filters, turnout per section and the codes' figures.
Only the actions valid at the current stage are offered, and each step that cannot be
undone (freeze, open, close, publish) asks again in a ``<details>`` naming its consequence.

Who may (``contests.access``): the page is read with ``Action.VIEW`` (a scrutineer sees it
all, without the forms); every POST needs ``Action.RUN`` (the contest's returning officer or
deputy). Opening the box takes ``Action.RUN`` or ``Action.HOLD_KEY`` (a trustee). Every
action is a POST with a CSRF token and reports refusals as a message, never a traceback.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hustings.web import uploads
from hustings.web.contests.access import Action, can, officer_contest
from hustings.web.contests.models import Contest
from hustings.web.errors import PlatformError
from hustings.web.voting import (
    box,
    console,
    contest_info,
    credentials,
    demo,
    jobs,
    ledger,
    paper,
    progress,
    roll,
    trustees,
)
from hustings.web.voting.errors import VotingError
from hustings.web.voting.models import LedgerEntry, PaperBatch, SetAside, Trustee, Voter


def _officer(request: HttpRequest, slug: str) -> Contest:
    return officer_contest(request, slug, Action.RUN if request.method == "POST" else Action.VIEW)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _officer(request, slug)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            response = _act(request, contest, action)
            if response is not None:
                return response
        except (VotingError, PlatformError) as e:
            messages.error(request, str(e))
        return redirect("voting:manage", contest.slug)
    return render(request, "voting/manage.html", _console(request, contest))


def _console(request: HttpRequest, contest: Contest) -> dict:
    setup = ledger.setup_for(contest)
    figures = console.roll_figures(contest)
    steps = console.checklist(contest, setup, voters=figures["voters"], issued=figures["issued"],
                              eligible=figures["eligible"])
    query = console.RollQuery.from_get(request.GET)
    page = console.roll_page(contest, query, request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "contest": contest, "setup": setup, "figures": figures, "steps": steps,
        # the roll is the election's: which contests it serves, and who may vote in each
        "election": contest.election, "election_contests": console.election_contests(contest),
        "roll_marks": console.roll_marks(contest),
        "shown": {k: f"{v:,}" for k, v in figures.items()},  # 600,000, not 600000
        "next": console.next_step(steps), "stage": contest.stage,
        "before_ballot": contest.stage in console.BEFORE_BALLOT,
        "closed": contest.stage in console.CLOSED,
        "accepting_paper": contest.stage in contest_info.ACCEPTING,
        "turnout": console.turnout(contest), "sections": console.section_names(contest),
        "query": query, "page": page, "page_params": params.urlencode(),
        "batches": PaperBatch.objects.filter(contest=contest).order_by("label"),
        "ledger_entries": LedgerEntry.objects.filter(contest=contest).count(),
        "set_asides": SetAside.objects.filter(batch__contest=contest).select_related("batch"),
        "box_key": trustees.box_key(contest),
        "trustees": Trustee.objects.filter(contest=contest),
        "box_opened": setup.box_opened_at,
        "demo_share": demo.demo_share(contest),
        "needs_opening": contest.stage == contest_info.BALLOT_CLOSED and box.needs_opening(contest),
        "confirm": console.consequences(figures, contest.stage),
        "code_choices": [("none", "No code yet"), ("issued", "Issued"), ("sent", "Emailed"),
                         ("letter", "By letter"), ("locked", "Locked (wrong tries)")],
    }


def _act(request, contest, action):
    base = request.build_absolute_uri("/")
    if action == "roll":
        upload = request.FILES.get("roll")
        if upload is None:
            raise VotingError("choose a roll CSV file to import")
        # the worker imports it (jobs.py); the page shows the job's progress
        return progress.after_start(request, jobs.start_import(contest, upload))
    elif action == "freeze":
        text = request.POST.get("freeze_date", "").strip()
        try:
            freeze_date = dt.date.fromisoformat(text) if text else None
        except ValueError:
            raise VotingError(f"freeze date {text!r} is not a date; expected YYYY-MM-DD") from None
        late = roll.freeze(contest, freeze_date)
        messages.success(request, f"The roll is frozen ({late} joined after the freeze date).")
    elif action == "exclude":
        roll.exclude(contest, request.POST.get("reference", "").strip(),
                     request.POST.get("reason", ""))
        messages.success(request, "Voter excluded.")
    elif action == "issue":
        if _nothing_to_issue(request, contest):
            return None
        # the worker issues them in batches (jobs.py); once done, the letters download
        job = jobs.start_issue(contest, base_url=base)
        job.refresh_from_db()
        if job.state != job.State.DONE:
            return progress.after_start(request, job)
        # done already (the demo's tasks run at once): its few letters come back whole
        letters = "".join(credentials.letters(contest, base_url=base))
        if letters.count("\n") <= 1:  # the header alone: every code went by email
            queued = Voter.objects.filter(election_id=contest.election_id, credential__isnull=False
                                          ).exclude(email="").count()
            messages.success(request, f"Issued {queued:,} codes by email (queued); no voter "
                             "needs a printed letter, so there is no file to download.")
            return None
        response = HttpResponse(letters, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{contest.slug}-letters.csv"'
        return response
    elif action == "reissue":
        ref = request.POST.get("reference", "").strip()
        response = HttpResponse(credentials.reissue_letter(contest, ref, by=request.user),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{contest.slug}-letter-{ref}.csv"'
        return response
    elif action == "letters":
        response = StreamingHttpResponse(credentials.letters(contest, base_url=base),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{contest.slug}-letters.csv"'
        return response
    elif action == "remind":
        n = credentials.remind(contest, base_url=base)
        messages.success(request, f"Queued {n} reminders (only to voters who have not voted).")
    elif action == "paper":
        upload = request.FILES.get("batch")
        if upload is None:
            raise VotingError("choose a batch CSV file")
        batch = paper.submit_keying(
            contest, section=request.POST.get("section", ""),
            label=request.POST.get("label", "").strip(), text=uploads.read_text(upload),
            by=request.user,
        )
        messages.success(request, f"Batch {batch.label}: {batch.get_status_display()}.")
    elif action == "trustees":
        try:
            k = int(request.POST.get("threshold", "1"))
        except ValueError:
            raise VotingError("the number of shares that open the box must be a whole "
                              "number") from None
        holders = request.POST.get("holders", "").splitlines()
        handed = trustees.name_trustees(contest, holders, k)
        return render(request, "voting/shares.html", {"contest": contest, "shares": handed,
                                                       "threshold": k})
    elif action == "open":
        contest.open_ballot(by=request.user)  # the ledger entry comes with the transition
        messages.success(request, "The ballot is open.")
    elif action == "close":
        # "Close and count": a ballot already closed (e.g. with the contest's stage
        # button, which seals it the same way) is only counted.
        if contest.stage == contest_info.BALLOT_OPEN:
            contest.close_ballot(by=request.user)
        if box.needs_opening(contest) and demo.demo_share(contest) is None:
            messages.success(request, "The ballot is closed. The trustees now open the "
                             "ballot box; then the count runs.")
            return redirect("voting:open_box", contest.slug)
        # the count (and, in the demo, the box opening) runs in the worker (jobs.py)
        job = jobs.start_count(contest, by=request.user)
        job.refresh_from_db()
        if job.state != job.State.DONE:
            return progress.after_start(request, job)
        messages.success(request, "The ballot is closed and counted.")
    elif action == "publish":
        job = jobs.start_publish(contest, by=request.user)
        job.refresh_from_db()
        if job.state != job.State.DONE:
            return progress.after_start(request, job)
        return redirect("voting:results", contest.slug)
    else:
        raise VotingError(f"unknown action {action!r}")
    return None


def _nothing_to_issue(request: HttpRequest, contest: Contest) -> bool:
    """Pressing "Issue codes" again explains itself instead of downloading an empty file:
    codes go only to voters without one (a lost letter is replaced one at a time)."""
    if not ledger.setup_for(contest).roll_frozen_at:
        return False  # issue_all says why not
    if Voter.objects.filter(election_id=contest.election_id, excluded_at__isnull=True,
                            credential__isnull=True).exists():
        return False
    issued = Voter.objects.filter(election_id=contest.election_id, credential__isnull=False).count()
    messages.info(request, f"Every voter on the roll already has a security code ({issued:,} "
                  "issued), so no new codes were issued and no file was made. To print the "
                  "letters again, use \u201cDownload the letters again\u201d; to replace one "
                  "voter's lost code, use \u201cReplace a lost code\u201d.")
    return True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def open_box(request: HttpRequest, slug: str) -> HttpResponse:
    """"Open the ballot box": k trustees' shares at one sitting; the worker opens the box
    (``jobs.start_opening``) and, for a returning officer, counts."""
    contest = get_object_or_404(Contest, slug=slug)
    may_open = can(request.user, contest, Action.RUN) or can(request.user, contest, Action.HOLD_KEY)
    if not (may_open or request.method == "GET" and can(request.user, contest, Action.VIEW)):
        raise PermissionDenied("not allowed to open this contest's ballot box")
    key = trustees.box_key(contest)
    people = list(Trustee.objects.filter(contest=contest))
    if request.method == "POST":
        texts = [request.POST.get(f"share-{t.position}", "") for t in people]
        for t in people:
            upload = request.FILES.get(f"file-{t.position}")
            if upload is not None:
                texts.append(upload.read(4096).decode("utf-8", "replace"))
        try:
            # the shares are checked and combined here (cheap); the worker opens the box
            job = jobs.start_opening(contest, texts, by=request.user,
                                     and_count=can(request.user, contest, Action.RUN))
        except (VotingError, PlatformError) as e:
            messages.error(request, str(e))
            return redirect("voting:open_box", contest.slug)
        job.refresh_from_db()
        if not job.finished:  # its progress page, until the worker is done
            return redirect("voting:job", contest.slug, job.pk)
        for line in job.message.splitlines():
            (messages.success if job.state == job.State.DONE else messages.error)(request, line)
        done_and_counted = job.state == job.State.DONE and can(request.user, contest, Action.RUN)
        return redirect("voting:manage" if done_and_counted else "voting:open_box", contest.slug)
    return render(request, "voting/open_box.html", {
        "contest": contest, "key": key, "trustees": people,
        "opened": box.is_opened(contest), "may_open": may_open,
        "closed": contest.stage == contest_info.BALLOT_CLOSED,
        "job": jobs.latest(contest).get(jobs.OPEN_BOX),
    })
