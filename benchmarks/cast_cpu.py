"""CPU of one cast inside the server process, without gunicorn or a load generator.

    .venv/bin/python benchmarks/cast_cpu.py [--casts 1000] [--repeat 3] [--threads 1] [--profile]

Makes a database of its own (``hustings_castcpu_<pid>``, dropped at the end) on the server
of $HUSTINGS_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432), opens a contest
as ``load_cast.py`` does, then calls Django's WSGI application directly with the cast
page's POST (CSRF token, code, ranking), one voter after another. It prints the process
CPU time and the wall time per cast; the wall time includes waiting for PostgreSQL (five
round trips and a flushed commit), the CPU time does not. ``--profile`` adds cProfile's
table, timed by thread CPU. ``--threads N`` casts each timed batch from N threads at once,
as a gunicorn worker's threads do (each with its own database connection). Under load,
the server's CPU per ballot that ``load_cast.py`` prints minus this figure is roughly what
gunicorn adds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HUSTINGS_BENCH_DB", f"hustings_castcpu_{os.getpid()}")

import load_cast


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--casts", type=int, default=1000, help="casts per timed batch")
    ap.add_argument("--repeat", type=int, default=3, help="timed batches")
    ap.add_argument("--threads", type=int, default=1, help="threads casting at once")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    server = os.environ.get("HUSTINGS_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    load_cast.fresh_database(server)
    os.environ.update({
        "DATABASE_URL": f"{server}/{load_cast.DB}", "HUSTINGS_ALLOWED_HOSTS": "127.0.0.1",
        "HUSTINGS_CODE_FAILURES": "100000/h", "DJANGO_SETTINGS_MODULE": "hustings.web.settings"})
    os.environ.setdefault("HUSTINGS_SECRET_KEY", "benchmark-only-secret-" + "s" * 32)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        load_cast.drop_database(server)
    return 0


def run(args) -> None:
    from django.core.wsgi import get_wsgi_application
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    batches = args.repeat + (1 if args.profile else 0)
    contest, codes = load_cast.open_contest(200 + args.casts * batches)
    app = get_wsgi_application()
    secret = _get_new_csrf_string()
    token = _mask_cipher_secret(secret)
    status = {}

    def start_response(s, headers, exc_info=None):
        status["line"] = s

    def cast(code: str) -> None:
        body = urlencode([("csrfmiddlewaretoken", token), ("code", code), ("section", "All voters"),
                          ("action", "cast"), ("choice", "Jeremy Corbyn"),
                          ("choice", "Andy Burnham")]).encode()
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": f"/vote/{contest.slug}/cast/",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http", "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "HTTP_COOKIE": f"csrftoken={secret}", "HTTP_REFERER": "http://127.0.0.1/",
            "REMOTE_ADDR": "127.0.0.1", "wsgi.errors": sys.stderr,
        }
        b"".join(app(environ, start_response))
        if not status["line"].startswith("200"):
            raise SystemExit(f"cast_cpu: the cast page answered {status['line']}")

    todo = iter(codes)
    for _ in range(200):  # warm up: prepared statements, template cache, contest cache
        cast(next(todo))
    for _ in range(args.repeat):
        batch = [next(todo) for _ in range(args.casts)]
        cpu, wall = time.process_time(), time.perf_counter()
        if args.threads > 1:
            threaded(cast, batch, args.threads)
        else:
            for code in batch:
                cast(code)
        cpu_ms = (time.process_time() - cpu) / args.casts * 1000
        wall_ms = (time.perf_counter() - wall) / args.casts * 1000
        print(f"cast_cpu: {args.casts} casts ({args.threads} thread(s)): "
              f"CPU {cpu_ms:.3f} ms a cast, wall {wall_ms:.3f} ms a cast")
    if args.profile:
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        for _ in range(args.casts):
            cast(next(todo))
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


def threaded(cast, codes: list[str], n: int) -> None:
    import threading

    from django.db import connections

    def work(part: list[str]) -> None:
        try:
            for code in part:
                cast(code)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=work, args=(codes[i::n],)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    sys.exit(main())
