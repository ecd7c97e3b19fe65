"""NIST SP 1500-103 cast-vote-record CDF, JSON or XML (RCTab provider ``cdf``).

Both encodings are read into the same shape (the JSON one): ``Election[].Candidate`` gives
candidate names by id, ``Election[].Contest[]`` the contest whose ``Name`` (or id) equals the
source's ``contestId`` and its ``ContestSelection`` ids, and each ``CVR`` holds snapshots of
``CVRContest[].CVRContestSelection[].SelectionPosition[]`` with a ``Rank``. As RCTab does:

* only the ``CurrentSnapshotId`` snapshot of a CVR is read;
* a CVR that does not carry the contest is not a ballot of this contest (not counted);
* a selection position without ``HasIndication`` = ``yes`` is not a mark;
* a write-in selection (``IsWriteIn`` or a candidate with no name) is the undeclared write-in;
* several selections at one rank are an overvote at that rank.

Unisyn's OVCS exports are this XML with the default namespace; NIST's examples use ``cdf:``.
XML is parsed with the standard library's ElementTree; namespaces are ignored.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hustings.formats.rctab.config import UWI, CvrSource
from hustings.formats.rctab.cvr import BallotBuilder, SourceResolver, read_json_object
from hustings.formats.rctab.errors import CvrError, shown

# XML elements that may repeat, so they are always lists in the JSON shape
_LISTS = {"CVR", "CVRSnapshot", "CVRContest", "CVRContestSelection", "SelectionPosition",
          "Election", "Candidate", "Contest", "ContestSelection", "CandidateIds", "GpUnit"}


def read(source: CvrSource, resolver: SourceResolver, builder: BallotBuilder,
         max_rankings: int) -> None:
    path = source.path
    doc = load(path)
    contest_id, selections = _selections(doc, source, resolver)
    ballots: list[dict[int, int]] = []
    ids: list[str] = []
    vendor: list[str | None] = []
    precincts: list[str | None] = []
    for i, cvr in enumerate(_objects(doc, "CVR", path, "")):
        where = f"CVR[{i}]"
        snapshot = _current_snapshot(cvr, path, where)
        if snapshot is None:
            continue
        contests = [c for c in _objects(snapshot, "CVRContest", path, f"{where}.CVRSnapshot.")
                    if _text(c.get("ContestId")) == contest_id]
        if not contests:
            continue
        marks: dict[int, list[int]] = {}
        for c in contests:
            for k, sel in enumerate(_objects(c, "CVRContestSelection", path,
                                             f"{where}.CVRContest.")):
                sel_id = _text(sel.get("ContestSelectionId"))
                if not sel_id:
                    continue  # an unresolved write-in without a selection: not a mark
                if sel_id not in selections:
                    raise CvrError(path, f"{where}.CVRContestSelection[{k}]",
                                   f"ContestSelectionId {sel_id!r} is not a selection of "
                                   f"contest {source.contest_id!r}",
                                   "an id listed under Election.Contest.ContestSelection")
                for pos in _objects(sel, "SelectionPosition", path,
                                    f"{where}.CVRContestSelection[{k}]."):
                    if _text(pos.get("HasIndication", "yes")) != "yes":
                        continue
                    rank_text = _text(pos.get("Rank", "1"))
                    try:
                        rank = int(rank_text)
                    except ValueError:
                        raise CvrError(path, f"{where}.SelectionPosition.Rank",
                                       f"rank {rank_text!r}", "a whole number >= 1") from None
                    if rank < 1:
                        raise CvrError(path, f"{where}.SelectionPosition.Rank", f"rank {rank}",
                                       "a whole number >= 1")
                    marks.setdefault(rank, []).append(selections[sel_id]())
        ballots.append({r: resolver.overvote(m) for r, m in marks.items()})
        # RCTab names a CDF ballot by file and position, e.g. "cvr.json(3)"
        ids.append(f"{path.name}({i + 1})")
        vendor.append(_text(cvr.get("UniqueId") or cvr.get("BallotPrePrintedId")) or None)
        precincts.append(_text(cvr.get("BallotStyleUnitId")) or None)
    builder.add_ballots(ballots, ids=ids, precincts=precincts if any(precincts) else None,
                        source=source, extra={"vendor": vendor})


def load(path: Path) -> dict[str, Any]:
    """A CDF file as the JSON-shaped dict, whichever encoding it is in."""
    if path.suffix.lower() == ".xml":
        root = parse_xml(path, "a well-formed CDF XML document")
        try:
            doc = _element(root)
        except RecursionError:
            raise CvrError(path, None, "elements nested too deeply",
                           "a CDF XML document") from None
        if not isinstance(doc, dict):
            raise CvrError(path, _local(root.tag), "an empty document element",
                           "a CastVoteRecordReport element") from None
        return doc
    return read_json_object(path, document="a CDF JSON document", unreadable="a CDF JSON file",
                            top="a CastVoteRecordReport object")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _element(e: ET.Element) -> dict[str, Any] | str:
    """An XML element in the JSON encoding's shape (ObjectId -> @id, xsi:type -> @type)."""
    children = list(e)
    if not children and not e.attrib:
        return (e.text or "").strip()
    out: dict[str, Any] = {}
    for k, v in e.attrib.items():
        name = _local(k)
        if name == "ObjectId":
            out["@id"] = v
        elif name == "type":
            out["@type"] = v
    for c in children:
        name = _local(c.tag)
        value = _element(c)
        if name in _LISTS:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    return out


