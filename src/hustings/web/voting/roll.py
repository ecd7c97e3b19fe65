"""The voter roll of an election: import (all or nothing, streamed), freeze, exclusions.

The roll belongs to the election, so every function here takes any one of its contests
and acts for all of them: a roll imported, frozen or changed from the leader's page is the
deputy's too, and each contest's ledger records the step (the election's ledger is its
contests' ledgers together).

A national roll (600,000 voters) is imported by the worker (``jobs.import_roll``) from a
file, read in chunks: the first pass checks every line, the second writes with COPY.

The roll can be replaced until it is frozen; freezing is a ledger entry with the number of
voters per section and the SHA-256 of the roll as imported. A voter can be excluded (with
a recorded reason, also in the ledger) until they have voted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction
from django.utils import timezone

from hustings.web.contests.models import Contest
from hustings.web.voting import contest_info, ledger
from hustings.web.voting.errors import NotOpen, RollError, VotingError
from hustings.web.voting.models import Credential, Participation, Voter
from hustings.web.voting.rollfile import RollLine, read_roll

ProgressFn = Callable[[str, int], None]  # (what it is doing, lines or voters done so far)
BATCH = 5000  # voters per INSERT on SQLite (COPY streams on PostgreSQL)
_COLUMNS = ("election", "reference", "name", "email", "postal_address", "sections", "marks",
            "joined", "excluded_reason")


def _stream(roll: str | os.PathLike) -> contextlib.AbstractContextManager[Iterable[str]]:
    if isinstance(roll, str):
        return contextlib.nullcontext(io.StringIO(roll))
    return open(roll, encoding="utf-8-sig", newline="")  # closed by the caller's with


def import_roll(contest, roll: str | os.PathLike, *, source: str = "roll.csv",
                progress: ProgressFn | None = None) -> int:
    """Replace the (unfrozen) roll with the file's voters; RollError lists every bad line
    and nothing is imported then. ``roll`` is the text, or the path of a UTF-8 file, which
    is read twice in chunks, never whole: once to check every line (nothing is written),
    then to write the voters in one transaction (PostgreSQL COPY, else batched INSERTs)."""
    contests = election_contests(contest)
    _refuse_if_frozen(contests)
    labels = {k: v for c in contests for k, v in contest_info.section_labels(c).items()}
    marks = {c.eligibility.lower() for c in contests if c.eligibility}
    tick = (lambda n: progress("checking", n)) if progress else None
    with _stream(roll) as f:
        n = sum(1 for _ in read_roll(f, labels, source=source, on_line=tick, marks=marks))
    if progress:
        progress("writing", 0)
    with transaction.atomic(), _stream(roll) as f:
        _refuse_if_frozen(contests)
        if Participation.objects.filter(contest__election_id=contest.election_id).exists():
            raise NotOpen("voting has started; the roll can no longer be replaced")
        _clear(contest)
        # no progress while writing: on PostgreSQL the connection is busy with the COPY
        lines = read_roll(f, labels, source=source, marks=marks)
        if connection.vendor == "postgresql":
            _copy(contest, lines)
        else:
            for chunk in _batched(lines):
                Voter.objects.bulk_create(_voter(contest, x) for x in chunk)
    return n


def election_contests(contest) -> list:
    """Every contest of ``contest``'s election (``contest`` itself among them): the roll is
    theirs together."""
    return list(Contest.objects.filter(election_id=contest.election_id).order_by("id"))


def _refuse_if_frozen(contests: list) -> None:
    if any(ledger.setup_for(c).roll_frozen_at for c in contests):
        raise NotOpen("the roll is frozen; it can no longer be replaced")


def _batched(lines: Iterable[RollLine]) -> Iterator[list[RollLine]]:  # itertools.batched: 3.12
    it = iter(lines)
    while chunk := list(itertools.islice(it, BATCH)):
        yield chunk


def _voter(contest, x: RollLine) -> Voter:
    return Voter(election_id=contest.election_id, reference=x.reference, name=x.name, email=x.email,
                 postal_address=x.postal_address, sections=list(x.sections), marks=list(x.marks),
                 joined=x.joined)


def _clear(contest) -> None:
    """Delete the old roll and its codes with two set-wise DELETEs: Django's collector would
    load every row first (36 s and a gigabyte for 600,000 voters). Nothing else points at a
    voter before voting starts (checked by the caller: no participation)."""
    voters, creds = Voter._meta.db_table, Credential._meta.db_table
    q = connection.ops.quote_name
    with connection.cursor() as c:
        # the table and column names come from the models, never from input
        c.execute(f"DELETE FROM {q(creds)} WHERE {q('voter_id')} IN "
                  f"(SELECT {q('id')} FROM {q(voters)} WHERE {q('election_id')} = %s)",
                  [contest.election_id])
        c.execute(f"DELETE FROM {q(voters)} WHERE {q('election_id')} = %s",
                  [contest.election_id])


def _copy(contest, lines: Iterable[RollLine]) -> None:
    """PostgreSQL COPY of the voters, streamed row by row (psycopg 3's ``cursor.copy``)."""
    fields = [Voter._meta.get_field(c) for c in _COLUMNS]
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Voter._meta.db_table)
    with connection.cursor() as c, c.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for x in lines:
            copy.write_row((contest.election_id, x.reference, x.name, x.email, x.postal_address,
                            json.dumps(list(x.sections)), json.dumps(list(x.marks)), x.joined, ""))


