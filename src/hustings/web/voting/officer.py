"""The returning officer's voting page: roll, codes, paper batches, close, count, publish.

Open, close, count and publish are the ``Contest`` transitions (the same methods as the
contest's generic stage button); their ledger entries, seal, count and files come with
them from ``closing``.

Trustees are named here before the ballot opens: the response is the printable sheet of
their shares, shown once and never stored. After the close, "Open the ballot box" takes k
trustees' shares (typed, pasted or uploaded together at one sitting: a share given alone
would have to be kept until the others came) and then records the count.

Every action needs the ``contests.run_contest`` permission (a returning officer), is a POST
with a CSRF token, and reports refusals as a message on the page, never a traceback.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hustings.web.contests.models import Contest
from hustings.web.errors import PlatformError
from hustings.web.voting import box, contest_info, credentials, ledger, paper, roll, trustees
from hustings.web.voting import jobs, progress  # issue 15: long steps as worker jobs
from hustings.web.voting.errors import VotingError
from hustings.web.voting.models import (
    LedgerEntry,
    PaperBatch,
    Participation,
    SetAside,
    Trustee,
    Voter,
)


def _officer(request: HttpRequest, slug: str) -> Contest:
    if not request.user.has_perm("contests.run_contest"):
        raise PermissionDenied("only a returning officer may run the ballot")
    return get_object_or_404(Contest, slug=slug)


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
    setup = ledger.setup_for(contest)
    return render(request, "voting/manage.html", {
        "contest": contest, "setup": setup,
        "voters": Voter.objects.filter(contest=contest).count(),
        "voted": Participation.objects.filter(contest=contest).values("voter").distinct().count(),
        "batches": PaperBatch.objects.filter(contest=contest).order_by("label"),
        "ledger_entries": LedgerEntry.objects.filter(contest=contest).count(),
        "set_asides": SetAside.objects.filter(batch__contest=contest).select_related("batch"),
        "box_key": trustees.box_key(contest),
        "trustees": Trustee.objects.filter(contest=contest),
        "box_opened": setup.box_opened_at,
        "demo_share": _demo_share(contest),
    })


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
        roll.exclude(contest, request.POST.get("reference", "").strip(), request.POST.get("reason", ""))
        messages.success(request, "Voter excluded.")
    elif action == "issue":
        # the worker issues them in batches (jobs.py); once done, the letters download
        job = jobs.start_issue(contest, base_url=base)
        job.refresh_from_db()
        if job.state != job.State.DONE:
            return progress.after_start(request, job)
        # done already: the demo's tasks run at once; its few letters come back whole
        response = HttpResponse("".join(credentials.letters(contest, base_url=base)),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{contest.slug}-letters.csv"'
        return response
    elif action == "reissue":
        ref = request.POST.get("reference", "").strip()
        code = credentials.reissue(contest, ref)
        voter = contest.voters.get(reference=ref)
        response = HttpResponse(
            "reference,name,postal_address,security_code\n"
            + ",".join(_csv_cell(x) for x in (ref, voter.name, voter.postal_address, code)) + "\n",
            content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{contest.slug}-letter-{ref}.csv"'
        return response
    elif action == "remind":
        n = credentials.remind(contest, base_url=base)
        messages.success(request, f"Queued {n} reminders (only to voters who have not voted).")
    elif action == "paper":
        upload = request.FILES.get("batch")
        if upload is None:
            raise VotingError("choose a batch CSV file")
        batch = paper.submit_keying(
            contest, section=request.POST.get("section", ""), label=request.POST.get("label", "").strip(),
            text=upload.read().decode("utf-8-sig"), by=request.user,
        )
        messages.success(request, f"Batch {batch.label}: {batch.get_status_display()}.")
    elif action == "trustees":
        try:
            k = int(request.POST.get("threshold", "1"))
        except ValueError:
            raise VotingError("the number of shares that open the box must be a whole number") from None
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
        if box.needs_opening(contest):
            demo = _demo_share(contest)
            if demo is None:
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


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def _demo_share(contest):  # noqa: ANN001, ANN202
    """The demo's share file, in the demo only (``HUSTINGS_DEMO_SHARE_FILE``), else None."""
    from pathlib import Path

    from django.conf import settings

    from hustings.web.demo import SLUG

    configured = getattr(settings, "HUSTINGS_DEMO_SHARE_FILE", "")
    if contest.slug != SLUG or not configured or not Path(configured).is_file():
        return None
    return Path(configured)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def open_box(request: HttpRequest, slug: str) -> HttpResponse:
    """"Open the ballot box": k trustees' shares at one sitting, then the count."""
    contest = _officer(request, slug)
    key = trustees.box_key(contest)
    people = list(Trustee.objects.filter(contest=contest))
    if request.method == "POST":
        texts = [request.POST.get(f"share-{t.position}", "") for t in people]
        for t in people:
            upload = request.FILES.get(f"file-{t.position}")
            if upload is not None:
                texts.append(upload.read(4096).decode("utf-8", "replace"))
        try:
            done = box.open_box(contest, texts, by=request.user)
            contest.refresh_from_db()
            contest.mark_counted(by=request.user)
        except (VotingError, PlatformError) as e:
            messages.error(request, str(e))
            return redirect("voting:open_box", contest.slug)
        messages.success(request, f"The ballot box is open: {done['opened']} ballots opened, "
                         "shuffled and counted. The key is forgotten.")
        return redirect("voting:manage", contest.slug)
    return render(request, "voting/open_box.html", {
        "contest": contest, "key": key, "trustees": people,
        "opened": box.is_opened(contest),
    })