def parse_xml(path: Path, expected: str) -> ET.Element:
    """An XML file's root, or a CvrError naming the line (ElementTree raises ParseError,
    LookupError for an unknown encoding, ValueError for one expat does not support)."""
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as e:
        line, col = e.position
        raise CvrError(path, line, f"malformed XML at column {col} ({e})", expected) from None
    except (LookupError, ValueError) as e:
        raise CvrError(path, 1, f"XML declaration: {e}", expected) from None
    except OSError as e:
        raise CvrError(path, None, f"cannot read ({e})", expected) from None


def _objects(obj: dict[str, Any], key: str, path: Path, where: str) -> list[dict[str, Any]]:
    """``obj[key]`` as a list of objects (one object is a list of one; absent: empty); a
    member of another type is an error naming where it is."""
    items = _list(obj, key)
    for j, item in enumerate(items):
        if not isinstance(item, dict):
            raise CvrError(path, f"{where}{key}[{j}]", shown(item), f"a {key} object")
    return items



def _list(obj: Any, key: str) -> list[Any]:
    v = obj.get(key, []) if isinstance(obj, dict) else []
    return v if isinstance(v, list) else [v]


def _text(v: Any) -> str:
    if v is None or isinstance(v, dict | list):
        return ""
    return str(v).strip()


def _current_snapshot(cvr: dict[str, Any], path: Path, where: str) -> dict[str, Any] | None:
    snaps = _list(cvr, "CVRSnapshot")
    current = _text(cvr.get("CurrentSnapshotId"))
    for s in snaps:
        if isinstance(s, dict) and (not current or s.get("@id") == current):
            return s
    if snaps:
        raise CvrError(path, where, f"CurrentSnapshotId {current!r} names no CVRSnapshot",
                       "the @id of one of the CVR's snapshots")
    return None


def _selections(
    doc: dict[str, Any], source: CvrSource, resolver: SourceResolver
) -> tuple[str, dict[str, Callable[[], int]]]:
    """The contest's id and {ContestSelection id: candidate index, looked up when marked}.

    Lookup waits for a mark because RCTab only rejects an undeclared candidate that a
    ballot actually ranks (a CDF file lists every selection of the contest)."""
    path = source.path
    names: dict[str, str] = {}
    contest = None
    for e in _list(doc, "Election"):
        for c in _list(e, "Candidate"):
            if isinstance(c, dict):
                names[_text(c.get("@id"))] = _text(c.get("Name"))
        for k in _list(e, "Contest"):
            if isinstance(k, dict) and source.contest_id in (_text(k.get("Name")),
                                                             _text(k.get("@id"))):
                contest = k
    if contest is None:
        raise CvrError(path, "Election[].Contest", f"no contest named {source.contest_id!r}",
                       "the config's contestId to equal a Contest Name or @id")
    out: dict[str, Callable[[], int]] = {}
    at = f"Election.Contest[{_text(contest.get('@id'))}]."
    for j, sel in enumerate(_objects(contest, "ContestSelection", path, at)):
        where = f"{at}ContestSelection[{j}]"
        ids = [_text(x) for x in _list(sel, "CandidateIds")]
        name = names.get(ids[0], "") if ids else ""
        write_in = _text(sel.get("IsWriteIn")) == "true" or not name
        out[_text(sel.get("@id"))] = functools.cache(
            functools.partial(_lookup, resolver, path, where, None if write_in else name))
    return _text(contest.get("@id")), out


def _lookup(resolver: SourceResolver, path: Path, where: str, name: str | None) -> int:
    if name is not None:
        return resolver.candidate(name, where)
    if UWI not in resolver.index:
        raise CvrError(path, where, "a write-in selection is marked",
                       "an undeclaredWriteInLabel in the config")
    return resolver.index[UWI]
