"""The public receipt check: anyone pastes a receipt (the short form read aloud, or the
full one) and is told whether that sealed ballot is in the ballot box and, once the result
is published, whether it is in the published list of sealed ballots. No identity is asked
for or shown: a receipt is the hash of a ciphertext, and the page says nothing else about
it (not when, not whose, not which lane of the ledger).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from hustings.web.contests.models import Contest, Stage
from hustings.web.voting import contest_info, sealedlist, sealing
from hustings.web.voting.models import PublishedFile, SealedBallot

PUBLISHED = contest_info.PUBLISHED


def look_up(contest, text: str) -> dict:
    """What the page says about a pasted receipt: {'asked', 'valid', 'in_box', 'matches',
    'published', 'in_published'}."""
    digits = sealing.normalise_receipt(text)
    out = {"asked": text.strip(), "valid": bool(digits), "in_box": False, "matches": 0,
           "published": contest.stage == PUBLISHED, "in_published": False, "receipt": ""}
    if not digits:
        return out
    rows = SealedBallot.objects.filter(contest=contest)
    matching = (rows.filter(receipt=digits) if len(digits) == 64
                else rows.filter(receipt__startswith=digits))
    found = list(matching.values_list("receipt", flat=True)[:2])
    out["matches"] = len(found)
    out["in_box"] = len(found) == 1
    if out["in_box"]:
        out["receipt"] = found[0]
        if out["published"]:
            out["in_published"] = PublishedFile.objects.filter(
                contest=contest, name=sealedlist.NAME, content__contains=found[0]).exists()
    return out


@require_GET
def check(request: HttpRequest, slug: str) -> HttpResponse:
    contest = get_object_or_404(Contest, slug=slug)
    if contest.stage == Stage.DRAFT:
        raise Http404("no such contest")
    asked = request.GET.get("receipt", "")
    answer = look_up(contest, asked) if asked.strip() else None
    return render(request, "voting/receipt_check.html", {"contest": contest, "answer": answer},
                  status=400 if answer is not None and not answer["valid"] else 200)
