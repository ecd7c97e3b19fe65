"""The reader fuzz suite, longer: N mutated files per reader, cases/s and every crash.

    .venv/bin/python benchmarks/fuzz_readers.py                  # 20,000 cases per reader
    .venv/bin/python benchmarks/fuzz_readers.py --cases 5000 --seed 7 csv rctab-hart

The same cases as ``tests/fuzz`` for seed 0 and the same first case numbers, so a crash
found here (reported as ``target case N``) reproduces with ``targets.case(target, seeds, N,
seed)``. An "undocumented" exception is any outside the reader's documented error tree.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests/fuzz"))

from targets import BY_NAME, TARGETS, run_cases


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="*", help="readers to fuzz (default: all)")
    ap.add_argument("--cases", type=int, default=20_000, help="cases per reader")
    ap.add_argument("--seed", type=int, default=0, help="0 repeats the test suite's cases")
    args = ap.parse_args()
    names = args.targets or [t.name for t in TARGETS]
    total_cases = total_time = total_crashes = 0
    print(f"{'reader':<20} {'cases':>7} {'refused':>8} {'crashes':>8} {'cases/s':>8}")
    for name in names:
        target = BY_NAME[name]
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            crashes, refused = run_cases(target, Path(d), 0, args.cases, args.seed)
            dt = time.perf_counter() - t0
        total_cases += args.cases
        total_time += dt
        total_crashes += len(crashes)
        print(f"{name:<20} {args.cases:>7} {refused:>8} {len(crashes):>8} "
              f"{args.cases / dt:>8.0f}", flush=True)
        seen = collections.Counter()
        for c in crashes:
            last = traceback.extract_tb(c.error.__traceback__)[-1]
            key = (type(c.error).__name__, last.filename, last.lineno)
            seen[key] += 1
            if seen[key] == 1:
                print(f"    {c}\n      at {last.filename}:{last.lineno}")
    print(f"{'all':<20} {total_cases:>7} {'':>8} {total_crashes:>8} "
          f"{total_cases / total_time:>8.0f}")
    print(f"undocumented exceptions: {total_crashes}")
    return 1 if total_crashes else 0


if __name__ == "__main__":
    sys.exit(main())