def freeze(contest, freeze_date: dt.date | None = None) -> int:
    """Freeze the roll. With a freeze date, voters who joined after it are excluded (the
    reason recorded); returns how many were. Reads the roll as a stream of (reference,
    sections) pairs and excludes with one UPDATE per join date: no voter objects."""
    with transaction.atomic():
        contests = election_contests(contest)
        for setup in (ledger.setup_for(c) for c in contests):
            if setup.roll_frozen_at:
                raise NotOpen(
                    f"the roll was already frozen at {setup.roll_frozen_at:%Y-%m-%d %H:%M}")
        voters = Voter.objects.filter(election_id=contest.election_id)
        if not voters.exists():
            raise RollError(["the roll is empty: import it before freezing"])
        now = timezone.now()
        late = 0
        if freeze_date:
            for joined in (voters.filter(joined__gt=freeze_date).order_by()
                           .values_list("joined", flat=True).distinct()):
                late += voters.filter(joined=joined).update(
                    excluded_reason=f"joined {joined:%Y-%m-%d}, after the freeze date "
                                    f"{freeze_date:%Y-%m-%d}",
                    excluded_at=now)
        per_section: Counter[str] = Counter()
        digest = hashlib.sha256()
        n = 0
        rows = voters.order_by("reference").values_list("reference", "sections", "marks")
        for reference, sections, marks in rows.iterator(chunk_size=10_000):
            per_section.update(sections)
            # a voter's marks are part of the roll: they decide who votes in which contest
            line = f"{reference}\t{';'.join(sections)}" + (f"\t{';'.join(marks)}" if marks else "")
            digest.update(f"{chr(10) if n else ''}{line}".encode())
            n += 1
        entry = {
            "voters": n, "sections": dict(sorted(per_section.items())),
            "roll_sha256": digest.hexdigest(),
            "freeze_date": freeze_date.isoformat() if freeze_date else None,
            "joined_after_freeze_date": late,
        }
        for each in contests:  # one roll, frozen once, in every contest's ledger
            setup = ledger.setup_for(each)
            setup.roll_frozen_at = now
            setup.freeze_date = freeze_date
            setup.save(update_fields=["roll_frozen_at", "freeze_date"])
            ledger.append(each, ledger.Kind.ROLL_FROZEN, entry)
    return late


def exclude(contest, reference: str, reason: str) -> Voter:
    if not reason.strip():
        raise VotingError("an exclusion needs a reason; none given")
    with transaction.atomic():
        voter = (Voter.objects.select_for_update()
                 .filter(election_id=contest.election_id, reference=reference).first())
        if voter is None:
            raise VotingError(f"no voter with reference {reference!r} on the roll")
        if Participation.objects.filter(voter=voter).exists():
            raise VotingError(f"voter {reference} has already voted and cannot be excluded")
        voter.excluded_reason = reason.strip()
        voter.excluded_at = timezone.now()
        voter.save(update_fields=["excluded_reason", "excluded_at"])
        for each in election_contests(contest):
            ledger.append(each, ledger.Kind.EXCLUDED,
                          {"reference": reference, "reason": reason.strip()})
    return voter
