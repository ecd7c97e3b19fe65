"""Staying up when the database does not: a clean retry page for the web, a worker that
waits and reconnects.

* ``DatabaseUnavailableMiddleware``: a request that meets a database that is restarting,
  unreachable or (SQLite) still locked after the busy timeout gets 503 with
  ``Retry-After`` and a page saying to try again, never a 500 with a traceback. The
  connection is closed so the next request opens a fresh one (with ``CONN_HEALTH_CHECKS``
  a reused connection is tested before each request anyway).
* ``run_worker``: ``hustings worker`` runs django-tasks-db's worker inside a loop that, when
  the database goes away, waits with exponential backoff (1 s doubling to 30 s, with
  jitter), reconnects and carries on. A task this worker had claimed when the database
  went away is put back in the queue (its row still says RUNNING under this worker's id),
  so no queued task is lost; it may run twice, which every task here allows (a mail is
  made again from the code key and says the same; a mix mixes what is unmixed).
"""

from __future__ import annotations

import contextlib
import logging
import random
import time

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.http import HttpResponse

log = logging.getLogger("hustings.resilience")

RETRY_AFTER = 5
PAGE = (
    "<!doctype html><html lang=\"en-GB\"><meta charset=\"utf-8\"><title>Please try again"
    "</title><h1>Please try again in a moment</h1><p>The service is busy or restarting. "
    "Nothing you sent has been lost: if you were casting your vote, enter your code again. "
    "If your vote was stored you will be told you have already voted.</p></html>"
)


def _close_all() -> None:
    for conn in connections.all():
        with contextlib.suppress(DatabaseError):
            conn.close()


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.warning("database unavailable for %s %s: %s", request.method, request.path,
                    str(exception).strip().splitlines()[0] if str(exception).strip() else
                    type(exception).__name__)
        _close_all()
        response = HttpResponse(PAGE, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response


def requeue_claimed(worker_id: str) -> int:
    """Put back in the queue the tasks this worker claimed and never finished."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    n = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if row.worker_ids and row.worker_ids[-1] == worker_id:
            n += DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None)
    return n


def run_worker(args: list[str], *, worker_id: str, max_wait: float = 30.0,
               sleep=time.sleep) -> None:
    """``db_worker`` with ``args``, again and again across database outages."""
    from django.core.management import call_command

    wait = 1.0
    while True:
        try:
            close_old_connections()
            back = requeue_claimed(worker_id)
            wait = 1.0  # the database answered: the next outage starts from a short wait
            if back:
                log.warning("put %d unfinished task(s) back in the queue", back)
            call_command("db_worker", *args, "--worker-id", worker_id)
            return
        except (OperationalError, InterfaceError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            pause = min(max_wait, wait) * (0.5 + random.random() / 2)  # jitter, not a secret
            log.warning("database unavailable (%s); retrying in %.1f s", first, pause)
            _close_all()
            sleep(pause)
            wait = min(max_wait, wait * 2)
