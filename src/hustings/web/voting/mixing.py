"""Mixing the ballot box: ballots stored again, in a random order, so that storage cannot
pair them with voters.

Why. A cast writes the participation (who voted) and the ballot (how) in one transaction.
It has to: that transaction is the guard against a second ballot. No column links the two
rows, but the database keeps more than its columns:

* on PostgreSQL every row version carries the id of the transaction that wrote it
  (``xmin``), so ``SELECT xmin`` on the two tables pairs each ballot with its voter;
* on either database, rows are read back, dumped (``pg_dump``, ``.dump``) and backed up in
  the order they were stored, which for both tables is the order of casting.

So a copy of the database would tell who voted how.

What a mix does. In one transaction it deletes a set of ballots and inserts the same
ballots again, in an order drawn from ``secrets``, with new random keys and ``mixed`` set.
Each of them then carries the mixing transaction's id and sits where the shuffle put it.
All a copy of the database can then tell is that a ballot was cast by one of the voters
whose ballots were mixed with it.

When.

* During the ballot: the ballots cast since the last mix, once there are at least
  ``HUSTINGS_MIX_EVERY`` of them (default 200). The cast view calls ``note_casts``, which
  queues ``mix_task`` (django-tasks, run by ``django-admin db_worker``, like the mail)
  after every ``HUSTINGS_MIX_EVERY`` casts of a server process. The task takes the
  unmixed ballots with ``FOR UPDATE SKIP LOCKED``: it never waits for a cast or makes a
  cast wait, and two mixes never take the same ballot.
* At the close (``closing.seal``): every ballot of the contest, under the contest row's
  lock, so the ballot box that is counted and kept is one set. The count does it again
  if paper batches were merged after the close. Then ``VACUUM`` removes the old row
  versions from the table's pages.

What is left.

* The ballots cast since the last mix (fewer than ``HUSTINGS_MIX_EVERY``) can still be
  paired by a copy taken before the next mix or the close.
* The write-ahead log holds every change until it is recycled; so does an archive of it.
  Keep them, and raw disk images, as closely as the database itself.
* In a live database, someone who can read every statement (a superuser with
  ``log_statement``) is out of reach of any storage rule.

Nothing is lost. The mix deletes exactly the ballots it read and refuses to commit unless
it inserted as many as it deleted. On PostgreSQL, the trigger that makes ``voting_ballot``
append-only lets a DELETE through only in a transaction that has said it is mixing
(``SET LOCAL hustings.mixing``). An UPDATE is always refused.
"""

from __future__ import annotations

import logging
import secrets
from itertools import islice

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django_tasks import task

from hustings.web.voting import contest_info
from hustings.web.voting.errors import MixError
from hustings.web.voting.models import Ballot

log = logging.getLogger(__name__)

MIXING_SETTING = "hustings.mixing"  # read by the ballot table's trigger (migration 0005)
_CHUNK = 2000  # ids per DELETE, rows per INSERT


def mix_every() -> int:
    return max(1, int(getattr(settings, "HUSTINGS_MIX_EVERY", 200)))


