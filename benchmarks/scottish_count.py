"""``hustings count FILE --preset scottish-stv`` over every Scottish council ward file.

Reads each of the 1,100 BLT files in ``../shared/data/scotland/`` as published and counts
it under SSI 2007/42 (the ``scottish-stv`` preset), through the CLI's own command (click,
in this process, so the interpreter's start-up is paid once; ``--subprocess`` runs one
``hustings`` process per file instead). Prints how many files were read, how many were
counted, the first few failures, and the wall time for all of them.

Usage (from the repository root)::

    .venv/bin/python benchmarks/scottish_count.py
    .venv/bin/python benchmarks/scottish_count.py --subprocess
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "scotland"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--subprocess", action="store_true",
                        help="one `hustings count` process per file (end to end)")
    args = parser.parse_args()
    files = sorted(args.data.glob("*.blt"))
    from click.testing import CliRunner

    from hustings.cli.count import count_command
    from hustings.formats.blt import read_blt

    read = counted = 0
    failures: list[str] = []
    started = time.perf_counter()
    for path in files:
        try:
            read_blt(path)
            read += 1
        except Exception as e:  # counted and shown below
            failures.append(f"read {path.name}: {e}")
    read_time = time.perf_counter() - started
    started = time.perf_counter()
    runner = CliRunner()
    for path in files:
        cmd = [str(path), "--preset", "scottish-stv", "--output", "csv"]
        if args.subprocess:
            done = subprocess.run([str(ROOT / ".venv" / "bin" / "hustings"), "count", *cmd],
                                  capture_output=True, text=True)
            ok, why = done.returncode == 0, done.stderr.strip()
        else:
            res = runner.invoke(count_command, cmd)
            ok, why = res.exit_code == 0, (res.output or repr(res.exception)).strip()
        counted += ok
        if not ok:
            failures.append(f"count {path.name}: {why}")
    count_time = time.perf_counter() - started
    how = "one process per file" if args.subprocess else "in one process"
    print(f"files:   {len(files)} in {args.data}")
    print(f"read:    {read} of {len(files)} in {read_time:.2f} s (read_blt alone)")
    print(f"counted: {counted} of {len(files)} in {count_time:.2f} s "
          f"(`hustings count FILE --preset scottish-stv --output csv`, {how}; "
          f"reading included)")
    for line in failures[:10]:
        print("  " + line)
    return 0 if counted == len(files) == read else 1


if __name__ == "__main__":
    sys.exit(main())
