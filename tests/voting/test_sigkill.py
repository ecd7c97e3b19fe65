"""On PostgreSQL: kill -9 the server in the middle of a stream of casts. Every ballot whose
receipt reached a voter must be stored, and ballots = participations = cast entries.

The server is the real thing: ``hustings serve`` (gunicorn, 2 workers) as a subprocess on a
loopback port, against the test database. Voters post straight to the cast step (the
code is re-checked there, as in the browser's last step)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from hustings.web.voting import ledger
from hustings.web.voting.models import LedgerEntry, Participation, SealedBallot

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HUSTINGS = Path(sys.executable).with_name("hustings")
# `hustings serve` refuses the development code key: the server and this test share one
CODE_KEY = "sigkill-test-code-key-" + "k" * 32


@pytest.fixture(autouse=True)
def _code_key(settings):
    from hustings.web.voting.codes import code_keys

    settings.HUSTINGS_CODE_KEY = CODE_KEY
    settings.HUSTINGS_CREDENTIAL_KEY = code_keys(CODE_KEY)[1].hex()


RECEIPT = re.compile(rb'id="receipt-full">([^<]+)<')


def wait_for_backends_to_go(seconds: float = 15) -> None:
    """A killed server's database sessions end when PostgreSQL notices the dead socket;
    wait for that, so the test database can be dropped at the end of the run."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cur:
        while time.monotonic() < deadline:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid()")
            if cur.fetchone()[0] == 0:
                return
            time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "HUSTINGS_SECRET_KEY": "sigkill-test-secret-" + "s" * 32,
           "HUSTINGS_CODE_KEY": CODE_KEY,
           "HUSTINGS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "HUSTINGS_ALLOWED_HOSTS": "127.0.0.1"}
    proc = subprocess.Popen([str(HUSTINGS), "serve", "--bind", f"127.0.0.1:{port}",
                             "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except (urllib.error.URLError, ConnectionError, OSError):
            if proc.poll() is not None:
                raise RuntimeError("hustings serve exited at start") from None
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("hustings serve did not answer within 30 s")


class Voter:
    """One browser: a cookie jar with the CSRF cookie, posting casts."""

    def __init__(self, base: str, slug: str) -> None:
        self.url = f"{base}/vote/{slug}/"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(self.url, timeout=5).read()
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        self.token = found.group(1).decode()

    def cast(self, code: str) -> str | None:
        data = urllib.parse.urlencode({
            "csrfmiddlewaretoken": self.token, "code": code, "section": "All voters",
            "action": "cast", "choice": "Jeremy Corbyn"}).encode()
        req = urllib.request.Request(self.url + "cast/", data=data, headers={"Referer": self.url})
        body = self.opener.open(req, timeout=10).read()
        m = RECEIPT.search(body)
        return m.group(1).decode() if m else None


def test_every_returned_receipt_survives_kill_9(omov, voters):
    codes = list(voters(omov, [(f"K{i:04d}", ["All voters"]) for i in range(400)]).values())
    port = free_port()
    server = start_server(port)
    receipts: list[str] = []
    lock = threading.Lock()
    errors: list[str] = []

    def stream(chunk: list[str]) -> None:
        try:
            v = Voter(f"http://127.0.0.1:{port}", omov.slug)
        except OSError as e:
            errors.append(str(e))
            return
        for code in chunk:
            try:
                r = v.cast(code)
            except (OSError, urllib.error.URLError):
                return  # the server is gone: this receipt never reached the voter
            if r:
                with lock:
                    receipts.append(r)

    threads = [threading.Thread(target=stream, args=(codes[k::4],)) for k in range(4)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 60
        while len(receipts) < 60 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(receipts) >= 60, f"only {len(receipts)} casts in 60 s ({errors})"
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-stream
        server.wait(10)
    for t in threads:
        t.join(30)
    returned = set(receipts)
    payloads = LedgerEntry.objects.filter(kind="cast").values_list("payload", flat=True)
    stored = {e["receipt"] for e in payloads}
    assert returned <= stored, f"lost: {sorted(returned - stored)}"
    n = len(stored)
    assert SealedBallot.objects.count() == Participation.objects.count() == n
    assert n < len(codes), "the kill came after the stream ended: nothing was tested"
    assert ledger.verify(omov) == n + 1  # and the trustees' box-key entry

    # restarted, the server goes on where it stopped
    server = start_server(port)
    try:
        v = Voter(f"http://127.0.0.1:{port}", omov.slug)
        assert v.cast(codes[-1]) is not None or Participation.objects.filter(
            voter__reference="K0399").exists()
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
        wait_for_backends_to_go()
    assert SealedBallot.objects.count() == Participation.objects.count()
    assert ledger.verify(omov) == LedgerEntry.objects.filter(kind="cast").count() + 1
