"""The RCTab regression cases (../shared/conformance/rctab/cases.json) and how to compare.

Comparison is structural, as the suite's README asks: key order is ignored, list order
(rounds, tallyResults) is not, numbers are compared as decimals ("3" == "3.0000"), and
``config.generatedBy`` is ignored.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hustings.formats.rctab import RctabContest, load_contest

RCTAB = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "rctab"


@functools.cache
def _cases() -> tuple[dict[str, Any], ...]:
    path = RCTAB / "cases.json"
    if not path.exists():
        return ()
    return tuple(json.loads(path.read_text(encoding="utf-8"))["cases"])


def all_cases() -> list[dict[str, Any]]:
    return list(_cases())


def case_id(case: dict[str, Any]) -> str:
    return case["name"].replace("/", "__")


def substitutes(case: dict[str, Any]) -> dict[str, Path]:
    """Config ``filePath`` -> the CSV rendering to read, for workbooks left out of the suite."""
    return {
        s["config_filePath"]: RCTAB / s["csv_rendering"]
        for s in case["cvr_sources"]
        if not s.get("present") and s.get("csv_rendering")
    }


def load(case: dict[str, Any]) -> RctabContest:
    """The case's contest; read once per session (contests are immutable)."""
    return _load(case["name"])


@functools.cache
def _load(name: str) -> RctabContest:
    case = next(c for c in all_cases() if c["name"] == name)
    return load_contest(RCTAB / case["config"], substitutes=substitutes(case))


def _num(v: Any) -> Decimal | Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | str):
        try:
            return Decimal(v)
        except InvalidOperation:
            return v
    return v


def diff(ours: Any, theirs: Any, where: str = "$", out: list[str] | None = None) -> list[str]:
    """Every difference between two reports (ours first), as 'path: ours != expected'."""
    out = [] if out is None else out
    if isinstance(theirs, dict) and isinstance(ours, dict):
        for k in sorted(set(ours) | set(theirs)):
            if k == "generatedBy":
                continue
            if k not in ours:
                out.append(f"{where}.{k}: missing (expected {theirs[k]!r})")
            elif k not in theirs:
                out.append(f"{where}.{k}: unexpected {ours[k]!r}")
            else:
                diff(ours[k], theirs[k], f"{where}.{k}", out)
    elif isinstance(theirs, list) and isinstance(ours, list):
        if len(ours) != len(theirs):
            out.append(f"{where}: {len(ours)} items != expected {len(theirs)}")
        for i, (a, b) in enumerate(zip(ours, theirs)):
            diff(a, b, f"{where}[{i}]", out)
    elif isinstance(ours, str) != isinstance(theirs, str):
        out.append(f"{where}: {ours!r} != expected {theirs!r} (string vs number)")
    elif _num(ours) != _num(theirs):
        out.append(f"{where}: {ours!r} != expected {theirs!r}")
    return out
