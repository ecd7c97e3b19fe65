"""The CVR readers, checked without the counting core.

* Round 1 of every runnable RCTab case is recomputed from our ``Ballots`` by a small
  independent counter (rctab_round1.py) and compared with RCTab's published round 1;
* ES&S workbooks and their ``.xlsx.csv`` renderings must give identical ballots;
* a tiny workbook written here with openpyxl exercises every kind of ES&S cell;
* every reader reports a malformed file with the file, the position and what was expected.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from rctab_oracle import RCTAB, all_cases, case_id, load
from rctab_round1 import round1

from hustings.counting import BLANK, OVERVOTE, OVERVOTE_SET_BASE
from hustings.formats.errors import FormatError
from hustings.formats.rctab import (
    ConfigError,
    CvrError,
    UnknownCandidateError,
    load_contest,
)

RUNNABLE = [c for c in all_cases() if c["kind"] == "tabulation" and c["inputs_complete"]]
# 13 copies of 2013_minneapolis_mayor (checked there); too slow for the per-ballot oracle
ROUND_ONE = [c for c in RUNNABLE if c["name"] != "2013_minneapolis_mayor_scale"]


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in ROUND_ONE])
def test_round_one_matches_rctab(case: dict) -> None:
    contest = load(case)
    expected = json.loads((RCTAB / case["expected_results"][0]["file"]).read_text())
    first = expected["results"][0]
    tally, inactive, undervotes = round1(contest.rules, contest.ballots)
    assert contest.ballots.total == int(expected["summary"]["totalNumBallots"])
    assert undervotes == expected["summary"]["undervotes"]
    assert contest.num_candidates == expected["summary"]["numCandidates"]
    assert {k: Decimal(tally.get(k, 0)) for k in first["tally"]} == {
        k: Decimal(v) for k, v in first["tally"].items()}
    assert sum(tally.values()) == sum(Decimal(v) for v in first["tally"].values())
    assert {k: Decimal(inactive.get(k, 0)) for k in first["inactiveBallots"]} == {
        k: Decimal(v) for k, v in first["inactiveBallots"].items()}


def _both_forms() -> list:
    out = []
    for c in RUNNABLE:
        if all(s["format"] == "ess_xlsx" and s["present"] and s.get("csv_rendering")
               for s in c["cvr_sources"]):
            out.append(pytest.param(c, id=case_id(c)))
    return out


@pytest.mark.parametrize("case", _both_forms())
def test_workbook_and_rendering_give_the_same_ballots(case: dict) -> None:
    from_xlsx = load(case)
    subs = {s["config_filePath"]: RCTAB / s["csv_rendering"] for s in case["cvr_sources"]}
    from_csv = load_contest(RCTAB / case["config"], substitutes=subs)
    a, b = from_xlsx.ballots, from_csv.ballots
    assert np.array_equal(_trim(a.ranks), _trim(b.ranks))
    assert a.overvote_sets == b.overvote_sets
    assert a.slices.keys() == b.slices.keys()
    for k in a.slices:
        assert a.slices[k][0] == b.slices[k][0]
        assert np.array_equal(a.slices[k][1], b.slices[k][1])
    assert from_xlsx.ballot_ids == from_csv.ballot_ids


def _trim(ranks: np.ndarray) -> np.ndarray:
    """Without trailing all-blank rank columns (a workbook row stops at its last cell; a
    CSV rendering keeps the header's width): they mean the same ballots."""
    used = np.flatnonzero((ranks != BLANK).any(axis=0))
    return ranks[:, : (used[-1] + 1 if used.size else 0)]


# --- a contest written here -------------------------------------------------------------

def _config(tmp: Path, source: dict, *, candidates=("Ann", "Bob", "Cy"), **rules) -> Path:
    base_rules = {
        "tiebreakMode": "useCandidateOrder", "overvoteRule": "alwaysSkipToNextRank",
        "winnerElectionMode": "singleWinnerMajority", "numberOfWinners": "1",
        "decimalPlacesForVoteArithmetic": "4", "maxSkippedRanksAllowed": "unlimited",
        "maxRankingsAllowed": "max",
    }
    config = {
        "outputSettings": {"contestName": "Test", "tabulateByPrecinct": False},
        "cvrFileSources": [source],
        "candidates": [c if isinstance(c, dict) else {"name": c, "aliases": []}
                       for c in candidates],
        "rules": {**base_rules, **rules},
    }
    path = tmp / "contest_config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def _ess(file: str, **extra) -> dict:
    return {"provider": "ess", "filePath": file, "firstVoteColumnIndex": "2",
            "firstVoteRowIndex": "2", "precinctColumnIndex": "1", **extra}


def test_tiny_workbook_every_kind_of_cell(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Precinct", "Choice 1", "Choice 2", "Choice 3"])
    ws.append(["P1", "Ann", "Bob", "Cy"])
    ws.append(["P1", " Bob ", "undervote", "Ann"])  # trimmed; a skipped rank
    ws.append(["P2", "overvote", "Cy", None])  # an overvote whose names are unknown
    ws.append(["P2", "Ann|Cy", "UWI", "A"])  # an overvote set; write-in; an alias
    ws.append([None, None, None, None])  # a ballot with no marks, no precinct
    wb.save(tmp_path / "cvr.xlsx")
    config = _config(
        tmp_path,
        _ess("cvr.xlsx", overvoteLabel="overvote", skippedRankLabel="undervote",
             undeclaredWriteInLabel="UWI", overvoteDelimiter="|"),
        candidates=({"name": "Ann", "aliases": ["A"]}, "Bob", "Cy"),
    )
    contest = load_contest(config)
    b = contest.ballots
    assert b.candidates == ("Ann", "Bob", "Cy", "Undeclared Write-ins")
    assert b.overvote_sets == (frozenset({0, 2}),)
    assert b.ranks.tolist() == [
        [0, 1, 2],
        [1, BLANK, 0],
        [OVERVOTE, 2, BLANK],
        [OVERVOTE_SET_BASE, 3, 0],
        [BLANK, BLANK, BLANK],
    ]
    assert contest.rules.undeclared_write_in == "Undeclared Write-ins"


def test_precinct_slices_label_missing_precincts(tmp_path: Path) -> None:
    (tmp_path / "cvr.xlsx.csv").write_text(
        "Precinct,C1,C2\nP2,Ann,Bob\n,Bob,\nP1,Cy,Ann\n", encoding="utf-8")
    path = _config(tmp_path, _ess("cvr.xlsx"))
    raw = json.loads(path.read_text())
    raw["outputSettings"]["tabulateByPrecinct"] = True
    path.write_text(json.dumps(raw))
    ballots = load_contest(path).ballots  # the missing .xlsx is read from its rendering
    names, codes = ballots.slices["precinct"]
    assert names == ("P1", "P2", "missing_precinct_id")
    assert [names[c] for c in codes] == ["P2", "missing_precinct_id", "P1"]


def test_max_rankings_limits_ess_columns(tmp_path: Path) -> None:
    (tmp_path / "cvr.xlsx.csv").write_text(
        "Precinct,C1,C2,C3,Count\nP1,Ann,Bob,Cy,1\n", encoding="utf-8")
    contest = load_contest(_config(tmp_path, _ess("cvr.xlsx"), maxRankingsAllowed="2"))
    assert contest.ballots.ranks.tolist() == [[0, 1]]  # "Cy" and the Count column ignored


# --- malformed files: what, where, expected -----------------------------------------------

def test_ess_unknown_candidate_names_row_and_column(tmp_path: Path) -> None:
    (tmp_path / "cvr.xlsx.csv").write_text(
        "Precinct,C1,C2\nP1,Ann,Bob\nP1,Bob,Zed\n", encoding="utf-8")
    with pytest.raises(UnknownCandidateError) as e:
        load_contest(_config(tmp_path, _ess("cvr.xlsx")))
    assert str(e.value) == (
        f"{tmp_path / 'cvr.xlsx.csv'}:3: column 3: unrecognised candidate 'Zed'; "
        "expected a candidate name or alias declared in the config")
    assert isinstance(e.value, FormatError)


def test_generic_csv_rank_must_be_a_number(tmp_path: Path) -> None:
    (tmp_path / "cvr.csv").write_text("id,Ann,Bob,Cy\n1,1,2,\n2,x,1,\n", encoding="utf-8")
    source = {"provider": "genericCsv", "filePath": "cvr.csv", "firstVoteColumnIndex": "2",
              "firstVoteRowIndex": "2"}
    with pytest.raises(CvrError) as e:
        load_contest(_config(tmp_path, source))
    assert str(e.value) == (f"{tmp_path / 'cvr.csv'}:3: column 2 ('Ann') holds 'x'; "
                            "expected a rank number or a blank cell")


def test_generic_csv_same_rank_twice_is_an_overvote(tmp_path: Path) -> None:
    (tmp_path / "cvr.csv").write_text("id,Ann,Bob,Cy\n1,1,1,2\n", encoding="utf-8")
    source = {"provider": "genericCsv", "filePath": "cvr.csv", "firstVoteColumnIndex": "2",
              "firstVoteRowIndex": "2"}
    b = load_contest(_config(tmp_path, source)).ballots
    assert b.ranks.tolist() == [[OVERVOTE_SET_BASE, 2]]
    assert b.overvote_sets == (frozenset({0, 1}),)


def test_clear_ballot_header_must_have_six_fields(tmp_path: Path) -> None:
    (tmp_path / "cvr.csv").write_text("RowNumber,Choice_1_1:X:1\n1,1\n", encoding="utf-8")
    source = {"provider": "clearBallot", "filePath": "cvr.csv", "contestId": "X"}
    with pytest.raises(CvrError) as e:
        load_contest(_config(tmp_path, source))
    assert str(e.value) == (
        f"{tmp_path / 'cvr.csv'}:1: column 2 header 'Choice_1_1:X:1'; "
        "expected Choice_<id>_<n>:<contest>:<rank>:<vote for>:<candidate>:<party>")


def test_cdf_json_syntax_error_has_line(tmp_path: Path) -> None:
    (tmp_path / "cvr.json").write_text('{\n  "CVR": [\n  ,\n]}', encoding="utf-8")
    source = {"provider": "cdf", "filePath": "cvr.json", "contestId": "X"}
    with pytest.raises(CvrError) as e:
        load_contest(_config(tmp_path, source))
    assert str(e.value).startswith(f"{tmp_path / 'cvr.json'}:3: malformed JSON at column 3")
    assert str(e.value).endswith("; expected a CDF JSON document")


def _cdf(selection: str) -> dict:
    return {
        "Election": [{"@id": "e", "Candidate": [{"@id": "c-ann", "Name": "Ann"}],
                      "Contest": [{"@id": "k1", "Name": "Mayor", "ContestSelection": [
                          {"@id": "cs-ann", "CandidateIds": ["c-ann"]}]}]}],
        "CVR": [{"CurrentSnapshotId": "s1", "CVRSnapshot": [{"@id": "s1", "CVRContest": [
            {"ContestId": "k1", "CVRContestSelection": [
                {"ContestSelectionId": selection,
                 "SelectionPosition": [{"HasIndication": "yes", "Rank": 1}]}]}]}]}],
    }


def test_cdf_unknown_selection_is_reported_with_its_json_path(tmp_path: Path) -> None:
    (tmp_path / "cvr.json").write_text(json.dumps(_cdf("cs-zed")), encoding="utf-8")
    source = {"provider": "cdf", "filePath": "cvr.json", "contestId": "Mayor"}
    with pytest.raises(CvrError) as e:
        load_contest(_config(tmp_path, source))
    assert str(e.value) == (
        f"{tmp_path / 'cvr.json'}:CVR[0].CVRContestSelection[0]: ContestSelectionId 'cs-zed' "
        "is not a selection of contest 'Mayor'; expected an id listed under "
        "Election.Contest.ContestSelection")


def test_cdf_json_reads_a_ballot(tmp_path: Path) -> None:
    (tmp_path / "cvr.json").write_text(json.dumps(_cdf("cs-ann")), encoding="utf-8")
    source = {"provider": "cdf", "filePath": "cvr.json", "contestId": "Mayor"}
    assert load_contest(_config(tmp_path, source)).ballots.ranks.tolist() == [[0]]


def test_cdf_xml_syntax_error_has_line(tmp_path: Path) -> None:
    (tmp_path / "cvr.xml").write_text("<CastVoteRecordReport>\n<CVR>\n</CVRX>\n",
                                      encoding="utf-8")
    source = {"provider": "cdf", "filePath": "cvr.xml", "contestId": "X"}
    with pytest.raises(CvrError) as e:
        load_contest(_config(tmp_path, source))
    assert str(e.value).startswith(f"{tmp_path / 'cvr.xml'}:3: malformed XML")
    assert str(e.value).endswith("expected a well-formed CDF XML document")


def test_dominion_mark_without_rank(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    session = {"TabulatorId": 1, "BatchId": 1, "RecordId": 1, "Original": {
        "IsCurrent": True, "Cards": [{"Contests": [{"Id": 5, "Marks": [
            {"CandidateId": 1, "IsAmbiguous": False}]}]}]}}
    (folder / "CvrExport.json").write_text(json.dumps({"Sessions": [session]}))
    source = {"provider": "dominion", "filePath": "export", "contestId": "5"}
    with pytest.raises(CvrError) as e:
        load_contest(_config(tmp_path, source, candidates=(
            {"name": "Ann", "aliases": ["1"]},)))
    assert str(e.value) == (
        f"{folder / 'CvrExport.json'}:Sessions[0].Cards[0].Contests[0].Marks[0]: mark "
        "{'CandidateId': 1, 'IsAmbiguous': False}; expected CandidateId and Rank as whole "
        "numbers, Rank ≥ 1")


def test_hart_rank_bits(tmp_path: Path) -> None:
    folder = tmp_path / "hart"
    folder.mkdir()
    (folder / "b1.xml").write_text(
        '<Cvr xmlns="http://tempuri.org/CVRDesign.xsd"><Contests><Contest><Id>K</Id><Options>'
        "<Option><Id>a</Id><Value>010</Value></Option>"
        "<Option><Id>b</Id><Value>1</Value></Option>"
        "</Options></Contest></Contests><CvrGuid>g1</CvrGuid></Cvr>")
    (folder / "b2.xml").write_text(
        "<Cvr><Contests><Contest><Id>K</Id><Options>"
        "<Option><Id>a</Id><Value>2</Value></Option>"
        "</Options></Contest></Contests></Cvr>")
    source = {"provider": "hart", "filePath": "hart", "contestId": "K"}
    config = _config(tmp_path, source, candidates=(
        {"name": "Ann", "aliases": ["a"]}, {"name": "Bob", "aliases": ["b"]}))
    with pytest.raises(CvrError) as e:
        load_contest(config)
    assert str(e.value) == (
        f"{folder / 'b2.xml'}:Cvr/Contests/Contest[Id=K]/Options/Option[1]: Value '2'; "
        "expected a rank bit string such as 1, 010000 (rank 2) or 101000")
    (folder / "b2.xml").unlink()
    contest = load_contest(config)
    assert contest.ballots.ranks.tolist() == [[1, 0]]
    assert contest.ballot_ids == ("g1",)


def test_config_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "x_config.json"
    path.write_text('{"rules": {,}}')
    with pytest.raises(ConfigError) as e:
        load_contest(path)
    assert str(e.value) == (f"{path}: invalid RCTab config: line 1 column 12: "
                            "Expecting property name enclosed in double quotes; expected JSON")


def test_unexpected_structure_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    doc = _cdf("cs-ann")
    doc["CVR"] = [3]  # a number where a CVR object belongs
    (tmp_path / "cvr.json").write_text(json.dumps(doc))
    source = {"provider": "cdf", "filePath": "cvr.json", "contestId": "Mayor"}
    with pytest.raises(CvrError) as e:
        load_contest(_config(tmp_path, source))
    # The reader checks the shape where it reads it: the message names the place.
    assert str(e.value) == f"{tmp_path / 'cvr.json'}:CVR[0]: 3; expected a CVR object"


def test_dominion_invalid_contest_is_not_a_ballot(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()

    def session(record: int, outstack: list[int], marks: list[dict]) -> dict:
        return {"TabulatorId": 9, "BatchId": 1, "RecordId": record, "Original": {
            "IsCurrent": True, "PrecinctPortionId": 1, "Cards": [{"Contests": [
                {"Id": 5, "Undervotes": 0, "OutstackConditionIds": outstack, "Marks": marks}]}]}}

    mark = {"CandidateId": 1, "Rank": 1, "IsAmbiguous": False, "IsVote": True}
    (folder / "CvrExport.json").write_text(json.dumps({"Sessions": [
        session(1, [], [mark]),
        session(2, [7], [dict(mark, IsVote=False)]),  # flagged InvalidContest: left out
        session(3, [], []),  # no marks: an undervote
    ]}))
    (folder / "OutstackConditionManifest.json").write_text(json.dumps({"List": [
        {"Description": "InvalidContest", "Id": 7}, {"Description": "Undervote", "Id": 4}]}))
    (folder / "PrecinctPortionManifest.json").write_text(json.dumps({"List": [
        {"Description": "Precinct 1", "Id": 1, "PrecinctId": 1}]}))
    source = {"provider": "dominion", "filePath": "export", "contestId": "5"}
    config = _config(tmp_path, source, candidates=({"name": "Ann", "aliases": ["1"]},))
    contest = load_contest(config)
    assert contest.ballots.ranks.tolist() == [[0], [BLANK]]
    assert contest.ballot_ids == ("9-1-1", "9-1-3")
    assert contest.sources_read[0].extra["portion"] == ["Precinct 1", "Precinct 1"]


def test_ranks_above_the_maximum_are_left_out(tmp_path: Path) -> None:
    doc = _cdf("cs-ann")
    positions = doc["CVR"][0]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][0]
    positions["SelectionPosition"].append({"HasIndication": "yes", "Rank": 1_000_000})
    (tmp_path / "cvr.json").write_text(json.dumps(doc))
    source = {"provider": "cdf", "filePath": "cvr.json", "contestId": "Mayor"}
    contest = load_contest(_config(tmp_path, source, maxRankingsAllowed="3"))
    assert contest.ballots.ranks.tolist() == [[0, BLANK, BLANK]]  # 3 ranks wide, not 10^6
