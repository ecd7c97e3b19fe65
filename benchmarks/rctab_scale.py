"""Time RCTab's scale case end to end: 1,041,313 ballots of the 2013 Minneapolis mayor race.

RCTab's ``2013_minneapolis_mayor_scale`` config lists 13 copies of the 2013 Minneapolis
mayor CVR (byte-identical upstream; the conformance suite keeps one CSV rendering, fed 13
times here). RCTab's guide asks for a 30 GB Java heap at this size. This script runs, in a
fresh child process (so the peak RSS is this job's alone):

    read config + 13 CVR files  ->  count()  ->  RCTab detailed-report JSON

prints wall time per stage and the child's peak RSS (``resource.getrusage``), and checks the
report against RCTab's expected JSON (so a fast wrong answer is not reported as a result).

Usage (repository root)::

    .venv/bin/python benchmarks/rctab_scale.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

RCTAB = Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "rctab"
CASE = "2013_minneapolis_mayor_scale"


def _numbers_equal(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() - {"generatedBy"} == b.keys() - {"generatedBy"} and all(
            _numbers_equal(a[k], b[k]) for k in a if k != "generatedBy")
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_numbers_equal(x, y) for x, y in zip(a, b))
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except ArithmeticError:
        return a == b


def _run(queue: mp.Queue) -> None:
    from hustings.counting import count
    from hustings.formats import report_json
    from hustings.formats.rctab import load_contest

    cases = json.loads((RCTAB / "cases.json").read_text())["cases"]
    case = next(c for c in cases if c["name"] == CASE)
    subs = {s["config_filePath"]: RCTAB / s["csv_rendering"] for s in case["cvr_sources"]
            if not s["present"] and s.get("csv_rendering")}
    t0 = time.perf_counter()
    contest = load_contest(RCTAB / case["config"], substitutes=subs)
    t1 = time.perf_counter()
    result = count(contest.rules, contest.ballots)
    t2 = time.perf_counter()
    report = report_json.render(result, contest=contest.metadata)
    text = json.dumps(report)
    t3 = time.perf_counter()
    expected = json.loads((RCTAB / case["expected"]["detailed_json"][0]).read_text())
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: kilobytes
    queue.put({
        "ballots": contest.ballots.total, "read": t1 - t0, "count": t2 - t1,
        "report": t3 - t2, "total": t3 - t0, "peak_mb": peak_kb / 1024,
        "json_bytes": len(text), "matches_rctab": _numbers_equal(report, expected),
    })


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs (each in a fresh process)")
    args = parser.parse_args()
    if not (RCTAB / "cases.json").exists():
        print(f"RCTab conformance data not found at {RCTAB}", file=sys.stderr)
        return 1
    ctx = mp.get_context("spawn")  # a fresh interpreter: peak RSS is this run's alone
    rows = []
    for _ in range(args.repeat):
        q: mp.Queue = ctx.Queue()
        p = ctx.Process(target=_run, args=(q,))
        p.start()
        row = q.get()
        p.join()
        rows.append(row)
    print(f"{CASE}: {rows[0]['ballots']:,} ballots (RCTab's guide: 30 GB Java heap)")
    print(f"{'run':>3}  {'read s':>7}  {'count s':>7}  {'json s':>7}  {'total s':>7}  "
          f"{'peak RSS MB':>11}  matches RCTab")
    for i, r in enumerate(rows, 1):
        print(f"{i:>3}  {r['read']:7.2f}  {r['count']:7.2f}  {r['report']:7.3f}  "
              f"{r['total']:7.2f}  {r['peak_mb']:11.0f}  {r['matches_rctab']}")
    best = min(rows, key=lambda r: r["total"])
    print(f"best: {best['total']:.2f} s end to end, peak RSS {best['peak_mb']:.0f} MB "
          f"(targets: seconds, < 2048 MB)")
    return 0 if all(r["matches_rctab"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
