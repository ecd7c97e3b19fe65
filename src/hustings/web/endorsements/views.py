"""The endorsements timeline, the officer's CSV import, and one endorsement added, edited
or deleted on the site (``editing``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hustings.web import uploads
from hustings.web.contests.access import Action, can, officer_page, visible_contest
from hustings.web.endorsements import editing
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
            "is_ro": can(request.user, contest, Action.EDIT),
        },
    )


def import_csv(request, slug):
    contest, denied = officer_page(request, slug, Action.EDIT)
    if denied:
        return denied
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        text, errors = uploads.posted_csv(request, MAX_UPLOAD)
        if text is not None:
            try:
                created = import_endorsements(contest, text, by=request.user)
                messages.success(request, f"Imported {len(created)} endorsement(s).")
                return redirect("endorsements", slug=contest.slug)
            except EndorsementImportError as e:
                errors = e.errors
        status = 400
    return render(
        request,
        "hustings/endorsement_import.html",
        {"contest": contest, "errors": errors, "columns": ",".join(COLUMNS), "is_ro": True},
        status=status,
    )


def edit(request, slug, pk=None):
    """Add (no ``pk``) or edit one endorsement: source, date, quote..."""
    contest, denied = officer_page(request, slug, Action.EDIT)
    if denied:
        return denied
    instance = None
    if pk is not None:
        instance = contest.endorsements.filter(pk=pk).first()
        if instance is None:
            raise Http404("no such endorsement")
    form = editing.EndorsementForm(request.POST or None, instance=instance, contest=contest)
    if request.method == "POST" and form.is_valid():
        e = editing.save(form, contest, by=request.user)
        messages.success(request, f"Saved: {e}.")
        return redirect("endorsements", slug=contest.slug)
    return render(
        request,
        "hustings/endorsement_form.html",
        {"contest": contest, "form": form, "endorsement": instance},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def delete(request, slug, pk):
    contest, denied = officer_page(request, slug, Action.EDIT)
    if denied:
        return denied
    e = contest.endorsements.filter(pk=pk).select_related("candidate").first()
    if e is None:
        raise Http404("no such endorsement")
    editing.delete(e, by=request.user)
    messages.success(request, f"Deleted: {e}.")
    return redirect("endorsements", slug=contest.slug)
