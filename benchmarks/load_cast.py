"""Load test: ballots cast per second against `hustings serve` on PostgreSQL (loopback).

    .venv/bin/python benchmarks/load_cast.py [--seconds 30] [--users 16] [--workers 2]
        [--threads 2] [--processes 1] [--client locust|wrk] [--contests 1|2]

Makes a fresh database ``hustings_bench_<pid>`` ($HUSTINGS_BENCH_DB), dropped at the end, on
the PostgreSQL server of $HUSTINGS_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432),
migrates it, opens a contest with enough voters, starts ``hustings serve`` (gunicorn) on a
free loopback port, runs Locust headless for a bounded time (benchmarks/locustfile_cast.py),
then prints ballots/s, p50/p99 latency of a cast, and checks that no ballot was lost or duplicated:
every receipt a voter got is in the ledger, sealed ballots = participations = cast entries,
the sealed ballots' receipts are the ledger's, and the hash chain verifies. Needs the
``bench`` extra (locust) or wrk. Exit 1 if a check fails.

With ``--contests 2`` the election has a leader and a deputy contest (2015) and every visit
casts in both (one request, one transaction: ``casting.cast_visit``); it prints visits/s
beside ballots/s, and checks each contest as above.

Everything shares the machine's cores, so it also prints where the CPU went, per ballot:
Locust (the load generator), the gunicorn server, and the rest of the machine (PostgreSQL
and anything else running), from getrusage and /proc/stat.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# One database per run, dropped at the end: two runs (or a run beside the test suite) never
# share one.
DB = os.environ.get("HUSTINGS_BENCH_DB", f"hustings_bench_{os.getpid()}")
CANDIDATES = ("Andy Burnham", "Yvette Cooper", "Jeremy Corbyn", "Liz Kendall")
DEPUTY = ("Ben Bradshaw", "Stella Creasy", "Angela Eagle", "Caroline Flint", "Tom Watson")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--users", type=int, default=16,
                    help="concurrent connections, each casting one ballot after another (a proxy "
                    "in front of a deployment holds a bounded pool like this)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    ap.add_argument("--processes", type=int, default=1, help="Locust processes (its --processes)")
    ap.add_argument("--client", choices=["locust", "wrk"], default="locust",
                    help="load generator: Locust (the bench extra), or wrk (apt install wrk: "
                    "C and LuaJIT, a small fraction of Locust's CPU on the shared cores)")
    ap.add_argument("--voters", type=int, default=40000)
    ap.add_argument("--contests", type=int, choices=[1, 2], default=1,
                    help="contests on the ballot: 1 (a leader), or 2 (leader and deputy, both "
                    "cast by every visit)")
    args = ap.parse_args()
    if args.client == "locust" and not (BIN / "locust").exists():
        raise SystemExit("load_cast: Locust is not installed: .venv/bin/pip install -e '.[bench]', "
                         "or use --client wrk (apt install wrk)")

    server_url = os.environ.get("HUSTINGS_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    fresh_database(server_url)
    os.environ["DATABASE_URL"] = f"{server_url}/{DB}"
    os.environ.setdefault("HUSTINGS_SECRET_KEY", "benchmark-only-secret-" + "s" * 32)
    os.environ.setdefault("HUSTINGS_CODE_KEY", "benchmark-only-code-key-" + "c" * 32)
    # serve and worker refuse mail kept on the machine unless told it is not a deployment
    os.environ["HUSTINGS_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["HUSTINGS_DEV_MAIL"] = "1"
    os.environ["HUSTINGS_ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["HUSTINGS_CODE_FAILURES"] = "100000/h"
    os.environ["HUSTINGS_ACCESS_LOG"] = "0"  # a log line per request is CPU the casts need
    os.environ["DJANGO_SETTINGS_MODULE"] = "hustings.web.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    slug, contests, codes = open_election(args.voters, args.contests)
    from django.db import connection

    with connection.cursor() as cur:  # steady state: autovacuum would analyse the new rows mid-run
        cur.execute("VACUUM ANALYZE")

    work = Path(tempfile.mkdtemp(prefix="hustings-bench-"))
    (work / "codes.txt").write_text("\n".join(codes))
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "hustings"), "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    # the task worker beside the server, as deployed (code emails; idle during the casts)
    worker = subprocess.Popen([str(BIN / "hustings"), "worker"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    cpu = {}
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        env = {**os.environ, "HUSTINGS_BENCH_SLUG": slug,
               "HUSTINGS_BENCH_FORM": cast_form(contests),
               "HUSTINGS_BENCH_CODES": str(work / "codes.txt"),
               "HUSTINGS_BENCH_RECEIPTS": str(work / "receipts.txt")}
        extra = ["--processes", str(args.processes)] if args.processes > 1 else []
        before, machine, pg = children_cpu(), machine_cpu(), postgres_cpu()
        if args.client == "wrk":
            stats = run_wrk(f"http://127.0.0.1:{port}", slug, cast_form(contests), work, args)
        else:
            subprocess.run(
                [str(BIN / "locust"), "-f", str(ROOT / "benchmarks/locustfile_cast.py"),
                 "--headless", "-u", str(args.users), "-r", str(args.users),
                 "-t", f"{args.seconds}s", "--host", f"http://127.0.0.1:{port}",
                 "--csv", str(work / "stats"), "--only-summary", "--loglevel", "WARNING", *extra],
                env=env, check=False, stdout=subprocess.DEVNULL)
            rows = {r["Name"]: r for r in csv.DictReader((work / "stats_stats.csv").open())}
            stats = {"p50": rows["cast"]["50%"], "p99": rows["cast"]["99%"],
                     "failed": rows["cast"]["Failure Count"]}
        cpu["locust"] = children_cpu() - before
        cpu["postgres"] = postgres_cpu() - pg  # before the server's connections close
        busy, total = machine_cpu()
        cpu["machine"] = busy - machine[0]
        cpu["wall"] = (total - machine[1]) / (os.cpu_count() or 1)
    finally:
        before = children_cpu()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        cpu["server"] = children_cpu() - before  # its workers, reaped by the master
        before = children_cpu()
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        cpu["worker"] = children_cpu() - before
    try:
        return report(contests, work, args, cpu, stats)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(server_url)


# wrk's script: each thread takes every n-th code, posts one cast per code, keeps receipts
# (line-buffered: wrk ends without closing its Lua states) and the main state prints the
# latency percentiles as one line load_cast reads.
WRK_LUA = r"""
local counter, threads = 0, {}
function setup(thread)
  thread:set("id", counter); counter = counter + 1; table.insert(threads, thread)
