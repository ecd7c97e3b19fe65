"""What a contest publishes for anyone to re-check, as pure functions (no Django, no files).

* ``chain``: the ledger's hash chains (canonical JSON, SHA-256, lanes tied by the close
  entry) and ``verify_entries``, which re-checks an exported ledger;
* ``resultdoc``: the published ``result.json`` (RCTab's detailed report), the plain
  document the results page keeps, and comparing a recount's document with the published
  one.

The web writes through these (``web.voting.ledger``, ``casting``, ``closing``, ``gallery``)
and ``hustings verify`` re-checks through the same functions, so the two cannot drift.
Only the standard library, ``hustings.counting`` and ``hustings.formats``: never the web,
the CLI or Django (``lint-imports``).

Errors (``errors.py``)::

    PublicationError        anything a published record fails
    └── LedgerError         the hash chain does not verify (which entry, what differs)
"""

from hustings.publication.errors import LedgerError, PublicationError

__all__ = ["LedgerError", "PublicationError"]
