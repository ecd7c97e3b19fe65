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
names (sorted, ids ``c-<name in lower case, spaces as _>``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from hustings.counting import BLANK, OVERVOTE, OVERVOTE_SET_BASE
from hustings.formats.rctab import RctabContest
from hustings.formats.rctab.config import UWI

HEADER = ["Source Filepath", "CVR Provider", "Contest Id", "RCTab CVR Id", "Tabulator Id",
          "Batch Id", "Vendor Id", "Precinct", "Precinct Portion"]


def rctab_cvr_csv(contest: RctabContest) -> str:
    """The contest's ballots as RCTab's normalised CSV (see the module docstring)."""
    width = contest.config.max_rankings
    ballots = contest.ballots
    names = ballots.candidates
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
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
                src.contest_id if provider == "dominion" else "",
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


def _get(extra: dict, key: str, k: int) -> str:
    values = extra.get(key)
    return "" if values is None or values[k] is None else str(values[k])


def _default_id(src, k: int) -> str:  # noqa: ANN001 - CvrSource | None
    """RCTab's id for a row of a tabular source without an id column: ``<file>-<n>``."""
    return f"{Path(src.file_path).name}-{k + 1}" if src else str(k + 1)


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_")


def _safe_id(text: str) -> str:
    """An id as RCTab writes it into CDF: characters outside [A-Za-z0-9_.-] become _."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def cdf_json(contest: RctabContest) -> dict[str, Any]:
    """The contest's ballots as RCTab's CDF JSON export (see the module docstring).

    ``GeneratedDate`` is left out: it is the time of writing, not a property of the ballots.
    """
    ballots = contest.ballots
    names = ballots.candidates
    labels = sorted(n for n in names if n not in contest.rules.excluded)
    if any(s.overvote_label for s in contest.config.sources):
        labels.append("overvote")  # RCTab lists the overvote label as a pseudo-candidate
    cvrs = []
    row_no = 0
    for part in contest.sources_read:
        def text(i: int, part=part) -> str:  # noqa: ANN001 - the loop's SourceBallots
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
            cvrs.append(_cvr(ballot_id, selections))
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
                    "OtherType": "Election Scope Jurisdiction", "Type": "other"}],
        "ReportGeneratingDeviceIds": ["rd-001"],
        "ReportingDevice": [{"@id": "rd-001", "@type": "CVR.ReportingDevice",
                             "Application": "RCTab", "Manufacturer": "Bright Spots"}],
        "Version": "1.0.0",
    }


def _cvr(ballot_id: str, selections: dict[str, list[int]]) -> dict[str, Any]:
    snapshot = f"ballot-{ballot_id}"
    return {
        "@type": "CVR",
        "BallotPrePrintedId": ballot_id,
        "CVRSnapshot": [{
            "@id": snapshot,
            "@type": "CVR.CVRSnapshot",
            "CVRContest": [{
                "@type": "CVR.CVRContest",
                "CVRContestSelection": [
                    {"@type": "CVR.CVRContestSelection",
                     "ContestSelectionId": f"cs-{_slug(name)}",
                     "SelectionPosition": [
                         {"@type": "CVR.SelectionPosition", "HasIndication": "yes",
                          "IsAllocable": "unknown", "NumberVotes": 1, "Rank": r}
                         for r in ranks]}
                    for name, ranks in selections.items()],
                "ContestId": "contest-001",
            }],
            "Type": "original",
        }],
        "CurrentSnapshotId": snapshot,
        "ElectionId": "election-001",
    }
