"""The endorsements timeline and the returning officer's CSV import."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from hustings.web.contests.access import is_returning_officer, login_or_403, visible_contest
from hustings.web.endorsements.csvimport import COLUMNS, import_endorsements
from hustings.web.errors import EndorsementImportError

MAX_UPLOAD = 2 * 1024 * 1024


def timeline(request, slug):
    contest = visible_contest(request, slug)
    endorsements = contest.endorsements.select_related("candidate")
    return render(
        request,
        "hustings/endorsements.html",
        {
            "contest": contest,
            "endorsements": endorsements,
            "is_ro": is_returning_officer(request.user),
        },
    )


def import_csv(request, slug):
    contest = visible_contest(request, slug)
    denied = login_or_403(request, is_returning_officer(request.user))
    if denied:
        return denied
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["no file chosen; expected a CSV file"]
        elif upload.size > MAX_UPLOAD:
            errors = [f"the file is {upload.size:,} bytes; expected at most {MAX_UPLOAD:,}"]
        else:
            try:
                text = upload.read().decode("utf-8")
                created = import_endorsements(contest, text, by=request.user)
                messages.success(request, f"Imported {len(created)} endorsement(s).")
                return redirect("endorsements", slug=contest.slug)
            except UnicodeDecodeError:
                errors = ["the file is not UTF-8 text; expected a CSV file saved as UTF-8"]
            except EndorsementImportError as e:
                errors = e.errors
        status = 400
    return render(
        request,
        "hustings/endorsement_import.html",
        {"contest": contest, "errors": errors, "columns": ",".join(COLUMNS), "is_ro": True},
        status=status,
    )
