"""Every file RCTab writes for a contest, as ``{name: text}`` (the CLI writes them).

RCTab 2.0 names its outputs ``<timestamp>_<name>`` in the config's output directory; the
names here are the part after the timestamp:

=====================================================  ==================================
``detailed_report.json`` / ``.csv``                    the detailed reports
``detailed_report_<k>.json`` / ``.csv``                multi-pass IRV: pass k (1-based)
``<id>_precinct_detailed_report.json`` / ``.csv``      ``tabulateByPrecinct``: one per precinct
``<id>_batch_detailed_report.json`` / ``.csv``         ``tabulateByBatch``: one per batch
``cvr_cdf.json``                                       ``generateCdfJson``: the CDF export
``rctab_cvr.csv``                                      the normalised one-row-per-ballot CVR
=====================================================  ==================================

``<id>`` is the slice id with every character outside ``[A-Za-z0-9_.-]`` replaced by
``_`` (RCTab's ``sanitizeStringForOutput``); two ids that clash get ``_2``, ``_3``, ... .
Every figure is written at RCTab's ``BigDecimal`` scale (``scales.trace``). The scales and
the CDF export's per-round snapshots read one per-ballot trace of the count
(``hustings.counting.trace``); a caller that counted with ``trace`` passes it as ``traced=``
and nothing is counted again.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hustings.counting import Method, Result, Trace
from hustings.formats import report_json
from hustings.formats.rctab import RctabContest, export, report_csv
from hustings.formats.rctab.scales import needs_trace, trace, trace_slices

FORMATS = ("json", "csv")
SLICE_KINDS = ("precinct", "batch")


def sanitized(text: str) -> str:
    """RCTab's ``sanitizeStringForOutput``: a safe file-name part."""
    return re.sub(r"[^a-zA-Z0-9_\-.]", "_", text)


def json_text(data: Any) -> str:
    """JSON as RCTab writes it: Jackson's ``DefaultPrettyPrinter`` with map entries sorted
    by key (``"key" : value``, two-space indents for objects, arrays inline as
    ``[ {`` ... ``}, {`` ... ``} ]``, ``{ }`` and ``[ ]`` when empty, no final newline), so
    our files compare byte for byte with RCTab's."""
    out: list[str] = []
    _jackson(data, 0, out)
    return "".join(out)


def _jackson(value: Any, level: int, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{ }")
            return
        out.append("{")
        for k, key in enumerate(sorted(value)):
            out.append("," if k else "")
            out.append("\n" + "  " * (level + 1) + json.dumps(str(key), ensure_ascii=False)
                       + " : ")
            _jackson(value[key], level + 1, out)
        out.append("\n" + "  " * level + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[ ]")
            return
        out.append("[ ")
        for k, item in enumerate(value):
            out.append(", " if k else "")
            _jackson(item, level, out)  # arrays are inline: no indent of their own
        out.append(" ]")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def reports(result: Result, contest: RctabContest, fmt: str, *,
            traced: Trace | None = None) -> list[str]:
    """The whole contest's detailed report(s) in ``fmt`` ("json" or "csv"): one text, or one
    per pass of a multi-pass IRV count."""
    scales = trace(result, contest.ballots, traced=traced)
    if fmt == "json":
        return [json_text(r) for r in report_json.render_passes(
            result, contest=contest.metadata, num_candidates=contest.num_candidates,
            scales=scales)]
    return report_csv.csv_passes(result, contest, scales=scales)


def report_names(result: Result, fmt: str) -> list[str]:
    if not result.passes:
        return [f"detailed_report.{fmt}"]
    return [f"detailed_report_{k}.{fmt}" for k in range(1, len(result.passes) + 1)]


def slice_reports(result: Result, contest: RctabContest, fmt: str, *,
                  traced: Trace | None = None) -> dict[str, str]:
    """``<id>_<kind>`` -> the per-precinct / per-batch report, for the slices the config
    asks for (empty when it asks for none)."""
    out: dict[str, str] = {}
    wanted = {"precinct": contest.output.tabulate_by_precinct,
              "batch": contest.output.tabulate_by_batch}
    for kind in SLICE_KINDS:
        if not wanted[kind] or kind not in contest.ballots.slices or not result.slices:
            continue
        labels, _ = contest.ballots.slices[kind]
        books = trace_slices(result, contest.ballots, kind, traced=traced)
        taken: set[str] = set()
        for label in labels:
            if label not in result.slices.get(kind, {}):
                continue
            base = f"{sanitized(label)}_{kind}"
            name, k = base, 2
            while name in taken:
                name, k = f"{base}_{k}", k + 1
            taken.add(name)
            scales = books[label]
            if fmt == "json":
                out[name] = json_text(report_json.render_slice(
                    result, kind, label, contest=contest.metadata,
                    num_candidates=contest.num_candidates, scales=scales))
            else:
                out[name] = report_csv.csv_slice(result, kind, label, contest, scales=scales)
    return out


def cdf_after_count(contest: RctabContest, *, traced: Trace | None = None) -> str:
    """``generateCdfJson`` after a count: the CDF export with RCTab's per-round snapshots
    (from ``traced``, the count's trace, when given)."""
    per_ballot = traced if traced is not None else export.count_per_ballot(contest)
    return json_text(export.cdf_json(contest, per_ballot=per_ballot))


def conversion(contest: RctabContest, to: str) -> tuple[str, str]:
    """RCTab's conversions without a count: ``to`` is "cdf" or "rctab-cvr"; returns
    (name, text)."""
    if to == "cdf":
        return "cvr_cdf.json", json_text(export.cdf_json(contest))
    return "rctab_cvr.csv", export.rctab_cvr_csv(contest)


def everything(result: Result, contest: RctabContest, *,
               traced: Trace | None = None) -> dict[str, str]:
    """Every file RCTab writes for this count (see the module docstring). ``traced``: the
    count's ``hustings.counting.trace``; without it the count is traced here once, only when
    a file needs it, and that one trace serves every file."""
    if traced is None and _wants_trace(result, contest):
        traced = export.count_per_ballot(contest)
    files: dict[str, str] = {}
    for fmt in FORMATS:
        files.update(zip(report_names(result, fmt),
                         reports(result, contest, fmt, traced=traced), strict=True))
        for name, text in slice_reports(result, contest, fmt, traced=traced).items():
            files[f"{name}_detailed_report.{fmt}"] = text
    if contest.output.generate_cdf_json:
        files["cvr_cdf.json"] = cdf_after_count(contest, traced=traced)
    files["rctab_cvr.csv"] = export.rctab_cvr_csv(contest)
    return files


def _wants_trace(result: Result, contest: RctabContest) -> bool:
    """Does any file of :func:`everything` read each ballot's path?"""
    if result.rules.method is Method.MULTI_PASS_IRV:
        return False
    return needs_trace(result) or contest.output.generate_cdf_json
