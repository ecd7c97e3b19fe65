"""A national election as Labour ran it in 2015: leader and deputy on one ballot, and a
London-only mayoral contest on the same code; each step timed, with memory.

    .venv/bin/python benchmarks/national.py [--voters 600000] [--ballots 500000]
        [--london 0.14] [--sample 1000] [--mail-workers 2]

``--ballots`` is the turnout: that many voters vote, each in the leader and the deputy
contest (so twice that many ballots in the two), and those of them marked london in the
London contest too (``--london`` of the roll is marked).

Needs the ``bench`` extra (aiosmtpd, psutil). Makes a fresh database
``hustings_bench_<pid>`` on $HUSTINGS_BENCH_POSTGRES (default
postgres://postgres@127.0.0.1:5432), dropped at the end, and an election of three contests
under the labour-2015 rules (OMOV, four candidates each; the third only for voters marked
london on the roll). The "web" is this process, posting to the officer's page
through Django's test client (the views, forms and redirects a browser gets, without
gunicorn); the "worker" is django-tasks-db's ``db_worker`` after the worker's ephemeral
key is made (``WORKER`` below: what ``hustings worker`` runs)
in separate processes. Steps, through the public paths:

1. import: a roll of N voters (members, registered and affiliated supporters; four in
   five with an email; ``--london`` of them marked london) posted to "Import roll" on the
   leader contest's page (the roll is the election's); the job runs in one worker.
2. freeze: "Freeze roll" (a request).
3. issue: "Issue codes" (a job in one worker, whose mail tasks wait on queue "mail"),
   then the printed letters streamed from the letters download.
4. mail: ``--mail-workers`` worker processes drain the mail queue to a local SMTP sink
   (aiosmtpd, in its own process, counting what it receives), all of it or for
   ``--mail-seconds`` (the rate is what was sent in that time; the rest is left unsent).
5. cast: ``--sample`` voters cast with their letters' codes (``casting.check_code`` and
   ``casting.cast_visit``, what the ballot page calls: one visit, every contest the voter
   has a ballot in), one after another.
6. To reach ``--ballots`` sealed ballots, the rest are inserted directly as the cast
   leaves them (a participation, a sealed ballot made with PyNaCl, a cast entry continuing
   the ledger's lanes), by COPY, untimed: casting speed is load_cast.py's business.
7. for each contest: "Close and count" (a request: the seal), then the trustee gives the share on
   "Open the ballot box" (a request that checks it, seals the key to the worker's
   ephemeral key and queues the open-box job, which opens the box and then counts, as it
   does for a returning officer); "Publish" starts the publish job.
8. verify: each contest's published files written to a folder and ``hustings verify all``
   run on it.

Each step prints its wall time and the peak resident memory (RSS, sampled every 0.1 s) of
this process ("web") and of the worker processes, and every request's time is recorded:
the longest is printed against the 5 s target.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_cast  # the fresh database helpers
import open_box  # sealed ballots stored as the cast leaves them

CANDIDATES = load_cast.CANDIDATES
SECTION = "All voters"
LABELS = ("Member", "Registered supporter", "Affiliated supporter")
ROOT = Path(__file__).resolve().parents[1]


class Peak:
    """Peak RSS of this process and of the given others, sampled in a thread."""

    def __init__(self, pids: list[int]):
        import psutil

        self.me = psutil.Process()
        self.others = [psutil.Process(p) for p in pids]
        self.web = self.work = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _rss(self, p) -> int:
        try:
            children = p.children(recursive=True)
            return p.memory_info().rss + sum(c.memory_info().rss for c in children)
        except Exception:  # a process that just ended
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.web = max(self.web, self.me.memory_info().rss)  # not its children
            self.work = max([self.work] + [self._rss(p) for p in self.others])
            time.sleep(0.1)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


REQUESTS: list[tuple[str, float]] = []
RESULTS: list[str] = []


def post(client, url: str, data: dict, what: str):
    t = time.perf_counter()
    r = client.post(url, data)
    REQUESTS.append((what, time.perf_counter() - t))
    return r


def report(step: str, wall: float, peak: Peak, note: str = "") -> None:
    line = (f"  {step:<40} {wall:8.1f} s   web {peak.web / 2**20:6.0f} MB   worker(s) "
            f"{peak.work / 2**20:6.0f} MB   {note}")
    print(line, flush=True)
    RESULTS.append(line)


def wait_job(kind: str, timeout: float = 3600) -> None:
    from hustings.web.voting.models import Job

    end = time.time() + timeout
    while time.time() < end:
        job = Job.objects.filter(kind=kind).order_by("-created_at").first()
        if job is not None and job.finished:
            if job.state != "done":
                raise SystemExit(f"the {kind} job failed: {job.message[:2000]}")
            return
        time.sleep(0.2)
    raise SystemExit(f"the {kind} job did not finish in {timeout} s")


def write_roll(path: Path, n: int, london: float, seed: int = 15) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["reference", "name", "email", "postal_address", "sections", "marks"])
        for i in range(n):
            label = LABELS[0] if i % 10 < 5 else LABELS[1] if i % 10 < 8 else LABELS[2]
            email = "" if rng.random() < 0.2 else f"voter{i}@example.org"
            w.writerow([f"LAB{i:07d}", f"Voter {i}", email,
                        "" if email else f"{i} High Street, Anytown", label,
                        "london" if rng.random() < london else ""])


CONTESTS = (("leader", "Leader", ""), ("deputy", "Deputy leader", ""),
            ("london", "London mayoral candidate", "london"))


# ``hustings worker`` in short: the worker's ephemeral key (voting/workerkey.py) made and
# kept alive, then django-tasks-db's worker, polling every 0.2 s.
WORKER = ("import sys, django; django.setup(); from django.core.management import "
          "call_command; from hustings.web.voting import workerkey; wid = workerkey.start(); "
          "call_command('db_worker', *sys.argv[1:], '--worker-id', wid)")


def start_worker(env: dict, queues: str) -> subprocess.Popen:
    log = Path(tempfile.gettempdir()) / f"national-worker-{os.getpid()}.log"
    with open(log, "a") as err:  # the worker holds its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", WORKER, "--queue-name", queues, "--no-reload",
             "--interval", "0.2", "--no-startup-delay"], env=env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=err)


SINK = r'''
import asyncio, sys, time
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
out = sys.argv[2]
while True:
    time.sleep(0.2)
    open(out, "w").write(str(Count.n))
'''


def fill_ballots(contest, voters: int) -> int:
    """Sealed ballots as the cast leaves them, by COPY, for the first ``voters`` voters of
    the roll who have a ballot in the contest and have not voted in it yet (so the leader's
    and the deputy's voters are the same people, and London's those of them marked london)."""
    from django.db import connection

    from hustings.web.voting import box, console, trustees
    from hustings.web.voting.models import LedgerHead, Participation

    if voters <= 0:
        return 0
    voted = set(Participation.objects.filter(contest=contest).values_list("voter_id", flat=True))
    first = (console.contest_voters(contest).filter(pk__lte=voters_upto(contest, voters))
             .order_by("pk").values_list("pk", flat=True).iterator(chunk_size=50_000))
    ids = [v for v in first if v not in voted]
    if not ids:
        return 0
    rng = random.Random(7)
    plan = []
    for _ in ids:
        order = list(CANDIDATES)
        rng.shuffle(order)
        plan.append(order[: rng.randint(1, len(order))])
    key, block = trustees.box_key(contest), box.block(contest)
    sealed = open_box.seal_all(key.public_bytes, block, plan)
    heads = {h.lane: (h.seq, h.hash) for h in LedgerHead.objects.filter(contest=contest)}
    with connection.cursor() as cur:
        open_box.store_sealed(cur, contest, ids, sealed, heads)
        cur.execute("ANALYZE")
    return len(ids)


def voters_upto(contest, n: int) -> int:
    """The id of the election's n-th voter (the turnout: the first n of the roll vote)."""
    from hustings.web.voting.models import Voter

    ids = (Voter.objects.filter(election=contest.election).order_by("pk")
           .values_list("pk", flat=True))
    return ids[min(n, ids.count()) - 1]


