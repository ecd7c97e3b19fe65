"""Scottish STV against Droop's stage-by-stage reports (an independent implementation of
SSI 2007/42): every stage's votes, non-transferable votes and actions, to 5 places."""

from __future__ import annotations

from pathlib import Path

import pytest

from hustings.counting import Method, Rules, TieBreak, TieBreakMode, count
from hustings.formats.blt import read_blt
from tests.statutes.conftest import DROOP
from tests.statutes.droop_report import read_report, without_zero_surpluses

RULE = "scotland-fixed-p5-d5"
SCOTTISH = sorted((DROOP / "ref" / "report" / "scotland").glob(f"*-{RULE}.txt"))
OTHERS = sorted((DROOP / "ref" / "report").glob(f"*-{RULE}.txt"))


def blt_for(report: Path) -> Path:
    name = report.name[: -len(f"-{RULE}.txt")]
    folder = DROOP / "blt" / ("scotland" if report.parent.name == "scotland" else "")
    return folder / f"{name}.blt"


def droop_rules(file, method: Method, places: int | None) -> Rules:
    """The file's seats and withdrawals; lot as Droop draws it (the [tie] order, else the
    file's candidate order)."""
    return Rules(candidates=file.tie_order or file.candidates, method=method,
                 seats=file.seats, decimal_places=places,
                 excluded=frozenset(file.withdrawn),
                 tie_break=TieBreak(TieBreakMode.CANDIDATE_ORDER))


def check_stages(result, report) -> None:
    assert len(result.rounds) == len(report.stages), "number of stages"
    for rnd, stage in zip(result.rounds, report.stages, strict=True):
        where = f"stage {rnd.number}"
        assert dict(rnd.tally) == stage.votes, where
        assert rnd.sections[0].exhausted == stage.nontransferable, where
        assert sorted(rnd.elected) == sorted(stage.elected), where
        assert list(rnd.eliminated) == stage.defeated, where
        sources = {t.source for t in rnd.transfers} - set(rnd.eliminated)
        assert sources == ({stage.surplus_of} if stage.surplus_of else set()), where
    assert list(result.winners) == report.elected or \
        sorted(result.winners) == sorted(report.elected)


def test_there_are_23_scottish_reports(shared):
    assert len(SCOTTISH) == 23


@pytest.mark.parametrize("report_path", SCOTTISH + OTHERS, ids=lambda p: p.name[:-4])
def test_scottish_stv_matches_droop_stage_by_stage(shared, report_path):
    file = read_blt(blt_for(report_path))
    report = without_zero_surpluses(read_report(report_path))
    result = count(droop_rules(file, Method.SCOTTISH_STV, 5), file.ballots)
    assert result.rounds[0].threshold == report.quota
    check_stages(result, report)


def test_transfers_balance_every_stage(shared):
    """Conservation: the votes shown, the non-transferable papers and the residual add up
    to the valid papers at every stage."""
    file = read_blt(DROOP / "blt" / "scotland" / "Calton-2007.blt")
    result = count(droop_rules(file, Method.SCOTTISH_STV, 5), file.ballots)
    residual = 0
    for rnd in result.rounds:
        total = sum(rnd.tally.values()) + rnd.sections[0].exhausted + residual
        assert total == result.total_ballots - result.undervotes
        residual += sum(t.votes for t in rnd.transfers if t.target == "residual surplus")
