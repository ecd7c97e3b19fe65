"""The counting core against RCTab's own expected reports (ES&S and generic-CSV cases).

RCTab's published regression outputs pin its rules exactly: every round's tally,
threshold, inactive ballots by reason, and each decision's transfers must agree.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rctab_cases import as_report, expected_reports, load, normalise_expected

from hustings.counting import count

ROOT = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "rctab"
# Inputs that only a real reader can give (blank cells read as undeclared write-ins; the
# 13 omitted copies of a workbook).
READER_ONLY = {"test_set_treat_blank_as_undeclared_write_in", "2013_minneapolis_mayor_scale"}


def _cases() -> list[str]:
    index = ROOT / "cases.json"
    if not index.is_file():
        return []
    cases = json.loads(index.read_text())["cases"]
    return [
        c["dir"] for c in cases
        if c["kind"] == "tabulation" and c["csv_input_available"]
        and set(c["input_formats"]) <= {"ess_xlsx", "generic_csv"}
        and c["name"] not in READER_ONLY
    ]


def _drop_zero_extras(got: dict, want: dict) -> dict:
    return {k: v for k, v in got.items() if v or k in want}


@pytest.mark.parametrize("case", _cases(), ids=lambda d: d.rsplit("/", 1)[-1])
def test_matches_rctab_expected_report(shared, case):
    case_dir = shared / "conformance" / "rctab" / case
    rules, ballots, _ = load(case_dir)
    result = count(rules, ballots)
    passes = result.passes or (result.rounds,)
    reports = expected_reports(case_dir)
    assert len(passes) == len(reports)
    winners = []
    for rounds, report in zip(passes, reports):
        got = as_report(type(result)(rules, rounds, (), 0, 0))
        want = normalise_expected(report)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g["tally"] == w["tally"], f"round {g['round']}"
            assert g["threshold"] == w["threshold"], f"round {g['round']}"
            assert _drop_zero_extras(g["inactive"], w["inactive"]) == w["inactive"]
            assert g["tallyResults"] == w["tallyResults"], f"round {g['round']}"
        assert int(report["summary"]["undervotes"]) == result.undervotes
        winners += [tr["elected"] for r in report["results"] for tr in r["tallyResults"]
                    if "elected" in tr]
    assert sorted(result.winners) == sorted(winners)
