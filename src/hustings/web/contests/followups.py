"""The follow-up work of the lifecycle's steps, registered by the apps that own it.

``Contest``'s transitions (``contests.models``) need work done by apps built on contests:
closing nominations fixes the ballot (``nominations.services``); opening, closing,
counting, publishing and going back write the voting ledger, seal it, count and store the
files (``voting.closing``). Those apps import ``Contest``, so ``Contest`` cannot import
them back without an import circle. Instead each app registers its follow-ups here from
its ``AppConfig.ready()``, as typed records (no lookup of functions by name), and the
transitions ask for them. Both apps are required (``settings.INSTALLED_APPS``): a
follow-up that is not registered is an ``ImproperlyConfigured`` error when a transition
asks for it, never a step silently done without its work (a ballot is never closed
without its ledger being sealed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from hustings.web.contests.models import Contest

Detail = dict[str, Any]
Step = Callable[["Contest"], Detail]


@dataclass(frozen=True)
class VotingFollowups:
    """What ``voting.closing`` does for each lifecycle step (each returns the audit
    entry's detail, or raises ``TransitionError`` to refuse the step)."""

    opened: Step  # open_ballot: the ledger records the opening
    seal: Step  # close_ballot: every participation has its ballot; the ledger is sealed
    count_and_store: Step  # mark_counted: the count, its files, the ledger entry
    publish_files: Step  # publish: the publication entry and ledger.json
    going_back: Callable[[Contest, str, str], Detail]  # go_back(contest, to, reason)


@dataclass(frozen=True)
class NominationFollowups:
    """What ``nominations.services`` does when nominations close, and when they reopen."""

    fix_ballot: Step
    unfix_ballot: Step


_voting: VotingFollowups | None = None
_nominations: NominationFollowups | None = None


def register_voting(followups: VotingFollowups) -> None:
    global _voting
    _voting = followups


def register_nominations(followups: NominationFollowups) -> None:
    global _nominations
    _nominations = followups


def voting() -> VotingFollowups:
    if _voting is None:
        raise ImproperlyConfigured(
            "the contest lifecycle needs the voting app's follow-ups (ledger, seal, count), "
            "registered by hustings.web.voting's AppConfig.ready(): add "
            "'hustings.web.voting' to INSTALLED_APPS")
    return _voting


def nominations() -> NominationFollowups:
    if _nominations is None:
        raise ImproperlyConfigured(
            "the contest lifecycle needs the nominations app's follow-ups (fixing the "
            "ballot), registered by hustings.web.nominations' AppConfig.ready(): add "
            "'hustings.web.nominations' to INSTALLED_APPS")
    return _nominations
