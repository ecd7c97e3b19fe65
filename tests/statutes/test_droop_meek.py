"""Meek (PR Foundation reference rule) against Droop's ``meek-prf`` reports: every
round's votes, quota and excess to 9 decimal places, and its decisions."""

from __future__ import annotations

import pytest

from hustings.counting import Method, count
from hustings.formats.blt import read_blt
from tests.statutes.conftest import DROOP
from tests.statutes.droop_report import read_meek_report
from tests.statutes.test_droop_scotland import droop_rules

RULE = "meek-prf-o6-fixed-p9-d9"
REPORTS = sorted((DROOP / "ref" / "report").glob(f"*-{RULE}.txt"))


@pytest.mark.parametrize("report_path", REPORTS, ids=lambda p: p.name[:-4])
def test_meek_prf_matches_droop_round_by_round(shared, report_path):
    file = read_blt(DROOP / "blt" / (report_path.name[: -len(f"-{RULE}.txt")] + ".blt"))
    expected = read_meek_report(report_path)
    result = count(droop_rules(file, Method.MEEK_PRF, 9), file.ballots)
    assert len(result.rounds) == len(expected)
    for rnd, ref in zip(result.rounds, expected, strict=True):
        where = f"round {rnd.number}"
        assert dict(rnd.tally) == ref.votes, where
        assert rnd.threshold == ref.quota, where
        assert rnd.sections[0].exhausted == ref.residual, where
        assert list(rnd.elected) == ref.elected or sorted(rnd.elected) == sorted(ref.elected)
        assert list(rnd.eliminated) == ref.defeated, where
