"""Contests, their candidates, their lifecycle and the append-only audit log.

ARCHITECTURE (for the apps built on these models, e.g. voting):

- ``Contest`` is one contest for one office, on an ``Election`` (``elections.py``: the
  ballot event whose roll, codes and visit it shares with the election's other contests).
  Its rule book is a TOML document (``rule_book``) copied from a preset (``labour-2010``
  ...) and editable per contest; the counting tables are read by ``hustings.config``,
  the ``[nominations]`` table by ``hustings.rulebook``.
- ``Contest.stage`` moves only through the transition methods below, one step forward at a
  time (``open_nominations``, ``close_nominations``, ``open_ballot``, ``close_ballot``,
  ``mark_counted``, ``publish``), or back to an earlier stage with ``go_back(to, by=,
  reason=)``. Each locks the contest row, checks the stage and the actor's permission,
  does the step's follow-up work from the app that owns it, as that app registered it in
  ``contests.followups`` (``close_nominations`` fixes the ballot; ``open_ballot``,
  ``close_ballot``, ``mark_counted``, ``publish`` and ``go_back`` call ``voting.closing``:
  ledger entries, the seal, the count and its files, ledger.json; an unregistered
  follow-up is an error, never a skipped step), and writes one ``AuditEntry`` with that
  work's record as ``detail``, all in one transaction. Nothing else writes ``stage``;
  every button and script goes through these methods, so each step is done one way.
- ``Candidate.on_ballot`` is fixed when nominations close, with the reason in
  ``qualification``; a voting app should take ``contest.ballot()``.
- People are appointed per contest (``Appointment``: returning officer, deputy,
  scrutineer, trustee, nominator). What each role may do is decided in one place,
  ``contests.access.can(user, contest, Action...)``; every view and every transition
  asks it. A superuser may do everything. Until every contest has an appointed
  returning officer, the old global permission ``contests.run_contest`` (the "Returning
  officers" group) still runs a contest *that has no appointed returning officer*, and
  nothing else (``access.legacy_officer``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from hustings.rulebook import NominationRules, load_nominations, preset_text
from hustings.web.contests import followups
from hustings.web.contests.elections import Election
from hustings.web.contests.permissions import Action, Role, can
from hustings.web.errors import AuditLogError, TransitionError


class Stage(models.TextChoices):
    """The lifecycle, in order. Rule Book Chapter 4, Clause II: nominations, then ballot,
    then the count and the declaration."""

    DRAFT = "draft", "Draft"
    NOMINATIONS_OPEN = "nominations_open", "Nominations open"
    NOMINATIONS_CLOSED = "nominations_closed", "Nominations closed"
    BALLOT_OPEN = "ballot_open", "Ballot open"
    BALLOT_CLOSED = "ballot_closed", "Ballot closed"
    COUNTED = "counted", "Counted"
    PUBLISHED = "published", "Result published"


STAGES = list(Stage)


def _free_slug(slug: str) -> str:
    """``slug``, or ``slug-2``, ``slug-3``… if an election already has it: a contest made
    alone must never join another election by the accident of a shared slug."""
    taken = set(Election.objects.filter(slug__startswith=slug).values_list("slug", flat=True))
    return next(s for s in (slug, *(f"{slug}-{i}" for i in range(2, len(taken) + 2)))
                if s not in taken)


class Office(models.TextChoices):
    LEADER = "leader", "Leader"
    DEPUTY = "deputy", "Deputy leader"
    # the party's candidate for a mayoralty (London, 2015: chosen on the leader's ballot)
    MAYOR = "mayor", "Mayoral candidate"
    BODY = "body", "Multi-seat body"


class Contest(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    # The ballot event this contest is on (elections.py): its roll, codes and visit. Made
    # by save() when not given: a contest alone is a one-contest election.
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="contests")
    ballot_order = models.PositiveSmallIntegerField(
        default=0, help_text="Where this contest comes on its election's ballot (0 first).")
    eligibility = models.CharField(
        max_length=40, blank=True,
        help_text="Blank: every voter on the election's roll. Else the roll mark a voter needs "
        "to vote in this contest (e.g. london).",
    )
    office = models.CharField(max_length=20, choices=Office.choices, default=Office.LEADER)
    seats = models.PositiveSmallIntegerField(default=1)
    vacancy = models.BooleanField(
        default=True,
        help_text="A vacancy (Clause II.2.B.i); untick for a challenge to a sitting holder "
        "(II.2.B.ii).",
    )
    rule_book_preset = models.CharField(max_length=50, default="labour-2010")
    rule_book = models.TextField(
        blank=True,
        help_text="The rule book as TOML (election.toml); filled from the preset when empty.",
    )
    stage = models.CharField(
        max_length=30, choices=Stage.choices, default=Stage.DRAFT, editable=False
    )
    notes = models.TextField(
        blank=True, help_text="Shown on the contest page (e.g. about placeholder data)."
    )
    # The timetable, as announced (shown on the contest page; the stage still moves only
    # when an officer takes the step, as a returning officer declares each stage).
    nominations_open_on = models.DateTimeField(null=True, blank=True)
    nominations_close_on = models.DateTimeField(null=True, blank=True)
    ballot_open_on = models.DateTimeField(null=True, blank=True)
    ballot_close_on = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    STAGE_CHOICES = Stage.choices  # for templates: the banner lists every stage

    class Meta:
        ordering = ["-created_at"]
        permissions = [("run_contest", "Can run a contest (returning officer)")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("contest-detail", args=[self.slug])

    def save(self, *args, **kwargs):
        if not self.rule_book.strip():
            self.rule_book = preset_text(self.rule_book_preset)
        if self.election_id is None:
            self.election = Election.objects.create(slug=_free_slug(self.slug), title=self.title)
        super().save(*args, **kwargs)

    def eligible(self, marks: list[str]) -> bool:
        """May a voter with these roll marks vote in this contest?"""
        return not self.eligibility or self.eligibility in marks

    # -- the rule book --------------------------------------------------------------

    def nomination_rules(self) -> NominationRules:
        return load_nominations(
            self.rule_book or preset_text(self.rule_book_preset), f"contest {self.slug}"
        )

    @property
    def stage_index(self) -> int:
        return STAGES.index(Stage(self.stage))

    @property
    def is_public(self) -> bool:
        return self.stage != Stage.DRAFT

    def ballot(self):
        """The candidates on the ballot, in ballot order (after nominations close)."""
        return self.candidates.filter(on_ballot=True).order_by("ballot_position", "name")

    # -- lifecycle: the only writers of `stage` -------------------------------------

    def open_nominations(self, *, by) -> AuditEntry:
        return self._step(Stage.DRAFT, Stage.NOMINATIONS_OPEN, by, "open nominations")

    def close_nominations(self, *, by) -> AuditEntry:
        """Closing fixes the ballot: the rule book is applied to every candidate and the
        reason recorded (Clause II.2.B)."""
        return self._step(
            Stage.NOMINATIONS_OPEN,
            Stage.NOMINATIONS_CLOSED,
            by,
            "close nominations",
            then=followups.nominations().fix_ballot,
        )

    def open_ballot(self, *, by) -> AuditEntry:
        """Opening is recorded in the voting ledger too (``voting.closing.opened``)."""
        return self._step(
            Stage.NOMINATIONS_CLOSED,
            Stage.BALLOT_OPEN,
            by,
            "open ballot",
            then=followups.voting().opened,
        )

    def close_ballot(self, *, by) -> AuditEntry:
        """Closing seals the ledger, and is refused unless every participation has its
        ballot (``voting.closing.seal``)."""
        return self._step(
            Stage.BALLOT_OPEN, Stage.BALLOT_CLOSED, by, "close ballot", then=followups.voting().seal
        )

    def mark_counted(self, *, by) -> AuditEntry:
        """Recording the count *is* the count: every section through
        ``hustings.counting.count``, the published files stored and hashed into the ledger
        (``voting.closing.count_and_store``). There is no count to record without it."""
        return self._step(
            Stage.BALLOT_CLOSED,
            Stage.COUNTED,
            by,
            "record count",
            then=followups.voting().count_and_store,
        )

    def publish(self, *, by) -> AuditEntry:
        """Publication writes its ledger entry and ledger.json
        (``voting.closing.publish_files``); refused if no count is stored."""
        return self._step(
            Stage.COUNTED,
            Stage.PUBLISHED,
            by,
            "publish result",
            then=followups.voting().publish_files,
        )

    def go_back(self, to: Stage | str, *, by, reason: str) -> AuditEntry:
        """Return to an earlier stage: only with a stated reason, which the log keeps.

        What cannot be undone is refused by ``voting.closing.going_back``: nothing goes
        back from a published result; a counted contest goes back only to "Ballot closed"
        (its files are kept as superseded and the withdrawal is in the ledger); with
        ballots stored, nothing goes back before "Ballot open"."""
        to = Stage(to)
        if not reason or not reason.strip():
            raise TransitionError(
                f"going back from {Stage(self.stage).label!r} to {to.label!r} needs a reason; "
                "none given"
            )
        reason = reason.strip()
        guard = followups.voting().going_back
        hooks = [lambda locked: guard(locked, to.value, reason)]
        if STAGES.index(to) < STAGES.index(Stage.NOMINATIONS_CLOSED):
            # nominations reopen: the ballot is no longer fixed
            hooks.append(followups.nominations().unfix_ballot)

        def then(locked):
            detail = {}
            for hook in hooks:
                detail.update(hook(locked) or {})
            return detail

        return self._step(None, to, by, f"go back to {to.label.lower()}", reason=reason, then=then)

    FORWARD = {
        Stage.DRAFT: "open_nominations",
        Stage.NOMINATIONS_OPEN: "close_nominations",
        Stage.NOMINATIONS_CLOSED: "open_ballot",
        Stage.BALLOT_OPEN: "close_ballot",
        Stage.BALLOT_CLOSED: "mark_counted",
        Stage.COUNTED: "publish",
    }

    def next_step(self) -> str | None:
        """The name of the one forward transition allowed now (None when published)."""
        return self.FORWARD.get(Stage(self.stage))

    def _step(
        self, expected, to: Stage, by, action: str, *, reason: str = "", then=None
    ) -> AuditEntry:
        if not can(by, self, Action.RUN):
            raise PermissionDenied(
                f"{action}: only this contest's returning officer or deputy may do this"
            )
        with transaction.atomic():
            # Lock the row so two officers pressing the button at once cannot both pass
            # the guard; re-read the stage under the lock.
            locked = Contest.objects.select_for_update().get(pk=self.pk)
            current = Stage(locked.stage)
            if expected is not None and current != expected:
                raise TransitionError(
                    f"cannot {action}: the contest is at {current.label!r}; "
                    f"that step is only allowed from {Stage(expected).label!r}"
                )
            if expected is None and STAGES.index(to) >= STAGES.index(current):
                raise TransitionError(
                    f"cannot go back to {to.label!r} from {current.label!r}: "
                    "it is not an earlier stage"
                )
            # The follow-up work runs under the lock and before the stage is written: a
            # paper batch merged by the count still sees the ballot closed, and if the
            # work is refused nothing at all is written (one transaction).
            detail = then(locked) if then else {}
            locked.stage = to
            locked.save(update_fields=["stage"])
            entry = AuditEntry.record(
                locked, by, action, from_stage=current, to_stage=to, reason=reason, detail=detail
            )
        self.stage = to
        return entry


class CandidateResponse(models.TextChoices):
    PENDING = "pending", "Not yet answered"
    ACCEPTED = "accepted", "Accepted nomination"
    DECLINED = "declined", "Declined nomination"


class Candidate(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(max_length=120)
    slug = models.SlugField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidacies",
        help_text="The candidate's own login, to accept or decline nomination.",
    )
    response = models.CharField(
        max_length=20, choices=CandidateResponse.choices, default=CandidateResponse.PENDING
    )
    on_ballot = models.BooleanField(
        null=True, editable=False, help_text="Fixed when nominations close."
    )
    qualification = models.TextField(blank=True, editable=False)
    ballot_position = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "slug"], name="candidate_slug_per_contest")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("candidate-detail", args=[self.contest.slug, self.slug])

    def respond(self, *, accept: bool, by) -> AuditEntry:
        """The candidate (or a returning officer for them) accepts or declines nomination,
        while nominations are open."""
        from hustings.web.errors import NominationError

        if by is None or not (
            (by.is_authenticated and by == self.user) or can(by, self.contest, Action.EDIT)
        ):
            raise PermissionDenied(
                "only the candidate or this contest's returning officer may answer for the "
                "candidate"
            )
        with transaction.atomic():
            contest = Contest.objects.select_for_update().get(pk=self.contest_id)
            if contest.stage != Stage.NOMINATIONS_OPEN:
                raise NominationError(
                    f"{self.name} cannot answer now: nominations are "
                    f"{Stage(contest.stage).label.lower()}"
                )
            self.response = CandidateResponse.ACCEPTED if accept else CandidateResponse.DECLINED
            self.save(update_fields=["response"])
            return AuditEntry.record(
                contest,
                by,
                f"candidate {'accepts' if accept else 'declines'}",
                # who answered: the candidate, or an officer acting on their word
                detail={"candidate": self.name, "for_candidate": by != self.user},
            )


class Appointment(models.Model):
    """One person in one role in one contest. Appointing and removing are written to the
    audit log (``contests.people``); a removal deletes the row, the log keeps it."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="appointments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "user", "role"], name="one_appointment_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.contest}"


