"""The ballot box opened as a worker job (issue 15): the trustees' request checks and
combines the shares, seals the key to the running worker's ephemeral key and returns at
once; the worker opens the box; no share, key or sealed copy of the key is left anywhere.
Runs on SQLite and again on PostgreSQL, with the database task queue (django-tasks-db)
and the worker run in this process (``db_worker --batch``) as ``hustings worker`` runs it."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from nacl.public import PrivateKey
from test_box import key_forms

from conftest import CANDIDATES_2015, SHARES, add_voters, make_contest
from hustings.web.voting import box, casting, closing, jobs, trustees, workerkey
from hustings.web.voting.models import Ballot, Job, KeyHandover, WorkerKey

# the worker closes its connection when done: each test commits, as a real worker sees it
pytestmark = pytest.mark.django_db(transaction=True)

PLAN = [["Jeremy Corbyn", "Andy Burnham"], ["Liz Kendall"], ["Yvette Cooper", "Liz Kendall"],
        ["Jeremy Corbyn"], ["Andy Burnham", "Yvette Cooper", "Jeremy Corbyn"]]


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}


@pytest.fixture
def worker(db_queue):
    """This process as a running worker: its ephemeral key made and published (no
    heartbeat thread: the test's transaction is not another thread's)."""
    workerkey.start(heartbeat=False)
    return workerkey


def run_worker() -> None:
    call_command("db_worker", "--batch", "--queue-name", "default,mail", "--no-startup-delay",
                 "--no-reload", verbosity=0)


@pytest.fixture
def closed(officer):
    contest = make_contest("box-job", "labour-2015", CANDIDATES_2015, trustees=(2, 3))
    codes = add_voters(contest, [(f"J{i}", ["All voters"]) for i in range(len(PLAN))])
    for i, r in enumerate(PLAN):
        casting.cast(contest, casting.check_code(contest, codes[f"J{i}"]).voter, "All voters", r)
    closing.close(contest, by=officer)
    contest.refresh_from_db()
    return contest


def page(contest) -> str:
    return f"/contests/{contest.slug}/voting/open-box/"


def everything() -> bytes:
    """Every row of every table (the task queue's included), as a dump would hold it."""
    from django.apps import apps
    from django.core import serializers

    return "".join(serializers.serialize("json", m.objects.all()) for m in apps.get_models()
                   if m._meta.managed).encode()


def test_the_page_returns_at_once_with_a_job_and_the_worker_opens_and_counts(
        closed, officer, client, worker, caplog):
    import logging

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    caplog.set_level(logging.DEBUG)
    client.force_login(officer)
    shares = SHARES[closed.slug][:2]
    with CaptureQueriesContext(connection) as request_sql:
        r = client.post(page(closed), {"share-1": shares[0], "share-2": shares[1]})
    job = Job.objects.get(contest=closed, kind=jobs.OPEN_BOX)
    assert r.status_code == 302
    assert r["Location"] == f"/contests/{closed.slug}/voting/jobs/{job.pk}/"
    # the request opened nothing: the job waits for the worker, with the key sealed to it
    assert job.state == Job.State.QUEUED and not box.is_opened(closed)
    assert Ballot.objects.count() == 0
    handed = list(KeyHandover.objects.filter(job=job))
    mine = WorkerKey.objects.get(worker_id=workerkey._mine[0])
    assert [h.public_key for h in handed] == [mine.public_key]
    queued = everything()
    sealed_copy = bytes(handed[0].sealed)
    public = trustees.box_key(closed).public_bytes
    for form in key_forms(shares, public):  # the queue holds the job's id, never the key
        assert form not in queued
    progress = client.get(r["Location"]).content.decode()
    assert "Opening the ballot box" in progress and "Waiting for the worker" in progress

    with CaptureQueriesContext(connection) as worker_sql:
        run_worker()
    job.refresh_from_db()
    closed.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert job.message == ("The ballot box is open: 5 ballots opened, shuffled and counted. "
                           "The key is forgotten.")
    assert closed.stage == "counted" and Ballot.objects.count() == 5
    assert sorted(Ballot.objects.values_list("ranking", flat=True)) == sorted(PLAN)
    # after it: no share, no key, and no sealed copy of it, in any table (the task
    # queue's rows included)
    dump = everything()
    assert KeyHandover.objects.count() == 0
    for form in [*key_forms(shares, public), sealed_copy]:
        assert form not in dump
    # nor in the logs, nor in the SQL the request and the worker sent (the sealed copy
    # went in as a parameter: a ciphertext to a key held only in this process's memory)
    logged = "\n".join(rec.getMessage() for rec in caplog.records).encode()
    sql = "\n".join(q["sql"] for q in [*request_sql.captured_queries,
                                        *worker_sql.captured_queries]).encode()
    assert len(worker_sql.captured_queries) > 10  # the worker's queries were captured
    for form in key_forms(shares, public):
        assert form not in logged and form not in sql
    # the search did read the ballots and the task queue's rows
    models = set(re.findall(rb'"model": "([a-z_.]+)"', dump))
    assert {b"voting.sealedballot", b"django_tasks_database.dbtaskresult"} <= models, models
    done = client.get(r["Location"]).content.decode()
    assert "5 ballots opened, shuffled and counted" in done


def test_a_trustee_opens_follows_the_progress_and_the_officer_counts(closed, worker, person):
    from django.test import Client

    from hustings.web.contests.models import Role

    trustee = person("keyholder", contest=closed, role=Role.TRUSTEE)
    c = Client()
    c.force_login(trustee)
    shares = SHARES[closed.slug]
    r = c.post(page(closed), {"share-2": shares[1], "share-3": shares[2]})
    job = Job.objects.get(kind=jobs.OPEN_BOX)
    assert c.get(r["Location"]).status_code == 200  # the trustee may follow it
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert job.message == ("The ballot box is open: 5 ballots opened and shuffled. The "
                           "returning officer now counts them.")
    closed.refresh_from_db()
    assert closed.stage == "ballot_closed" and box.is_opened(closed)
    html = c.get(page(closed)).content.decode()
    assert "The ballot box is open" in html


def test_with_no_worker_running_the_page_says_so_and_opens_nothing(closed, officer, client,
                                                                   db_queue):
    WorkerKey.objects.all().delete()
    WorkerKey.objects.create(worker_id="long-gone", public_key=PrivateKey.generate()
                             .public_key.encode().hex(),
                             seen_at=timezone.now() - workerkey.ALIVE * 2)
    client.force_login(officer)
    shares = SHARES[closed.slug]
    r = client.post(page(closed), {"share-1": shares[0], "share-3": shares[2]}, follow=True)
    assert "no worker is running to open the box, so nothing was opened" in r.content.decode()
    assert not Job.objects.exists() and not KeyHandover.objects.exists()
    assert not box.is_opened(closed)


def test_a_wrong_share_is_refused_in_the_request_and_nothing_is_queued(closed, officer, client,
                                                                      worker):
    client.force_login(officer)
    shares = SHARES[closed.slug]
    r = client.post(page(closed), {"share-1": shares[0]}, follow=True)
    assert "1 share(s) given, but 2 trustees&#x27; shares are needed" in r.content.decode()
    assert not Job.objects.exists() and not KeyHandover.objects.exists()


def test_a_job_sealed_to_a_worker_that_has_stopped_fails_cleanly(closed, officer, client,
                                                                  db_queue):
    # a worker that was running when the trustees sent their shares, and has since stopped
    # (its key, in its memory only, went with it); this process runs the job instead
    gone = PrivateKey.generate()
    WorkerKey.objects.all().delete()
    WorkerKey.objects.create(worker_id="stopped", public_key=gone.public_key.encode().hex(),
                             seen_at=timezone.now())
    del gone
    client.force_login(officer)
    shares = SHARES[closed.slug]
    r = client.post(page(closed), {"share-1": shares[0], "share-2": shares[1]})
    job = Job.objects.get(kind=jobs.OPEN_BOX)
    assert r.status_code == 302 and KeyHandover.objects.filter(job=job).count() == 1
    workerkey.start(heartbeat=False)  # this worker's own key: not the one sealed to
    run_worker()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.message == workerkey.DEAD_KEY
    assert "enter their shares again" in job.message
    assert not KeyHandover.objects.exists() and not box.is_opened(closed)
    assert Ballot.objects.count() == 0
    page_html = client.get(f"/contests/{closed.slug}/voting/jobs/{job.pk}/").content.decode()
    assert "the shares were sealed to a worker that has stopped since" in page_html
    # the trustees enter them again, a live worker takes it, and the box opens
    client.post(page(closed), {"share-1": shares[0], "share-2": shares[1]})
    run_worker()
    closed.refresh_from_db()
    assert closed.stage == "counted" and Ballot.objects.count() == 5


def test_a_worker_key_seals_and_opens_only_in_its_own_process(db):
    workerkey.start(heartbeat=False)
    job = Job.objects.create(contest=make_contest("wk", "labour-2015", CANDIDATES_2015),
                             kind=jobs.OPEN_BOX)
    assert workerkey.seal_to_workers(job, b"k" * 32) == 1
    assert workerkey.unseal(job) == b"k" * 32
    assert not KeyHandover.objects.exists()  # a copy is read once
    with pytest.raises(Exception, match="sealed to a worker that has stopped"):
        workerkey.unseal(job)


def test_a_queued_job_whose_worker_stopped_gives_way_to_the_shares_entered_again(
        closed, officer, client, db_queue):
    # the job was queued, sealed to a worker that then stopped before taking it
    gone = PrivateKey.generate().public_key.encode().hex()
    WorkerKey.objects.all().delete()
    WorkerKey.objects.create(worker_id="stopped", public_key=gone, seen_at=timezone.now())
    client.force_login(officer)
    shares = {"share-1": SHARES[closed.slug][0], "share-3": SHARES[closed.slug][2]}
    client.post(page(closed), shares)
    stuck = Job.objects.get(kind=jobs.OPEN_BOX)
    WorkerKey.objects.filter(worker_id="stopped").update(seen_at=timezone.now()
                                                         - workerkey.ALIVE * 2)
    # a new worker runs; the trustees enter the shares again: the stuck job fails, a new one
    # is sealed to the live worker and opens the box
    workerkey.start(heartbeat=False)
    r = client.post(page(closed), shares)
    stuck.refresh_from_db()
    assert stuck.state == Job.State.FAILED and stuck.message == workerkey.DEAD_KEY
    assert not KeyHandover.objects.filter(job=stuck).exists()
    fresh = Job.objects.exclude(pk=stuck.pk).get(kind=jobs.OPEN_BOX)
    assert r["Location"].endswith(f"/jobs/{fresh.pk}/")
    run_worker()
    closed.refresh_from_db()
    assert closed.stage == "counted" and Ballot.objects.count() == 5
