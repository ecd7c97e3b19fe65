"""WIGM (PR Foundation reference rule) against Droop's ``wigm-prf`` reports, stage by
stage to 4 decimal places."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hustings.counting import Method, Quota, count
from hustings.formats.blt import read_blt
from tests.statutes.conftest import DROOP
from tests.statutes.droop_report import read_report, without_zero_surpluses
from tests.statutes.test_droop_scotland import check_stages, droop_rules

RULE = "wigm-prf-fixed-p4-d4"
REPORTS = sorted((DROOP / "ref" / "report").glob(f"*-{RULE}.txt"))


@pytest.mark.parametrize("report_path", REPORTS, ids=lambda p: p.name[:-4])
def test_wigm_matches_droop_stage_by_stage(shared, report_path):
    file = read_blt(DROOP / "blt" / (report_path.name[: -len(f"-{RULE}.txt")] + ".blt"))
    report = without_zero_surpluses(read_report(report_path))
    rules = replace(droop_rules(file, Method.WIGM, 4), quota=Quota.DROOP_EXACT)
    result = count(rules, file.ballots)
    assert result.rounds[0].threshold == report.quota
    check_stages(result, report)
