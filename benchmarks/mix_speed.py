"""How long the close's ballot mix takes (voting/mixing.py), on PostgreSQL.

    .venv/bin/python benchmarks/mix_speed.py [--ballots 100000 500000]

For each size: a fresh database ``hustings_mix_<pid>`` (dropped at the end) on the server of
$HUSTINGS_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432), a contest with that
many stored ballots (random rankings of four candidates), then ``mix(everything=True)``
as the close runs it, and the VACUUM that follows it. Prints the seconds of each, the
peak memory of this process, and checks that the same ballots are there afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from collections import Counter

DB = f"hustings_mix_{os.getpid()}"
CANDIDATES = ("Andy Burnham", "Yvette Cooper", "Jeremy Corbyn", "Liz Kendall")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ballots", type=int, nargs="+", default=[100_000, 500_000])
    args = ap.parse_args()
    server = os.environ.get("HUSTINGS_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"{server}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "hustings.web.settings"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        for n in args.ballots:
            run(n)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    return 0


def run(n: int) -> None:
    from django.db import connection

    from hustings.web.contests.models import Contest
    from hustings.web.voting import mixing
    from hustings.web.voting.models import Ballot

    contest = Contest.objects.create(slug=f"mix-{n}", title="Mix benchmark (synthetic)",
                                     rule_book_preset="labour-2015")
    rng = random.Random(n)
    rankings = [rng.sample(CANDIDATES, rng.randint(1, 4)) for _ in range(n)]
    Ballot.objects.bulk_create(
        (Ballot(contest=contest, section="All voters", ranking=r, channel="online")
         for r in rankings), batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE voting_ballot")
    t0 = time.perf_counter()
    mixed = mixing.mix(contest, everything=True)  # outside a transaction: VACUUM runs on commit
    t1 = time.perf_counter()
    # mix() ran the VACUUM on commit; time another one to show what it costs on its own
    with connection.cursor() as cur:
        cur.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'voting_ballot'")
        dead = cur.fetchone()[0]
        t2 = time.perf_counter()
        cur.execute("VACUUM voting_ballot")
        t3 = time.perf_counter()
    after = Counter(tuple(r) for r in Ballot.objects.filter(contest=contest)
                    .values_list("ranking", flat=True))
    ok = mixed == n and after == Counter(map(tuple, rankings))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"mix_speed: {n} ballots: mix (with its VACUUM) {t1 - t0:.2f} s, "
          f"a second VACUUM {t3 - t2:.2f} s, dead row versions left {dead}, "
          f"peak RSS {peak:.0f} MB, same ballots after: {'OK' if ok else 'FAILED'}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    sys.exit(main())
