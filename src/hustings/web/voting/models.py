"""The voting app's tables: roll, credentials, participations, the sealed ballot box, the
opened ballots, paper, ledger.

Secrecy is by design, not by how the database stores rows (see docs/threat-model.md):

* A cast stores a ``SealedBallot``: the ranking sealed to the contest's public key
  (``sealing.py``), its SHA-256 (the receipt, also in the cast's ledger entry) and the
  section. Nothing in the database opens it: the private key exists only as the
  trustees' shares, which the server never keeps (``BoxKey``, ``Trustee``).
* The participation (who voted, per section) is written in the same transaction, so
  storage (PostgreSQL's ``xmin``, row order, the WAL) pairs it with a ciphertext, which
  is all there is to pair it with.
* ``Ballot`` rows are the opened ballots: written only when k trustees open the box
  after the close (``box.py``), shuffled, in one transaction that reads the sealed rows
  and writes nothing to them, with new random keys. They hold the contest, the section
  and the ranking, nothing else (checked by tests/voting/test_schema.py).

The participation's unique constraint (contest, voter, section) is what stops a second
ballot: casting writes it in the same transaction as the sealed ballot, so a repeated or
concurrent submission fails on the constraint and its sealed ballot is rolled back with it.
"""

from __future__ import annotations

import uuid

from django.db import models


class Channel(models.TextChoices):
    ONLINE = "online", "online"
    PAPER = "paper", "paper"


class PaperRule(models.TextChoices):
    """Which ballot counts when a voter voted both online and on paper."""

    FIRST_RECEIVED = "first-received", "the first ballot received counts"
    ONLINE = "online", "the online ballot counts (paper batches are merged at close)"


class VotingSetup(models.Model):
    """Per contest: roll freeze, the paper rule, the ledger head and the published files."""

    contest = models.OneToOneField(
        "contests.Contest", on_delete=models.PROTECT, related_name="voting"
    )
    roll_frozen_at = models.DateTimeField(null=True, blank=True)
    freeze_date = models.DateField(null=True, blank=True)  # who joined after it does not vote
    paper_rule = models.CharField(
        max_length=20, choices=PaperRule.choices, default=PaperRule.FIRST_RECEIVED
    )
    result_json = models.TextField(blank=True)  # RCTab-format JSON of the count
    result_plain = models.JSONField(null=True, blank=True)  # resultdoc.plain_document: the page
    election_toml = models.TextField(blank=True)  # the rules counted under
    counted_at = models.DateTimeField(null=True, blank=True)
    box_opened_at = models.DateTimeField(null=True, blank=True)  # box.open_box: once

    def __str__(self) -> str:
        return f"voting for {self.contest}"


class Voter(models.Model):
    """One person on an election's roll: the roll serves every contest of the election
    (leader and deputy alike); ``marks`` say which contests limited to part of the roll
    they may vote in (``Contest.eligibility``, e.g. ``london``)."""

    election = models.ForeignKey("contests.Election", on_delete=models.PROTECT,
                                 related_name="voters")
    reference = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    postal_address = models.TextField(blank=True)
    sections = models.JSONField(default=list)  # rule-book section names
    marks = models.JSONField(default=list)  # roll marks, e.g. ["london"]: see Contest.eligibility
    joined = models.DateField(null=True, blank=True)
    excluded_reason = models.TextField(blank=True)
    excluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "reference"], name="voter_unique_reference")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def excluded(self) -> bool:
        return self.excluded_at is not None


class Credential(models.Model):
    """One security code per voter (so per election: one code for all its contests); the
    secret is kept only as an HMAC."""

    voter = models.OneToOneField(Voter, on_delete=models.CASCADE, related_name="credential")
    ballot_id = models.CharField(max_length=16, unique=True)
    secret_digest = models.CharField(max_length=64)
    failed_attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(default=0)
    # The mail of this issue (mailing.py): "" for a printed letter, else queued → sent, or
    # failed after the server refused it (a bounce) or HUSTINGS_MAIL_RETRIES attempts.
    mail_status = models.CharField(max_length=10, blank=True, default="")
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["mail_status"], name="credential_mail_status")]


class Participation(models.Model):
    """That a voter has voted in a section: never what, never when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contest = models.ForeignKey("contests.Contest", on_delete=models.PROTECT, related_name="+")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="participations")
    section = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "voter", "section"], name="one_participation_per_section"
            )
        ]


class SealedBallot(models.Model):
    """A cast ballot, sealed: opened only with k trustees' shares (see module doc)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contest = models.ForeignKey("contests.Contest", on_delete=models.PROTECT, related_name="+")
    section = models.CharField(max_length=100)
    ciphertext = models.BinaryField()  # sealing.seal: padded, so of one length per contest
    receipt = models.CharField(max_length=64)  # SHA-256 of the ciphertext, as in the ledger

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contest", "receipt"], name="sealed_unique_receipt")
        ]


