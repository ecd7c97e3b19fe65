"""A worker process's ephemeral key: how the box's private key reaches the worker that
opens the box without ever being at rest.

Each process that runs the opening (``hustings worker``; with the immediate task backend,
the web process itself) makes an X25519 key pair when it starts (PyNaCl
``PrivateKey.generate()``), keeps the private half only in its memory, and publishes the
public half as a ``WorkerKey`` row, refreshed by a heartbeat thread every ``BEAT``. The
trustees' page combines their shares in memory and seals the combined key to the public
key of every worker seen within ``ALIVE`` (``seal_to_workers``: one ``KeyHandover`` row
each); the worker that takes the job opens its own copy (``unseal``) and the rows are
deleted. A copy left anywhere (the WAL, a backup) is a sealed box to a key that existed
only in a process's memory: once that process has ended, nothing opens it.

A worker that restarts makes a new key; a job sealed to a key no running process holds
fails with a message asking the trustees to enter their shares again.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import logging
import threading

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from hustings.web.voting.errors import BoxError
from hustings.web.voting.models import KeyHandover, WorkerKey

log = logging.getLogger("hustings.workerkey")

BEAT = dt.timedelta(seconds=10)  # how often a running worker says it is alive
ALIVE = dt.timedelta(seconds=45)  # a worker silent longer is taken as gone
FORGET = dt.timedelta(hours=1)  # rows of workers gone this long are deleted

_lock = threading.Lock()
_mine: tuple[str, PrivateKey] | None = None  # (worker id, key): this process's, in memory only
_stop = threading.Event()

DEAD_KEY = ("the shares were sealed to a worker that has stopped since (or is not this "
            "one), so this job cannot read them; nothing was opened. The trustees enter "
            "their shares again on 'Open the ballot box'.")


def start(worker_id: str | None = None, *, heartbeat: bool = True) -> str:
    """Make this process's key (once) and publish it; with ``heartbeat``, keep it alive
    from a thread until the process ends. Returns the worker id."""
    global _mine
    with _lock:
        if _mine is None:
            _mine = (worker_id or get_random_string(32), PrivateKey.generate())
            atexit.register(_withdraw)
            if heartbeat:
                threading.Thread(target=_beat, name="hustings-worker-key", daemon=True).start()
        wid, key = _mine
    try:
        _publish(wid, key)
    except DatabaseError:
        if not heartbeat:
            raise
        log.warning("worker key: database unavailable; the heartbeat publishes it later")
    return wid


def ensure_here() -> None:
    """For a web process that runs tasks itself (the immediate backend): publish its own
    key if it has none, or if its row has gone (a test's rollback, a clean-up)."""
    current = _mine
    if current is None:
        start(heartbeat=False)
    else:
        _publish(*current)


def _publish(wid: str, key: PrivateKey) -> None:
    WorkerKey.objects.update_or_create(
        worker_id=wid, defaults={"public_key": key.public_key.encode().hex(),
                                 "seen_at": timezone.now()})


def _beat() -> None:
    """The heartbeat: its own database connection, in its own thread; an outage is logged
    and the next beat tries again."""
    while not _stop.wait(BEAT.total_seconds()):
        current = _mine
        if current is None:
            return
        try:
            close_old_connections()
            _publish(*current)
            WorkerKey.objects.filter(seen_at__lt=timezone.now() - FORGET).delete()
        except DatabaseError as e:
            log.warning("worker key heartbeat: database unavailable (%s)", type(e).__name__)
            connection.close()


def _withdraw() -> None:
    """At exit: the row goes with the key (a killed process's row just goes stale)."""
    global _mine
    _stop.set()
    current, _mine = _mine, None
    if current is not None:
        # at exit, the database may be gone; the row goes stale then
        with contextlib.suppress(Exception):
            WorkerKey.objects.filter(worker_id=current[0]).delete()


def alive() -> list[WorkerKey]:
    return list(WorkerKey.objects.filter(seen_at__gte=timezone.now() - ALIVE)
                .order_by("-seen_at"))


def seal_to_workers(job, secret: bytes) -> int:
    """Seal ``secret`` to every live worker's key, one ``KeyHandover`` per worker, for
    ``job``; returns how many. BoxError if no worker is running."""
    workers = alive()
    if not workers:
        raise BoxError("no worker is running to open the box, so nothing was opened: start "
                       "'hustings worker' beside the web server, then enter the shares again")
    KeyHandover.objects.bulk_create(
        KeyHandover(job=job, public_key=w.public_key,
                    sealed=SealedBox(PublicKey(bytes.fromhex(w.public_key))).encrypt(secret))
        for w in workers)
    return len(workers)


def unseal(job) -> bytes:
    """The secret sealed to this process's key for ``job``. Every handover row of the job
    is deleted, read or not: a copy is used once. BoxError (``DEAD_KEY``) when none is
    sealed to this process's key."""
    current = _mine
    rows = list(KeyHandover.objects.filter(job=job).values_list("public_key", "sealed"))
    KeyHandover.objects.filter(job=job).delete()
    if current is None:
        raise BoxError(DEAD_KEY)
    mine = current[1].public_key.encode().hex()
    for public, sealed in rows:
        if public == mine:
            try:
                return SealedBox(current[1]).decrypt(bytes(sealed))
            except CryptoError:
                break
    raise BoxError(DEAD_KEY)


def still_held(job) -> bool:
    """Is a copy of ``job``'s key sealed to a worker that is still alive?"""
    live = {w.public_key for w in alive()}
    return KeyHandover.objects.filter(job=job, public_key__in=live).exists()


def forget(job) -> None:
    """Delete the sealed copies of ``job`` (a Job or its id)."""
    KeyHandover.objects.filter(job=job).delete()
