"""The people of a contest and what each may do: ``can(user, contest, action)``.

Kept apart from ``access`` (the views' helpers) so that ``contests.models`` can ask it in
every transition without an import circle: nothing here imports the models (appointments
are read through ``contest.appointments``). ``contests.access`` re-exports all of it;
the table of what each role may do is in its docstring.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from hustings.web.contests.models import Contest


class Role(models.TextChoices):
    """The people of one contest (docs/glossary.md). What each may do is in ``ALLOWED``."""

    RETURNING_OFFICER = "returning_officer", "Returning officer"
    DEPUTY = "deputy", "Deputy returning officer"
    SCRUTINEER = "scrutineer", "Scrutineer"
    TRUSTEE = "trustee", "Trustee"
    NOMINATOR = "nominator", "Nominator"


class Action(enum.Enum):
    VIEW = "view"
    EDIT = "edit"
    RUN = "run"
    APPOINT = "appoint"
    HOLD_KEY = "hold_key"
    NOMINATE = "nominate"


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.RETURNING_OFFICER: frozenset({Action.VIEW, Action.EDIT, Action.RUN, Action.APPOINT}),
    Role.DEPUTY: frozenset({Action.VIEW, Action.EDIT, Action.RUN}),
    Role.SCRUTINEER: frozenset({Action.VIEW}),
    Role.TRUSTEE: frozenset({Action.VIEW, Action.HOLD_KEY}),
    Role.NOMINATOR: frozenset({Action.NOMINATE}),
}


def roles(user, contest: Contest) -> frozenset[Role]:
    """The roles ``user`` holds in ``contest``. Read afresh at every call, never cached on
    the user: a removal must take effect at once, in a long-lived process too."""
    if user is None or not user.is_authenticated or contest.pk is None:
        return frozenset()
    return frozenset(
        Role(r)
        for r in contest.appointments.filter(user=user).values_list(
            "role", flat=True
        )
    )


def legacy_officer(user, contest: Contest) -> bool:
    """The global "Returning officers" permission, honoured only where no returning
    officer is appointed (see ``contests.access``)."""
    if user is None or not user.is_authenticated or not user.has_perm("contests.run_contest"):
        return False
    return not contest.appointments.filter(role=Role.RETURNING_OFFICER).exists()


def can(user, contest: Contest, action: Action) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if any(action in ALLOWED[r] for r in roles(user, contest)):
        return True
    return action in ALLOWED[Role.RETURNING_OFFICER] and legacy_officer(user, contest)
