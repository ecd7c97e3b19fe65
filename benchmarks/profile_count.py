"""Where does the counting time go? A profile of ``count()`` (and optionally the CSV
reader) on the benchmark's Plackett–Luce ballots, for finding what to speed up.

Prints, for one size:

* the votes moved in each round (from the public ``Result``: the sum of the round's
  transfers), since a count's work is reading every ballot once and then re-reading each
  ballot that moves, at every rank it steps over;
* cProfile's top functions of the ``hustings`` package (and NumPy/pyarrow calls made from
  them) by own time and by cumulative time.

Usage (from the repository root)::

    .venv/bin/python benchmarks/profile_count.py --ballots 10000000
    .venv/bin/python benchmarks/profile_count.py --ballots 10000000 --csv --stv
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import plackett_luce

from hustings.counting import EXHAUSTED, Method, Rules, count


def moved_per_round(result) -> list[tuple[int, Fraction, Fraction]]:
    """(round, votes moved to candidates, votes that left the count) after each round."""
    out = []
    for r in result.rounds:
        to_candidates = sum((t.votes for t in r.transfers if t.target in r.tally), Fraction(0))
        left = sum((t.votes for t in r.transfers if t.target not in r.tally), Fraction(0))
        if r.transfers:
            out.append((r.number, to_candidates, left))
    return out


def top(profile: cProfile.Profile, key: str, limit: int) -> str:
    buf = io.StringIO()
    stats = pstats.Stats(profile, stream=buf)
    stats.sort_stats(key).print_stats(r"hustings|numpy|pyarrow", limit)
    lines = buf.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(line for line in lines[start:] if line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stv", action="store_true", help="profile a 3-seat STV count")
    parser.add_argument("--csv", action="store_true", help="also profile reading the CSV")
    parser.add_argument("--limit", type=int, default=15, help="functions shown per table")
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parent / "data")
    args = parser.parse_args(argv)

    ballots = plackett_luce.generate(args.ballots, seed=args.seed)
    rules = (Rules(candidates=ballots.candidates, method=Method.STV, seats=3) if args.stv
             else Rules(candidates=ballots.candidates))
    count(rules, ballots)  # warm up: lazy imports, first-touch page faults
    profile = cProfile.Profile()
    if args.csv:
        from hustings.formats.csv import read_csv

        path = args.data_dir / f"plackett-luce-{args.ballots}-seed{args.seed}.csv"
        if not path.exists():
            plackett_luce.write_csv(path, args.ballots, seed=args.seed)
        t0 = time.perf_counter()
        profile.runcall(read_csv, path)
        print(f"read_csv: {time.perf_counter() - t0:.3f} s (under the profiler)")
    t0 = time.perf_counter()
    result = profile.runcall(count, rules, ballots)
    wall = time.perf_counter() - t0
    print(f"count() {rules.method.value}: {wall:.3f} s under the profiler; "
          f"winners {', '.join(result.winners)}; {len(result.rounds)} rounds")

    total = Fraction(ballots.total)
    moved = moved_per_round(result)
    print(f"\nvotes moved after each round ({args.ballots:,} ballots):")
    for number, to_c, left in moved:
        print(f"  round {number:>2}: {float(to_c):>12,.0f} to candidates, "
              f"{float(left):>12,.0f} {EXHAUSTED} or residual")
    all_moved = sum((a + b for _, a, b in moved), Fraction(0))
    print(f"  total moved {float(all_moved):,.0f} = {float(all_moved / total):.2f}x the ballots")

    print("\nby own time:")
    print(top(profile, "tottime", args.limit))
    print("\nby cumulative time:")
    print(top(profile, "cumulative", args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
