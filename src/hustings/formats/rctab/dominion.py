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

import re
from pathlib import Path
from typing import Any

from hustings.formats.rctab.config import CvrSource
from hustings.formats.rctab.cvr import BallotBuilder, SourceResolver, read_json_object
from hustings.formats.rctab.errors import CvrError, shown

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
        for i, session in enumerate(_objects(doc, "Sessions", path, "")):
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
            for c_no, card in enumerate(_objects(record, "Cards", path, f"{where}.")):
                at_card = f"{where}.Cards[{c_no}]."
                for k_no, contest in enumerate(_objects(card, "Contests", path, at_card)):
                    if contest.get("Id") != contest_id:
                        continue
                    at = f"{at_card}Contests[{k_no}]"
                    if invalid & _ids(contest.get("OutstackConditionIds"), path, at):
                        continue  # Dominion says the contest is not validly on this card
                    found = True
                    for m_no, mark in enumerate(_objects(contest, "Marks", path, f"{at}.")):
                        if mark.get("IsAmbiguous"):
                            continue
                        at_mark = f"{at}.Marks[{m_no}]"
                        cand_id, rank = _number(mark.get("CandidateId")), _number(mark.get("Rank"))
                        if cand_id is None or rank is None or rank < 1:
                            raise CvrError(path, at_mark, f"mark {shown(mark)}",
                                           "CandidateId and Rank as whole numbers, Rank ≥ 1")
                        if cand_id not in cache:
                            cache[cand_id] = resolver.candidate(str(cand_id), at_mark)
                        marks.setdefault(rank, []).append(cache[cand_id])
            if not found:
                continue
            ballots.append({r: resolver.overvote(m) for r, m in marks.items()})
            precincts.append(_get(precinct_of, record.get("PrecinctId")))
            tab, batch, rec_id = (str(session.get(k, "")) for k in
                                  ("TabulatorId", "BatchId", "RecordId"))
            ids.append(f"{tab}-{batch}-{rec_id}")
            extra["tabulator"].append(tab)
            extra["batch"].append(batch)
            extra["vendor"].append(rec_id)
            extra["portion"].append(_get(portion_of, record.get("PrecinctPortionId")))
    builder.add_ballots(ballots, ids=ids, precincts=precincts if any(precincts) else None,
                        source=source, extra=extra)


def _json(path: Path) -> dict[str, Any]:
    return read_json_object(path, document="a Dominion JSON export",
                            unreadable="a Dominion JSON export", top="a Dominion JSON object",
                            encoding="utf-8-sig")


def _names(path: Path) -> dict[int, str]:
    """Id -> Description from a manifest (precincts, precinct portions); {} when absent:
    older exports have no precinct data."""
    if not path.exists():
        return {}
    out: dict[int, str] = {}
    for j, p in enumerate(_objects(_json(path), "List", path, "")):
        key = p.get("Id")
        if not isinstance(key, int) or isinstance(key, bool):  # as _whole, for the type
            raise CvrError(path, f"List[{j}].Id", shown(key), "a whole-number Id")
        out[key] = str(p.get("Description", key))
    return out


def _objects(obj: dict[str, Any], key: str, path: Path, where: str) -> list[dict[str, Any]]:
    """``obj[key]`` as a list of objects (absent or null: empty); anything else is an
    error naming where it is."""
    items = obj.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise CvrError(path, f"{where}{key}", shown(items), "a list of objects")
    for j, item in enumerate(items):
        if not isinstance(item, dict):
            raise CvrError(path, f"{where}{key}[{j}]", shown(item), "an object")
    return items


def _ids(value: Any, path: Path, where: str) -> set[int]:
    if value is None:
        return set()
    if not isinstance(value, list) or not all(_whole(x) for x in value):
        raise CvrError(path, f"{where}.OutstackConditionIds", shown(value),
                       "a list of whole-number ids")
    return set(value)


def _whole(v: Any) -> bool:
    """A JSON whole number (Dominion writes ids and ranks as numbers, never strings)."""
    return isinstance(v, int) and not isinstance(v, bool)


def _number(v: Any) -> int | None:
    """A whole number written as a JSON number or a string of digits; None otherwise."""
    if isinstance(v, int) and _whole(v):
        return v
    if isinstance(v, str) and v.strip().isascii() and v.strip().isdigit() and len(v) < 19:
        return int(v)
    return None


def _get(names: dict[int, str], key: Any) -> str | None:
    return names.get(key) if _whole(key) else None