end
function init(args)
  local n, k = tonumber(args[1]), 0
  codes, next_code = {}, 0
  for line in io.lines(args[2]) do
    if k % n == id then table.insert(codes, line) end
    k = k + 1
  end
  out = io.open(args[3] .. "." .. id, "w"); out:setvbuf("line")
  path, token, form = args[4], args[5], args[6]
  headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Referer"] = args[7],
             ["Cookie"] = "csrftoken=" .. args[8]}
end
function request()
  next_code = next_code + 1
  local body = "csrfmiddlewaretoken=" .. token .. "&code=" .. codes[next_code] ..
    "&action=cast&" .. form
  return wrk.format("POST", path, headers, body)
end
function response(status, headers, body)
  if status ~= 200 then return end
  local got = {}  -- a visit's receipts (one per contest) on one line
  for r in body:gmatch('receipt%-full">([^<]+)<') do table.insert(got, r) end
  if #got > 0 then out:write(table.concat(got, " "), "\n") end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK p50=%d p99=%d requests=%d failed=%d\n", latency:percentile(50),
    latency:percentile(99), summary.requests, e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def run_wrk(base: str, slug: str, form: str, work: Path, args) -> dict:
    import re
    import shutil
    from urllib.request import Request, urlopen

    if shutil.which("wrk") is None:
        raise SystemExit("--client wrk needs wrk on PATH (apt install wrk)")
    page = urlopen(Request(f"{base}/vote/{slug}/"), timeout=10)
    cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
    (work / "cast.lua").write_text(WRK_LUA)
    threads = max(1, min(args.processes, args.users))
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(args.users), "-d", f"{args.seconds}s",
         "--timeout", "10s", "-s", str(work / "cast.lua"), f"{base}/vote/{slug}/cast/", "--",
         str(threads), str(work / "codes.txt"), str(work / "receipts.txt"), f"/vote/{slug}/cast/",
         token, form, f"{base}/vote/{slug}/", cookie],
        check=True, capture_output=True, text=True).stdout
    m = re.search(r"WRK p50=(\d+) p99=(\d+) requests=(\d+) failed=(\d+)", out)
    if m is None:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    receipts = []
    for k in range(threads):
        part = work / f"receipts.txt.{k}"
        receipts += part.read_text().splitlines() if part.exists() else []
    (work / "receipts.txt").write_text("\n".join(receipts))
    return {"p50": round(int(m[1]) / 1000), "p99": round(int(m[2]) / 1000), "failed": int(m[4])}


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def postgres_cpu() -> float:
    """CPU seconds of the PostgreSQL processes alive now (backends, WAL writer, ...): the
    server's connections persist through the run, so the difference covers the casts."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # /proc/<pid>/stat: "pid (name) state ...": the name may hold spaces
        name = text[text.index("(") + 1 : text.rindex(")")]
        rest = text[text.rindex(")") + 2 :].split()
        if name.startswith("postgres"):
            total += int(rest[11]) + int(rest[12])  # utime, stime
    return total / ticks


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / ticks, sum(fields[:8]) / ticks


def fresh_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def drop_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def open_election(n: int, k: int):
    """An open election of ``k`` contests (leader; and deputy) with ``n`` voters holding
    codes: (its slug, the contests, the codes)."""
    from django.db import transaction

    from hustings.web.contests.elections import Election
    from hustings.web.contests.models import Candidate, Contest
    from hustings.web.voting import casting, codes, trustees
    from hustings.web.voting.models import Credential, Voter

    election = Election.objects.create(slug="bench", title="Benchmark election (synthetic)")
    plan = [("bench" if k == 1 else "bench-leader", "Leader", CANDIDATES),
            ("bench-deputy", "Deputy Leader", DEPUTY)][:k]
    contests = []
    for order, (slug, title, names) in enumerate(plan):
        contest = Contest.objects.create(slug=slug, title=title, rule_book_preset="labour-2015",
                                         election=election, ballot_order=order)
        for i, name in enumerate(names):
            c = Candidate.objects.create(contest=contest, name=name, slug=f"c{i}")
            Candidate.objects.filter(pk=c.pk).update(on_ballot=True, ballot_position=i + 1)
        # the box's key: every cast is sealed to it (the share is dropped)
        with transaction.atomic():
            trustees.name_trustees(contest, ["bench trustee"], 1)
        Contest.objects.filter(pk=contest.pk).update(stage="ballot_open")
        contest.refresh_from_db()
        contests.append(contest)
    voters = Voter.objects.bulk_create(
        Voter(election=election, reference=f"B{i:06d}", name=f"Bench voter {i}",
              postal_address="synthetic", sections=["All voters"]) for i in range(n))
    key = casting.credential_key()
    out, creds = [], []
    for v in voters:
        bid, secret = codes.new_credential()
        creds.append(Credential(voter=v, ballot_id=bid, secret_digest=codes.digest(key, secret)))
        out.append(codes.format_code(bid, secret))
    Credential.objects.bulk_create(creds, batch_size=5000)
    return election.slug, contests, out


def open_contest(n: int):
    """A one-contest election (slug ``bench``): (the contest, the codes); cast_cpu.py's."""
    _slug, contests, codes = open_election(n, 1)
    return contests[0], codes


