"""The Hustings web platform: contests, nominations, endorsements (and, later, voting).

A Django project inside the package. Apps follow the user's journey:

- ``contests``: the ``Contest`` (its rule book, its lifecycle from draft to published),
  its ``Candidate`` list and the append-only ``AuditEntry`` log.
- ``nominations``: nominating bodies (MPs, MEPs, CLPs, unions, socialist societies), one
  live nomination per body, and closing nominations against the rule book.
- ``endorsements``: who backs whom, with the source, and a CSV import.

Settings come from the environment (``hustings.web.settings``); ``hustings demo`` and
``hustings serve`` (``hustings.cli.web``) run it. Errors raised by the model layer are in
``hustings.web.errors``.
"""
