"""Naming the trustees: the contest's key pair is made, its public key stored, and the
private key split into one share per trustee (``sealing.new_key``).

The shares are returned to the caller once (the officer's page shows each on its own
printable sheet, with a QR code and a download; ``hustings demo`` writes the demo's one
share to a file) and are never stored: the database keeps the public key, and per
trustee the holder's name and the share's fingerprint, which the ledger records too
(``box-key`` entry). Trustees are named, and may be named again (a new key), only
before the ballot opens: a cast in flight must never seal to a key that is being replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from hustings.web.contests.models import Stage
from hustings.web.voting import contest_info, ledger, sealing
from hustings.web.voting.errors import BoxError, NotOpen
from hustings.web.voting.models import BoxKey, SealedBallot, Trustee

BOX_KEY = "box-key"
BEFORE_THE_BALLOT = (Stage.DRAFT, Stage.NOMINATIONS_OPEN, Stage.NOMINATIONS_CLOSED)


@dataclass(frozen=True)
class HandedShare:
    """One trustee's share as handed over: who, which, the text and its QR code."""

    holder: str
    position: int
    text: str
    fingerprint: str

    def qr_svg(self) -> str:
        return sealing.qr_svg(self.text)

    @property
    def filename(self) -> str:
        return f"trustee-share-{self.position}.txt"


def box_key(contest) -> BoxKey | None:
    """The contest's public key, kept on the instance: it cannot change once sealed
    ballots exist, and a cast asks for it every time."""
    cached = getattr(contest, "_voting_box_key", None)
    if cached is None:
        cached = BoxKey.objects.filter(contest=contest).first()
        if cached is not None:
            contest._voting_box_key = cached
    return cached


def name_trustees(contest, holders: Sequence[str], threshold: int) -> list[HandedShare]:
    """Make the contest key, record the trustees, return their shares (once)."""
    holders = [h.strip() for h in holders if h.strip()]
    if not holders:
        raise BoxError("name at least one trustee (the returning officer may be the only one)")
    if len(set(holders)) != len(holders):
        raise BoxError("each trustee is named once; a name is repeated")
    if not 1 <= threshold <= len(holders):
        raise BoxError(
            f"{threshold} shares to open the box, with {len(holders)} trustee(s); expected a "
            f"number from 1 to {len(holders)}"
        )
    if contest.stage not in BEFORE_THE_BALLOT:
        raise BoxError("trustees are named before the ballot opens; it has opened")
    keys = sealing.new_key(threshold, len(holders))
    with transaction.atomic():
        if SealedBallot.objects.filter(contest=contest).exists():
            raise BoxError(
                "ballots are already sealed to this contest's key; the trustees cannot change now")
        Trustee.objects.filter(contest=contest).delete()
        BoxKey.objects.filter(contest=contest).delete()
        BoxKey.objects.create(contest=contest, public_key=keys.public_key.hex(),
                              threshold=threshold)
        handed = []
        for holder, share in zip(holders, keys.shares, strict=True):
            Trustee.objects.create(contest=contest, position=share.index, holder=holder,
                                   fingerprint=share.fingerprint)
            handed.append(HandedShare(holder, share.index, sealing.share_text(
                share, k=threshold, n=len(holders), contest=contest.slug,
                public_key=keys.public_key), share.fingerprint))
        ledger.append(contest, BOX_KEY, {
            "public_key": keys.public_key.hex(), "threshold": threshold,
            "trustees": [{"position": h.position, "holder": h.holder,
                          "share_fingerprint": h.fingerprint} for h in handed],
        })
    contest.__dict__.pop("_voting_box_key", None)
    return handed


# Sealing to the contest key: the cast (casting.py) and paper (box.py) both seal here, so
# neither imports the other.
def block(contest) -> int:
    cached = getattr(contest, "_voting_block", None)
    if cached is None:
        rules = contest_info.rules(contest)
        cached = sealing.block_size(contest_info.candidates(contest),
                                    [s.name for s in rules.sections])
        contest._voting_block = cached
    return cached


def seal_for(contest, section: str, ranking: Sequence[str | None]) -> tuple[bytes, str]:
    """(ciphertext, receipt) of one ballot of this contest."""
    key = box_key(contest)
    if key is None:
        raise NotOpen("The ballot box has no key: the returning officer names the trustees "
                      "before the ballot opens.")
    ciphertext = sealing.seal(key.public_bytes, section, ranking, block(contest))
    return ciphertext, sealing.receipt(ciphertext)
