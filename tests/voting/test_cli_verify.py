"""``hustings verify`` as a user runs it: bad input is one line and exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HUSTINGS = Path(sys.executable).with_name("hustings")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(HUSTINGS), "verify", *args], capture_output=True, text=True,
                          timeout=60)


def test_missing_rules_file_is_one_line_and_exit_2(tmp_path):
    r = run("ballots", "--rules", str(tmp_path / "none.toml"), "--result", "r.json", "b.csv")
    assert r.returncode == 2
    assert r.stderr.strip() == (
        f"Error: {tmp_path / 'none.toml'}: cannot open: No such file or directory; "
        "expected a readable TOML file"
    )
    assert "Traceback" not in r.stderr


def test_ledger_that_is_not_a_ledger(tmp_path):
    (tmp_path / "l.json").write_text('{"contest": "x"}')
    r = run("ledger", str(tmp_path / "l.json"))
    assert r.returncode == 2
    assert r.stderr.strip() == (f'Error: {tmp_path / "l.json"}: no "entries" list; '
                                "expected a published ledger.json")
