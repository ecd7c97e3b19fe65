"""``hustings count`` options for a statute's arithmetic: --quota, --decimal-places,
--stop-when-filled, and the statute presets."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hustings.cli.count import count_command
from tests.statutes.conftest import DROOP

SC = str(DROOP / "blt" / "SC.blt")  # 94 ballots, 4 seats


def run(*args):
    out = CliRunner().invoke(count_command, [*args])
    return out


def summary(*args):
    out = run(SC, "--output", "json", *args)
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    return report["summary"]["finalThreshold"], len(report["results"])


def test_quota_choices(shared):
    # 94 votes, 4 seats: Droop floor(94/5)+1 = 19; Hare ceil(94/4) = 24;
    # droop-exact 94/5 = 18.8 in 4 places, plus 0.0001
    assert summary("--method", "stv", "--quota", "droop")[0] == "19"
    assert summary("--method", "stv", "--quota", "hare")[0] == "24"
    assert summary("--method", "stv", "--quota", "droop-exact",
                   "--decimal-places", "4")[0] == "18.8001"


def test_stop_when_filled_drops_the_final_surplus_round(shared):
    _, rounds = summary("--method", "stv")
    _, stopped = summary("--method", "stv", "--stop-when-filled")
    assert stopped == rounds - 1


def test_decimal_places_bounds(shared):
    out = run(SC, "--decimal-places", "13")
    assert out.exit_code == 2
    assert "'13': expected a whole number from 0 to 12, or exact" in out.output
    assert run(SC, "--method", "stv", "--decimal-places", "exact").exit_code == 0


def test_statute_presets_from_the_command_line(shared):
    for preset, rule in (("scottish-stv", "19"), ("wigm-prf", "18.8001"),
                         ("meek-prf", None)):
        out = run(SC, "--preset", preset, "--output", "json")
        assert out.exit_code == 0, out.output
        report = json.loads(out.output)
        assert report["summary"]["numWinners"] == 4
        if rule:
            assert report["summary"]["finalThreshold"] == rule