class AuditQuerySet(models.QuerySet):
    """Bulk changes would bypass ``AuditEntry.save``; refuse them too."""

    def update(self, **kwargs):
        raise AuditLogError("the audit log is append-only: bulk update refused")

    def delete(self):
        raise AuditLogError("the audit log is append-only: delete refused")


class AuditEntry(models.Model):
    """Who did what to a contest, when and why. Rows are only ever inserted: the model
    refuses update and delete, and on PostgreSQL a trigger refuses them too (migration
    0002)."""

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="audit_log")
    # PROTECT: a user who appears in the log cannot be deleted (SET_NULL would be an UPDATE)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, help_text="The username at the time.")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=100)
    from_stage = models.CharField(max_length=30, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=30, choices=Stage.choices, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action}"

    @classmethod
    def record(
        cls,
        contest: Contest,
        by,
        action: str,
        *,
        detail: dict | None = None,
        reason: str = "",
        from_stage: str = "",
        to_stage: str = "",
        actor_name: str = "",
    ) -> AuditEntry:
        """Append one entry: ``by`` did ``action`` to ``contest``. The username is kept as
        it is now (``actor_name``), so the log still reads right if the account changes.
        With no account (``by`` None: a command such as ``hustings open-box``), give
        ``actor_name`` to say who or what acted."""
        account = by if by is not None and by.pk else None
        return cls.objects.create(
            contest=contest,
            actor=account,
            actor_name=account.get_username() if account is not None else actor_name,
            action=action, from_stage=from_stage,
            to_stage=to_stage,
            reason=reason,
            detail=detail or {})

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogError(f"the audit log is append-only: entry {self.pk} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogError(f"the audit log is append-only: entry {self.pk} cannot be deleted")
