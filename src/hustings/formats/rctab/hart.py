"""Hart Verity cast-vote records: a folder of one XML file per ballot (RCTab provider ``hart``).

Each ``Cvr`` holds ``Contests/Contest`` with an ``Id`` (a GUID; the source's ``contestId``)
and ``Options/Option`` with ``Id`` (the candidate, matched by id as RCTab does: configs list
the GUIDs as aliases) and ``Value``, the ranks as a bit string read from the left
(``1`` is rank 1, ``001000`` rank 3; several 1s rank the candidate several times). A
ballot file without the contest is not a ballot of this contest. ``PrecinctSplit/Name`` is
the precinct, ``BatchNumber`` the batch and ``CvrGuid`` the ballot id. Files are read in
name order; namespaces are ignored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from hustings.formats.rctab.cdf import parse_xml
from hustings.formats.rctab.config import CvrSource
from hustings.formats.rctab.cvr import BallotBuilder, SourceResolver
from hustings.formats.rctab.errors import CvrError


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(e: ET.Element, name: str) -> ET.Element | None:
    for c in e:
        if _local(c.tag) == name:
            return c
    return None


def _text(e: ET.Element, name: str) -> str:
    c = _child(e, name)
    return (c.text or "").strip() if c is not None else ""


def read(source: CvrSource, resolver: SourceResolver, builder: BallotBuilder,
         max_rankings: int) -> None:
    folder = source.path
    if not folder.is_dir():
        raise CvrError(folder, None, "not a folder", "a folder of Hart per-ballot XML files")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".xml")
    if not files:
        raise CvrError(folder, None, "no .xml files", "Hart per-ballot Cvr XML files")
    ballots: list[dict[int, int]] = []
    precincts: list[str | None] = []
    batches: list[str | None] = []
    ids: list[str] = []
    for path in files:
        root = _parse(path)
        contests = _child(root, "Contests")
        wanted = [c for c in (contests if contests is not None else [])
                  if _text(c, "Id") == source.contest_id]
        if not wanted:
            continue
        marks: dict[int, list[int]] = {}
        for contest in wanted:
            options = _child(contest, "Options")
            for k, opt in enumerate(options if options is not None else []):
                at = f"Cvr/Contests/Contest[Id={source.contest_id}]/Options/Option[{k + 1}]"
                value = _text(opt, "Value")
                if not value or set(value) - {"0", "1"}:
                    raise CvrError(path, at, f"Value {value!r}",
                                   "a rank bit string such as 1, 010000 (rank 2) or 101000")
                cand = resolver.candidate(_text(opt, "Id"), at)
                # Hart writes ranks as bits: the k-th character from the left is rank k.
                for k, bit in enumerate(value, start=1):
                    if bit == "1":
                        marks.setdefault(k, []).append(cand)
        ballots.append({r: resolver.overvote(m) for r, m in marks.items()})
        split = _child(root, "PrecinctSplit")
        precincts.append(_text(split, "Name") if split is not None else None)
        batches.append(_text(root, "BatchNumber") or None)
        ids.append(_text(root, "CvrGuid") or path.stem)
    builder.add_ballots(ballots, precincts=precincts, batches=batches, ids=ids, source=source)


def _parse(path: Path) -> ET.Element:
    return parse_xml(path, "a Hart Cvr XML document")
