"""The officer's long steps as worker tasks, each with a ``Job`` row as its progress.

At national scale (600,000 voters, 500,000 ballots) these steps take from seconds to
minutes, longer than a proxy or gunicorn lets a request run. The officer's page starts a
job and shows its row (``voting/_progress.html``); ``hustings worker`` runs it:

* ``start_import``: the roll. The request copies the upload, checking that it is UTF-8 and
  under its size limit, to a file in ``HUSTINGS_DATA_DIR/uploads`` (mode 0600), and the
  task reads that file in chunks (``roll.import_roll``) and deletes it when done, whatever
  the outcome. A file, not a database row: a roll is not secret but it is personal data
  (names, addresses, emails), and a row would be copied into the WAL and every backup
  for good, where a file lives only until the import ends. Web and worker share the data
  directory (one machine, as ``hustings serve`` and ``worker`` run today).
* ``start_issue``: the codes (``credentials.issue_codes``, batch by batch, resumable).
* ``start_opening``: the box, after the close. The trustees' request checks their shares
  and combines them in memory (cheap), then seals the combined key to each running
  worker's ephemeral public key (``workerkey``) and queues the job; the task carries only
  the job's id, the share positions and who asked. The worker opens its sealed copy with
  the key that exists only in its memory, opens the box (``box.open_with``) with progress,
  and the sealed copies are deleted whatever the outcome. No share or key is ever in the
  database, the queue, a file or a log; see docs/threat-model.md.
* ``start_count``: the count, after the opening (in the demo, whose sole share is a file
  the task reads, ``demo.demo_share``, the count job opens the box first).
* ``start_publish``: the publication (``Contest.publish``).

Each runs the same public functions a script would (``roll``, ``credentials``, the
``Contest`` transitions of ``closing``); a refusal (``VotingError``, ``PlatformError``)
becomes the job's message, never a traceback. A job that is already waiting or running
for the same step is returned instead of a second one.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from hustings.web.errors import PlatformError
from hustings.web.uploads import limit_for, not_utf8, too_big
from hustings.web.voting import credentials, roll
from hustings.web.voting.errors import RollError, VotingError
from hustings.web.voting.models import Job

ROLL, CODES, COUNT, PUBLISH, OPEN_BOX = "roll", "codes", "count", "publish", "open-box"
CHUNK = 1024 * 1024


# A running job records progress at least this often; one silent longer is taken as dead
# (its worker was killed), so pressing the button again starts the step again: issuing and
# importing are safe to run again (see credentials.issue_codes, roll.import_roll).
STALE = dt.timedelta(minutes=5)


def _running(contest, kind: str) -> Job | None:
    alive = Q(state=Job.State.QUEUED) | Q(state=Job.State.RUNNING,
                                          updated_at__gte=timezone.now() - STALE)
    return Job.objects.filter(alive, contest=contest, kind=kind).first()


def latest(contest) -> dict[str, Job]:
    """The newest job of each kind, for the officer's page."""
    out: dict[str, Job] = {}
    for job in Job.objects.filter(contest=contest).order_by("-created_at")[:50]:
        out.setdefault(job.kind, job)
    return out


def _set(job: Job, **fields) -> None:
    """Record progress (outside any transaction of the step, so the page sees it)."""
    for k, v in fields.items():
        setattr(job, k, v)
    Job.objects.filter(pk=job.pk).update(**fields)


