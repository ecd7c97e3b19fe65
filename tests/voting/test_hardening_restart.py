"""Issue 10, finding 3: ``hustings worker`` and ``hustings serve`` survive a database restart.

On PostgreSQL the test restarts the server under both (``pg_ctlcluster … restart``): the
worker reconnects and runs the task queued after the restart, the web answers 200 again
(503 while the database is away, never a 500). Without the server, the reconnect loop and
the hand-back of a task the worker had claimed are tested on their own."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import InterfaceError, OperationalError, connection

from hustings.web import resilience


@pytest.fixture
def no_connections(monkeypatch):
    """The loop's own connection handling, out of the way of tests with no database."""
    monkeypatch.setattr(resilience, "close_old_connections", lambda: None)
    monkeypatch.setattr(resilience, "_close_all", lambda: None)


def test_the_worker_waits_longer_each_time_the_database_is_away(monkeypatch, no_connections):
    calls, pauses = [], []

    def db_worker(*args):
        calls.append(args)
        if len(calls) <= 3:
            raise OperationalError("connection refused")

    monkeypatch.setattr("django.core.management.call_command", lambda *a: db_worker(*a))
    monkeypatch.setattr(resilience, "requeue_claimed", lambda worker_id: 0)
    monkeypatch.setattr(resilience.random, "random", lambda: 1.0)  # no jitter
    resilience.run_worker(["--batch"], worker_id="w1", sleep=pauses.append)
    assert len(calls) == 4 and calls[0] == ("db_worker", "--batch", "--worker-id", "w1")
    # the database answered the requeue each time, so each outage starts short again;
    # refused before it answers, the waits double
    assert pauses == [1.0, 1.0, 1.0]


def test_waits_double_while_the_database_stays_away(monkeypatch, no_connections):
    pauses = []
    attempts = iter(range(8))

    def requeue(worker_id):
        if next(attempts) < 7:
            raise OperationalError("connection refused")
        return 0

    monkeypatch.setattr(resilience, "requeue_claimed", requeue)
    monkeypatch.setattr("django.core.management.call_command", lambda *a: None)
    monkeypatch.setattr(resilience.random, "random", lambda: 1.0)
    resilience.run_worker([], worker_id="w1", sleep=pauses.append)
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


@pytest.mark.django_db
def test_a_task_claimed_when_the_database_went_away_goes_back_in_the_queue(omov, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from hustings.web.voting import credentials

    mine, theirs = (credentials.send_code.enqueue(0, "X", "http://x/", False),
                    credentials.send_code.enqueue(0, "Y", "http://x/", False))
    for result, worker in ((mine, "w-mine"), (theirs, "w-other")):
        DBTaskResult.objects.get(pk=result.id).claim(worker)
    assert resilience.requeue_claimed("w-mine") == 1
    assert DBTaskResult.objects.get(pk=mine.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=theirs.id).status == TaskResultStatus.RUNNING


def _server_started():
    """The PostgreSQL server's start time, or None while it is down."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_postmaster_start_time()")
            return cur.fetchone()[0]
    except (OperationalError, InterfaceError):
        connection.close()
        return None


def _cluster() -> list[str]:
    versions = sorted(glob.glob("/etc/postgresql/*/main"))
    if not versions or not shutil.which("pg_ctlcluster"):
        pytest.skip("no local PostgreSQL cluster to restart")
    return [versions[-1].split("/")[-2], "main"]


def _wait(predicate, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")


def _status(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_and_web_survive_a_database_restart(omov, voters, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from hustings.web.voting import credentials
    from hustings.web.voting.models import Credential

    cluster = _cluster()
    voters(omov, [("R1", ["All voters"]), ("R2", ["All voters"])])
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUSTINGS_")}
    env.update({"DJANGO_SETTINGS_MODULE": "hustings.web.settings", "DATABASE_URL": url,
                "HUSTINGS_SECRET_KEY": "s" * 50, "HUSTINGS_CODE_KEY": "c" * 50,
                "HUSTINGS_ALLOWED_HOSTS": "127.0.0.1", "HUSTINGS_DEV_MAIL": "1",
                "HUSTINGS_ACCESS_LOG": "0",
                "HUSTINGS_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    worker = subprocess.Popen([sys.executable, "-m", "hustings", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    web = subprocess.Popen([sys.executable, "-m", "hustings", "serve", "--bind",
                            f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    page = f"http://127.0.0.1:{port}/"
    seen: list[int] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            seen.append(_status(page))
            time.sleep(0.1)

    def done(result_id) -> bool:
        try:
            return DBTaskResult.objects.get(pk=result_id).status == TaskResultStatus.SUCCESSFUL
        except OperationalError:
            connection.close()
            return False

    try:
        first, second = (Credential.objects.get(voter__reference=r) for r in ("R1", "R2"))
        before = credentials.send_code.enqueue(first.voter_id, first.ballot_id, "http://x/", False)
        _wait(lambda: done(before.id), 60, "the worker to send the first mail")
        _wait(lambda: _status(page) == 200, 60, "hustings serve to answer")
        watcher = threading.Thread(target=poll)
        watcher.start()
        started = _server_started()
        subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True, timeout=120)
        connection.close()
        _wait(lambda: _server_started() not in (None, started), 60, "the server to come back")
        after = credentials.send_code.enqueue(second.voter_id, second.ballot_id, "http://x/", False)
        _wait(lambda: done(after.id), 90, "the worker to send the mail queued after the restart")
        _wait(lambda: seen and seen[-1] == 200, 60, "hustings serve to answer again")
        stop.set()
        watcher.join()
        assert worker.poll() is None, worker.stderr.read()  # still running
        assert web.poll() is None
    finally:
        stop.set()
        for proc in (worker, web):
            proc.terminate()
            proc.wait(timeout=30)
        connection.close()
    # The same worker and server processes lived through a real restart (the server's start
    # time moved) and ran the task queued after it. Whether the worker logs "database
    # unavailable" depends on whether it was mid-query or asleep when the server went: Django
    # reconnects a sleeping one silently (CONN_HEALTH_CHECKS), so the log is not asserted.
    assert 500 not in seen, seen
    assert set(seen) <= {0, 200, 503}, seen
