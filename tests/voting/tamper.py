"""What a database administrator could do to the sealed ballots with the append-only
trigger out of the way (PostgreSQL: ``SET session_replication_role = replica``, which a
superuser may run and which silences every ordinary trigger; SQLite has no trigger). Used
by the tamper tests."""

from __future__ import annotations

import uuid

from django.db import connection

from hustings.web.voting import box
from hustings.web.voting.models import SealedBallot

TABLE = "voting_sealedballot"


def _triggers(on: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SET session_replication_role = {'origin' if on else 'replica'}")


def rewrite_sealed(contest, how: str, ranking=("Liz Kendall",)) -> str:
    """``change``: one sealed ballot replaced by another ranking sealed to the same key
    (its receipt column updated to match, as a careful forger would); ``add``: a new sealed
    ballot; ``delete``: one removed. Returns the receipt touched."""
    _triggers(False)
    try:
        victim = SealedBallot.objects.filter(contest=contest).order_by("receipt").first()
        if how == "delete":
            SealedBallot.objects.filter(pk=victim.pk).delete()
            return victim.receipt
        ciphertext, receipt = box.seal_for(contest, victim.section, list(ranking))
        if how == "change":
            SealedBallot.objects.filter(pk=victim.pk).update(ciphertext=ciphertext, receipt=receipt)
        else:
            SealedBallot.objects.create(id=uuid.uuid4(), contest=contest, section=victim.section,
                                        ciphertext=ciphertext, receipt=receipt)
        return receipt
    finally:
        _triggers(True)


def rewrite_opened(contest, ranking=("Liz Kendall",)) -> None:
    """One opened (plain) ballot changed after the opening."""
    from hustings.web.voting.models import Ballot

    _triggers(False)
    try:
        victim = Ballot.objects.filter(contest=contest).exclude(ranking=list(ranking)).first()
        Ballot.objects.filter(pk=victim.pk).update(ranking=list(ranking))
    finally:
        _triggers(True)
