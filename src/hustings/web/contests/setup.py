"""Setting a contest up on the site: the rule book, the contest, its candidates and dates.

Each function checks the actor's permission (``contests.access``), refuses what the stage
does not allow, and writes one ``AuditEntry`` in the same transaction as the change. The
bodies' CSV import is in ``nominations.bodyimport``.

Errors: ``SetupError`` (a ``PlatformError``) with ``.errors``, one line each, "where: what;
expected ...". A rule book is checked by the two authorities on it: ``hustings.config``
(the count and the sections) and ``hustings.rulebook`` (the nomination thresholds).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from hustings.config import ConfigError, parse_election
from hustings.rulebook import load_nominations, preset_names, preset_text
from hustings.rulebook.errors import RuleBookError
from hustings.web.contests import people
from hustings.web.contests.access import Action, can, can_create_contest
from hustings.web.contests.election_presets import MARK
from hustings.web.contests.elections import Election
from hustings.web.contests.models import (
    AuditEntry,
    Candidate,
    CandidateResponse,
    Contest,
    Office,
    Role,
    Stage,
)
from hustings.web.errors import SetupError

# Candidates and the roll of nominators may change until nominations close and the
# ballot is fixed (Contest.close_nominations).
EDITABLE = (Stage.DRAFT, Stage.NOMINATIONS_OPEN)
MAX_RULE_BOOK = 256 * 1024


def _audit(contest, by, action, **detail) -> AuditEntry:
    return AuditEntry.record(contest, by, action, detail=detail)


# -- the rule book --------------------------------------------------------------------------


def check_rule_book(text: str, source: str = "election.toml") -> dict:
    """Check a rule book as TOML; returns what it says (sections, method, thresholds) for
    the page. Raises SetupError with the file, line or key of each problem found."""
    errors = []
    summary: dict = {}
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raw = {}  # parse_election below says where
    contest_table = raw.get("contest") if isinstance(raw.get("contest"), dict) else {}
    if "preset" in raw or "preset" in contest_table:
        # The voting app and the nomination rules read the stored TOML as it is: a file
        # that only names a preset would lose the preset's sections and thresholds.
        errors.append(
            f"{source}: preset: the site keeps a whole rule book; expected a file without "
            "`preset` (choose the preset from the list, or start from a copy of "
            "src/hustings/presets/<name>.toml)"
        )
    try:
        election = parse_election(text, source=source)
        sections = election.sections
        summary["sections"] = [(s.name, str(s.weight)) for s in sections] or [("All voters", "1")]
        method = election.options.get("method")
        summary["method"] = getattr(method, "value", method) or "irv"
    except ConfigError as e:
        errors.append(str(e))
    try:
        rules = load_nominations(text, source)
        summary["thresholds"] = rules.requirement(vacancy=True).label
        summary["body_types"] = [b.value for b in rules.body_types]
    except RuleBookError as e:
        errors.append(
            str(e)
            + (
                "; expected a [nominations] table (copy it from a preset)"
                if "no [" in str(e)
                else ""
            )
        )
    if errors:
        raise SetupError(errors)
    return summary


def rule_book_summary(contest: Contest) -> dict:
    try:
        return check_rule_book(contest.rule_book, f"contest {contest.slug}")
    except SetupError as e:
        return {"errors": e.errors}


# -- the contest ----------------------------------------------------------------------------

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def create_contest(
    *,
    by,
    title: str,
    slug: str = "",
    office: str = Office.LEADER,
    seats: int = 1,
    vacancy: bool = True,
    preset: str = "",
    rule_book: str = "",
    rule_book_name: str = "election.toml",
    election: Election | None = None,
    ballot_order: int = 0,
    eligibility: str = "",
) -> Contest:
    """A new contest in draft, its creator appointed returning officer. The rule book is
    a preset's, or an uploaded ``election.toml`` (``rule_book``), checked first. Without
    ``election`` it is an election of its own; with one, it joins that election's roll
    (``setup_election``), at ``ballot_order``, open to the voters marked ``eligibility``."""
    if not can_create_contest(by):
        raise PermissionDenied(
            "creating a contest needs an officer's account (hustings createofficer)"
        )
    errors = []
    title = (title or "").strip()
    if not title:
        errors.append("title is empty; expected the contest's name")
    slug = (slug or "").strip() or slugify(title)[:50]
    if not SLUG.match(slug):
        errors.append(
            f"short name {slug!r} is not usable in a web address; expected lower-case letters, "
            "digits and hyphens"
        )
    elif Contest.objects.filter(slug=slug).exists():
        errors.append(f"short name {slug!r} is taken; expected a new one")
    if office not in Office.values:
        errors.append(f"office {office!r} is unknown; expected one of {', '.join(Office.values)}")
    if not isinstance(seats, int) or seats < 1:
        errors.append(f"seats {seats!r}; expected a whole number, 1 or more")
    if rule_book.strip():
        if len(rule_book) > MAX_RULE_BOOK:
            errors.append(
                f"{rule_book_name}: {len(rule_book):,} characters; "
                f"expected at most {MAX_RULE_BOOK:,}"
            )
        else:
            try:
                check_rule_book(rule_book, rule_book_name)
            except SetupError as e:
                errors.extend(e.errors)
        preset = ""
    elif preset not in preset_names():
        errors.append(
            f"rule book {preset!r} is not a preset; expected one of "
            f"{', '.join(preset_names())} or an election.toml"
        )
    if eligibility and not MARK.match(eligibility):
        errors.append(
            f"eligibility {eligibility!r}; expected a roll mark in lower case (letters, digits, "
            "- or _; e.g. london), or nothing for every voter"
        )
    if errors:
        raise SetupError(errors)
    with transaction.atomic():
        contest = Contest.objects.create(
            slug=slug,
            title=title,
            office=office,
            seats=seats,
            vacancy=vacancy,
            rule_book_preset=preset or "uploaded",
            rule_book=rule_book if rule_book.strip() else preset_text(preset),
            election=election,
            ballot_order=ballot_order,
            eligibility=eligibility,
        )
        detail = {"election": contest.election.slug} if election is not None else {}
        if eligibility:
            detail["eligibility"] = eligibility
        _audit(contest, by, "contest created", rule_book=preset or rule_book_name, title=title,
               **detail)
        people.appoint(contest, by.get_username(), Role.RETURNING_OFFICER, by=by, check=False)
    return contest


def set_dates(contest: Contest, *, by, **dates: dt.datetime | None) -> None:
    """The announced timetable: nominations_open_on ... ballot_close_on, in order."""
    if not can(by, contest, Action.EDIT):
        raise PermissionDenied("only this contest's officers may set its dates")
    names = ("nominations_open_on", "nominations_close_on", "ballot_open_on", "ballot_close_on")
    given = [(n, dates.get(n)) for n in names]
    present = [(n, d) for n, d in given if d is not None]
    errors = [
        f"{b.replace('_', ' ')} ({db:%d %b %Y %H:%M}) is before "
        f"{a.replace('_', ' ')} ({da:%d %b %Y %H:%M}); expected the stages in order"
        for (a, da), (b, db) in itertools.pairwise(present)
        if db < da
    ]
    if errors:
        raise SetupError(errors)
    with transaction.atomic():
        for n, d in given:
            setattr(contest, n, d)
        contest.save(update_fields=list(names))
        _audit(contest, by, "dates set", **{n: d.isoformat() if d else None for n, d in given})


# -- candidates -----------------------------------------------------------------------------


def _editable(contest: Contest, by, what: str) -> Contest:
    if not can(by, contest, Action.EDIT):
        raise PermissionDenied(f"{what}: only this contest's officers may do this")
    locked = Contest.objects.select_for_update().get(pk=contest.pk)
    if locked.stage not in EDITABLE:
        raise SetupError(
            [
                (
                    f"cannot {what}: the ballot is fixed (the contest is at "
                    f"{Stage(locked.stage).label!r}); expected draft or nominations open"
                )
            ]
        )
    return locked


def _candidate_slug(contest: Contest, name: str, exclude=None) -> str:
    base = slugify(name)[:45] or "candidate"
    slug, n = base, 2
    taken = contest.candidates.exclude(pk=getattr(exclude, "pk", None))
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_name(contest: Contest, name: str, exclude=None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise SetupError(
            ["candidate name is empty; expected a name as it will appear on the ballot"]
        )
    if len(name) > 120:
        raise SetupError([f"candidate name is {len(name)} characters; expected at most 120"])
    same = contest.candidates.filter(name__iexact=name).exclude(pk=getattr(exclude, "pk", None))
    if same.exists():
        raise SetupError([f"{same.first().name} is already a candidate; expected a new name"])
    return name


def add_candidate(contest: Contest, name: str, *, by) -> Candidate:
    with transaction.atomic():
        locked = _editable(contest, by, "add a candidate")
        name = _check_name(locked, name)
        cand = Candidate.objects.create(
            contest=locked, name=name, slug=_candidate_slug(locked, name)
        )
        _audit(locked, by, "candidate added", candidate=name)
    return cand


def rename_candidate(candidate: Candidate, name: str, *, by) -> Candidate:
    with transaction.atomic():
        locked = _editable(candidate.contest, by, "edit a candidate")
        name = _check_name(locked, name, exclude=candidate)
        old = candidate.name
        candidate.name = name
        candidate.slug = _candidate_slug(locked, name, exclude=candidate)
        candidate.save(update_fields=["name", "slug"])
        _audit(locked, by, "candidate renamed", candidate=name, was=old)
    return candidate


def withdraw_candidate(candidate: Candidate, *, by) -> None:
    """A candidate who stands down before the ballot is fixed: recorded as declining
    nomination (so they cannot be nominated and are left off the ballot); their
    nominations stay as history."""
    with transaction.atomic():
        locked = _editable(candidate.contest, by, "withdraw a candidate")
        if candidate.response == CandidateResponse.DECLINED:
            raise SetupError([f"{candidate.name} has already withdrawn"])
        candidate.response = CandidateResponse.DECLINED
        candidate.save(update_fields=["response"])
        _audit(locked, by, "candidate withdrawn", candidate=candidate.name)


def link_account(candidate: Candidate, username: str, *, by) -> None:
    """The candidate's own login, so they accept or decline nomination themselves; an
    empty username unlinks it."""
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        locked = _editable(candidate.contest, by, "link a candidate's account")
        username = (username or "").strip()
        user = None
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise SetupError(
                    [f"no user {username!r}; expected the username of the candidate's account"]
                )
        candidate.user = user
        candidate.save(update_fields=["user"])
        _audit(locked, by, "candidate account linked", candidate=candidate.name, user=username)
