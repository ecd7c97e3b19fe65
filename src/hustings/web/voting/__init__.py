"""Voting: the voter roll, security codes, the secret ranked ballot, paper batches, the
hash-chained ledger, and close → count → publish.

Modules follow the voter's journey: ``rollfile``/``roll`` (import, freeze, exclusions),
``codes``/``credentials`` (security codes, letters and emails via the task queue),
``ranking``/``visit``/``views`` (the accessible ballot page: one visit of an election, a
block per contest), ``trustees`` (the contest key's
shares), ``sealing`` (the cryptography, no Django), ``casting`` (seal, then the one
transaction, for every contest of a visit), ``receipts`` (the public receipt check),
``paper`` (double-keyed batches), ``ledger`` (the hash chain; ``hustings.publication.chain``),
``box`` (opening the sealed ballot box),
``sealedlist`` (the published sealed ballots and their checks), ``closing`` (close,
count, publish, downloads), ``analysisdoc`` (charts, what-if and margin, made once at the
count), ``results`` (the results page, its preview and embed), ``recountkit`` (the zip
``hustings verify all`` checks), ``gallery`` (real counts from ``HUSTINGS_GALLERY_DATA``);
at national scale ``jobs`` (the long steps as worker tasks with progress), ``progress``
(their pages), ``mailing`` (mail in batches, bounces, retries, counts). Errors: see
``errors.py`` (``VotingError`` tree).
"""
