"""RCTab's conversions of a contest's CVRs: the normalised CSV and the NIST CDF JSON.

``rctab_cvr_csv`` – RCTab's normalised one-row-per-ballot CSV ("rctab_cvr").

RCTab converts any provider's CVRs into this CSV (its "Convert to CSV" action), which it
can read back as a generic CSV source. Columns::

    Source Filepath, CVR Provider, Contest Id, RCTab CVR Id, Tabulator Id, Batch Id,
    Vendor Id, Precinct, Precinct Portion, Rank 1 .. Rank N

with N = ``maxRankingsAllowed``; a rank holds the candidate's name as declared in the
config (aliases resolved), ``undervote`` when nothing is marked there, the source's
undeclared-write-in label for a write-in, the overvote label (or ``overvote``) for an
overvote whose names are unknown, and the names one per line (in the config's order) for
one whose names are known. RCTab's CVR ids are ``<file>-<n>`` for ES&S rows, ``<file>(<n>)`` for CDF
records and ``<tabulator>-<batch>-<record>`` for Dominion sessions.

``cdf_json`` – the ballots as a NIST SP 1500-103 cast-vote-record report (JSON), as RCTab's
"Convert to CDF" writes it: one ``original`` snapshot per ballot. As RCTab does, a ballot's
selections are named after the text its file used for the candidate (``cs-7`` for Dominion
candidate 7, an alias in a CDF file), while the election's candidate list holds the config's
names (sorted, ids ``c-<name in lower case, spaces as _>``). After a count
(``per_ballot=count_per_ballot(contest)``) each ballot also gets one ``interpreted``
snapshot per round, whose ``IsAllocable`` is ``yes`` on the marks the ballot counts for in
that round (several in STV, when a winner keeps part of it; never a mark made under an
alias, which RCTab fails to match to the tabulated name). Precincts become ``GpUnit``
entries numbered in the order a ``java.util.HashMap`` of their names iterates, as RCTab's.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from hustings.counting import BLANK, OVERVOTE, OVERVOTE_SET_BASE, Ballots, Method, Trace, trace
from hustings.formats import csv_cells
from hustings.formats.figures import votes_text
from hustings.formats.rctab import RctabContest
from hustings.formats.rctab.config import UWI, CvrSource
from hustings.formats.rctab.cvr import SourceBallots

HEADER = ["Source Filepath", "CVR Provider", "Contest Id", "RCTab CVR Id", "Tabulator Id",
          "Batch Id", "Vendor Id", "Precinct", "Precinct Portion"]


def rctab_cvr_csv(contest: RctabContest) -> str:
    """The contest's ballots as RCTab's normalised CSV (see the module docstring)."""
    width = contest.config.max_rankings
    ballots = contest.ballots
    names = ballots.candidates
    out = io.StringIO()
    w = csv_cells.writer(out, lineterminator="\n")
    w.writerow(HEADER + [f"Rank {k}" for k in range(1, width + 1)])
    row_no = 0
    for part in contest.sources_read:
        src = part.source
        provider = src.provider if src else ""
        uwi_text = (src.uwi_label if src and src.uwi_label else UWI)
        over_text = (src.overvote_label if src and src.overvote_label else "overvote")
        extra = part.extra

        def label(i: int, uwi_text: str = uwi_text) -> str:
            return uwi_text if names[i] == UWI else names[i]

        for k in range(part.count):
            marks = []
            for j in range(width):
                code = int(ballots.ranks[row_no, j]) if j < ballots.ranks.shape[1] else BLANK
                if code == BLANK:
                    marks.append("undervote")
                elif code == OVERVOTE:
                    marks.append(over_text)
                elif code <= OVERVOTE_SET_BASE:
                    members = ballots.overvote_sets[OVERVOTE_SET_BASE - code]
                    marks.append("\n".join(label(m) for m in sorted(members)))
                else:
                    marks.append(label(code))
            w.writerow([
                src.file_path if src else "",
                provider,
                src.contest_id if src and provider == "dominion" else "",
                part.ids[k] if part.ids is not None else _default_id(src, k),
                _get(extra, "tabulator", k),
                _get(extra, "batch", k),
                _get(extra, "vendor", k),
                (part.precincts[k] or "") if part.precincts is not None else "",
                _get(extra, "portion", k),
                *marks,
            ])
            row_no += 1
    return out.getvalue()


def _get(extra: Mapping[str, Sequence[str | None]], key: str, k: int) -> str:
    values = extra.get(key)
    return "" if values is None or values[k] is None else str(values[k])


def _default_id(src: CvrSource | None, k: int) -> str:
    """RCTab's id for a row of a tabular source without an id column: ``<file>-<n>``."""
    return f"{Path(src.file_path).name}-{k + 1}" if src else str(k + 1)


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_")


