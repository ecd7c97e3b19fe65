"""How fast does Hustings count? Wall time and peak memory of ``count()`` and of
``hustings count`` end to end, on truncated Plackett–Luce ballots (13 candidates).

The targets come from the issue "Counting engine" (on the project's 2-core machine):

* ``count()`` IRV on 10M ballots, after loading: <= 1.0 s;
* ``hustings count`` on a 10M-ballot CSV, end to end: <= 10 s;
* peak memory <= 3x the ballot array (the int16 ``ranks``): judged for ``count()`` alone,
  and, read strictly, for the whole ``hustings count`` process (from 1M ballots up: below
  that the interpreter's own ~90 MB dominates);
* >= 100x faster than pyrankvote (10.5 s for 1M ballots on that machine);
* 3-seat STV: <= 1 s per 1M ballots.

For each size the script prints a table, then one line per target: measured vs target, and
MET / NOT MET / NOT MEASURED. Exit status 0 when every measurement ran (whether or not the
targets were met), 1 when one failed (e.g. ``count()`` raised).

Memory is measured two ways, around ``count()`` alone, in a run separate from the timed
runs: ``tracemalloc`` (NumPy reports its array buffers to it, so this is the peak of the
Python objects and arrays ``count()`` allocated; the verdict uses this figure), and the rise
of the process's peak RSS (``VmHWM``, reset through ``/proc/self/clear_refs`` just before;
Linux only; it can undercount when freed memory is reused). For the CLI it is the child
process's own peak RSS (``os.wait4``), which includes the interpreter and libraries.

Usage (from the repository root; generated CSVs are cached in ``benchmarks/data/``)::

    .venv/bin/python benchmarks/count_speed.py --ballots 1000000 10000000 --stv
    .venv/bin/python benchmarks/count_speed.py --ballots 1000000 --skip-csv --pyrankvote
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import plackett_luce

from hustings.counting import Ballots, Method, Rules, count

DATA = Path(__file__).resolve().parent / "data"
MB = 1e6
PYRANKVOTE_REFERENCE = (1_000_000, 10.5)  # ballots, seconds: the figure


class Run:
    """Collects the figures that the targets are judged on, and whether anything failed."""

    def __init__(self) -> None:
        self.figures: dict[tuple[str, int], float] = {}
        self.failed: list[str] = []

    def attempt(self, what: str, fn: Callable[[], object]) -> object | None:
        """Run one measurement; a failure is printed and remembered, not raised, so the
        other measurements still run (the count core may not be finished yet)."""
        try:
            return fn()
        except Exception as e:  # report any failure of the measured code
            msg = f"{type(e).__name__}: {e}".splitlines()[0]
            row(what, "FAILED", msg)
            self.failed.append(f"{what}: {msg}")
            return None


def row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<36} {value:>14}   {note}".rstrip(), flush=True)


def secs(t: float) -> str:
    return f"{t:.3f} s"


class Timing(list):
    """Wall times of repeated calls (a list of seconds), with the CPU time of each."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def timed(fn: Callable[[], object], repeat: int) -> tuple[Timing, object]:
    """Wall and CPU times of ``repeat`` calls (garbage collected first, so a collection
    triggered by earlier work is not charged to the call), and the last call's result.
    CPU time is reported beside wall time because the machine is shared: when the two
    differ much, the wall time includes waiting for a core."""
    times, out = Timing(), None
    for _ in range(repeat):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        times.cpu.append(time.process_time() - c0)
    return times, out


def best(times: list[float]) -> str:
    cpu = getattr(times, "cpu", None)
    cpu_note = f", cpu {cpu[times.index(min(times))]:.3f} s" if cpu else ""
    if len(times) == 1:
        return "1 run" + cpu_note
    return f"best of {len(times)}{cpu_note}, median {statistics.median(times):.3f} s"


def floor(ballots: Ballots) -> np.ndarray:
    """The floor: one pass over the ballots, first preferences tallied with weights.

    Blank first ranks land in bin 0 (-1 + 1); generated ballots have no overvotes."""
    first = ballots.ranks[:, 0].astype(np.intp) + 1
    return np.bincount(first, weights=ballots.weights, minlength=len(ballots.candidates) + 1)


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise OSError(f"{key} not in /proc/self/status")


