"""Every command in README.md runs as pasted (issue 12: two of them did not).

The README's ```sh blocks are read line by line and each command is run by bash from a
copy of the repository's layout (``examples/``, ``.venv/`` and ``../shared`` linked into a
temporary folder, so the files the commands write land there, not in the repository). The
``python`` block runs too. ``make demo`` serves until stopped, so it is run as
``make -n`` (what it would run) and its command then with ``--no-serve``; ``make test`` is
this suite itself, so only its dry run is checked."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"

pytestmark = pytest.mark.slow


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)


def commands() -> list[str]:
    out = []
    for block in blocks("sh"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip() if not line.lstrip().startswith("#") else ""
            if line:
                out.append(line)
    return out


def test_the_readme_has_the_commands_the_issue_named():
    cmds = commands()
    assert "make demo" in cmds and "make test" in cmds
    assert any("--preset labour-2015" in c for c in cmds)
    assert not any(re.search(r"(^|\s)ballots\.csv|path/to/", c) for c in cmds), cmds


@pytest.fixture
def layout(tmp_path):
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} (the shared data) is not beside the repository")
    work = tmp_path / "repo"
    work.mkdir()
    for name in ("examples", ".venv", "Makefile", "pyproject.toml", "scripts", "src"):
        (work / name).symlink_to(ROOT / name)
    (tmp_path / "shared").symlink_to(SHARED)
    return work


def run(cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    # (under `make test` the make variables would reach the README's own `make` commands)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env["COLUMNS"] = "120"
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_every_readme_shell_command_runs_as_pasted(layout):
    ran = 0
    for cmd in commands():
        if cmd.startswith("make "):
            target = shlex.split(cmd)[1]
            dry = run(f"make --no-print-directory -n {target} PORT=8765", layout)
            assert dry.returncode == 0, (cmd, dry.stderr)
            if target == "demo":
                line = dry.stdout.strip().splitlines()[-1]
                assert line.startswith(".venv/bin/hustings demo --port 8765"), line
                prepared = run(f"{line} --no-serve --data-dir demo-data", layout)
                assert prepared.returncode == 0, prepared.stderr
                url = "http://127.0.0.1:8765/contests/labour-leader-2010/nominations/"
                assert url in prepared.stdout
            else:
                assert "scripts/test" in dry.stdout
            continue
        result = run(cmd, layout)
        assert result.returncode == 0, f"{cmd}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        ran += 1
    assert ran >= 10
    assert (layout / "result.json").is_file() and any((layout / "charts").iterdir())
    assert "Reproduced:" in run(commands()[-1], layout).stdout


def test_the_readme_python_example_runs(tmp_path):
    (code,) = blocks("python")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # three ballots, one each; Burnham's goes to Balls, who then has two of three
    assert result.stdout.startswith("('Balls',) [{'Abbott': Fraction(1, 1)")
    assert result.stdout.rstrip().endswith("{'Abbott': Fraction(1, 1), 'Balls': Fraction(2, 1)}]")
