"""Importing endorsements from CSV, with an error for every bad line.

The header (any order, extra columns refused)::

    endorser,role,body,candidate,date,publication,url,quote,preference

``endorser``, ``candidate``, ``date`` (YYYY-MM-DD, or YYYY-MM when the source gives only
the month) and ``publication`` are required;
``preference`` is a whole number (1 = first preference) or empty. A file with any bad line
imports nothing (``EndorsementImportError.errors`` lists every one).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from hustings.web.contests.models import AuditEntry, Contest
from hustings.web.endorsements.models import Endorsement
from hustings.web.errors import EndorsementImportError

COLUMNS = (
    "endorser",
    "role",
    "body",
    "candidate",
    "date",
    "publication",
    "url",
    "quote",
    "preference",
)
REQUIRED = ("endorser", "candidate", "date", "publication")


@dataclass(frozen=True)
class Line:
    line: int
    endorser: str
    role: str
    body: str
    candidate: str
    date: dt.date
    date_is_month: bool
    publication: str
    url: str
    quote: str
    preference: int | None


def parse(text: str, candidates: list[str]) -> tuple[list[Line], list[str]]:
    """Rows and per-line error messages ("line N: what; expected ...")."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        return [], ["line 1: the file is empty; expected a header line: " + ",".join(COLUMNS)]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        what = []
        if missing:
            what.append("missing column(s) " + ", ".join(missing))
        if unknown:
            what.append("unknown column(s) " + ", ".join(unknown))
        return [], [f"line 1: {'; '.join(what)}; expected a header of " + ",".join(COLUMNS)]
    reader.fieldnames = header
    by_name = {c.casefold(): c for c in candidates}
    lines, errors = [], []
    start = 2
    for raw in reader:
        n = start  # the line on which this record starts
        start = reader.line_num + 1
        if None in raw:
            errors.append(
                f"line {n}: {len(header) + len(raw[None])} fields; expected {len(header)}"
            )
            continue
        row = {k: (raw.get(k) or "").strip() for k in COLUMNS}
        if not any(row.values()):
            continue  # a blank line
        problems = [f"{c} is empty; expected a value" for c in REQUIRED if not row[c]]
        candidate = by_name.get(row["candidate"].casefold()) if row["candidate"] else None
        if row["candidate"] and candidate is None:
            problems.append(
                f"candidate {row['candidate']!r} is not in this contest; expected one of "
                + ", ".join(candidates)
            )
        date, month_only = None, False
        if row["date"]:
            try:
                month_only = len(row["date"]) == 7
                date = dt.date.fromisoformat(row["date"] + ("-01" if month_only else ""))
            except ValueError:
                problems.append(
                    f"date {row['date']!r} is not a date; expected YYYY-MM-DD or YYYY-MM"
                )
        if row["url"]:
            try:
                URLValidator(schemes=["http", "https"])(row["url"])
            except ValidationError:
                problems.append(f"url {row['url']!r} is not a web address; expected http(s)://...")
        preference = None
        if row["preference"]:
            if row["preference"].isdigit() and int(row["preference"]) >= 1:
                preference = int(row["preference"])
            else:
                problems.append(
                    f"preference {row['preference']!r} is not a whole number; "
                    "expected 1, 2, ... or empty"
                )
        if problems:
            errors.extend(f"line {n}: {p}" for p in problems)
            continue
        lines.append(
            Line(
                n,
                row["endorser"],
                row["role"],
                row["body"],
                candidate,
                date,
                month_only,
                row["publication"],
                row["url"],
                row["quote"],
                preference,
            )
        )
    return lines, errors


def import_endorsements(contest: Contest, text: str, *, by) -> list[Endorsement]:
    """Add every line of ``text`` to ``contest``, or nothing if any line is wrong."""
    candidates = {c.name: c for c in contest.candidates.all()}
    lines, errors = parse(text, list(candidates))
    if errors:
        raise EndorsementImportError(errors)
    with transaction.atomic():
        created = [
            Endorsement.objects.create(
                contest=contest,
                candidate=candidates[ln.candidate],
                endorser_name=ln.endorser,
                endorser_role=ln.role,
                endorser_body=ln.body,
                date=ln.date,
                date_is_month=ln.date_is_month,
                publication=ln.publication,
                source_url=ln.url,
                quote=ln.quote,
                preference_rank=ln.preference,
                added_by=by,
            )
            for ln in lines
        ]
        AuditEntry.record(contest, by, "endorsements imported", detail={"count": len(created)})
    return created