def _glibc_release_freed_memory() -> None:
    """Make the RSS figures mean something under glibc: a fixed mmap threshold (so large
    arrays are unmapped when freed, instead of glibc raising the threshold and recycling
    their pages for the next arrays, which hides them from VmHWM) and a trim of the heap."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_mmap_threshold = -3  # <malloc.h>; setting it also turns the dynamic threshold off
    libc.mallopt(m_mmap_threshold, 128 * 1024)
    libc.malloc_trim(0)


def peak_memory(fn: Callable[[], object]) -> tuple[int, int | None]:
    """Peak bytes allocated while ``fn`` runs (tracemalloc), and the rise of the peak RSS
    (None where /proc does not allow resetting it).

    Measured in a forked child (the ballots are shared copy-on-write), so that the malloc
    settings and tracemalloc it needs never touch the process the timings are taken in."""
    if not hasattr(os, "fork"):
        return _peak_memory_here(fn)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: measure, report on the pipe, exit without cleanup
        try:
            report = {"figures": _peak_memory_here(fn)}
        except BaseException as e:  # everything is reported to the parent
            report = {"error": f"{type(e).__name__}: {e}"}
        os.write(write_end, json.dumps(report).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    report = json.loads(data or b'{"error": "the measuring child died"}')
    if "error" in report:
        raise RuntimeError(report["error"])
    peak, rss = report["figures"]
    return peak, rss


def _peak_memory_here(fn: Callable[[], object]) -> tuple[int, int | None]:
    gc.collect()
    _glibc_release_freed_memory()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
        rss0 = _status_kb("VmRSS")
    except OSError:
        rss0 = None
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss = None if rss0 is None else (_status_kb("VmHWM") - rss0) * 1024
    return peak, rss


def hustings_command() -> list[str]:
    exe = Path(sys.executable).with_name("hustings")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "hustings"]


def run_cli(args: list[str]) -> tuple[float, float, int]:
    """Run the CLI as a child process: its wall time, CPU time (all threads) and its own
    peak RSS in bytes.

    ``os.wait4`` gives this child's rusage alone (``RUSAGE_CHILDREN`` would report the
    largest child so far)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(hustings_command() + args, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines() or ["(no output)"]
            raise RuntimeError(f"exit {proc.returncode}: {lines[-1]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024  # maxrss is in KiB


def csv_for(n: int, args: argparse.Namespace) -> Path:
    """The cached CSV of ``n`` ballots for the seed, written first if missing."""
    full = "-full" if args.lengths is None else ""
    path = args.data_dir / f"plackett-luce-{n}-seed{args.seed}{full}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        plackett_luce.write_csv(path, n, seed=args.seed, length_shares=args.lengths)
        row("write CSV (once, cached)", secs(time.perf_counter() - t0), str(path))
    return path


def describe(result: object) -> str:
    winners = ", ".join(getattr(result, "winners", ()) or ("?",))
    return f"winner {winners} after {len(getattr(result, 'rounds', ()))} rounds"


def bench_size(n: int, args: argparse.Namespace, run: Run) -> None:
    kind = "full rankings" if args.lengths is None else "truncated"
    m = len(plackett_luce.CANDIDATES)
    print(f"\n== {n:,} ballots x {m} candidates, {kind} (seed {args.seed}) ==")
    # The in-memory ballots are gone (with the function's frame) before the CLI runs, so
    # the two never hold memory at the same time.
    array = bench_in_memory(n, args, run)
    gc.collect()
    if not args.skip_csv:
        bench_cli(n, args, run, array)


def bench_in_memory(n: int, args: argparse.Namespace, run: Run) -> int:
    """Generate the ballots and time everything that counts them in this process; returns
    the size of the ranks array in bytes."""
    t0 = time.perf_counter()
    ballots = plackett_luce.generate(n, seed=args.seed, length_shares=args.lengths)
    row("generate ballots in memory (info)", secs(time.perf_counter() - t0))
    array = ballots.ranks.nbytes
    whole = array + ballots.weights.nbytes + ballots.sections.nbytes
    row("ballot array (int16 ranks)", f"{array / MB:.1f} MB",
        f"with weights+sections {whole / MB:.1f} MB")

    times, _ = timed(lambda: floor(ballots), args.repeat)
    row("floor: weighted 1st-pref bincount", secs(min(times)), best(times))
    run.figures[("floor", n)] = min(times)

    rules = Rules(candidates=ballots.candidates)  # IRV, one seat, one section
    got = run.attempt("count() IRV", lambda: timed(lambda: count(rules, ballots), args.repeat))
    if got is not None:
        times, result = got
        row("count() IRV", secs(min(times)), f"{best(times)}; {describe(result)}")
        row("  ratio to floor", f"{min(times) / run.figures[('floor', n)]:.0f}x")
        run.figures[("irv", n)] = min(times)
        mem = run.attempt("count() peak memory",
                          lambda: peak_memory(lambda: count(rules, ballots)))
        if mem is not None:
            peak, rss = mem
            row("count() peak, tracemalloc", f"{peak / MB:.1f} MB",
                f"{peak / array:.2f}x ballot array")
            run.figures[("mem", n)] = peak / array
            if rss is not None:
                row("count() peak RSS rise (VmHWM)", f"{rss / MB:.1f} MB",
                    f"{rss / array:.2f}x ballot array")

    if args.stv and n == args.stv_ballots:
        bench_stv(ballots, args, run)
    if args.pyrankvote and n == args.pyrankvote_ballots:
        bench_pyrankvote(ballots, run)
    return array


def bench_cli(n: int, args: argparse.Namespace, run: Run, array: int) -> None:
    """``hustings count FILE.csv --output json -o /dev/null`` as a child process."""
    path = csv_for(n, args)
    size = path.stat().st_size
    got = run.attempt(
        "hustings count CSV (subprocess)",
        lambda: run_cli(["count", str(path), "--output", "json", "-o", os.devnull]),
    )
    if got is not None:
        wall, cpu, rss = got
        row("hustings count CSV, end to end", secs(wall),
            f"CSV {size / MB:.0f} MB, --output json; cpu {cpu:.3f} s (all threads)")
        row("  child peak RSS", f"{rss / MB:.1f} MB", f"{rss / array:.2f}x ballot array")
        run.figures[("cli", n)] = wall
        run.figures[("cli-mem", n)] = rss / array
        run.attempt("read_csv breakdown", lambda: breakdown(path, array))


# Run in a fresh interpreter, so that nothing this process allocated (or pyarrow's pool
# kept from an earlier read) hides the reader's own memory.
_READ_PROBE = """
import json, sys, time
import pyarrow as pa
from hustings.formats.csv import read_csv

def kb(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))

before = kb("VmRSS")
t0 = time.perf_counter()
ballots = read_csv(sys.argv[1]).ballots
wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "rise": (kb("VmHWM") - before) * 1024,
                  "kept": (kb("VmRSS") - before) * 1024 - ballots.ranks.nbytes
                          - ballots.weights.nbytes - ballots.sections.nbytes,
                  "pool": pa.default_memory_pool().max_memory()}))
"""


def breakdown(path: Path, array: int) -> None:
    """Where the end-to-end time and memory go: ``read_csv`` alone, in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-c", _READ_PROBE, str(path)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or ["(no output)"]
        raise RuntimeError(f"exit {proc.returncode}: {lines[-1]}")
    got = json.loads(proc.stdout)
    row("  of which read_csv", secs(got["wall"]), "hustings.formats.csv, in a fresh process")
    row("  read_csv peak RSS rise", f"{got['rise'] / MB:.1f} MB",
        f"{got['rise'] / array:.2f}x ballot array")
    row("  pyarrow pool peak", f"{got['pool'] / MB:.1f} MB", "the parsed table, freed after")
    row("  RSS kept after read_csv", f"{got['kept'] / MB:.1f} MB",
        "besides the Ballots (freed pages pyarrow's pool keeps)")


def bench_stv(ballots: Ballots, args: argparse.Namespace, run: Run) -> None:
    rules = Rules(candidates=ballots.candidates, method=Method.STV, seats=3)
    got = run.attempt("count() STV 3 seats",
                      lambda: timed(lambda: count(rules, ballots), args.repeat))
    if got is not None:
        times, result = got
        row("count() STV, 3 seats", secs(min(times)), f"{best(times)}; {describe(result)}")
        run.figures[("stv", len(ballots))] = min(times)


def bench_pyrankvote(ballots: Ballots, run: Run) -> None:
    """pyrankvote's instant-runoff count on the same ballots (building its Ballot objects
    is not timed). Install it into the venv only: ``.venv/bin/pip install pyrankvote``."""
    try:
        import pyrankvote
    except ImportError:
        row("pyrankvote IRV", "SKIPPED", "not installed: .venv/bin/pip install pyrankvote")
        return
    people = [pyrankvote.Candidate(c) for c in ballots.candidates]
    t0 = time.perf_counter()
    votes = [
        pyrankvote.Ballot(ranked_candidates=[people[c] for c in r if c >= 0])
        for r in ballots.ranks.tolist()
    ]
    build = time.perf_counter() - t0
    row("pyrankvote: build Ballot objects", secs(build), "timed apart from its count")
    got = run.attempt(
        "pyrankvote IRV", lambda: timed(lambda: pyrankvote.instant_runoff_voting(people, votes), 1)
    )
    if got is not None:
        times, result = got
        winners = ", ".join(c.name for c in result.get_winners())
        row("pyrankvote IRV", secs(times[0]), f"1 run; winner {winners}")
        run.figures[("pyrankvote", len(ballots))] = times[0]
        run.figures[("pyrankvote+build", len(ballots))] = times[0] + build


def shown(value: float | None, spec: str, unit: str) -> str:
    return "-" if value is None else format(value, spec) + unit


def verdicts(run: Run, args: argparse.Namespace) -> list[str]:
    """One line per target: what was measured, the target, MET / NOT MET / NOT MEASURED."""
    f = run.figures
    out = []

    def line(name: str, measured: str, target: str, ok: bool | None) -> None:
        state = "NOT MEASURED" if ok is None else ("MET" if ok else "NOT MET")
        out.append(f"TARGET {name:<58} measured {measured:<18} target {target:<14} {state}")

    def judge(value: float | None, limit: float, at_least: bool = False) -> bool | None:
        if value is None:
            return None
        return value >= limit if at_least else value <= limit

    big = max(args.ballots)
    irv = f.get(("irv", 10_000_000))
    line("count() IRV, 10M ballots, after loading", shown(irv, ".3f", " s"), "<= 1.0 s",
         judge(irv, 1.0))
    cli = f.get(("cli", 10_000_000))
    line("hustings count, 10M-ballot CSV, end to end", shown(cli, ".3f", " s"), "<= 10 s",
         judge(cli, 10.0))
    mem = f.get(("mem", big))
    line(f"count() peak memory, {big:,} ballots", shown(mem, ".2f", "x array"), "<= 3x array",
         judge(mem, 3.0))
    # The memory target read strictly: the whole CLI process (interpreter, pyarrow's
    # parsed table, the ballots, the count) against the same int16 ranks array.
    cli_mem = f.get(("cli-mem", big))
    line(f"hustings count peak RSS, {big:,}-ballot CSV", shown(cli_mem, ".2f", "x array"),
         "<= 3x array", judge(cli_mem, 3.0) if big >= 1_000_000 else None)
    # Against the reference figure, and against pyrankvote timed here on the same
    # ballots when it was run: its count alone (which depends on how many ballots move
    # between piles, so on the ballot distribution), and with building its Ballot objects
    # from lists of names, which is what a user of it pays too.
    comparisons = [(*PYRANKVOTE_REFERENCE, "issue's 10.5 s")]
    if ("pyrankvote", args.pyrankvote_ballots) in f:
        pn = args.pyrankvote_ballots
        comparisons.append((pn, f[("pyrankvote", pn)], "count, timed here"))
        comparisons.append((pn, f[("pyrankvote+build", pn)], "build+count, here"))
    for pn, pt, src in comparisons:
        ours = f.get(("irv", pn))
        speedup = None if ours is None else pt / ours
        # judged from 100k ballots up (the size is 1M): on small inputs both
        # sides are mostly fixed costs
        line(f"speed-up over pyrankvote, {pn:,} ({src})", shown(speedup, ".0f", "x"),
             ">= 100x", judge(speedup, 100, at_least=True) if pn >= 100_000 else None)
    stv = f.get(("stv", args.stv_ballots))
    per_m = None if stv is None else stv / (args.stv_ballots / 1e6)
    # Judged from 1M ballots up: below that a count's fixed cost (rule checks, building
    # the rounds) dominates and "per 1M" would extrapolate it a thousandfold.
    line(f"count() STV 3 seats, {args.stv_ballots:,} ballots", shown(per_m, ".3f", " s per 1M"),
         "<= 1 s per 1M", judge(per_m, 1.0) if args.stv_ballots >= 1_000_000 else None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs of count() (the best is used)")
    parser.add_argument("--skip-csv", action="store_true", help="skip hustings count on CSV")
    parser.add_argument("--full-rankings", action="store_true",
                        help="every ballot ranks all 13 (default: truncated, mostly short)")
    parser.add_argument("--data-dir", type=Path, default=DATA, help="where CSVs are cached")
    parser.add_argument("--stv", action="store_true", help="also time a 3-seat STV count")
    parser.add_argument("--stv-ballots", type=int, default=None, help="default: smallest size")
    parser.add_argument("--pyrankvote", action="store_true", help="also time pyrankvote's IRV")
    parser.add_argument("--pyrankvote-ballots", type=int, default=None,
                        help="default: smallest size")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.ballots) or args.repeat < 1:
        parser.error("--ballots and --repeat must be positive")
    sizes = sorted(set(args.ballots))
    args.lengths = None if args.full_rankings else plackett_luce.LENGTH_SHARES
    # STV and pyrankvote run on one of the sizes (ballots are generated once per size).
    args.stv_ballots = args.stv_ballots or min(sizes)
    args.pyrankvote_ballots = args.pyrankvote_ballots or min(sizes)
    for extra, flag in ((args.stv_ballots, args.stv), (args.pyrankvote_ballots, args.pyrankvote)):
        if flag and extra not in sizes:
            sizes.append(extra)
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs, load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    run = Run()
    for n in sorted(sizes):
        bench_size(n, args, run)
    print()
    for text in verdicts(run, args):
        print(text)
    if run.failed:
        print(f"\n{len(run.failed)} measurement(s) failed:", *run.failed, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
