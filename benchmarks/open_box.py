"""Opening a sealed ballot box of N ballots on PostgreSQL: how long ``box.open_box`` takes.

    .venv/bin/python benchmarks/open_box.py [--ballots 500000] [--processes N]

Makes a fresh database ``hustings_bench_<pid>`` on $HUSTINGS_BENCH_POSTGRES (default
postgres://postgres@127.0.0.1:5432), dropped at the end, with a closed contest (labour-2015
rules, 4 candidates, trustees 2 of 3) holding N sealed ballots as the cast leaves them: a
voter, a participation, a sealed ballot (random rankings sealed with PyNaCl) and a cast
entry in a valid 8-lane ledger each, loaded with COPY (the set-up is not timed). Then it
times the opening with two trustees' shares, everything ``open_box`` does: reading the
shares, holding the sealed ballots to the ledger's receipts, opening every ballot (one
process a core), the shuffle, and writing the opened ballots in one transaction. It prints
the figure against the issue's target (<= 30 s for 500,000) and checks that every ballot
was opened and that the opened ballots are the rankings that were sealed (as a multiset).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_cast  # the fresh database helpers

CANDIDATES = load_cast.CANDIDATES
SECTION = "All voters"


def _seal_chunk(args):
    from hustings.web.voting import sealing

    public, block, rankings = args
    return [(c, sealing.receipt(c)) for c in
            (sealing.seal(public, SECTION, r, block) for r in rankings)]


def seal_all(public: bytes, block: int, plan: list) -> list[tuple[bytes, str]]:
    """(ciphertext, receipt) of every ranking, sealed on every core (set-up, not timed)."""
    size = 20_000
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        return [x for part in pool.map(_seal_chunk, [
            (public, block, plan[i:i + size]) for i in range(0, len(plan), size)]) for x in part]


def store_sealed(cur, contest, voter_ids, sealed, heads) -> None:
    """What the cast leaves for each (voter, sealed ballot), by COPY: the participation,
    the sealed ballot and its ledger entry, continuing the lanes' ``heads`` {lane: (seq,
    hash)}, then the heads themselves. ``national.py`` uses it too."""
    from hustings.publication import chain
    from hustings.web.voting import ledger

    raw, lanes = cur.cursor, ledger.lanes()
    with raw.copy("COPY voting_participation (id, contest_id, voter_id, section, channel) "
                  "FROM STDIN") as cp:
        for v in voter_ids:
            cp.write_row((uuid.uuid4(), contest.pk, v, SECTION, "online"))
    with raw.copy("COPY voting_sealedballot (id, contest_id, section, ciphertext, receipt) "
                  "FROM STDIN") as cp:
        for c, r in sealed:
            cp.write_row((uuid.uuid4(), contest.pk, SECTION, c, r))
    at = "2026-12-05T06:00:00.000000+00:00"
    with raw.copy("COPY voting_ledgerentry (contest_id, lane, seq, kind, at, payload, "
                  "prev_hash, hash) FROM STDIN") as cp:
        for i, (_, r) in enumerate(sealed):
            lane = 1 + i % (lanes - 1)
            seq, prev = heads[lane]
            payload = {"receipt": r, "section": SECTION}
            digest = chain.entry_hash(prev, chain.entry_body(seq + 1, "cast", at, payload, lane))
            cp.write_row((contest.pk, lane, seq + 1, "cast", at,
                          chain.canonical_json(payload), prev, digest))
            heads[lane] = (seq + 1, digest)
    for lane, (seq, digest) in heads.items():
        if seq:
            cur.execute("UPDATE voting_ledgerhead SET seq = %s, hash = %s WHERE contest_id = %s"
                        " AND lane = %s", [seq, digest, contest.pk, lane])


def rankings(n: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        order = list(CANDIDATES)
        rng.shuffle(order)
        out.append(order[: rng.randint(1, len(order))])
    return out


def build(n: int):
    from django.db import connection, transaction

    from hustings.publication import chain
    from hustings.web.contests.models import Candidate, Contest
    from hustings.web.voting import box, ledger, trustees

    contest = Contest.objects.create(slug="bench-box", title="Open-box benchmark (synthetic)",
                                     rule_book_preset="labour-2015")
    for i, name in enumerate(CANDIDATES):
        c = Candidate.objects.create(contest=contest, name=name, slug=f"c{i}")
        Candidate.objects.filter(pk=c.pk).update(on_ballot=True, ballot_position=i + 1)
    with transaction.atomic():
        handed = trustees.name_trustees(contest, ["Trustee A", "Trustee B", "Trustee C"], 2)
    key = trustees.box_key(contest)
    block = box.block(contest)
    plan = rankings(n)
    t = time.perf_counter()
    sealed = seal_all(key.public_bytes, block, plan)
    print(f"  set-up: sealed {n:,} ballots in {time.perf_counter() - t:.1f} s (not timed)")
    lanes = ledger.lanes()
    heads = {k: (0, chain.GENESIS) for k in range(lanes)}
    with connection.cursor() as cur:
        raw = cur.cursor
        cur.execute("SELECT coalesce(max(id), 0) FROM voting_voter")
        first = cur.fetchone()[0] + 1
        with raw.copy("COPY voting_voter (id, election_id, reference, name, email, postal_address,"
                      " sections, marks, excluded_reason) FROM STDIN") as cp:
            for i in range(n):
                cp.write_row((first + i, contest.election_id, f"V{i:07d}", f"Bench voter {i}",
                              "", "", json.dumps([SECTION]), "[]", ""))
        cur.execute("SELECT setval(pg_get_serial_sequence('voting_voter', 'id'), %s)",
                    [first + n])
        store_sealed(cur, contest, range(first, first + n), sealed, heads)
        cur.execute("ANALYZE")
    Contest.objects.filter(pk=contest.pk).update(stage="ballot_closed")
    contest.refresh_from_db()
    return contest, [h.text for h in handed], plan


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def proc_cpu(pid: int) -> float:
    """CPU seconds of one process (this run's PostgreSQL backend), from /proc."""
    text = Path(f"/proc/{pid}/stat").read_text()
    rest = text[text.rindex(")") + 2:].split()
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def timed_steps() -> dict[str, float]:
    """Wrap the opening's steps to print where the time goes (the code is unchanged)."""
    from hustings.web.voting import box, sealedlist, sealing

    steps: dict[str, float] = {}

    def wrap(module, name, label):
        real = getattr(module, name)

        def timed(*a, **kw):
            t = time.perf_counter()
            try:
                return real(*a, **kw)
            finally:
                steps[label] = steps.get(label, 0) + time.perf_counter() - t
        setattr(module, name, timed)

    wrap(sealedlist, "check", "held to the ledger")
    wrap(box, "_cast_entries", "read the ledger's casts")
    wrap(sealing, "open_all", "opened (all processes)")
    wrap(box, "_write_opened", "written (COPY)")
    return steps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ballots", type=int, default=500_000)
    ap.add_argument("--processes", type=int, default=None,
                    help="processes that open ballots (default: one a core)")
    ap.add_argument("--count-publish", action="store_true",
                    help="then count and publish in this process (closing's hooks, as the "
                    "count and publish jobs run them), each timed with peak memory")
    ap.add_argument("--profile", metavar="FILE", default=None,
                    help="with --count-publish: cProfile the count and publish into FILE")
    args = ap.parse_args()
    server = os.environ.get("HUSTINGS_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    load_cast.fresh_database(server)
    os.environ.update({
        "DATABASE_URL": f"{server}/{load_cast.DB}", "HUSTINGS_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "hustings.web.settings"})
    os.environ.setdefault("HUSTINGS_SECRET_KEY", "benchmark-only-secret")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        load_cast.drop_database(server)


def run(args) -> int:
    from hustings.web.voting import box
    from hustings.web.voting.models import Ballot

    print(f"open_box: {args.ballots:,} sealed ballots, PostgreSQL on loopback, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    contest, shares, plan = build(args.ballots)
    steps = timed_steps()
    backend = backend_pid()
    pg0, kids0 = proc_cpu(backend), load_cast.children_cpu()
    cpu, wall = time.process_time(), time.perf_counter()
    done = box.open_box(contest, shares[:2], processes=args.processes)
    took = time.perf_counter() - wall
    mine, kids, pg = (time.process_time() - cpu, load_cast.children_cpu() - kids0,
                      proc_cpu(backend) - pg0)
    for name, seconds in steps.items():
        print(f"    {name:<26}{seconds:.2f} s")
    total = mine + kids + pg
    print(f"  CPU                 {total:.2f} s: this process {mine:.2f}, the opening processes "
          f"{kids:.2f}, its PostgreSQL backend {pg:.2f} (wall on idle cores >= "
          f"{total / (os.cpu_count() or 1):.2f} s)")
    print(f"  open_box            {took:.2f} s wall")
    print(f"  per ballot          {took / max(args.ballots, 1) * 1e6:.1f} us")
    opened = Counter(tuple(r) for r in Ballot.objects.filter(contest=contest)
                     .values_list("ranking", flat=True).iterator(chunk_size=20_000))
    ok = done["opened"] == done["sealed"] == args.ballots and opened == Counter(map(tuple, plan))
    print(f"  opened {done['opened']:,} of {done['sealed']:,}; the opened ballots are the sealed "
          f"rankings: {'OK' if ok else 'FAILED'}")
    target = 30 * args.ballots / 500_000
    print(f"TARGET open {args.ballots:,} sealed ballots   measured {took:.2f} s   target <= "
          f"{target:.0f} s   {'MET' if took <= target else 'NOT MET'}")
    if args.count_publish:
        ok = count_publish(contest, args) and ok
    del box
    return 0 if ok else 1


def count_publish(contest, args) -> bool:
    """The count and the publication, timed, with this process's peak RSS (sampled)."""
    import cProfile
    import threading

    import psutil

    me, peak, stop = psutil.Process(), [0], threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], me.memory_info().rss)

    threading.Thread(target=sample, daemon=True).start()
    from django.contrib.auth import get_user_model

    from hustings.web.voting import analysisdoc, closing, ledger, published

    officer = get_user_model().objects.create_superuser("bench-ro", password="bench-only-pw-1")
    steps: dict[str, float] = {}

    def wrap(module, name, label=None):
        real = getattr(module, name)

        def timed(*a, **kw):
            t = time.perf_counter()
            try:
                return real(*a, **kw)
            finally:
                key = label or name
                if name == "store":
                    key = f"store {a[1]}"
                steps[key] = steps.get(key, 0) + time.perf_counter() - t
        setattr(module, name, timed)

    for module, name in ((closing, "load_ballots"), (closing, "count"), (published, "store"),
                         (analysisdoc, "build"), (ledger, "append")):
        wrap(module, name)
    prof = cProfile.Profile() if args.profile else None
    contest.refresh_from_db()
    ok = True
    for label, step in (("count (mark_counted)", contest.mark_counted),
                        ("publish", contest.publish)):
        peak[0] = me.memory_info().rss
        t = time.perf_counter()
        if prof:
            prof.enable()
        step(by=officer)
        if prof:
            prof.disable()
        print(f"  {label:<20}{time.perf_counter() - t:6.2f} s wall   peak RSS "
              f"{peak[0] / 2**20:.0f} MB")
        for name, seconds in steps.items():
            print(f"    {name:<30}{seconds:6.2f} s")
        steps.clear()
        contest.refresh_from_db()
    stop.set()
    if prof:
        prof.dump_stats(args.profile)
    ok = contest.stage == "published"
    print(f"  stage {contest.stage}: {'OK' if ok else 'FAILED'}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