class _Beside:
    """Progress told from inside a step's one transaction (the opening of the box): written
    by a thread of its own, so on its own connection, in autocommit, and the page sees it
    at once (an UPDATE on the step's connection would show only at its commit, and cannot
    run while that connection is in a COPY). At most one write a second, the latest.
    SQLite has one writer, the step: there the row is told only after the transaction."""

    def __init__(self, job: Job):
        import queue
        import threading

        self.job = job
        self.on = connection.vendor == "postgresql"
        self.last = 0.0
        self.q: queue.SimpleQueue = queue.SimpleQueue()
        if self.on:
            self.thread = threading.Thread(target=self._write, daemon=True)
            self.thread.start()

    def __call__(self, what: str, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        if self.on and (now - self.last >= 1.0 or done == total):
            self.last = now
            self.q.put({"step": what[:200], "done": done, "total": total})

    def _write(self) -> None:
        from django.db import connections

        try:
            while (fields := self.q.get()) is not None:
                Job.objects.filter(pk=self.job.pk).update(updated_at=timezone.now(), **fields)
        except Exception:  # progress is a courtesy; the step's outcome is not
            pass
        finally:
            connections.close_all()  # this thread's connections only

    def close(self) -> None:
        if self.on:
            self.q.put(None)
            self.thread.join(timeout=10)


def _run(job_id: int, step) -> str:
    """Run ``step(job)``; its return is the message. A refusal fails the job with its text."""
    job = Job.objects.select_related("contest").get(pk=job_id)
    _set(job, state=Job.State.RUNNING)
    try:
        message = step(job)
    except RollError as e:
        _set(job, state=Job.State.FAILED, message="\n".join(e.problems))
        return "refused"
    except (VotingError, PlatformError) as e:
        _set(job, state=Job.State.FAILED, message=str(e))
        return "refused"
    except BaseException:
        _set(job, state=Job.State.FAILED, message="the step stopped with an internal error; "
             "see the worker's log, then start it again")
        raise
    _set(job, state=Job.State.DONE, done=job.total or job.done, message=message)
    return "done"


# -- the roll --------------------------------------------------------------------------


def upload_dir() -> Path:
    path = Path(getattr(settings, "DATA_DIR", "var")) / "uploads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def save_upload(upload) -> tuple[Path, int]:
    """Copy an uploaded roll to a private file, chunk by chunk; returns it and its line
    count. RollError (nothing kept) if it is too big or not UTF-8."""
    name = getattr(upload, "name", None) or "the upload"
    limit = limit_for("roll")
    path = upload_dir() / f"roll-{uuid.uuid4().hex}.csv"
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = lines = 0
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            for chunk in upload.chunks(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise RollError([too_big(name, limit)])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as e:
                    raise RollError([not_utf8(name, e, whole=size == len(chunk))]) from None
                lines += chunk.count(b"\n")
                f.write(chunk)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as e:
                raise RollError([not_utf8(name, e, whole=False)]) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, lines


def start_import(contest, upload) -> Job:
    """Save the upload and queue its import; returns the job."""
    if (job := _running(contest, ROLL)) is not None:
        raise VotingError("a roll import is already running; wait for it to finish")
    path, lines = save_upload(upload)
    try:
        with transaction.atomic():
            job = Job.objects.create(contest=contest, kind=ROLL, total=max(lines - 1, 0),
                                     step="waiting for the worker")
            run_import.enqueue(job.pk, str(path), upload.name or "roll.csv")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


@task()
def run_import(job_id: int, path: str, source: str) -> str:
    def step(job: Job) -> str:
        def progress(what: str, line: int) -> None:
            _set(job, step=f"{what} the roll", done=max(line - 1, 0))

        n = roll.import_roll(job.contest, Path(path), source=source, progress=progress)
        return f"Imported {n} voters."

    try:
        return _run(job_id, step)
    finally:
        Path(path).unlink(missing_ok=True)


# -- codes -----------------------------------------------------------------------------


def _queue(contest, kind: str, task_, *args) -> Job:
    """The contest's running job of this kind, or a new one queued for the worker: the job
    and its task row commit together (the task queue is in the database)."""
    if (job := _running(contest, kind)) is not None:
        return job
    with transaction.atomic():
        job = Job.objects.create(contest=contest, kind=kind, step="waiting for the worker")
        task_.enqueue(job.pk, *args)
    return job


def start_issue(contest, *, base_url: str) -> Job:
    return _queue(contest, CODES, run_issue, base_url)


@task()
def run_issue(job_id: int, base_url: str) -> str:
    def step(job: Job) -> str:
        def progress(done: int, total: int) -> None:
            _set(job, step="issuing codes", done=done, total=total)

        out = credentials.issue_codes(job.contest, base_url=base_url, progress=progress)
        return (f"Issued {out.issued} codes: {out.queued} emails queued, {out.letters} "
                "letters to print.")

    return _run(job_id, step)


# -- the ballot box --------------------------------------------------------------------


def runs_here() -> bool:
    """Do tasks run in this process, at once (the immediate backend: the demo, tests)?"""
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(run_open_box.get_backend(), ImmediateBackend)


def start_opening(contest, share_texts, *, by, and_count: bool) -> Job:
    """The trustees' request: check and combine the shares, seal the key to the running
    workers, queue the opening (``and_count``: then the count, for a returning officer).
    BoxError/ShareError (nothing queued) when refused or when no worker runs."""
    from hustings.web.voting import box, workerkey

    if (job := _running(contest, OPEN_BOX)) is not None:
        if job.state == Job.State.RUNNING or workerkey.still_held(job):
            return job
        # queued, sealed only to workers that have stopped since: it can never run, so it
        # fails now and these shares start a new one
        workerkey.forget(job)
        _set(job, state=Job.State.FAILED, message=workerkey.DEAD_KEY)
    box.check_closed(contest)
    secret, given = box.combine_shares(contest, share_texts)
    try:
        if runs_here():
            workerkey.ensure_here()  # this process opens it: its own key
        with transaction.atomic():  # the job, the sealed copies and the task commit together
            job = Job.objects.create(contest=contest, kind=OPEN_BOX, step="waiting for the worker")
            if secret is not None:
                workerkey.seal_to_workers(job, secret)
            run_open_box.enqueue(job.pk, list(given), getattr(by, "pk", None), and_count)
    finally:
        del secret  # the request's only reference
    return job


@task()
def run_open_box(job_id: int, given: list[int], user_id: int | None, and_count: bool) -> str:
    from hustings.web.voting import box, trustees, workerkey

    def step(job: Job) -> str:
        contest, by = job.contest, _user(user_id)
        # a contest with a box key always has its key sealed to this job (start_opening)
        secret = workerkey.unseal(job) if trustees.box_key(contest) is not None else None
        progress = _Beside(job)
        try:
            done = box.open_with(contest, secret, given, by=by, progress=progress)
        finally:
            del secret  # this process's only reference: the key is forgotten
            progress.close()
        _set(job, step="opened", done=done["opened"], total=done["opened"])
        if not and_count:
            return (f"The ballot box is open: {done['opened']} ballots opened and shuffled. "
                    "The returning officer now counts them.")
        contest.refresh_from_db()
        _set(job, step="counting and writing the files")
        contest.mark_counted(by=by)
        return (f"The ballot box is open: {done['opened']} ballots opened, shuffled and "
                "counted. The key is forgotten.")

    try:
        return _run(job_id, step)
    finally:
        workerkey.forget(job_id)  # whatever happened, no sealed copy outlives the job


# -- count and publish -----------------------------------------------------------------


def start_count(contest, *, by) -> Job:
    return _queue(contest, COUNT, run_count, getattr(by, "pk", None))


def _user(user_id: int | None):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@task()
def run_count(job_id: int, user_id: int | None) -> str:
    def step(job: Job) -> str:
        from hustings.web.voting import box
        from hustings.web.voting.demo import demo_share

        contest, by = job.contest, _user(user_id)
        if box.needs_opening(contest):
            share = demo_share(contest)
            if share is None:
                raise VotingError("the ballot box is still sealed: the trustees open it first")
            _set(job, step="opening the ballot box")
            box.open_box(contest, [share.read_text(encoding="utf-8")], by=by)
            contest.refresh_from_db()
        _set(job, step="counting and writing the files")
        contest.mark_counted(by=by)
        return "The ballot is counted."

    return _run(job_id, step)


def start_publish(contest, *, by) -> Job:
    return _queue(contest, PUBLISH, run_publish, getattr(by, "pk", None))


@task()
def run_publish(job_id: int, user_id: int | None) -> str:
    def step(job: Job) -> str:
        _set(job, step="publishing the result and the ledger")
        job.contest.publish(by=_user(user_id))
        return "The result is published."

    return _run(job_id, step)
