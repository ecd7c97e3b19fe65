"""The result: charts per round (each section and the weighted college), the transfers as
a Sankey, the round tables, what a ballot was worth, the what-if and the margin, and the
recount kit.

Everything drawn was computed once when the count was stored (``analysisdoc``, kept in the
result document); a page view only reads it. Before publication the returning officer and
the scrutineers (``Action.VIEW``) see the same page marked "not published"; everyone else
gets 404. ``?embed=1`` is the page without the site's frame, for an iframe elsewhere.
"""

from __future__ import annotations

from fractions import Fraction

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from hustings.web.contests.access import Action, can
from hustings.web.contests.models import Contest, Stage
from hustings.web.voting import ledger, recountkit
from hustings.web.voting.models import PublishedFile

TYPES = {".csv": "text/csv", ".blt": "text/plain", ".json": "application/json",
         ".toml": "application/toml"}
PREVIEW_STAGES = {Stage.COUNTED}


def _visible(request: HttpRequest, slug: str) -> tuple[Contest, bool]:
    """The contest and whether this is a preview (counted, not yet published)."""
    contest = get_object_or_404(Contest, slug=slug)
    if contest.stage == Stage.PUBLISHED:
        return contest, False
    if contest.stage in PREVIEW_STAGES and can(request.user, contest, Action.VIEW):
        return contest, True
    raise Http404("the result is not published")


def _frac(v: str) -> Fraction:
    return Fraction(v)


def _dec(x: Fraction, places: int = 2) -> str:
    """Display only (the exact figure is in result.json): half away from zero."""
    scale = 10**places
    units = int(abs(x) * scale + Fraction(1, 2))
    whole, part = divmod(units, scale)
    sign = "-" if x < 0 else ""
    return f"{sign}{whole}.{part:0{places}d}" if places else f"{sign}{whole}"


