"""The voter roll of a contest: import (all or nothing), freeze, exclusions.

The roll can be replaced until it is frozen; freezing is a ledger entry with the number of
voters per section and the SHA-256 of the roll as imported. A voter can be excluded (with
a recorded reason, also in the ledger) until they have voted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

from django.db import transaction
from django.utils import timezone

from hustings.web.voting import contest_info, ledger
from hustings.web.voting.errors import NotOpen, RollError, VotingError
from hustings.web.voting.models import Participation, Voter
from hustings.web.voting.rollfile import parse_roll


def import_roll(contest, text: str, *, source: str = "roll.csv") -> int:  # noqa: ANN001
    """Replace the (unfrozen) roll with the file's voters; RollError lists every bad line
    and nothing is imported then."""
    if ledger.setup_for(contest).roll_frozen_at:
        raise NotOpen("the roll is frozen; it can no longer be replaced")
    lines = parse_roll(text, contest_info.section_labels(contest), source=source)
    with transaction.atomic():
        if Participation.objects.filter(contest=contest).exists():
            raise NotOpen("voting has started; the roll can no longer be replaced")
        Voter.objects.filter(contest=contest).delete()
        Voter.objects.bulk_create(
            Voter(contest=contest, reference=x.reference, name=x.name, email=x.email,
                  postal_address=x.postal_address, sections=list(x.sections), joined=x.joined)
            for x in lines
        )
    return len(lines)


def freeze(contest, freeze_date: dt.date | None = None) -> int:  # noqa: ANN001
    """Freeze the roll. With a freeze date, voters who joined after it are excluded (the
    reason recorded); returns how many were."""
    with transaction.atomic():
        setup = ledger.setup_for(contest)
        if setup.roll_frozen_at:
            raise NotOpen(f"the roll was already frozen at {setup.roll_frozen_at:%Y-%m-%d %H:%M}")
        voters = list(Voter.objects.filter(contest=contest).order_by("reference"))
        if not voters:
            raise RollError(["the roll is empty: import it before freezing"])
        late = [v for v in voters if freeze_date and v.joined and v.joined > freeze_date]
        now = timezone.now()
        for v in late:
            v.excluded_reason = f"joined {v.joined:%Y-%m-%d}, after the freeze date {freeze_date:%Y-%m-%d}"
            v.excluded_at = now
        Voter.objects.bulk_update(late, ["excluded_reason", "excluded_at"])
        per_section = Counter(s for v in voters for s in v.sections)
        digest = hashlib.sha256(
            "\n".join(f"{v.reference}\t{';'.join(v.sections)}" for v in voters).encode()
        ).hexdigest()
        setup.roll_frozen_at = now
        setup.freeze_date = freeze_date
        setup.save(update_fields=["roll_frozen_at", "freeze_date"])
        ledger.append(contest, ledger.Kind.ROLL_FROZEN, {
            "voters": len(voters), "sections": dict(sorted(per_section.items())),
            "roll_sha256": digest,
            "freeze_date": freeze_date.isoformat() if freeze_date else None,
            "joined_after_freeze_date": len(late),
        })
    return len(late)


def exclude(contest, reference: str, reason: str) -> Voter:  # noqa: ANN001
    if not reason.strip():
        raise VotingError("an exclusion needs a reason; none given")
    with transaction.atomic():
        voter = Voter.objects.select_for_update().filter(contest=contest, reference=reference).first()
        if voter is None:
            raise VotingError(f"no voter with reference {reference!r} on the roll")
        if Participation.objects.filter(voter=voter).exists():
            raise VotingError(f"voter {reference} has already voted and cannot be excluded")
        voter.excluded_reason = reason.strip()
        voter.excluded_at = timezone.now()
        voter.save(update_fields=["excluded_reason", "excluded_at"])
        ledger.append(contest, ledger.Kind.EXCLUDED, {"reference": reference, "reason": reason.strip()})
    return voter