class Ballot(models.Model):
    """An opened ballot, for the count. Nothing here may lead back to a voter or to its
    sealed ballot (see module doc)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contest = models.ForeignKey("contests.Contest", on_delete=models.PROTECT, related_name="+")
    section = models.CharField(max_length=100)
    ranking = models.JSONField()  # candidate names, first preference first


class BoxKey(models.Model):
    """The contest's public key (hex) and how many trustees' shares open the box. The
    private key is never stored: it exists only as the trustees' shares."""

    contest = models.OneToOneField("contests.Contest", on_delete=models.PROTECT,
                                   related_name="box_key")
    public_key = models.CharField(max_length=64)
    threshold = models.PositiveSmallIntegerField()

    @property
    def public_bytes(self) -> bytes:
        return bytes.fromhex(self.public_key)


class Trustee(models.Model):
    """Who holds share number ``position``, and its fingerprint (never the share)."""

    contest = models.ForeignKey("contests.Contest", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    holder = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["contest", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "position"], name="trustee_unique_position")
        ]


class PaperBatch(models.Model):
    """A batch of paper ballots for one section, keyed twice by different people.

    The keyings link envelopes (voter references) to rankings, so they are kept only until
    the batch is accepted and merged; then only their SHA-256 stays (in the ledger)."""

    class Status(models.TextChoices):
        AWAITING_SECOND = "awaiting-second", "awaiting second keying"
        ACCEPTED = "accepted", "accepted"
        MERGED = "merged", "merged into the count"

    contest = models.ForeignKey("contests.Contest", on_delete=models.PROTECT, related_name="+")
    section = models.CharField(max_length=100)
    label = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices)
    first_keying = models.TextField(blank=True)
    first_keyed_by = models.CharField(max_length=150)
    second_keyed_by = models.CharField(max_length=150, blank=True)
    keying_sha256 = models.CharField(max_length=64, blank=True)
    counted = models.PositiveIntegerField(default=0)
    set_aside = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contest", "label"], name="paper_batch_unique_label")
        ]


class SetAside(models.Model):
    """A paper ballot not counted (already voted, excluded, unknown voter): reported, its
    ranking discarded."""

    batch = models.ForeignKey(PaperBatch, on_delete=models.PROTECT, related_name="set_asides")
    reference = models.CharField(max_length=64)
    reason = models.CharField(max_length=200)


class LedgerHead(models.Model):
    """The last entry of one lane of a contest's ledger: locked FOR UPDATE by each append
    to that lane, so the lane is a single line (see chain.py for why there are lanes)."""

    contest = models.ForeignKey("contests.Contest", on_delete=models.PROTECT, related_name="+")
    lane = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contest", "lane"], name="ledger_head_unique_lane")
        ]


class LedgerEntry(models.Model):
    """One link of one lane of the contest's hash chains (see chain.py). Append-only: on
    PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002)."""

    contest = models.ForeignKey("contests.Contest", on_delete=models.PROTECT, related_name="+")
    lane = models.PositiveSmallIntegerField(default=0)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    at = models.CharField(max_length=40)  # ISO 8601 UTC, exactly as hashed
    payload = models.JSONField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["contest", "lane", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "lane", "seq"],
                                    name="ledger_unique_lane_seq")
        ]

    def as_dict(self) -> dict:
        return {"lane": self.lane, "seq": self.seq, "kind": self.kind, "at": self.at,
                "payload": self.payload, "prev_hash": self.prev_hash, "hash": self.hash}


class PublishedFile(models.Model):
    """A download published with the result: written once, hashed into the ledger."""

    contest = models.ForeignKey("contests.Contest", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    content = models.TextField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contest", "name"], name="published_file_unique_name")
        ]


class Job(models.Model):
    """A long step run by the worker (jobs.py): the roll import, issuing codes, the count,
    the publication. Its row is the progress the officer's page shows; it holds no secret
    and no voter's data (a roll upload waits in a file, see jobs.py)."""

    class State(models.TextChoices):
        QUEUED = "queued", "waiting for the worker"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    contest = models.ForeignKey("contests.Contest", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    step = models.CharField(max_length=200, blank=True)  # what it is doing now
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)  # the outcome, or every error (one per line)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return 100 if self.state == self.State.DONE else (
            min(99, self.done * 100 // self.total) if self.total else 0)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class WorkerKey(models.Model):
    """A running worker process's ephemeral public key (X25519, ``workerkey.py``). Its
    private half lives only in that process's memory and dies with it: the trustees' page
    seals the combined box key to it, so the opening can run in the worker with no key at
    rest. ``seen_at`` is the heartbeat: a row not seen lately is a worker that is gone."""

    worker_id = models.CharField(max_length=64, unique=True)
    public_key = models.CharField(max_length=64)  # hex
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()


class KeyHandover(models.Model):
    """The box's private key sealed (libsodium sealed box) to one worker's ephemeral key,
    for one open-box job: opened only by that worker process, deleted as soon as the job
    has read it, and useless once that process has ended (see docs/threat-model.md)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    public_key = models.CharField(max_length=64)  # the worker key it is sealed to (hex)
    sealed = models.BinaryField()
