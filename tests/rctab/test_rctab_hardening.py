"""Broken RCTab configs and CVRs raise only RctabError, each naming file and place.

Each test is a finding of the hardening audit (issue 10), or a crash the reader fuzz suite
(tests/fuzz) found: before the fix each one was a UnicodeDecodeError, AttributeError,
TypeError, LookupError, IndexError, KeyError or RecursionError traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hustings.formats.rctab import ConfigError, CvrError, load_contest, read_config


def _config(tmp: Path, source: dict | None = None, **changes) -> Path:
    config = {
        "outputSettings": {"contestName": "Test"},
        "cvrFileSources": [source or {"provider": "genericCsv", "filePath": "cvr.csv",
                                      "firstVoteColumnIndex": "1", "firstVoteRowIndex": "2"}],
        "candidates": [{"name": n, "aliases": []} for n in ("Ann", "Bob", "Cy")],
        "rules": {
            "tiebreakMode": "useCandidateOrder", "overvoteRule": "alwaysSkipToNextRank",
            "winnerElectionMode": "singleWinnerMajority", "numberOfWinners": "1",
            "decimalPlacesForVoteArithmetic": "4", "maxSkippedRanksAllowed": "unlimited",
            "maxRankingsAllowed": "max",
        },
    }
    for key, value in changes.items():
        config[key] = value
    if not (tmp / "cvr.csv").exists():
        (tmp / "cvr.csv").write_text("Ann,Bob,Cy\n1,2,3\n")
    path = tmp / "contest_config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as e:
        read_config(path)
    return str(e.value)


# -- the config ---------------------------------------------------------------------------


def test_config_not_utf8(tmp_path):
    p = tmp_path / "c.json"
    p.write_bytes(b'{"a": "\xc3("}')
    assert config_error(p) == (f"{p}: invalid RCTab config: not UTF-8 text at byte offset 7; "
                               "expected a UTF-8 JSON file")


def test_config_output_settings_not_an_object(tmp_path):
    p = _config(tmp_path, outputSettings="Test")
    assert config_error(p) == (f"{p}: invalid RCTab config: outputSettings is 'Test'; "
                               "expected an object")


def test_config_mode_an_object_not_a_name(tmp_path):
    p = _config(tmp_path)
    doc = json.loads(p.read_text())
    doc["rules"]["winnerElectionMode"] = {"a": 1}
    p.write_text(json.dumps(doc))
    assert "rules.winnerElectionMode is {'a': 1}; expected one of bottomsUp, " in config_error(p)


def test_config_aliases_not_a_list_of_names(tmp_path):
    p = _config(tmp_path, candidates=[{"name": "Ann", "aliases": 7}, {"name": "Bob",
                                                                       "aliases": [1, "b"]}])
    assert config_error(p) == (
        f"{p}: invalid RCTab config: candidates[0].aliases is 7; expected a list of strings; "
        "candidates[1].aliases is [1, 'b']; expected a list of strings")


def test_config_file_path_too_long_for_the_system(tmp_path):
    p = _config(tmp_path, {"provider": "genericCsv", "filePath": "x" * 5000,
                           "firstVoteColumnIndex": "1", "firstVoteRowIndex": "2"})
    assert f"cvrFileSources[0].filePath '{'x' * 56}...: " in config_error(p)


def test_config_max_rankings_above_the_limit(tmp_path):
    p = _config(tmp_path)
    doc = json.loads(p.read_text())
    doc["rules"]["maxRankingsAllowed"] = "1000000000"
    p.write_text(json.dumps(doc))
    assert config_error(p) == (f"{p}: invalid RCTab config: rules.maxRankingsAllowed is "
                               "1000000000; expected 'max' or at most 1000 (Hustings' limit on "
                               "ranks)")


def test_config_nested_too_deeply(tmp_path):
    p = tmp_path / "c.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    assert config_error(p) == (f"{p}: invalid RCTab config: arrays or objects nested too "
                               "deeply; expected an RCTab config")


def test_config_number_of_5000_digits(tmp_path):
    p = tmp_path / "c.json"
    p.write_text('{"rules": ' + "9" * 5000 + "}")
    assert config_error(p).startswith(f"{p}: invalid RCTab config: Exceeds the limit (4300 "
                                       "digits) for integer string conversion")


# -- the CVR readers ----------------------------------------------------------------------


def cvr_error(config: Path) -> str:
    with pytest.raises(CvrError) as e:
        load_contest(config)
    return str(e.value)


def test_hart_unknown_xml_encoding_is_a_cvr_error_not_a_lookup_error(tmp_path):
    folder = tmp_path / "hart"
    folder.mkdir()
    (folder / "b.xml").write_bytes(b'<?xml version="1.0" encoding="utf-0"?><Cvr/>')
    p = _config(tmp_path, {"provider": "hart", "filePath": "hart", "contestId": "K"})
    assert cvr_error(p) == (f"{folder / 'b.xml'}:1: XML declaration: unknown encoding: utf-0; "
                            "expected a Hart Cvr XML document")


def test_cdf_xml_nested_too_deeply(tmp_path):
    (tmp_path / "cvr.xml").write_text("<a>" * 100_000 + "</a>" * 100_000)
    p = _config(tmp_path, {"provider": "cdf", "filePath": "cvr.xml", "contestId": "Mayor"})
    assert cvr_error(p) == (f"{tmp_path / 'cvr.xml'}: elements nested too deeply; expected a "
                            "CDF XML document")


def test_cdf_selection_not_an_object(tmp_path):
    doc = {"Election": [{"@id": "e", "Contest": [{"@id": "k1", "Name": "Mayor",
                                                  "ContestSelection": ["cs-ann"]}]}]}
    (tmp_path / "cvr.json").write_text(json.dumps(doc))
    p = _config(tmp_path, {"provider": "cdf", "filePath": "cvr.json", "contestId": "Mayor"})
    assert cvr_error(p) == (f"{tmp_path / 'cvr.json'}:Election.Contest[k1].ContestSelection[0]: "
                            "'cs-ann'; expected a ContestSelection object")


def _dominion(tmp_path: Path, export: object, manifest: object | None = None) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "CvrExport.json").write_text(json.dumps(export))
    if manifest is not None:
        (folder / "PrecinctManifest.json").write_text(json.dumps(manifest))
    return _config(tmp_path, {"provider": "dominion", "filePath": "export", "contestId": "5"})


def test_dominion_sessions_not_a_list(tmp_path):
    p = _dominion(tmp_path, {"Sessions": {"a": 1}})
    assert cvr_error(p) == (f"{tmp_path / 'export/CvrExport.json'}:Sessions: {{'a': 1}}; "
                            "expected a list of objects")


def test_dominion_manifest_entry_without_an_id(tmp_path):
    p = _dominion(tmp_path, {"Sessions": []}, {"List": [{"Description": "P1"}]})
    assert cvr_error(p) == (f"{tmp_path / 'export/PrecinctManifest.json'}:List[0].Id: None; "
                            "expected a whole-number Id")


def test_dominion_rank_zero_is_refused_not_stored_at_the_last_rank(tmp_path):
    mark = {"CandidateId": 1, "Rank": 0}
    session = {"Original": {"Cards": [{"Contests": [{"Id": 5, "Marks": [mark]}]}]}}
    p = _dominion(tmp_path, {"Sessions": [session]})
    assert cvr_error(p) == (
        f"{tmp_path / 'export/CvrExport.json'}:Sessions[0].Cards[0].Contests[0].Marks[0]: mark "
        "{'CandidateId': 1, 'Rank': 0}; expected CandidateId and Rank as whole numbers, Rank ≥ 1")


def test_clear_ballot_short_row_reads_without_its_ballot_id(tmp_path):
    head = "BallotID,PrecinctID,Choice_1_1:Mayor:1:Vote For 1:Ann:NP"
    (tmp_path / "cvr.csv").write_text(f"{head}\nB1,P1,1\n")
    (tmp_path / "short.csv").write_text("Choice_1_1:Mayor:1:Vote For 1:Ann:NP,BallotID\n1\n")
    p = _config(tmp_path, {"provider": "clearBallot", "filePath": "short.csv",
                           "contestId": "Mayor"})
    contest = load_contest(p)  # an IndexError before: the row has no BallotID cell
    assert contest.ballot_ids == ("1",)


def test_clear_ballot_rank_zero_in_a_header(tmp_path):
    (tmp_path / "cb.csv").write_text("Choice_1_1:Mayor:0:Vote For 1:Ann:NP\n1\n")
    p = _config(tmp_path, {"provider": "clearBallot", "filePath": "cb.csv", "contestId": "Mayor"})
    assert cvr_error(p) == (f"{tmp_path / 'cb.csv'}:1: column 1 header: rank '0'; expected a "
                            "whole number ≥ 1")


def test_ess_csv_header_cell_over_the_field_limit(tmp_path):
    (tmp_path / "cvr.xlsx.csv").write_text("id," + "x" * 200_000 + "\n1,Ann\n")
    p = _config(tmp_path, {"provider": "ess", "filePath": "cvr.xlsx.csv",
                           "firstVoteColumnIndex": "2", "firstVoteRowIndex": "2"})
    assert cvr_error(p) == (f"{tmp_path / 'cvr.xlsx.csv'}: cannot read: field larger than field "
                            "limit (131072); expected a UTF-8 CSV rendering of an ES&S sheet")


def test_ess_workbook_with_broken_sheet_xml(tmp_path):
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["id", "Ann"])
    wb.save(tmp_path / "good.xlsx")
    with zipfile.ZipFile(tmp_path / "good.xlsx") as z, \
            zipfile.ZipFile(tmp_path / "cvr.xlsx", "w") as out:
        for name in z.namelist():
            data = z.read(name)
            if name.startswith("xl/worksheets/sheet"):
                data = data.replace(b"</sheetData>", b"")  # the element never closes
            out.writestr(name, data)
    p = _config(tmp_path, {"provider": "ess", "filePath": "cvr.xlsx",
                           "firstVoteColumnIndex": "2", "firstVoteRowIndex": "2"})
    assert cvr_error(p).startswith(f"{tmp_path / 'cvr.xlsx'}: cannot read the first worksheet "
                                   "(ParseError: mismatched tag: ")


def test_rctab_cvr_export_neutralises_a_formula_name(tmp_path):
    import csv
    import io

    from hustings.formats.rctab.export import rctab_cvr_csv

    (tmp_path / "cvr.csv").write_text("@SUM(A1),Bob,Cy\n1,2,\n")
    p = _config(tmp_path, candidates=[{"name": "@SUM(A1)"}, {"name": "Bob"}, {"name": "Cy"}])
    rows = list(csv.reader(io.StringIO(rctab_cvr_csv(load_contest(p)))))
    assert rows[1][-3:] == ["'@SUM(A1)", "Bob", "undervote"]


def test_ess_workbook_cell_at_the_last_column_does_not_widen_every_row(tmp_path):
    import tracemalloc

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "Rank 1"])
    for i in range(2, 402):
        ws.cell(row=i, column=1, value=str(i))
        ws.cell(row=i, column=2, value="Ann")
        ws.cell(row=i, column=16384, value="x")  # column XFD, Excel's last
    wb.save(tmp_path / "cvr.xlsx")
    p = _config(tmp_path, {"provider": "ess", "filePath": "cvr.xlsx",
                           "firstVoteColumnIndex": "2", "firstVoteRowIndex": "2"})
    tracemalloc.start()
    try:
        contest = load_contest(p)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(contest.ballot_ids) == 400
    assert peak < 20 << 20  # before: 16,384 columns x 400 rows of cells, ~60 MB
