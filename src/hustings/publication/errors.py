"""The errors of ``hustings.publication`` (the tree is in the package docstring).

Messages say what is wrong and where (which lane and entry), in one line, so the web and
``hustings verify`` show them as they are.
"""

from __future__ import annotations


class PublicationError(Exception):
    """Base of every error a published record raises when it does not check out."""


class LedgerError(PublicationError):
    """The ledger's hash chain does not verify."""
