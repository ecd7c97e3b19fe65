"""The published result as JSON, and comparing two of them (no Django).

The published ``result.json`` is RCTab's detailed-report JSON from
``hustings.formats.report_json.render`` (with a ``sections`` key per round for a college).
:func:`plain_document` is every figure of every round as an exact fraction string (what
the results page keeps beside the count). ``hustings verify ballots`` recounts, renders the
recount the same way, and compares the documents after dropping what legitimately differs
between two runs (generation time, software version).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hustings.counting import Result
from hustings.formats.report_json import render

# RCTab's "config" block is metadata (title, date, generator), not the count
VOLATILE = {"config", "generatedBy", "generatedAt", "timestamp", "version"}


def _num(x: Fraction) -> str:
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    return f"{x.numerator}/{x.denominator}"


def plain_document(result: Result) -> dict[str, Any]:
    return {
        "format": "hustings-result-1",
        "candidates": list(result.rules.candidates),
        "winners": list(result.winners),
        "total_ballots": result.total_ballots,
        "undervotes": result.undervotes,
        "rounds": [
            {
                "round": r.number,
                "threshold": _num(r.threshold),
                "tally": {c: _num(v) for c, v in r.tally.items()},
                "elected": list(r.elected),
                "eliminated": list(r.eliminated),
                "sections": [
                    {"name": s.name, "weight": _num(s.weight),
                     "tally": {c: _num(v) for c, v in s.tally.items()},
                     "share": {c: _num(v) for c, v in s.share.items()},
                     "inactive": {k.value: _num(v) for k, v in s.inactive.items()}}
                    for s in r.sections
                ],
                "transfers": [
                    {"from": t.source, "to": t.target, "votes": _num(t.votes), "section": t.section}
                    for t in r.transfers
                ],
                "tie_breaks": [
                    {"purpose": t.purpose, "tied": list(t.tied), "chosen": t.chosen,
                     "reason": t.reason}
                    for t in r.tie_breaks
                ],
            }
            for r in result.rounds
        ],
    }


def document(result: Result, *, title: str = "") -> dict[str, Any]:
    """The published ``result.json``: RCTab's detailed-report JSON."""
    return render(result, contest={"contest": title} if title else None)


def stable(doc: Any) -> Any:
    """The document without keys that differ between two renderings of the same count."""
    if isinstance(doc, dict):
        return {k: stable(v) for k, v in doc.items() if k not in VOLATILE}
    if isinstance(doc, list):
        return [stable(v) for v in doc]
    return doc


def differences(published: Any, recount: Any, path: str = "$", limit: int = 5) -> list[str]:
    """Where two documents differ (JSON paths), at most ``limit`` of them."""
    out: list[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b), key=str):
                if k not in a:
                    out.append(f"{where}.{k}: missing from the published result")
                elif k not in b:
                    out.append(f"{where}.{k}: in the published result but not the recount")
                else:
                    walk(a[k], b[k], f"{where}.{k}")
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                out.append(f"{where}: published has {len(a)} items, the recount {len(b)}")
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{where}[{i}]")
        elif a != b:
            out.append(f"{where}: published {a!r}, recount {b!r}")

    walk(stable(published), stable(recount), path)
    return out