def cast_form(contests) -> str:
    """The review page's hidden fields of a visit (urlencoded): each contest's section and
    two choices; plain names in a one-contest election, ``c<id>-`` prefixed otherwise."""
    from urllib.parse import urlencode

    picks = {"Leader": ["Jeremy Corbyn", "Andy Burnham"],
             "Deputy Leader": ["Tom Watson", "Angela Eagle"]}
    fields: list[tuple[str, str]] = []
    for c in contests:
        prefix = "" if len(contests) == 1 else f"c{c.pk}-"
        fields.append((prefix + "section", "All voters"))
        fields += [(prefix + "choice", name) for name in picks[c.title]]
    return urlencode(fields)


def report(contests, work: Path, args, cpu: dict, stats: dict) -> int:
    from hustings.web.voting import ledger
    from hustings.web.voting.models import LedgerEntry, Participation, SealedBallot

    visits = [line.split() for line in (work / "receipts.txt").read_text().splitlines()
              if line.strip()]
    receipts = [r for visit in visits for r in visit]
    whole = all(len(v) == len(contests) for v in visits)
    stored: set[str] = set()
    sealed: set[str] = set()
    checks = []
    for contest in contests:
        mine = {e["receipt"] for e in LedgerEntry.objects.filter(contest=contest, kind="cast")
                .values_list("payload", flat=True)}
        box = set(SealedBallot.objects.filter(contest=contest).values_list("receipt", flat=True))
        participations = Participation.objects.filter(contest=contest).count()
        checks.append((contest, mine, box, participations, ledger.verify(contest)))
        stored |= mine
        sealed |= box
    lost = set(receipts) - stored
    duplicated = len(receipts) - len(set(receipts))
    who = ("Locust users" if args.client == "locust" else "wrk connections")
    print(f"load_cast: {args.seconds} s, {args.users} {who} in {args.processes} process(es), "
          f"hustings serve with {args.workers} gunicorn workers x {args.threads} threads, "
          f"PostgreSQL on loopback, {len(contests)} contest(s) per visit")
    print(f"  receipts returned   {len(receipts)}")
    if len(contests) > 1:
        print(f"  visits/s            {len(visits) / args.seconds:.1f} (each casting "
              f"{len(contests)} ballots in one transaction)")
    print(f"  ballots/s           {len(receipts) / args.seconds:.1f}")
    print(f"  cast latency p50    {stats['p50']} ms")
    print(f"  cast latency p99    {stats['p99']} ms")
    print(f"  failed requests     {stats['failed']}")
    n = max(len(visits), 1)
    unit = "ballot" if len(contests) == 1 else "visit"
    # the server's CPU includes its start-up and shutdown (a second or so of one core)
    rest = cpu["machine"] - cpu["locust"] - cpu["server"] - cpu["worker"] - cpu["postgres"]
    print(f"  CPU per {unit}{' ' * (12 - len(unit))}{args.client} "
          f"{cpu['locust'] / n * 1000:.2f} ms, server {cpu['server'] / n * 1000:.2f} ms, "
          f"task worker {cpu['worker'] / n * 1000:.2f} ms, "
          f"PostgreSQL {cpu['postgres'] / n * 1000:.2f} ms, "
          f"rest of machine {rest / n * 1000:.2f} ms")
    cores_busy = cpu["machine"] / max(cpu["wall"], 1e-9)
    print(f"  cores busy          {cores_busy:.2f} of {os.cpu_count()}")
    ok = bool(receipts) and not lost and not duplicated and whole and sealed == stored
    for contest, mine, box, participations, chain in checks:
        print(f"  {contest.slug}: sealed ballots stored {len(box)}, participations "
              f"{participations}, cast entries {len(mine)}, ledger verifies ({chain} entries), "
              f"sealed receipts = the ledger's: {box == mine}")
        ok = ok and box == mine and len(box) == participations == len(mine)
    if len(contests) > 1:
        print(f"  every visit got one receipt per contest: {whole}")
    print(f"  lost {len(lost)}, duplicated {duplicated}: {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"the server at {url} did not answer within {seconds:.0f} s") from None
            time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