def _safe_id(text: str) -> str:
    """An id as RCTab writes it into CDF: characters outside [A-Za-z0-9_.-] become _."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def count_per_ballot(contest: RctabContest) -> Trace | None:
    """The contest's count with each ballot's path (``hustings.counting.trace``): which
    candidates each ballot counts for in each round (``Trace.counted_for()``). None for
    multi-pass IRV, which RCTab writes no per-round snapshots for. Meant for the small
    contests whose CDF export asks for per-round snapshots."""
    if contest.rules.method is Method.MULTI_PASS_IRV:
        return None
    return trace(contest.rules, contest.ballots)


def java_string_hash(text: str) -> int:
    """Java's ``String.hashCode`` (over UTF-16 code units, 32-bit wrap-around)."""
    h = 0
    data = text.encode("utf-16-be")
    for k in range(0, len(data), 2):
        h = (31 * h + (data[k] << 8 | data[k + 1])) & 0xFFFFFFFF
    return h


def java_hash_order(keys: list[str]) -> list[str]:
    """The order a ``java.util.HashMap`` filled with ``keys`` (in this order) iterates them:
    by bucket ``(h ^ h >>> 16) & (capacity - 1)``, capacity 16 doubled while more than 3/4
    full, a shared bucket in insertion order."""
    capacity = 16
    while len(keys) > capacity * 3 // 4:
        capacity *= 2

    def bucket(key: str) -> int:
        h = java_string_hash(key)
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(keys, key=bucket)  # stable: a shared bucket keeps insertion order


def cdf_json(contest: RctabContest, *, per_ballot: Trace | None = None) -> dict[str, Any]:
    """The contest's ballots as RCTab's CDF JSON export (see the module docstring).

    ``GeneratedDate`` is left out: it is the time of writing, not a property of the ballots.
    """
    ballots = contest.ballots
    names = ballots.candidates
    places = contest.rules.decimal_places
    counted = per_ballot.counted_for() if per_ballot is not None else None
    seen = [p for part in contest.sources_read if part.precincts is not None
            for p in part.precincts if p]
    precinct_ids = {p: f"gpu-{k}" for k, p in
                    enumerate(java_hash_order(list(dict.fromkeys(seen))), start=1)}
    labels = sorted(n for n in names if n not in contest.rules.excluded)
    if any(s.overvote_label for s in contest.config.sources):
        labels.append("overvote")  # RCTab lists the overvote label as a pseudo-candidate
    cvrs = []
    row_no = 0
    for part in contest.sources_read:
        def text(i: int, part: SourceBallots = part) -> str:
            return UWI if names[i] == UWI else part.raw_names.get(i, names[i])

        for k in range(part.count):
            ballot_id = _safe_id(part.ids[k] if part.ids is not None
                                 else _default_id(part.source, k))
            selections: dict[str, list[int]] = {}
            for j in range(ballots.ranks.shape[1]):
                code = int(ballots.ranks[row_no, j])
                if code == BLANK:
                    continue
                if code == OVERVOTE:
                    marked = ["overvote"]
                elif code <= OVERVOTE_SET_BASE:
                    # RCTab lists an overvote's selections in the string order of the
                    # file's texts ("11" before "7"), the write-in after them
                    members = ballots.overvote_sets[OVERVOTE_SET_BASE - code]
                    marked = sorted(text(m) for m in members if names[m] != UWI)
                    marked += [UWI for m in members if names[m] == UWI]
                else:
                    marked = [text(code)]
                for m in marked:
                    selections.setdefault(m, []).append(j + 1)
            rounds = []
            if counted is not None:
                for tally in counted[row_no]:
                    # RCTab matches the tabulated name against the file's text, so a mark
                    # made under an alias is never shown as counted (its export does so too)
                    held = [(names.index(c), v) for c, v in tally.items()]
                    rounds.append({
                        text(i): (_first_rank(ballots, row_no, i), _votes(v, places))
                        for i, v in held if text(i) == names[i]})
            precinct = part.precincts[k] if part.precincts is not None else None
            cvrs.append(_cvr(ballot_id, selections, rounds, precinct_ids.get(precinct or "")))
            row_no += 1
    meta = contest.metadata
    return {
        "@type": "CVR.CastVoteRecordReport",
        "CVR": cvrs,
        "Election": [{
            "@id": "election-001",
            "@type": "Election",
            "Candidate": [{"@id": f"c-{_slug(n)}", "Name": n} for n in labels],
            "Contest": [{
                "@id": "contest-001",
                "@type": "CandidateContest",
                "ContestSelection": [
                    {"@id": f"cs-{_slug(n)}", "@type": "ContestSelection",
                     "CandidateIds": [f"c-{_slug(n)}"]} for n in labels],
                "Name": meta["contest"],
            }],
            "ElectionScopeId": "gpu-election",
        }],
        "GpUnit": [{"@id": "gpu-election", "@type": "GpUnit", "Name": meta["jurisdiction"],
                    "OtherType": "Election Scope Jurisdiction", "Type": "other"}]
        + [{"@id": gpu, "@type": "GpUnit", "Name": p, "Type": "precinct"}
           for p, gpu in precinct_ids.items()],
        "ReportGeneratingDeviceIds": ["rd-001"],
        "ReportingDevice": [{"@id": "rd-001", "@type": "CVR.ReportingDevice",
                             "Application": "RCTab", "Manufacturer": "Bright Spots"}],
        "Version": "1.0.0",
    }


