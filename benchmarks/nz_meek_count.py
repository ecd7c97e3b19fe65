"""NZ Meek (``nz-meek``, Schedule 1A) and the PRF's Meek rule (``meek-prf``) on real
ward files: the Scottish council BLT files in ``../shared/data/scotland/``.

Counts the first ``--limit`` files (sorted by name) under both rules, in this process,
and prints: files counted, files each rule refused (with the first messages: nz-meek
stops when its keep values cycle in 9 places, Schedule 1A cl 13), how many elect the same
councillors under both rules, and the time each rule took. Figures, not a test: the two
rules differ on purpose (quota from v - vnt, both products rounded up, ties).

Usage (from the repository root)::

    .venv/bin/python benchmarks/nz_meek_count.py --limit 50
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "scotland"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args()
    from hustings.config.election import load_preset
    from hustings.counting import CountingError, count
    from hustings.formats.blt import read_blt

    files = sorted(args.data.glob("*.blt"))[: args.limit]
    seconds = {"nz-meek": 0.0, "meek-prf": 0.0}
    refused: dict[str, list[str]] = {"nz-meek": [], "meek-prf": []}
    same = both = 0
    for path in files:
        blt = read_blt(path)
        winners = {}
        for name in seconds:
            rules = load_preset(name).rules(blt.candidates, seats=blt.seats)
            rules = replace(rules, excluded=frozenset(blt.withdrawn))
            start = time.perf_counter()
            try:
                winners[name] = set(count(rules, blt.ballots).winners)
            except CountingError as e:
                refused[name].append(f"{path.name}: {e}")
            seconds[name] += time.perf_counter() - start
        if len(winners) == 2:
            both += 1
            same += winners["nz-meek"] == winners["meek-prf"]
    print(f"{len(files)} files from {args.data}")
    for name, secs in seconds.items():
        print(f"{name}: {len(files) - len(refused[name])} counted, {len(refused[name])} "
              f"refused, {secs:.1f} s ({secs / max(1, len(files)):.2f} s a file)")
        for line in refused[name][:3]:
            print(f"  {line}")
    print(f"same councillors under both rules: {same} of {both}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