def mix(contest, *, everything: bool = False, minimum: int = 1) -> int:
    """Store the contest's unmixed ballots (or, with ``everything``, all its ballots) again
    in a random order; returns how many, 0 when fewer than ``minimum`` were there."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            taken, deleted, stored = _mix_in_postgresql(contest, everything, minimum)
        else:
            taken, deleted, stored = _mix_through_the_orm(contest, everything, minimum)
        if not deleted == stored == taken:
            # another writer got in between (SQLite has no row locks): keep what was there
            raise MixError(
                f"mixing the ballots of {contest.slug}: read {taken}, deleted {deleted}, "
                f"stored {stored}; expected three equal numbers, so nothing was changed"
            )
        if taken and everything and connection.vendor == "postgresql":
            transaction.on_commit(_vacuum)
    return taken


# One statement: take the ballots (locked; a queued mix skips those another mix holds),
# delete them, insert them again with new keys in an order drawn by sorting on
# gen_random_uuid() (PostgreSQL's strong random source, as secrets is Python's), and
# count both sides. Half a million ballots take seconds, not the ORM's minutes.
_MIX_SQL = """
WITH taken AS (
    SELECT id FROM voting_ballot WHERE contest_id = %(contest)s {only_unmixed} FOR UPDATE {skip}
), gone AS (
    DELETE FROM voting_ballot b USING taken WHERE b.id = taken.id
    RETURNING b.section, b.ranking, b.channel
), stored AS (
    INSERT INTO voting_ballot (id, contest_id, section, ranking, channel, mixed)
    SELECT gen_random_uuid(), %(contest)s, section, ranking, channel, true
    FROM gone ORDER BY gen_random_uuid()
    RETURNING 1
)
SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM stored)
"""


def _mix_in_postgresql(contest, everything: bool, minimum: int) -> tuple[int, int, int]:
    with connection.cursor() as cur:
        if minimum > 1:  # a hint, not a lock: the statement takes what is there then
            cur.execute("SELECT count(*) FROM voting_ballot WHERE contest_id = %s AND NOT mixed",
                        [contest.pk])
            if cur.fetchone()[0] < minimum:
                return 0, 0, 0
        _allow_deletes(True)
        cur.execute(_MIX_SQL.format(only_unmixed="" if everything else "AND NOT mixed",
                                    skip="" if everything else "SKIP LOCKED"),
                    {"contest": contest.pk})
        deleted, stored = cur.fetchone()
        _allow_deletes(False)  # not for the rest of a caller's transaction (the close's)
    return deleted, deleted, stored


def _mix_through_the_orm(contest, everything: bool, minimum: int) -> tuple[int, int, int]:
    """SQLite's mix: the same steps in Python (its contests are small: the demo's)."""
    with connection.cursor() as cur:  # zero the deleted rows' bytes in the file
        cur.execute("PRAGMA secure_delete = ON")
    rows = Ballot.objects.filter(contest=contest)
    if not everything:
        rows = rows.filter(mixed=False)
    taken = list(rows.values_list("id", "section", "ranking", "channel"))
    if len(taken) < max(minimum, 1):
        return 0, 0, 0
    ids = iter([row[0] for row in taken])
    deleted = 0
    while chunk := list(islice(ids, _CHUNK)):
        deleted += Ballot.objects.filter(pk__in=chunk).delete()[0]
    secrets.SystemRandom().shuffle(taken)
    stored = len(Ballot.objects.bulk_create(
        [Ballot(contest=contest, section=s, ranking=r, channel=c, mixed=True)
         for _, s, r, c in taken],
        batch_size=_CHUNK,
    ))
    return len(taken), deleted, stored


def _allow_deletes(on: bool) -> None:
    """Tell the ballot table's trigger (PostgreSQL) that this transaction is mixing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT set_config(%s, %s, true)", [MIXING_SETTING, "on" if on else "off"])


def _vacuum() -> None:
    """Remove the old row versions from the pages now rather than at autovacuum's next
    visit (VACUUM runs outside a transaction, hence after the commit)."""
    try:
        with connection.cursor() as cur:
            cur.execute(f"VACUUM {Ballot._meta.db_table}")
    except DatabaseError as e:  # the mix stands; autovacuum will come
        log.warning("VACUUM after the ballot mix failed: %s", e)


@task()
def mix_task(contest_id: int) -> int:
    """The queued mix: the unmixed ballots, if there are at least ``HUSTINGS_MIX_EVERY``."""
    from hustings.web.contests.models import Contest

    contest = Contest.objects.filter(pk=contest_id).first()
    if contest is None or contest.stage not in contest_info.ACCEPTING:
        return 0  # the close has mixed them all (and the count mixes paper merged later)
    return mix(contest, minimum=mix_every())


_since: dict[int, int] = {}  # casts of this process since it last queued a mix, per contest


def note_casts(contest, n: int = 1) -> None:
    """Called after casts have committed: queue a mix after every ``HUSTINGS_MIX_EVERY``
    of this process's casts. A failure to queue is logged, never shown to the voter:
    the ballot is stored, and the next mix or the close takes it."""
    seen = _since.get(contest.pk, 0) + n
    if seen < mix_every():
        _since[contest.pk] = seen
        return
    _since[contest.pk] = 0
    try:
        mix_task.enqueue(contest.pk)
    except Exception as e:  # noqa: BLE001 (the receipt must still be shown)
        log.warning("could not queue a ballot mix for %s: %s", contest.slug, e)