def _first_rank(ballots: Ballots, row: int, candidate: int) -> int:
    """The first rank (1-based) at which the ballot marks ``candidate``, alone or in an
    overvote: where a ballot that counts for them is counted."""
    for j, code in enumerate(ballots.ranks[row].tolist()):
        if code == candidate or (code <= OVERVOTE_SET_BASE and candidate
                                 in ballots.overvote_sets[OVERVOTE_SET_BASE - code]):
            return j + 1
    return 0


def _votes(value: Fraction, places: int | None) -> str | None:
    """None for a whole ballot; else the share as CDF writes it: ``.9063``."""
    if value == 1:
        return None
    return votes_text(value, places).removeprefix("0")


def _position(rank: int, allocable: str, fraction: str | None) -> dict[str, Any]:
    pos: dict[str, Any] = {"@type": "CVR.SelectionPosition"}
    if fraction is not None:
        pos["FractionalVotes"] = fraction
    pos.update({"HasIndication": "yes", "IsAllocable": allocable,
                "NumberVotes": 0 if fraction is not None else 1, "Rank": rank})
    return pos


def _cvr(ballot_id: str, selections: dict[str, list[int]],
         rounds: list[dict[str, tuple[int, str | None]]], gpu: str | None) -> dict[str, Any]:
    original = f"ballot-{ballot_id}"

    def snapshot(sid: str, kind: str,
                 position: Callable[[str, int], dict[str, Any]]) -> dict[str, Any]:
        return {
            "@id": sid,
            "@type": "CVR.CVRSnapshot",
            "CVRContest": [{
                "@type": "CVR.CVRContest",
                "CVRContestSelection": [
                    {"@type": "CVR.CVRContestSelection",
                     "ContestSelectionId": f"cs-{_slug(name)}",
                     "SelectionPosition": [position(name, r) for r in ranks]}
                    for name, ranks in selections.items()],
                "ContestId": "contest-001",
            }],
            "Type": kind,
        }

    snaps = [snapshot(original, "original", lambda name, r: _position(r, "unknown", None))]
    for number, counted in enumerate(rounds, start=1):
        def position(name: str, r: int,
                     c: dict[str, tuple[int, str | None]] = counted) -> dict[str, Any]:
            rank, fraction = c.get(name, (0, None))
            return _position(r, "yes", fraction) if rank == r else _position(r, "no", None)

        snaps.append(snapshot(f"{original}-round-{number}", "interpreted", position))
    cvr: dict[str, Any] = {"@type": "CVR", "BallotPrePrintedId": ballot_id}
    if gpu is not None:
        cvr["BallotStyleUnitId"] = gpu
    cvr.update({"CVRSnapshot": snaps, "CurrentSnapshotId": snaps[-1]["@id"],
                "ElectionId": "election-001"})
    return cvr
