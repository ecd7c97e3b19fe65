"""Setting up an election of several contests from an election preset, in one transaction.

``create_election`` makes the ``Election`` and each contest of the preset through
``setup.create_contest`` (the path every contest takes: the same checks, the "contest
created" audit entry, its creator appointed returning officer), all or nothing: a slug
taken by the third contest leaves no election and no first two contests behind.

``change_contest`` is the officer's change to where a contest comes on its election's
ballot, and to whom it is open (its roll mark), as the admin's election page makes it:
audited, and refused once it would change what voters already hold (ballot order until the
ballot opens; eligibility until the roll is frozen).
"""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import PermissionDenied
from django.db import transaction

from hustings.web.contests.access import Action, can, can_create_contest
from hustings.web.contests.election_presets import MARK, ElectionPreset, load_preset
from hustings.web.contests.elections import Election
from hustings.web.contests.models import STAGES, AuditEntry, Contest, Stage
from hustings.web.contests.setup import SLUG, create_contest
from hustings.web.errors import SetupError


def create_election(*, by, preset: ElectionPreset | str, slug: str, title: str = "",
                    include: Collection[str] = ()) -> Election:
    """The election ``slug`` with the preset's contests (its optional ones only if their
    key is in ``include``), each "<slug>-<key>", in draft, ``by`` their returning officer.
    SetupError lists every problem found before anything is written."""
    if not can_create_contest(by):
        raise PermissionDenied(
            "creating an election needs an officer's account (hustings createofficer)")
    plan = load_preset(preset) if isinstance(preset, str) else preset
    contests = plan.chosen(include)
    slug, title = (slug or "").strip(), (title or "").strip() or plan.title
    errors = []
    if not SLUG.match(slug) or len(slug) > 50 - 21:  # room for "-<key>" in a contest's slug
        errors.append(f"short name {slug!r}; expected lower-case letters, digits and hyphens, "
                      "at most 29 characters")
    elif Election.objects.filter(slug=slug).exists():
        errors.append(f"an election is already called {slug!r}; expected a new short name")
    else:
        taken = Contest.objects.filter(slug__in=[f"{slug}-{c.key}" for c in contests])
        errors += [f"short name {s!r} is taken by a contest; expected a new election short name"
                   for s in taken.values_list("slug", flat=True)]
    if len(title) > 200:
        errors.append(f"title is {len(title)} characters; expected at most 200")
    if errors:
        raise SetupError(errors)
    with transaction.atomic():
        election = Election.objects.create(slug=slug, title=title)
        for c in contests:
            create_contest(by=by, title=c.title, slug=f"{slug}-{c.key}", office=c.office,
                           seats=c.seats, preset=c.rule_book, election=election,
                           ballot_order=c.ballot_order, eligibility=c.eligibility)
    return election


def _stage_before(contest: Contest, stage: Stage) -> bool:
    return STAGES.index(Stage(contest.stage)) < STAGES.index(stage)


def change_contest(contest: Contest, *, by, ballot_order: int | None = None,
                   eligibility: str | None = None, roll_frozen: bool = False) -> list[str]:
    """Move a contest on its election's ballot, or change the roll mark it needs; returns
    the fields changed (audited). ``roll_frozen``: the election's roll is frozen (the
    voting app knows; the caller asks it), after which eligibility is fixed."""
    if not can(by, contest, Action.EDIT):
        raise PermissionDenied("only this contest's officers may change it")
    errors, changed = [], []
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        before = {"ballot_order": locked.ballot_order, "eligibility": locked.eligibility}
        if ballot_order is not None and ballot_order != locked.ballot_order:
            if not _stage_before(locked, Stage.BALLOT_OPEN):
                errors.append(f"{locked.slug}: the ballot is open; expected its place on the "
                              "ballot to stay as the voters saw it")
            locked.ballot_order = ballot_order
            changed.append("ballot_order")
        mark = (eligibility or "").strip().lower() if eligibility is not None else None
        if mark is not None and mark != locked.eligibility:
            if mark and not MARK.match(mark):
                errors.append(f"{locked.slug}: eligibility {mark!r}; expected a roll mark in "
                              "lower case (e.g. london), or nothing for every voter")
            if roll_frozen or not _stage_before(locked, Stage.BALLOT_OPEN):
                errors.append(f"{locked.slug}: the roll is frozen; expected who may vote in it "
                              "to stay as frozen")
            locked.eligibility = mark
            changed.append("eligibility")
        if errors:
            raise SetupError(errors)
        if changed:
            locked.save(update_fields=changed)
            AuditEntry.record(locked, by, "contest changed on its election",
                              detail={f: [before[f], getattr(locked, f)] for f in changed})
    contest.ballot_order, contest.eligibility = locked.ballot_order, locked.eligibility
    return changed
