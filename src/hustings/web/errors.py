"""Errors raised by the web platform's model layer (views turn them into messages).

The tree::

    PlatformError                 anything the platform refuses to do
    ├── TransitionError           a lifecycle step that is not allowed from the contest's
    │                             current stage, or going back without a reason
    ├── NominationError           a nomination, withdrawal or acceptance the rules refuse
    │                             (nominations not open, a second nomination, wrong body)
    ├── AuditLogError             an attempt to change or delete an audit entry
    ├── EndorsementImportError    a CSV of endorsements with bad lines (``.errors`` lists
    │                             them as "line N: what; expected ...")
    ├── SetupError                contest set-up input refused (a rule book, candidates,
    │                             dates, a nominating bodies CSV); ``.errors`` lists every
    │                             problem found
    └── AppointmentError          an appointment refused (no such user, already appointed,
                                  removing the last returning officer)

Each message says what was refused and what was expected, in one line.
"""

from __future__ import annotations


class PlatformError(Exception):
    """Base of every error the web platform's model layer raises."""


class TransitionError(PlatformError):
    """The contest cannot move to that stage now."""


class NominationError(PlatformError):
    """The nomination (or withdrawal, acceptance) is not allowed."""


class AuditLogError(PlatformError):
    """The audit log is append-only."""


class EndorsementImportError(PlatformError):
    """Some lines of an endorsements CSV are wrong; nothing was imported."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            f"{len(errors)} line(s) with errors; nothing imported: " + "; ".join(errors[:3])
        )


class SetupError(PlatformError):
    """Set-up input the platform refuses; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


class AppointmentError(PlatformError):
    """An appointment the rules refuse (no such user, already appointed, last officer)."""
