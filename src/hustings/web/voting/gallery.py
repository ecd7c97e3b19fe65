"""A gallery of real counts: published ballots of real elections, each counted here with its
charts, what-if and margin, and labelled as what it is.

The ballots are NOT in the repository: they are read from ``HUSTINGS_GALLERY_DATA`` (the
setting or the environment variable), by default ``../shared/data`` beside the repository
when it is there. A count whose file is absent says so on the page. Each count is made
once per process, on first view (a margin solves ILPs), and kept in memory.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from hustings.publication import resultdoc
from hustings.web.voting import analysisdoc, results


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    label: str  # what it is, said on the page
    path: str  # under the data folder
    preset: str | None = None


ENTRIES = (
    Entry("labour-2010-plp", "Labour leadership 2010: the MPs' and MEPs' ballots",
          "Real ballots: the 266 ballots of Labour MPs and MEPs in the 2010 leadership "
          "election (published by the party), counted on their own by the alternative vote: "
          "one section of the electoral college, not the whole college, so this is not the "
          "declared result (Ed Miliband won the college).",
          "labour/labour-2010-plp-ballots.csv"),
    Entry("burlington-2009", "Burlington, Vermont, mayor 2009",
          "Real ballots: the 2009 Burlington mayoral election (instant runoff), from PrefLib "
          "(dataset 00005); Bob Kiss won, though Andy Montroll beat every rival head to head.",
          "preflib/00005-00000002.toi"),
    Entry("glasgow-2007-anderston", "Glasgow City Council 2007: Anderston/City ward",
          "Real ballots: one ward of the 2007 Glasgow City Council election (STV, several "
          "seats), as published by the council, counted under the Scottish STV rules.",
          "scotland/glasgow_2007_anderston.blt", "scottish-stv"),
)


def data_folder() -> Path:
    configured = getattr(settings, "HUSTINGS_GALLERY_DATA", None) or os.environ.get(
        "HUSTINGS_GALLERY_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[4].parent / "shared" / "data"


@functools.lru_cache(maxsize=8)
def _document(key: str, folder: str) -> dict:
    from hustings.config.loading import load_count
    from hustings.counting import count

    entry = next(e for e in ENTRIES if e.key == key)
    rules, ballots, _ = load_count([Path(folder) / entry.path], preset=entry.preset)
    result = count(rules, ballots)
    return {**resultdoc.plain_document(result),
            "analysis": analysisdoc.build(rules, ballots, result, entry.title)}


def _entry(key: str) -> Entry:
    entry = next((e for e in ENTRIES if e.key == key), None)
    if entry is None:
        raise Http404("no such count in the gallery")
    return entry


def index(request: HttpRequest) -> HttpResponse:
    folder = data_folder()
    rows = [{"entry": e, "present": (folder / e.path).is_file()} for e in ENTRIES]
    return render(request, "voting/gallery.html", {"rows": rows, "folder": folder})


def detail(request: HttpRequest, key: str) -> HttpResponse:
    entry = _entry(key)
    folder = data_folder()
    if not (folder / entry.path).is_file():
        return render(request, "voting/gallery.html", {
            "rows": [{"entry": entry, "present": False}], "folder": folder}, status=404)
    doc = _document(key, str(folder))
    return render(request, "voting/results.html", {
        **results.context(doc), "heading": entry.title, "label": entry.label,
        "embed": request.GET.get("embed") == "1", "chart_base": f"/gallery/{key}/charts/"})


def chart(request: HttpRequest, key: str, name: str, ext: str) -> HttpResponse:
    entry = _entry(key)
    folder = data_folder()
    if not (folder / entry.path).is_file():
        raise Http404("the gallery's data folder is absent")
    ch = next((c for c in _document(key, str(folder))["analysis"]["charts"]
               if c["name"] == name), None)
    if ch is None:
        raise Http404("no such chart")
    return results.chart_response(ch, f"{key}-{name}", ext)
