"""What "Run the ballot" shows: the checklist of stages, the roll (searched, filtered, one
page at a time), turnout per section and the counts of security codes.

Read-only queries and plain data for ``officer.manage``; nothing here writes. Every figure
is a ``COUNT`` in the database and the roll is read one page at a time (``ROLL_PAGE``
rows), so the page costs the same for 600,000 voters as for 24: the roll is never loaded
whole.

What the models hold decides what is shown: a code is *issued* (a ``Credential``),
*sent* (its email went: ``sent_at``), *printed* (a voter without email gets a letter),
*replaced* (the audit log's "reissue security code" entries) and *locked* (too many wrong
tries). Bounces are not recorded anywhere yet, so the page says so rather than show 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from hustings.web.contests.models import Stage
from hustings.web.voting import contest_info, trustees
from hustings.web.voting.models import Credential, Participation, Voter

ROLL_PAGE = 50
BEFORE_BALLOT = trustees.BEFORE_THE_BALLOT
CLOSED = (Stage.BALLOT_CLOSED, Stage.COUNTED, Stage.PUBLISHED)


@dataclass(frozen=True)
class Step:
    """One line of the checklist: its title, whether it is done, and what it does."""

    key: str
    title: str
    done: bool
    what: str


def section_names(contest) -> list[str]:
    """The rule book's sections, in its order (their names, not their other spellings)."""
    return list(dict.fromkeys(contest_info.section_labels(contest).values()))


def in_section(section: str) -> Q:
    """Voters holding a ballot in ``section``. On PostgreSQL a jsonb containment; SQLite's
    JSONField has no ``contains``, so there the stored JSON text is matched, quotes and all
    (``"MP"`` does not match ``"MPs"``)."""
    if connection.vendor == "postgresql":
        return Q(sections__contains=[section])
    return Q(sections__icontains=json.dumps(section))


def marked(mark: str) -> Q:
    """Voters whose roll marks include ``mark`` (as ``in_section``, for ``Voter.marks``)."""
    if connection.vendor == "postgresql":
        return Q(marks__contains=[mark])
    return Q(marks__icontains=json.dumps(mark))


def contest_voters(contest) -> QuerySet:
    """The voters of the contest's election who may vote in it (not excluded; with its
    mark, for a contest open to part of the roll)."""
    voters = Voter.objects.filter(election_id=contest.election_id, excluded_at__isnull=True)
    return voters.filter(marked(contest.eligibility)) if contest.eligibility else voters


@dataclass(frozen=True)
class ElectionContest:
    """One contest of the election the roll serves, as the officer's page lists it."""

    contest: object
    eligible: int  # voters on the roll who may vote in it (not excluded; with its mark)
    this: bool  # the contest whose page this is


def election_contests(contest) -> list[ElectionContest]:
    """Every contest of ``contest``'s election in ballot order, each with the number of
    voters who may vote in it: one COUNT per contest, whatever the roll's size."""
    return [ElectionContest(c, contest_voters(c).count(), c.pk == contest.pk)
            for c in contest.election.ordered_contests()]


def roll_marks(contest) -> list[str]:
    """The roll marks the election's contests ask for: the only ones a roll may carry."""
    return sorted({c.eligibility for c in contest.election.contests.all() if c.eligibility})


def checklist(contest, setup, *, voters: int, issued: int, eligible: int) -> list[Step]:
    stage = contest.stage
    key = trustees.box_key(contest)
    return [
        Step("trustees", "Name the trustees of the ballot box", key is not None,
             "Makes the contest's key and hands each trustee a share, shown once; "
             "any k of them open the box after the close."),
        Step("roll", "Import the roll", voters > 0,
             "Loads the voters (reference, name, email, postal address, sections, and the "
             "marks of those who may vote in a contest open to part of the roll); it can be "
             "replaced until it is frozen."),
        Step("freeze", "Freeze the roll", setup.roll_frozen_at is not None,
             "Fixes who may vote and writes the number per section and the roll's hash in "
             "the ledger; it cannot be undone."),
        Step("issue", "Issue security codes", eligible > 0 and issued >= eligible,
             "Gives every voter on the frozen roll a code: emails are queued, "
             "the letters for voters without email are downloaded."),
        Step("open", "Open the ballot", stage not in BEFORE_BALLOT,
             "Voters can vote online and on paper."),
        Step("close", "Close the ballot", stage in CLOSED,
             "No more ballots are accepted; the ledger is sealed."),
        Step("count", "Open the ballot box and count", stage in (Stage.COUNTED, Stage.PUBLISHED),
             "k trustees' shares open the sealed ballots, which are shuffled and counted."),
        Step("publish", "Publish the result", stage == Stage.PUBLISHED,
             "The result, the ballots and the ledger become public; this cannot be undone."),
    ]


def next_step(steps: list[Step]) -> Step | None:
    return next((s for s in steps if not s.done), None)


