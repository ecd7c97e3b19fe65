"""Errors raised by the voting app (roll, credentials, casting, paper batches, ledger).

The tree::

    VotingError                 anything the voting app refuses
    ├── RollError               a roll file line is wrong (file, line, what was expected);
    │                           nothing is imported when any line is bad
    ├── CredentialError         a security code is wrong, unknown or locked out
    ├── BallotFormError         a ranking breaks the rule book (repeated rank, gap, ...)
    ├── AlreadyVoted            a participation for this voter, section and contest exists
    ├── NotOpen                 the contest is not in the state this action needs
    ├── PaperBatchError         a paper batch is malformed, or its two keyings disagree
    ├── SealedListError         the sealed ballots do not match the ledger's receipts, or the
    │                           numbers sealed, opened and of participations differ
    └── BoxError                the ballot box cannot be keyed or opened (not closed, already
        │                       opened, a ballot that does not open with the key)
        └── ShareError          a trustee share is malformed, of another box, given twice,
                                too few of them, or they combine to a key that is not the box's

Messages say what is wrong, where and what was expected, in one line, so views and the CLI
can show them as they are. A ledger that does not verify raises
``hustings.publication.LedgerError`` (the chain is checked there, by the web and by
``hustings verify`` alike).
"""

from __future__ import annotations


class VotingError(Exception):
    """Base of every error the voting app raises."""


class RollError(VotingError):
    """The voter roll cannot be imported; ``problems`` lists every bad line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class CredentialError(VotingError):
    """A security code that does not open a ballot."""


class BallotFormError(VotingError):
    """A ranking the rule book does not accept; ``field_errors`` maps field -> message."""

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        self.field_errors = dict(field_errors or {})
        super().__init__(message)


class AlreadyVoted(VotingError):
    """The voter already has a ballot in this section of this contest."""


class NotOpen(VotingError):
    """The contest is not in the state the action needs (e.g. casting after close)."""


class PaperBatchError(VotingError):
    """A paper batch file is malformed or the two keyings disagree."""


class SealedListError(VotingError):
    """The sealed ballots and the ledger disagree (a ballot changed, added or removed)."""


class BoxError(VotingError):
    """The ballot box cannot be keyed or opened; nothing was changed."""


class ShareError(BoxError):
    """A trustee share that cannot be used (malformed, wrong, repeated, too few)."""
