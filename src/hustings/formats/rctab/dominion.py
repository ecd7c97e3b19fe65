"""Dominion Democracy Suite JSON exports (RCTab provider ``dominion``).

The source is a folder holding ``CvrExport.json`` or ``CvrExport_<n>.json`` files (read in
``n`` order) and ``*Manifest.json`` files. Each ``Sessions[]`` entry is one ballot; the ballot's
``Cards[].Contests[]`` with ``Id`` equal to the source's ``contestId`` hold ``Marks[]`` of
``CandidateId`` at ``Rank``. A session that does not carry the contest is not a ballot of it.
As RCTab does, candidates are matched by their Dominion id (configs list ids as aliases),
``undeclaredWriteInLabel`` is the write-in candidate's id, and ambiguous marks
(``IsAmbiguous``) are not marks. A contest that Dominion flags with the ``InvalidContest``
outstack condition (``OutstackConditionManifest.json``) is not on that ballot: RCTab 2.0
leaves exactly those sessions out of the 2024 Alaska case, and they are the only ones it
leaves out.

A session whose ``Original`` is not ``IsCurrent`` counts by its ``Modified`` record, or not
at all without one. Precincts are the session's ``PrecinctId`` named by
``PrecinctManifest.json``; older exports have neither, so they have no precinct data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hustings.formats.rctab.config import CvrSource
from hustings.formats.rctab.cvr import BallotBuilder, SourceResolver
from hustings.formats.rctab.errors import CvrError

_EXPORT = re.compile(r"^CvrExport(?:_(\d+))?\.json$")


def read(source: CvrSource, resolver: SourceResolver, builder: BallotBuilder,
         max_rankings: int) -> None:
    folder = source.path
    if not folder.is_dir():
        raise CvrError(folder, None, "not a folder",
                       "a Dominion export folder with CvrExport*.json")
    exports = sorted(
        (p for p in folder.iterdir() if _EXPORT.match(p.name)),
        key=lambda p: int(_EXPORT.match(p.name).group(1) or -1),  # type: ignore[union-attr]
    )
    if not exports:
        raise CvrError(folder, None, "no CvrExport.json or CvrExport_<n>.json",
                       "Dominion CVR export files in the folder")
    precinct_of = _names(folder / "PrecinctManifest.json")
    portion_of = _names(folder / "PrecinctPortionManifest.json")
    invalid = {i for i, d in _names(folder / "OutstackConditionManifest.json").items()
               if d == "InvalidContest"}
    try:
        contest_id = int(source.contest_id)
    except ValueError:
        raise CvrError(folder, None, f"contestId {source.contest_id!r}",
                       "a Dominion numeric contest id") from None
    ballots: list[dict[int, int]] = []
    precincts: list[str | None] = []
    ids: list[str] = []
    extra: dict[str, list[str | None]] = {"tabulator": [], "batch": [], "vendor": [],
                                          "portion": []}
    cache: dict[int, int] = {}
    for path in exports:
        doc = _json(path)
        for i, session in enumerate(doc.get("Sessions", [])):
            where = f"Sessions[{i}]"
            record = session.get("Original")
            if not isinstance(record, dict):
                raise CvrError(path, where, "no Original record",
                               "a session with an Original record")
            if not record.get("IsCurrent", True):
                # superseded by adjudication: the Modified record counts, and a session
                # without one has no current rankings at all (RCTab skips it too)
                record = session.get("Modified")
                if not isinstance(record, dict):
                    continue
            marks: dict[int, list[int]] = {}
            found = False
            for c_no, card in enumerate(record.get("Cards", [])):
                for k_no, contest in enumerate(card.get("Contests", [])):
                    if contest.get("Id") != contest_id:
                        continue
                    if invalid & set(contest.get("OutstackConditionIds", [])):
                        continue  # Dominion says the contest is not validly on this card
                    found = True
                    for m_no, mark in enumerate(contest.get("Marks", [])):
                        if mark.get("IsAmbiguous"):
                            continue
                        at = f"{where}.Cards[{c_no}].Contests[{k_no}].Marks[{m_no}]"
                        try:
                            cand_id = int(mark["CandidateId"])
                            rank = int(mark["Rank"])
                        except (KeyError, TypeError, ValueError):
                            raise CvrError(path, at, f"mark {mark!r}",
                                           "CandidateId and Rank as whole numbers") from None
                        if cand_id not in cache:
                            cache[cand_id] = resolver.candidate(str(cand_id), at)
                        marks.setdefault(rank, []).append(cache[cand_id])
            if not found:
                continue
            ballots.append({r: resolver.overvote(m) for r, m in marks.items()})
            precincts.append(precinct_of.get(record.get("PrecinctId")))
            tab, batch, rec_id = (str(session.get(k, "")) for k in
                                  ("TabulatorId", "BatchId", "RecordId"))
            ids.append(f"{tab}-{batch}-{rec_id}")
            extra["tabulator"].append(tab)
            extra["batch"].append(batch)
            extra["vendor"].append(rec_id)
            extra["portion"].append(portion_of.get(record.get("PrecinctPortionId")))
    builder.add_ballots(ballots, ids=ids, precincts=precincts if any(precincts) else None,
                        source=source, extra=extra)


def _json(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as e:
        raise CvrError(path, e.lineno, f"malformed JSON at column {e.colno} ({e.msg})",
                       "a Dominion JSON export") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CvrError(path, None, f"cannot read ({e})", "a Dominion JSON export") from None
    if not isinstance(doc, dict):
        raise CvrError(path, "$", "top level is not an object", "a Dominion JSON object")
    return doc


def _names(path: Path) -> dict[int, str]:
    """Id -> Description from a manifest (precincts, precinct portions); {} when absent:
    older exports have no precinct data."""
    if not path.exists():
        return {}
    return {p["Id"]: p.get("Description", str(p["Id"])) for p in _json(path).get("List", [])}