def roll_figures(contest) -> dict:
    voters = Voter.objects.filter(election_id=contest.election_id)
    eligible = voters.filter(excluded_at__isnull=True)
    creds = Credential.objects.filter(voter__election_id=contest.election_id)
    from hustings.web.contests.models import AuditEntry

    return {
        "voters": voters.count(),
        "eligible": eligible.count(),
        "excluded": voters.filter(excluded_at__isnull=False).count(),
        "voted": Participation.objects.filter(contest=contest).values("voter").distinct().count(),
        "issued": creds.count(),
        "emailed": creds.exclude(voter__email="").count(),
        "sent": creds.filter(sent_at__isnull=False).count(),
        "letters": creds.filter(voter__email="").count(),
        "replaced": AuditEntry.objects.filter(contest=contest,
                                              action="reissue security code").count(),
        "locked": creds.filter(locked_until__gt=timezone.now()).count(),
        "reminders": creds.aggregate(n=Sum("reminders_sent"))["n"] or 0,
        "without_code": eligible.filter(credential__isnull=True).count(),
    }


def turnout(contest) -> list[dict]:
    """Per section: voters who hold a ballot there (not excluded), ballots cast, the share."""
    cast = dict(Participation.objects.filter(contest=contest).values("section")
                .annotate(n=Count("id")).values_list("section", "n"))
    rows = []
    for name in section_names(contest):
        eligible = contest_voters(contest).filter(in_section(name)).count()
        voted = cast.get(name, 0)
        share = f"{100 * voted / eligible:.1f}%" if eligible else "–"
        rows.append({"section": name, "eligible": f"{eligible:,}", "voted": f"{voted:,}",
                     "share": share})
    return rows


@dataclass(frozen=True)
class RollQuery:
    """The roll table's search and filters, parsed from the query string."""

    q: str = ""
    section: str = ""
    voted: str = ""  # "yes" | "no" | ""
    code: str = ""  # "none" | "issued" | "sent" | "letter" | "locked" | ""
    excluded: str = ""  # "yes" | "no" | ""

    @classmethod
    def from_get(cls, get) -> RollQuery:
        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = get.get(name, "")
            return value if value in allowed else ""

        return cls(q=get.get("q", "").strip()[:100], section=get.get("section", "")[:100],
                   voted=pick("voted", ("yes", "no")),
                   code=pick("code", ("none", "issued", "sent", "letter", "locked")),
                   excluded=pick("excluded", ("yes", "no")))

    @property
    def active(self) -> bool:
        return any((self.q, self.section, self.voted, self.code, self.excluded))


def roll_rows(contest, query: RollQuery) -> QuerySet:
    rows = (Voter.objects.filter(election_id=contest.election_id).select_related("credential")
            .annotate(has_voted=Exists(Participation.objects.filter(voter=OuterRef("pk"),
                                                                    contest=contest))))
    if query.q:
        rows = rows.filter(Q(reference__icontains=query.q) | Q(name__icontains=query.q)
                           | Q(email__icontains=query.q))
    if query.section:
        rows = rows.filter(in_section(query.section))
    if query.voted:
        rows = rows.filter(has_voted=query.voted == "yes")
    if query.excluded:
        rows = rows.filter(excluded_at__isnull=query.excluded == "no")
    if query.code == "none":
        rows = rows.filter(credential__isnull=True)
    elif query.code == "issued":
        rows = rows.filter(credential__isnull=False)
    elif query.code == "sent":
        rows = rows.filter(credential__sent_at__isnull=False)
    elif query.code == "letter":
        rows = rows.filter(credential__isnull=False, email="")
    elif query.code == "locked":
        rows = rows.filter(credential__locked_until__gt=timezone.now())
    return rows.order_by("reference")


def roll_page(contest, query: RollQuery, number) -> object:
    """One page of the filtered roll (a Django ``Page``): a COUNT and one LIMIT query."""
    return Paginator(roll_rows(contest, query), ROLL_PAGE).get_page(number)


def consequences(figures: dict, stage: str) -> dict[str, str]:
    """What each step that cannot be undone will do, in figures, for its confirmation."""
    f = figures
    return {
        "freeze": (f"Freeze the roll: {f['voters']:,} voters. The roll can no longer be "
                   "replaced; voters who joined after the freeze date are excluded."),
        "issue": (f"Issue codes to {f['without_code']:,} voters: the emails are sent and "
                  "cannot be called back; the letters download now and are not kept."),
        "open": (f"Open the ballot: {f['eligible']:,} voters on the frozen roll can vote "
                 "from now."),
        "close": (f"Close the ballot: {f['voted']:,} of {f['eligible']:,} voted; no more "
                  "ballots will be accepted, online or on paper keyed after the count."),
        "publish": ("Publish the result: the count, the ballots and the ledger become public; "
                    "a published result cannot be taken back."),
        "trustees": ("Name the trustees again: a new key is made and the shares already "
                     "handed out will open nothing."),
    }
