"""Voting: the voter roll, security codes, the secret ranked ballot, paper batches, the
hash-chained ledger, and close → count → publish.

Modules follow the voter's journey: ``rollfile``/``roll`` (import, freeze, exclusions),
``codes``/``credentials`` (security codes, letters and emails via the task queue),
``ranking``/``views`` (the accessible ballot page), ``casting`` (the one transaction),
``paper`` (double-keyed batches), ``chain``/``ledger`` (the hash chain), ``closing``
(close, count, publish, downloads). Errors: see ``errors.py`` (``VotingError`` tree).
"""
