"""The published result: round-by-round tables per section and weighted, and downloads."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from hustings.web.contests.models import Contest
from hustings.web.voting import ledger
from hustings.web.voting.models import PublishedFile

TYPES = {".csv": "text/csv", ".blt": "text/plain", ".json": "application/json",
         ".toml": "application/toml"}


def _published(slug: str) -> Contest:
    contest = get_object_or_404(Contest, slug=slug)
    if contest.stage != "published":
        raise Http404("the result is not published")
    return contest


def _table(doc: dict, section: str | None) -> dict:
    """Rows: candidate -> figures per round ('' once eliminated), for one section or the
    weighted totals."""
    rounds = doc["rounds"]
    cands = doc["candidates"]
    rows = []
    for c in cands:
        cells = []
        for r in rounds:
            if section is None:
                v = r["tally"].get(c)
            else:
                sec = next(s for s in r["sections"] if s["name"] == section)
                v = sec["tally"].get(c)
            cells.append("" if v is None else _fmt(v))
        status = "elected" if c in doc["winners"] else next(
            (f"eliminated in round {r['round']}" for r in rounds if c in r["eliminated"]), "")
        rows.append({"name": c, "cells": cells, "status": status})
    return {"section": section, "rows": rows}


def _fmt(v: str) -> str:
    if "/" in v:
        n, d = (int(x) for x in v.split("/"))
        return f"{n / d:.2f}"  # display only: the exact figure is in result.json
    return v


def page(request: HttpRequest, slug: str) -> HttpResponse:
    contest = _published(slug)
    setup = ledger.setup_for(contest)
    doc = setup.result_plain
    sections = [s["name"] for s in doc["rounds"][0]["sections"]] if doc["rounds"] else []
    tables = [_table(doc, s) for s in sections] if len(sections) > 1 else []
    files = PublishedFile.objects.filter(contest=contest).order_by("name").values("name", "sha256")
    return render(request, "voting/results.html", {
        "contest": contest, "doc": doc, "weighted": _table(doc, None), "tables": tables,
        "college": len(sections) > 1, "files": files,
        "rounds": [r["round"] for r in doc["rounds"]],
        "transfers": [(r["round"], r["eliminated"], r["elected"], r["transfers"]) for r in doc["rounds"]],
    })


def download(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    contest = _published(slug)
    f = PublishedFile.objects.filter(contest=contest, name=name).first()
    if f is None:
        raise Http404("no such file")
    ext = name[name.rfind("."):]
    response = HttpResponse(f.content, content_type=TYPES.get(ext, "text/plain") + "; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{contest.slug}-{name}"'
    return response