def _votes(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else _dec(x)


def _pct(part: Fraction, whole: Fraction) -> str:
    return f"{_dec(part * 100 / whole, 1)}%" if whole else "–"


def _status(doc: dict, c: str) -> str:
    if c in doc["winners"]:
        return "elected"
    return next((f"eliminated in round {r['round']}" for r in doc["rounds"]
                 if c in r["eliminated"]), "")


def weighted_table(doc: dict) -> dict:
    """The college's weighted shares (percent) by round, with the threshold row."""
    rows = []
    for c in doc["candidates"]:
        cells = [f"{_dec(_frac(r['tally'][c]))}%" if c in r["tally"] else ""
                 for r in doc["rounds"]]
        rows.append({"name": c, "cells": cells, "status": _status(doc, c)})
    extra = [{"name": "Threshold (to win)",
              "cells": [f"over {_dec(_frac(r['threshold']))}%" for r in doc["rounds"]]}]
    return {"caption": "College (weighted), percent of the college by round", "rows": rows,
            "extra": extra}


def section_table(doc: dict, name: str | None, college: bool) -> dict:
    """One section's votes (and percent of its continuing ballots) by round, with the
    exhausted and threshold rows."""
    rows, exhausted, threshold, active = [], [], [], []
    secs = [next(s for s in r["sections"] if name is None or s["name"] == name)
            for r in doc["rounds"]]
    for c in doc["candidates"]:
        cells = []
        for s in secs:
            if c not in s["tally"]:
                cells.append("")
                continue
            total = sum((_frac(v) for v in s["tally"].values()), Fraction(0))
            v = _frac(s["tally"][c])
            cells.append(f"{_votes(v)} ({_pct(v, total)})")
        rows.append({"name": c, "cells": cells, "status": _status(doc, c)})
    for r, s in zip(doc["rounds"], secs):
        total = sum((_frac(v) for v in s["tally"].values()), Fraction(0))
        active.append(_votes(total))
        exhausted.append(_votes(sum((_frac(v) for v in s["inactive"].values()), Fraction(0))))
        threshold.append(f"over {_votes(total / 2)}" if college
                         else f"over {_votes(_frac(r['threshold']))}"
                         if _frac(r["threshold"]) else "")
    extra = [{"name": "Continuing ballots", "cells": active},
             {"name": "Exhausted (no further preference)", "cells": exhausted},
             {"name": "Half the section's votes" if college else "Threshold", "cells": threshold}]
    label = name if college else "All ballots"
    return {"caption": f"{label}, votes (and percent of continuing ballots) by round",
            "section": label, "rows": rows, "extra": extra}


def _notes(doc: dict) -> list[str]:
    """Each round's eliminations, elections and tie-breaks, in words."""
    out = []
    for r in doc["rounds"]:
        parts = []
        if r["elected"]:
            parts.append("elected " + ", ".join(r["elected"]))
        if r["eliminated"]:
            parts.append("eliminated " + ", ".join(r["eliminated"]))
        for t in r.get("tie_breaks", []):
            parts.append(f"tie for {t['purpose']} between {', '.join(t['tied'])}: "
                         f"{t['chosen']} ({t['reason']})")
        if parts:
            out.append(f"Round {r['round']}: " + "; ".join(parts))
    return out


def _rounds(analysis: dict) -> tuple[list[dict], list[dict]]:
    """Bar charts grouped by round, and the Sankeys."""
    by_round: dict[int, list[dict]] = {}
    sankeys = []
    for ch in analysis.get("charts", []):
        if ch["kind"] == "bars":
            by_round.setdefault(ch["round"], []).append(
                {**ch, "caption": f"{ch['view']}, round {ch['round']}"})
        else:
            sankeys.append({**ch, "caption": f"Transfers between rounds: {ch['view']}"})
    return [{"number": n, "charts": cs} for n, cs in sorted(by_round.items())], sankeys


def context(doc: dict) -> dict:
    """What results.html draws from a result document (also the gallery's)."""
    sections = [s["name"] for s in doc["rounds"][0]["sections"]]
    college = len(sections) > 1
    tables = ([weighted_table(doc)] + [section_table(doc, s, True) for s in sections]
              if college else [section_table(doc, None, False)])
    analysis = doc.get("analysis") or {}
    rounds, sankeys = _rounds(analysis)
    report = analysis.get("report") or {}
    weights = {s["name"]: f"{_dec(_frac(s['weight']) * 100)}%"
               for s in doc["rounds"][0]["sections"]}
    worth = [{**v, "share": weights.get(v["section"], v["weight"])}
             for v in report.get("ballotValues", [])]
    return {
        "doc": doc, "college": college, "worth": worth, "tables": tables,
        "rounds": [r["round"] for r in doc["rounds"]], "chart_rounds": rounds,
        "sankeys": sankeys, "report": report, "notes": analysis.get("notes", []),
        "round_notes": _notes(doc), "turnout": _turnout(doc),
        "pairwise_rows": list(zip(report.get("candidates", []), report.get("pairwise", []))),
    }


def page(request: HttpRequest, slug: str) -> HttpResponse:
    contest, preview = _visible(request, slug)
    doc = ledger.setup_for(contest).result_plain or {}
    if not doc.get("rounds"):
        raise Http404("no count is stored")
    files = (PublishedFile.objects.filter(contest=contest).exclude(name__startswith="superseded-")
             .order_by("name").values("name", "sha256"))
    embed = request.GET.get("embed") == "1"
    response = render(request, "voting/results.html", {
        **context(doc), "contest": contest, "heading": f"Result: {contest.title}",
        "files": files, "preview": preview, "embed": embed,
        "chart_base": f"/contests/{contest.slug}/results/charts/",
        "commands": recountkit.commands(contest.slug, files_names(files)),
        "kit_name": recountkit.kit_name(contest.slug),
    })
    if embed:
        # An embed is meant to be framed elsewhere (django-csp's documented override).
        response.xframe_options_exempt = True
        response._csp_replace = {"frame-ancestors": ["*"]}
    return response


def files_names(files) -> list[str]:
    return [f["name"] for f in files]


def _turnout(doc: dict) -> list[dict]:
    """Per section: ballots in round 1 (continuing + exhausted)."""
    out = []
    for s in doc["rounds"][0]["sections"]:
        cast = sum((_frac(v) for v in s["tally"].values()), Fraction(0)) + sum(
            (_frac(v) for v in s["inactive"].values()), Fraction(0))
        out.append({"section": s["name"], "ballots": _votes(cast)})
    return out


def _chart(contest: Contest, name: str) -> dict:
    doc = ledger.setup_for(contest).result_plain or {}
    for ch in (doc.get("analysis") or {}).get("charts", []):
        if ch["name"] == name:
            return ch
    raise Http404("no such chart")


def chart_response(ch: dict, filename: str, ext: str) -> HttpResponse:
    if ext == "svg":
        response = HttpResponse(ch["svg"], content_type="image/svg+xml; charset=utf-8")
    elif ext == "png":
        from hustings.charts.render import png

        response = HttpResponse(png(ch["svg"]), content_type="image/png")
    else:
        raise Http404("charts are .svg or .png")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{ext}"'
    return response


def chart(request: HttpRequest, slug: str, name: str, ext: str) -> HttpResponse:
    """One chart as SVG or PNG, for download."""
    contest, _ = _visible(request, slug)
    return chart_response(_chart(contest, name), f"{contest.slug}-{name}", ext)


def download(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """A published file, saved under the name the printed recount command uses."""
    contest, _ = _visible(request, slug)
    f = PublishedFile.objects.filter(contest=contest, name=name).first()
    if f is None:
        raise Http404("no such file")
    ext = name[name.rfind("."):]
    response = HttpResponse(f.content,
                            content_type=TYPES.get(ext, "text/plain") + "; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def kit(request: HttpRequest, slug: str) -> HttpResponse:
    """Every published file and a README in one zip: ``hustings verify all KIT.zip``."""
    contest, _ = _visible(request, slug)
    files = {f.name: f.content for f in PublishedFile.objects.filter(contest=contest)
             .exclude(name__startswith="superseded-")}
    response = HttpResponse(recountkit.build(contest.slug, contest.title, files),
                            content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{recountkit.kit_name(contest.slug)}"'
    return response
