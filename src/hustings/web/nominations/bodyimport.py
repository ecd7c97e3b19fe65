"""Importing the roll of nominators (MPs, MEPs, CLPs, unions, socialist societies) from CSV,
with an error for every bad line, the way the endorsements import does.

The header (any order; ``membership`` optional)::

    kind,name,membership

``kind`` is one of the rule book's body types (MP, MEP, CLP, TU, SS; "union" and
"socialist society" are read as TU and SS); ``name`` is required and unique per kind in
the contest; ``membership`` (affiliated members, for unions and societies) is a whole
number or empty. A file with any bad line imports nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from hustings.rulebook import BodyType
from hustings.web.contests.access import Action, can
from hustings.web.contests.models import AuditEntry, Contest, Stage
from hustings.web.contests.setup import EDITABLE, SetupError
from hustings.web.nominations.models import NominatingBody

COLUMNS = ("kind", "name", "membership")
REQUIRED = ("kind", "name")
ALIASES = {
    "union": "TU",
    "trade union": "TU",
    "affiliate": "TU",
    "tu": "TU",
    "socialist society": "SS",
    "society": "SS",
    "ss": "SS",
    "mp": "MP",
    "mep": "MEP",
    "clp": "CLP",
}


@dataclass(frozen=True)
class Line:
    line: int
    kind: BodyType
    name: str
    membership: int | None


def parse(
    text: str, allowed: tuple[BodyType, ...], taken: set[tuple[str, str]]
) -> tuple[list[Line], list[str]]:
    """Rows and per-line errors ("line N: what; expected ..."). ``taken``: (kind, name
    casefolded) already on the roll."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        return [], ["line 1: the file is empty; expected a header line: " + ",".join(COLUMNS)]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        what = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        )
        return [], [f"line 1: {'; '.join(what)}; expected a header of " + ",".join(COLUMNS)]
    reader.fieldnames = header
    codes = ", ".join(b.value for b in allowed)
    lines, errors, seen = [], [], set(taken)
    start = 2
    for raw in reader:
        n, start = start, reader.line_num + 1
        if None in raw:
            errors.append(
                f"line {n}: {len(header) + len(raw[None])} fields; expected {len(header)}"
            )
            continue
        row = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        if not any(row.values()):
            continue
        problems = [f"{c} is empty; expected a value" for c in REQUIRED if not row[c]]
        kind = None
        if row["kind"]:
            code = ALIASES.get(row["kind"].casefold(), row["kind"])
            kind = next((b for b in allowed if b.value == code), None)
            if kind is None:
                problems.append(
                    f"kind {row['kind']!r} is not a body type of this rule book; "
                    f"expected one of {codes}"
                )
        if len(row["name"]) > 200:
            problems.append(f"name is {len(row['name'])} characters; expected at most 200")
        membership = None
        if row["membership"]:
            if row["membership"].replace(",", "").isdigit():
                membership = int(row["membership"].replace(",", ""))
            else:
                problems.append(
                    f"membership {row['membership']!r} is not a whole number; "
                    "expected e.g. 1000 or empty"
                )
        if kind is not None and row["name"]:
            key = (kind.value, row["name"].casefold())
            if key in seen:
                problems.append(
                    f"{kind.value} {row['name']!r} is already on the roll; expected each body once"
                )
            seen.add(key)
        if problems:
            errors.extend(f"line {n}: {p}" for p in problems)
            continue
        lines.append(Line(n, kind, row["name"], membership))
    return lines, errors


def import_bodies(contest: Contest, text: str, *, by) -> list[NominatingBody]:
    """Add every line of ``text`` to the contest's roll of nominators, or nothing."""
    if not can(by, contest, Action.EDIT):
        raise PermissionDenied("only this contest's officers may import nominating bodies")
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.stage not in EDITABLE:
            raise SetupError(
                [
                    (
                        "cannot import nominating bodies: the contest is at "
                        f"{Stage(locked.stage).label!r}; expected draft or nominations open"
                    )
                ]
            )
        taken = {
            (k, n.casefold())
            for k, n in NominatingBody.objects.filter(contest=locked).values_list("kind", "name")
        }
        lines, errors = parse(text, locked.nomination_rules().body_types, taken)
        if errors:
            raise SetupError(errors)
        if not lines:
            raise SetupError(["the file has a header but no bodies; expected one line per body"])
        created = NominatingBody.objects.bulk_create(
            NominatingBody(
                contest=locked,
                kind=ln.kind.value,
                name=ln.name,
                affiliated_membership=ln.membership,
            )
            for ln in lines
        )
        counts: dict[str, int] = {}
        for ln in lines:
            counts[ln.kind.value] = counts.get(ln.kind.value, 0) + 1
        AuditEntry.record(locked, by, "nominating bodies imported",
                          detail={"count": len(created), "by_kind": counts})
    return created
