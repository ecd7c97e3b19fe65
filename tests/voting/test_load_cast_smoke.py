"""The load benchmark runs end to end (a few seconds, no timing asserted: the figures are
for benchmarks/, not tests). Needs the ``bench`` extra (locust) and PostgreSQL."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def test_load_cast_runs_and_loses_nothing():
    # find_spec, not import: importing locust would gevent-patch this whole test process
    if importlib.util.find_spec("locust") is None:
        pytest.skip("the bench extra (locust) is not installed")
    r = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/load_cast.py"), "--seconds", "3", "--users", "2",
         "--workers", "1", "--voters", "300"],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ballots/s" in r.stdout and "cast latency p99" in r.stdout
    assert "lost 0, duplicated 0: OK" in r.stdout


def test_load_cast_with_wrk_counts_receipts_and_cpu():
    import shutil

    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt install wrk)")
    r = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/load_cast.py"), "--seconds", "3", "--users", "2",
         "--workers", "1", "--threads", "1", "--voters", "2000", "--client", "wrk"],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 wrk connections" in r.stdout
    assert "failed requests     0" in r.stdout
    assert "CPU per ballot      wrk" in r.stdout and "PostgreSQL" in r.stdout
    assert "lost 0, duplicated 0: OK" in r.stdout


def test_load_cast_with_two_contests_casts_both_in_every_visit():
    import shutil

    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt install wrk)")
    r = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/load_cast.py"), "--seconds", "3", "--users", "2",
         "--workers", "1", "--threads", "1", "--voters", "2000", "--client", "wrk",
         "--contests", "2"],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 contest(s) per visit" in r.stdout and "visits/s" in r.stdout
    assert "failed requests     0" in r.stdout
    assert "every visit got one receipt per contest: True" in r.stdout
    for slug in ("bench-leader", "bench-deputy"):
        line = next(x for x in r.stdout.splitlines() if x.strip().startswith(slug + ":"))
        assert "sealed receipts = the ledger's: True" in line
    assert "lost 0, duplicated 0: OK" in r.stdout
