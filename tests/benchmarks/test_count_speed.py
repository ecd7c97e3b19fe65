"""The benchmark harness runs end to end at a tiny size (no timings are asserted: speed
figures belong in the benchmark's own output, not in tests)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import count_speed

SCRIPT = Path(count_speed.__file__)


def test_script_runs_end_to_end_on_2000_ballots(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--ballots", "2000", "--stv", "--repeat", "1",
         "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "FAILED" not in out
    assert "== 2,000 ballots x 13 candidates, truncated (seed 0) ==" in out
    for label in ("floor: weighted 1st-pref bincount", "count() IRV", "count() peak, tracemalloc",
                  "count() STV, 3 seats", "hustings count CSV, end to end", "child peak RSS",
                  "of which read_csv", "read_csv peak RSS rise", "pyarrow pool peak"):
        assert re.search(rf"^ +{re.escape(label)} +\d+\.\d+ (s|MB)", out, re.MULTILINE), label
    # the IRV winner is named, and the CSV the CLI read was written to the data dir
    assert re.search(r"count\(\) IRV .*winner \w+ \w+ after \d+ rounds", out)
    assert (tmp_path / "plackett-luce-2000-seed0.csv").is_file()
    # one verdict line per target; the 10M targets were not measured at this size
    targets = [line for line in out.splitlines() if line.startswith("TARGET ")]
    assert len(targets) == 6
    assert all(line.endswith(("MET", "NOT MEASURED")) for line in targets)
    assert "10M ballots, after loading" in targets[0] and targets[0].endswith("NOT MEASURED")


def test_a_failing_measurement_is_reported_and_the_exit_status_is_1(monkeypatch, capsys):
    def broken(rules, ballots):
        raise RuntimeError("no count today")

    monkeypatch.setattr(count_speed, "count", broken)
    status = count_speed.main(["--ballots", "500", "--skip-csv", "--repeat", "1"])
    out = capsys.readouterr().out
    assert status == 1
    assert re.search(r"count\(\) IRV +FAILED +RuntimeError: no count today", out)
    assert "count() IRV: RuntimeError: no count today" in out.splitlines()[-1]
