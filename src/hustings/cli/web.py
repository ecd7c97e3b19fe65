"""``hustings demo`` and ``hustings serve``: the web platform from the command line.

``demo`` makes (or reuses) a SQLite database in ``--data-dir``, migrates it, loads the 2010
demonstration contest and serves it on 127.0.0.1. ``serve`` runs the same application under
gunicorn for a real deployment, configured from the environment, and stops at once, with
one line, when something it needs is missing.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import click

from hustings.cli import CliError


def _django(settings_env: dict[str, str]) -> None:
    os.environ.update(settings_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hustings.web.settings")
    import django

    django.setup()


def _port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise CliError(
                    f"port {port} on {host} is already in use; choose another with --port"
                ) from None
            raise CliError(f"cannot listen on {host}:{port}: {e.strerror}") from None


def _gunicorn(bind: str, *, workers: int, threads: int, access_log: bool) -> None:
    from django.core.wsgi import get_wsgi_application
    from gunicorn.app.base import BaseApplication

    application = get_wsgi_application()

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            # gthread even with one thread: it keeps connections alive between requests (the
            # sync worker closes each one, which costs both ends more CPU than the request)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-" if access_log else None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("loglevel", "warning")

        def load(self):
            return application

    Server().run()


def _deployment(command: str) -> None:
    """Check the environment and the database of a deployment, then set Django up: one
    line and exit status 2 when something is missing, never a traceback."""
    from hustings.web.environment import missing_environment, unsafe_settings

    missing = missing_environment()
    if missing:
        raise CliError(
            "missing environment variable(s): "
            + ", ".join(missing)
            + f" (see hustings {command} --help)"
        )
    unsafe = unsafe_settings(command)
    if unsafe:
        raise CliError(f"refusing to {command}: " + "; ".join(unsafe))
    import dj_database_url

    url = os.environ["DATABASE_URL"].strip()
    try:
        dj_database_url.parse(url)
    except ValueError:
        scheme = url.split("://")[0] if "://" in url else url[:20]
        raise CliError(
            f"DATABASE_URL has an unknown scheme {scheme!r}; expected e.g. "
            "postgres://user@host:5432/name or sqlite:////absolute/path.sqlite3"
        ) from None
    _django({})
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        connection.ensure_connection()
    except OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CliError(f"cannot connect to the database in DATABASE_URL: {first}") from None


@click.command("demo")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port on 127.0.0.1.",
)
@click.option(
    "--data-dir",
    default="var",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo's SQLite database lives.",
)
@click.option("--no-serve", is_flag=True, help="Prepare the database, print the logins and exit.")
@click.option("--reset", is_flag=True,
              help="Start again: delete the demo's database and trustee share in --data-dir first.")
def demo_command(port: int, data_dir: Path, no_serve: bool, reset: bool) -> None:
    """Run the 2010 Labour leadership demo, and a 2015-style election, on http://127.0.0.1:8000.

    Creates (or reuses) a SQLite database in --data-dir, loads the demonstration contest and
    a 2015-style election (leader, deputy and London mayoral contests on one ballot, open
    for voting, with a synthetic roll), and prints a staff login and one voter's code. The
    nominators' names are placeholders; the numbers are real.
    A second run keeps what was done in the first (votes, the count); --reset starts again.

    \b
    Example:
        hustings demo --port 8001 --reset
    """
    host = "127.0.0.1"
    if not no_serve:
        _port_free(host, port)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"cannot create the data directory {data_dir}: {e.strerror}") from None
    data_dir = data_dir.resolve()
    if reset:
        _reset_demo(data_dir)
    # The demo is always its own SQLite file, whatever DATABASE_URL says.
    _django(
        {
            "HUSTINGS_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'hustings.sqlite3'}",
            "HUSTINGS_ALLOWED_HOSTS": f"{host},localhost",
            "HUSTINGS_DEMO": "1",
        }
    )
    from django.core.management import call_command

    from hustings.web import demo
    from hustings.web.voting.demo import share_path

    click.echo(f"Preparing the demo database in {data_dir / 'hustings.sqlite3'} ...")
    call_command("migrate", interactive=False, verbosity=0)
    contest = demo.load_demo()
    url = f"http://{host}:{port}/"
    click.echo("")
    click.echo(f"  Hustings demo: {url}contests/{contest.slug}/nominations/")
    click.echo(f"  Staff login (returning officer): {demo.STAFF_USERNAME} / {demo.STAFF_PASSWORD}")
    click.echo(
        f"  Nominating MP login:             {demo.NOMINATOR_USERNAME} / {demo.NOMINATOR_PASSWORD}"
    )
    click.echo("  Individual nominators are placeholder names: the numbers are the published ones.")
    click.echo(f"  Ballot box trustee share (demo only): {share_path()}")
    click.echo(f"  2015-style election, ballot open: {url}elections/{demo.ELECTION_2015}/")
    voter, code = demo.demo_code_2015()
    click.echo(f"  Vote in all three of its contests: {url}vote/{demo.ELECTION_2015}/ "
               f"with the code {code} ({voter}; every letter is on Run the ballot)")
    click.echo("")
    if no_serve:
        return
    click.echo("Press Ctrl+C to stop.")
    _gunicorn(f"{host}:{port}", workers=1, threads=4, access_log=False)


# The demo's own files in its data directory; --reset deletes these and nothing else.
DEMO_FILES = ("hustings.sqlite3", "hustings.sqlite3-journal", "hustings.sqlite3-wal",
              "hustings.sqlite3-shm", "demo-trustee-share.txt")


def _reset_demo(data_dir: Path) -> None:
    removed = []
    # the other demo contests' shares: demo-trustee-share-<slug>.txt (voting.demo.share_path)
    others = sorted(p.name for p in data_dir.glob("demo-trustee-share-*.txt"))
    for name in (*DEMO_FILES, *others):
        path = data_dir / name
        try:
            path.unlink()
            removed.append(name)
        except FileNotFoundError:
            continue
        except OSError as e:
            raise CliError(f"cannot reset the demo: cannot delete {path}: {e.strerror}") from None
    click.echo(f"Reset: deleted {', '.join(removed) if removed else 'nothing (no demo yet)'} "
               f"in {data_dir}")


@click.command("serve")
@click.option(
    "--bind", default=None, help="host:port to listen on [default: 0.0.0.0:$PORT, or 0.0.0.0:8000]"
)
@click.option(
    "--workers", default=None, type=click.IntRange(1, 64), help="[default: $WEB_CONCURRENCY or 2]"
)
@click.option(
    "--threads", default=None, type=click.IntRange(1, 64),
    help="Threads per worker [default: $HUSTINGS_THREADS or 2].",
)
@click.option("--migrate", is_flag=True, help="Apply database migrations before serving.")
def serve_command(
    bind: str | None, workers: int | None, threads: int | None, migrate: bool
) -> None:
    """Serve the platform under gunicorn, set up from the environment.

    \b
    Needs: HUSTINGS_SECRET_KEY, HUSTINGS_CODE_KEY (two different random keys),
    HUSTINGS_ALLOWED_HOSTS (comma-separated), DATABASE_URL, HUSTINGS_EMAIL_BACKEND (SMTP;
    the console and file backends are refused unless HUSTINGS_DEV_MAIL=1).
    Optional: HUSTINGS_SECURE=1 behind HTTPS, HUSTINGS_TRUSTED_PROXIES (the proxies whose
    X-Forwarded-For is believed), HUSTINGS_CSRF_TRUSTED_ORIGINS,
    HUSTINGS_ACCESS_LOG=0 when the proxy in front keeps the access log.
    See docs/deploying.md.
    A cast spends most of its time on CPU and the rest waiting for the commit to reach
    disk: about one worker per core, each with a few threads, keeps the cores busy.
    Example:
        hustings serve --migrate --bind 0.0.0.0:8000
    """
    bind = bind or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
    workers = workers or int(os.environ.get("WEB_CONCURRENCY", "2"))
    threads = threads or int(os.environ.get("HUSTINGS_THREADS", "2"))
    _deployment("serve")
    from django.db import connection

    from hustings.web.voting import checks

    risks = checks.statement_logging_risks(connection)
    if risks:  # a warning, not a refusal: the log may be as well guarded as the database
        click.echo(f"Warning: {checks.message(risks)}", err=True)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=1)
    click.echo(f"Serving Hustings on http://{bind}/ with {workers} worker(s) x {threads} thread(s)")
    _gunicorn(bind, workers=workers, threads=threads,
              access_log=os.environ.get("HUSTINGS_ACCESS_LOG", "1") != "0")


@click.command("worker")
@click.option("--batch", is_flag=True, help="Run what is queued now, then exit.")
def worker_command(batch: bool) -> None:
    """Run the background tasks beside `hustings serve`, set up from the same environment.

    The tasks are rows in the project's own database (django-tasks): security-code emails
    and reminders (queue "mail"), the roll import, codes, the opening of the ballot box, the
    count and the publication; no task carries a code, a ballot or a trustee share. The
    box's key reaches the worker sealed to a key pair made at its start and held only in
    its memory: after a restart, the trustees enter their shares again.
    One worker is enough; more may run at once. When the database goes away the worker
    waits and reconnects (backoff up to 30 s), and puts back in the queue any task it had
    not finished.

    \b
    Needs: HUSTINGS_SECRET_KEY, HUSTINGS_CODE_KEY, HUSTINGS_ALLOWED_HOSTS, DATABASE_URL,
    HUSTINGS_EMAIL_BACKEND (as serve).
    Example:
        hustings worker
    """
    _deployment("worker")
    from django.utils.crypto import get_random_string

    from hustings.web.resilience import run_worker
    from hustings.web.voting import workerkey

    args = ["--queue-name", "default,mail", "--no-reload"] + (["--batch"] if batch else [])
    worker_id = get_random_string(32)
    # this process's ephemeral key, to which the trustees' page seals the box key (it
    # lives only in this process's memory; a heartbeat thread keeps its public half fresh)
    workerkey.start(worker_id)
    run_worker(args, worker_id=worker_id)
