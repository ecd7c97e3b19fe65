"""``hustings serve`` fails fast, in one line, on a missing or wrong environment;
``hustings demo`` prepares its own SQLite database and prints the URL and logins."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from hustings.cli import main

ENV = {
    "HUSTINGS_SECRET_KEY": "k" * 50,
    "HUSTINGS_CODE_KEY": "c" * 50,
    "HUSTINGS_ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "postgres://x@h/db",
    "HUSTINGS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def run(*args, env=None, timeout=120):
    full = {k: v for k, v in os.environ.items() if k not in ENV and k != "DJANGO_SETTINGS_MODULE"}
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "hustings", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    "unset, named",
    [
        (list(ENV), "HUSTINGS_SECRET_KEY, HUSTINGS_CODE_KEY, HUSTINGS_ALLOWED_HOSTS, DATABASE_URL"),
        (["HUSTINGS_ALLOWED_HOSTS"], "HUSTINGS_ALLOWED_HOSTS"),
        (["DATABASE_URL"], "DATABASE_URL"),
    ],
)
def test_serve_names_every_missing_variable(unset, named):
    env = {k: (None if k in unset else v) for k, v in ENV.items()}
    result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code == 2
    assert (
        result.output
        == f"Error: missing environment variable(s): {named} (see hustings serve --help)\n"
    )


def test_serve_refuses_an_unknown_database_url():
    result = CliRunner().invoke(main, ["serve"], env={**ENV, "DATABASE_URL": "mongodb://h/db"})
    assert result.exit_code == 2
    assert result.output.startswith(
        "Error: DATABASE_URL has an unknown scheme 'mongodb'; expected e.g. postgres://"
    )


def test_serve_says_when_the_database_is_unreachable():
    result = run("serve", env={**ENV, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
    assert result.returncode == 2
    assert result.stderr.startswith("Error: cannot connect to the database in DATABASE_URL: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_wsgi_refuses_to_load_without_the_environment():
    result = subprocess.run(
        [sys.executable, "-c", "import hustings.web.wsgi"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ENV},
        check=False,
    )
    assert result.returncode == 1
    assert (
        "RuntimeError: hustings: missing environment variable(s): HUSTINGS_SECRET_KEY, "
        in result.stderr
    )


def test_demo_refuses_a_busy_port(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = run("demo", "--port", str(port), "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert (
        result.stderr
        == f"Error: port {port} on 127.0.0.1 is already in use; choose another with --port\n"
    )


def test_demo_prepares_its_database_and_prints_url_and_logins(tmp_path):
    result = run(
        "demo",
        "--no-serve",
        "--port",
        "8123",
        "--data-dir",
        str(tmp_path / "data"),
        env={"DATABASE_URL": "postgres://must-be-ignored@127.0.0.1:1/x"},
    )
    assert result.returncode == 0, result.stderr
    assert (
        "Hustings demo: http://127.0.0.1:8123/contests/labour-leader-2010/nominations/"
        in result.stdout
    )
    assert (
        "Staff login (returning officer): returning-officer / hustings-demo-2010" in result.stdout
    )
    assert "placeholder names" in result.stdout
    db = sqlite3.connect(tmp_path / "data" / "hustings.sqlite3")
    assert db.execute("select stage from contests_contest where slug = 'labour-leader-2010'"
                      ).fetchall() == [("nominations_open",)]
    assert db.execute("select count(*) from nominations_nomination n join contests_candidate c "
                      "on n.candidate_id = c.id join contests_contest k on c.contest_id = k.id "
                      "where k.slug = 'labour-leader-2010'").fetchone() == (318,)
    # beside it, the 2015-style election, its three contests open for voting
    assert db.execute("select count(*) from contests_contest where stage = 'ballot_open'"
                      ).fetchone() == (3,)
    assert "2015-style election, ballot open: http://127.0.0.1:8123/elections/labour-2015/" \
        in result.stdout


def test_worker_names_every_missing_variable():
    result = CliRunner().invoke(main, ["worker"], env={k: None for k in ENV})
    assert result.exit_code == 2
    assert result.output == (
        "Error: missing environment variable(s): HUSTINGS_SECRET_KEY, HUSTINGS_CODE_KEY, "
        "HUSTINGS_ALLOWED_HOSTS, DATABASE_URL (see hustings worker --help)\n"
    )


def test_worker_runs_the_queued_tasks_of_both_queues(tmp_path):
    """A task on queue "default" and a code email (queue "mail"), queued in the database as
    a deployment's server does, are both run by one ``hustings worker --batch``."""
    assert run("demo", "--no-serve", "--data-dir", str(tmp_path)).returncode == 0
    db = tmp_path / "hustings.sqlite3"
    env = {**ENV, "DATABASE_URL": f"sqlite:///{db}",
           "HUSTINGS_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           # the demo's code email goes to the console: allowed only by the development flag
           "HUSTINGS_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
           "HUSTINGS_DEV_MAIL": "1"}
    queue = (
        "import django; django.setup()\n"
        "from hustings.web.voting import credentials\n"
        "from hustings.web.voting.models import Voter\n"
        "v = Voter.objects.exclude(email='').first()\n"
        "from hustings.web.voting import codes\n"
        "from hustings.web.voting.models import Credential\n"
        "c = Credential.objects.create(voter=v, ballot_id=codes.new_ballot_id(),\n"
        "                              secret_digest='x')\n"
        "credentials.send_code.using(queue_name='default').enqueue(v.pk, c.ballot_id,\n"
        "                                                          'http://x/', False)\n"
        "credentials.send_code.enqueue(v.pk, c.ballot_id, 'http://x/', False)\n"
    )
    full = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "hustings.web.settings"}
    subprocess.run([sys.executable, "-c", queue], env=full, check=True, capture_output=True)

    def statuses():
        with sqlite3.connect(db) as conn:
            return sorted(conn.execute(
                "SELECT queue_name, status FROM django_tasks_database_dbtaskresult").fetchall())

    assert statuses() == [("default", "READY"), ("mail", "READY")]
    result = run("worker", "--batch", env=env)
    assert result.returncode == 0, result.stderr
    assert statuses() == [("default", "SUCCESSFUL"), ("mail", "SUCCESSFUL")]