def mail_left() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(queue_name="mail", status__in=["READY", "RUNNING"]).count()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--voters", type=int, default=600_000)
    ap.add_argument("--ballots", type=int, default=500_000,
                    help="voters who vote (each in leader and deputy, and London if marked)")
    ap.add_argument("--london", type=float, default=0.14,
                    help="the share of the roll marked london (voters of the third contest)")
    ap.add_argument("--sample", type=int, default=1000, help="voters who cast through casting")
    ap.add_argument("--mail-workers", type=int, default=2)
    ap.add_argument("--mail-seconds", type=float, default=0,
                    help="stop timing the mail after this long (0: drain it all); the rate is "
                    "what was sent in that time")
    args = ap.parse_args()
    server = os.environ.get("HUSTINGS_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    load_cast.fresh_database(server)
    work = Path(tempfile.mkdtemp(prefix="national-"))
    port = 20000 + os.getpid() % 20000
    os.environ.update({
        "DATABASE_URL": f"{server}/{load_cast.DB}",
        "HUSTINGS_ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "hustings.web.settings", "HUSTINGS_DATA_DIR": str(work),
        "HUSTINGS_CODE_KEY": "national-benchmark-code-key-" + uuid.uuid4().hex,
        "HUSTINGS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "HUSTINGS_EMAIL_HOST": "127.0.0.1", "HUSTINGS_EMAIL_PORT": str(port),
        "HUSTINGS_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"})
    os.environ.setdefault("HUSTINGS_SECRET_KEY", "benchmark-only-secret")
    procs: list[subprocess.Popen] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        return run(args, work, port, procs)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        from django.db import connections

        connections.close_all()
        load_cast.drop_database(server)


def run(args, work: Path, port: int, procs: list) -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import transaction
    from django.test import Client

    from hustings.web.contests.elections import Election
    from hustings.web.contests.models import Candidate, Contest
    from hustings.web.voting import box, casting, mailing, trustees
    from hustings.web.voting.models import Participation, PublishedFile

    env = dict(os.environ)
    print(f"national: {args.voters:,} voters, {args.ballots:,} of them vote (leader, deputy, "
          f"and London for the {args.london:.0%} marked london), PostgreSQL on loopback, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    election = Election.objects.create(slug="national", title="National benchmark (synthetic)")
    contests, shares = [], {}
    for order, (key, title, mark) in enumerate(CONTESTS):
        contest = Contest.objects.create(slug=f"national-{key}", title=f"{title} (synthetic)",
                                         rule_book_preset="labour-2015", election=election,
                                         ballot_order=order, eligibility=mark)
        for i, name in enumerate(CANDIDATES):
            c = Candidate.objects.create(contest=contest, name=name, slug=f"c{i}")
            Candidate.objects.filter(pk=c.pk).update(on_ballot=True, ballot_position=i + 1)
        with transaction.atomic():
            shares[contest.pk] = [h.text for h in trustees.name_trustees(contest, ["Trustee A"], 1)]
        Contest.objects.filter(pk=contest.pk).update(stage="nominations_closed")
        contests.append(contest)
    leader = contests[0]
    officer = get_user_model().objects.create_user("ro", password="benchmark-only-pw-1")
    officer.user_permissions.add(Permission.objects.get(codename="run_contest"))
    client = Client()
    client.force_login(officer)
    page = f"/contests/{leader.slug}/voting/"
    roll_path = work / "roll.csv"
    write_roll(roll_path, args.voters, args.london)
    print(f"  (roll file {roll_path.stat().st_size / 2**20:.0f} MB, not timed)", flush=True)

    worker = start_worker(env, "default")
    procs.append(worker)
    time.sleep(2)  # its start-up is not the import's
    # 1. import (the election's roll, from the leader contest's page)
    with Peak([worker.pid]) as peak:
        t = time.perf_counter()
        with roll_path.open("rb") as f:
            r = post(client, page, {"action": "roll", "roll": f}, "import roll (upload)")
        assert r.status_code == 302, r
        wait_job("roll")
        wall = time.perf_counter() - t
    report("import roll", wall, peak, "target <= 20 s, <= 400 MB")
    # 2. freeze
    with Peak([worker.pid]) as peak:
        t = time.perf_counter()
        r = post(client, page, {"action": "freeze"}, "freeze roll")
        wall = time.perf_counter() - t
    report("freeze roll (request)", wall, peak, "for the three contests")
    # 3. issue, then the letters download
    with Peak([worker.pid]) as peak:
        t = time.perf_counter()
        post(client, page, {"action": "issue"}, "issue codes (start)")
        wait_job("codes")
        issued = time.perf_counter() - t
        t2 = time.perf_counter()
        r = client.get(f"/contests/{leader.slug}/voting/letters.csv")
        letters_path = work / "letters.csv"
        with letters_path.open("wb") as f:
            for chunk in r.streaming_content:
                f.write(chunk)
        letters = time.perf_counter() - t2
        wall = time.perf_counter() - t
    n_letters = sum(1 for _ in letters_path.open()) - 1
    report("issue codes + letters", wall, peak,
           f"target <= 60 s (codes {issued:.1f} s, {n_letters:,} letters streamed {letters:.1f} s)")
    # 4. mail
    counted = work / "sink-count"
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port), str(counted)])
    procs.append(sink)
    time.sleep(1.5)
    queued = mailing.status(leader)["queued"]
    mailers = [start_worker(env, "default,mail") for _ in range(args.mail_workers)]
    procs.extend(mailers)
    with Peak([m.pid for m in mailers]) as peak:
        t = time.perf_counter()
        while mail_left() and not (args.mail_seconds
                                   and time.perf_counter() - t > args.mail_seconds):
            time.sleep(0.25)
        wall = time.perf_counter() - t
    status = mailing.status(leader)
    received = int(counted.read_text() or 0) if counted.exists() else 0
    report(f"mail drain ({args.mail_workers} workers)", wall, peak,
           f"{queued:,} queued, {status['sent']:,} sent, {status['failed']} failed, sink got "
           f"{received:,}: {status['sent'] / wall:,.0f} messages/s (target >= 300)")
    for m in mailers:
        m.terminate()
    # 5. open each contest's ballot, then visits of a sample with the letters' codes
    for contest in contests:
        post(client, f"/contests/{contest.slug}/voting/", {"action": "open"}, "open ballot")
        contest.refresh_from_db()
        assert contest.stage == "ballot_open", contest.stage
    # voters with a printed letter (those without an email), in reference order
    codes = [row["security_code"] for row in csv.DictReader(letters_path.open())][: args.sample]
    rng = random.Random(3)
    cast = 0
    with Peak([worker.pid]) as peak:
        t = time.perf_counter()
        for code in codes:
            voter = casting.check_code(election, code).voter
            visit = []
            for contest in contests:
                for section in casting.ballot_sections(contest, voter):
                    order = list(CANDIDATES)
                    rng.shuffle(order)
                    visit.append((contest, section, order[: rng.randint(1, 4)]))
            cast += len(casting.cast_visit(voter, visit))
        wall = time.perf_counter() - t
    report(f"cast {len(codes):,} visits (in turn)", wall, peak,
           f"{len(codes) / wall:,.0f} visits/s ({cast / wall:,.0f} ballots/s) in one process")
    t = time.perf_counter()
    added = {c.slug: fill_ballots(c, args.ballots) for c in contests}
    print(f"  (inserted sealed ballots directly, not timed, in {time.perf_counter() - t:.0f} s: "
          + ", ".join(f"{k} {n:,}" for k, n in added.items()) + ")", flush=True)
    ballots = {c.pk: Participation.objects.filter(contest=c).count() for c in contests}
    # 7. per contest: close, open the box, count, publish
    totals = {}
    for contest in contests:
        cpage = f"/contests/{contest.slug}/voting/"
        total = time.perf_counter()
        with Peak([worker.pid]) as peak:
            t = time.perf_counter()
            r = post(client, cpage, {"action": "close"}, f"close (seal) {contest.slug}")
            assert r.status_code == 302 and r["Location"].endswith("/open-box/"), r
            wall = time.perf_counter() - t
        report(f"{contest.slug}: close (request)", wall, peak, f"{ballots[contest.pk]:,} ballots")
        with Peak([worker.pid]) as peak:
            t = time.perf_counter()
            # the trustees' page: shares checked and combined, the key sealed to the worker's
            # ephemeral key, the open-box job queued (it opens, then counts, for an officer)
            r = post(client, f"{cpage}open-box/",
                     {f"share-{i + 1}": s for i, s in enumerate(shares[contest.pk])},
                     f"open the box (shares; start) {contest.slug}")
            assert r.status_code == 302 and "/jobs/" in r["Location"], r
            wait_job("open-box")
            wall = time.perf_counter() - t
        report(f"{contest.slug}: open box + count (job)", wall, peak,
               f"opened: {box.is_opened(contest)}")
        with Peak([worker.pid]) as peak:
            t = time.perf_counter()
            post(client, cpage, {"action": "publish"}, f"publish (start) {contest.slug}")
            wait_job("publish")
            wall = time.perf_counter() - t
        report(f"{contest.slug}: publish (job)", wall, peak)
        totals[contest.slug] = time.perf_counter() - total
    two = totals[contests[0].slug] + totals[contests[1].slug]
    print(f"  close + open + count + publish: leader and deputy "
          f"({ballots[contests[0].pk] + ballots[contests[1].pk]:,} ballots) {two:.1f} s; "
          f"London ({ballots[contests[2].pk]:,}) {totals[contests[2].slug]:.1f} s; "
          f"all three {sum(totals.values()):.1f} s", flush=True)
    # 8. verify each contest's published files
    failed = 0
    for contest in contests:
        out = work / f"published-{contest.slug}"
        out.mkdir()
        for f in (PublishedFile.objects.filter(contest=contest)
                  .exclude(name__startswith="superseded")):
            (out / f.name).write_text(f.content, encoding="utf-8")
        t = time.perf_counter()
        v = subprocess.run([str(Path(sys.executable).parent / "hustings"), "verify", "all",
                            str(out)], capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t
        failed += v.returncode != 0
        print(f"  {'hustings verify all ' + contest.slug:<34} {wall:8.1f} s   exit "
              f"{v.returncode}: {(v.stdout + v.stderr).strip().splitlines()[-1:]}", flush=True)
    slowest = max(REQUESTS, key=lambda x: x[1])
    print(f"  longest request: {slowest[0]} {slowest[1]:.2f} s (target <= 5 s); all: "
          + ", ".join(f"{w} {s:.2f} s" for w, s in REQUESTS), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
