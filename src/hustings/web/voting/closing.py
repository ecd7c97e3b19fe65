"""The voting side of the contest's lifecycle: what opening, closing, counting, publishing
and going back *do*, as hooks the ``Contest`` transitions call.

Each lifecycle step is written once, as a ``Contest`` method (``contests/models.py``);
that method locks the contest row, checks the stage and the officer's permission, calls
the hook below inside the same transaction (before it writes the new stage), and records
the hook's returned dict as the audit entry's ``detail``. So the generic "next stage"
button, the officer's voting page and any script all do the same thing, and a hook that
raises leaves nothing behind (stage, ledger entry, files: one transaction).

* ``opened`` (``open_ballot``): refused until the trustees are named (the box has a key),
  then a ``ballot-opened`` ledger entry.
* ``seal`` (``close_ballot``): refuses unless participations = sealed ballots (every
  participation row was written with its sealed ballot), then a ``ballot-closed`` entry
  sealing every lane's head.
* Between the close and the count, k trustees open the ballot box (``box.open_box``: the
  officer's "Open the ballot box" page or ``hustings open-box``); it is not a stage of its
  own, and it writes the opened ballots the count reads.
* ``count_and_store`` (``mark_counted``): refused while the box is sealed; counts every
  section of the opened ballots through ``hustings.counting.count``, stores the published
  files and a ``counted`` entry with their SHA-256. "Record the count" cannot happen
  without a count. The files are written once, here, so everyone downloads the same bytes:

  - ``ballots-<section>.csv`` and ``.blt`` — each section's opened ballots, in a new
    random order drawn from ``secrets``; the CSV names the section in every row, the BLT
    in its title (``<contest> – <section>``), so ``verify`` never reads it from a file name;
  - ``sealed-ballots.csv`` — every sealed ballot (receipt, section, ciphertext), sorted by
    receipt, so anyone can hold them to the ledger and a trustee can re-open them
    (``hustings verify sealed`` / ``verify box``);
  - ``result.json`` — the RCTab-format report; ``election.toml`` — the rules with the
    candidates, so ``hustings verify ballots`` can recount with nothing else.

  Beside them, in the result document only (not a published file), the ``analysis`` the
  results page draws: ``analysisdoc.build`` (charts, what-if, margin), made here once.

* ``publish_files`` (``publish``): a ``published`` entry and ``ledger.json`` (the whole
  hash chain, with that last entry).
* ``going_back`` (``go_back``): what may be undone. Once counted, a contest may go back
  only to "Ballot closed" (a recount): the count's files are kept, renamed
  ``superseded-<n>-<name>``, and a ``count-withdrawn`` ledger entry records the reason and
  their SHA-256; the recount writes fresh files. A published result is declared: going
  back from it is refused (a correction is a new contest). While ballots are stored the
  contest cannot go back before "Ballot open" (that would unfix the ballot under them).
  Reopening a closed ballot writes a ``ballot-opened`` entry with the reason; the next
  close seals again (the ledger's check holds the last seal to every lane's head).

``close``, ``count_contest``, ``publish`` and ``close_count_publish`` are kept for scripts
and tests: each only calls the ``Contest`` method.
"""

from __future__ import annotations

import json
import re
import secrets

import numpy as np
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from hustings.counting import Ballots, CountingError, count
from hustings.formats.ballot_csv import ballots_csv_chunks, ballots_csv_text
from hustings.formats.blt import blt_chunks
from hustings.publication import resultdoc
from hustings.web.contests.models import Stage
from hustings.web.errors import TransitionError
from hustings.web.voting import (
    analysisdoc,
    box,
    contest_info,
    ledger,
    published,
    sealedlist,
    trustees,
)
from hustings.web.voting.models import (
    Ballot,
    LedgerEntry,
    Participation,
    PublishedFile,
    SealedBallot,
)

COUNT_WITHDRAWN = "count-withdrawn"
SUPERSEDED = "superseded-"

BALLOT_OPEN, BALLOT_CLOSED, COUNTED, PUBLISHED = (
    Stage.BALLOT_OPEN, Stage.BALLOT_CLOSED, Stage.COUNTED, Stage.PUBLISHED)
_ORDER = [Stage.DRAFT, Stage.NOMINATIONS_OPEN, Stage.NOMINATIONS_CLOSED, BALLOT_OPEN, BALLOT_CLOSED,
          COUNTED, PUBLISHED]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "section"


def load_ballots(contest, rules) -> tuple[Ballots, list[tuple[str, list[str]]]]:
    """Every opened ballot, shuffled with ``secrets``, as counting Ballots, and as
    (section, ranking) rows in the same order.

    The database groups equal ballots (a national contest of four candidates has at most
    a few hundred distinct ones in 500,000): each distinct ranking is decoded and encoded
    once, and the rows share it; the shuffle is of row numbers."""
    distinct = list(Ballot.objects.filter(contest=contest).values_list("section", "ranking")
                    .annotate(n=Count("id")).order_by())
    order = [i for i, (_, _, n) in enumerate(distinct) for _ in range(n)]
    secrets.SystemRandom().shuffle(order)
    names = tuple(s.name for s in rules.sections)
    each = Ballots.from_rankings(rules.candidates, [r for _, r, _ in distinct],
                                 sections=[s for s, _, _ in distinct], section_names=names)
    pick = np.fromiter(order, dtype=np.int64, count=len(order))
    ballots = Ballots(each.candidates, each.ranks[pick], each.weights[pick], each.sections[pick],
                      each.section_names, each.overvote_sets)
    return ballots, [distinct[i][:2] for i in order]


def _ref(entry: LedgerEntry) -> dict:
    """Where a ledger entry is, for the audit entry: the two logs point at each other."""
    return {"lane": entry.lane, "seq": entry.seq, "hash": entry.hash}


# -- the hooks (called by Contest's transitions, under its row lock) -------------------


def opened(contest) -> dict:
    """``open_ballot``: refused without a box key; the ledger records the opening."""
    if trustees.box_key(contest) is None:
        raise TransitionError(
            "cannot open ballot: no trustees are named, so ballots could not be sealed; "
            "name the trustees (and hand out their shares) first")
    return {"ledger": _ref(ledger.append(contest, ledger.Kind.BALLOT_OPENED, {}))}


def seal(contest) -> dict:
    """``close_ballot``: refuse unless every participation has its sealed ballot; seal the
    ledger."""
    n_part = Participation.objects.filter(contest=contest).count()
    n_ball = SealedBallot.objects.filter(contest=contest).count()
    if n_part != n_ball:
        raise TransitionError(
            f"cannot close ballot: {n_part} participations but {n_ball} sealed ballots; they "
            "must be equal"
        )
    # "ballots": the sealed ballots (the key the audit page and earlier ledgers use)
    entry = ledger.append(
        contest, ledger.Kind.BALLOT_CLOSED, {"participations": n_part, "ballots": n_ball})
    return {"participations": n_part, "ballots": n_ball, "ledger": _ref(entry)}


def _sealed(contest) -> bool:
    """Is the last opening followed by a close? (A reopened ballot must be sealed again.)"""
    last = (LedgerEntry.objects.filter(contest=contest, lane=0)
            .filter(Q(kind=ledger.Kind.BALLOT_OPENED) | Q(kind=ledger.Kind.BALLOT_CLOSED))
            .order_by("-seq").values_list("kind", flat=True).first())
    return last == ledger.Kind.BALLOT_CLOSED


def count_and_store(contest) -> dict:
    """``mark_counted``: count the closed ballot, store the published files, record the
    count in the ledger. Returns the audit detail (winners, ballots, files' SHA-256)."""
    detail: dict = {}
    if not _sealed(contest):
        # Closed before the close sealed the ledger (by an older version's stage button):
        # seal it now, before anything else is appended.
        detail["sealed_at_count"] = seal(contest)
    if PublishedFile.objects.filter(contest=contest).exclude(name__startswith=SUPERSEDED).exists():
        # Files of an earlier count left by an older version's "go back": keep them.
        detail["superseded"] = _supersede(contest, "recount (files of an earlier count)")
    if box.needs_opening(contest):
        k = getattr(trustees.box_key(contest), "threshold", 0)
        raise TransitionError(
            f"cannot record count: the ballot box is still sealed; {k} trustee(s) must open "
            "it first ('Open the ballot box', or hustings open-box)")
    if not contest_info.candidates(contest):
        raise TransitionError("cannot record count: no candidate is on the ballot")
    rules = contest_info.rules(contest)
    # The count runs inside the transition's transaction, under the contest row lock: a
    # second press waits and is then refused, and a failed count leaves nothing behind.
    ballots, rows = load_ballots(contest, rules)
    try:
        result = count(rules, ballots)
    except CountingError as e:
        raise TransitionError(f"cannot record count: the count failed: {e}") from e
    # Each file is written a piece at a time and hashed as it is written (published.py):
    # at 500,000 ballots no file is held whole in this process.
    hashes: dict[str, str] = {}
    for index, section in enumerate(rules.sections):
        mine = [r for s, r in rows if s == section.name]
        name = f"ballots-{slug(section.name)}"
        hashes[f"{name}.csv"] = published.store(contest, f"{name}.csv",
                                                ballots_csv_chunks(section.name, mine))
        hashes[f"{name}.blt"] = published.store(contest, f"{name}.blt", blt_chunks(
            _section_of(ballots, index), seats=rules.seats,
            title=blt_title(contest.title, section.name)))
        del mine
    hashes[sealedlist.NAME] = published.store(contest, sealedlist.NAME, sealedlist.write_chunks(
        _sealed_by_receipt(contest)))
    files = {"result.json": json.dumps(resultdoc.document(result, title=contest.title),
                                       indent=2, default=str),
             "election.toml": contest_info.election_toml(contest)}
    for name, text in files.items():
        hashes[name] = published.store(contest, name, [text])
    hashes = dict(sorted(hashes.items()))
    setup = ledger.setup_for(contest)
    # The charts, what-if and margin are computed once, here, and kept in the result
    # document the page reads (never per page view: the margin solves ILPs).
    setup.result_plain = {**resultdoc.plain_document(result),
                          "analysis": analysisdoc.build(rules, ballots, result, contest.title)}
    setup.result_json = files["result.json"]
    setup.election_toml = files["election.toml"]
    setup.counted_at = timezone.now()
    setup.save(update_fields=["result_plain", "result_json", "election_toml", "counted_at"])
    entry = ledger.append(contest, ledger.Kind.COUNTED, {
        "winners": list(result.winners), "ballots": len(rows), "files": hashes,
    })
    return {**detail, "winners": list(result.winners), "ballots": len(rows), "files": hashes,
            "ledger": _ref(entry)}


def publish_files(contest) -> dict:
    """``publish``: the publication entry, then ledger.json with the whole chain."""
    stored = PublishedFile.objects.filter(contest=contest, name="result.json").first()
    if stored is None:
        raise TransitionError(
            "cannot publish result: no count is stored; go back to 'Ballot closed' and "
            "record the count"
        )
    entry = ledger.append(contest, ledger.Kind.PUBLISHED, {"result_sha256": stored.sha256})
    # written a piece at a time from a server-side cursor, hashed as it is written
    PublishedFile.objects.filter(contest=contest, name="ledger.json").delete()
    digest = published.store(contest, "ledger.json", published.ledger_json_chunks(contest))
    return {"result_sha256": stored.sha256, "ledger_json_sha256": digest, "ledger": _ref(entry)}


def going_back(contest, to: str, reason: str) -> dict:
    """``go_back``: refuse what cannot be undone; withdraw an unpublished count."""
    current, target = _ORDER.index(contest.stage), _ORDER.index(to)
    if contest.stage == PUBLISHED:
        raise TransitionError(
            "cannot go back from 'Result published': the result is declared and its files "
            "and ledger are public; a correction needs a new contest"
        )
    if current >= _ORDER.index(COUNTED) and target < _ORDER.index(BALLOT_CLOSED):
        raise TransitionError(
            f"cannot go back to {to!r} from 'Counted': once counted, a contest goes back "
            "only to 'Ballot closed' (a recount)"
        )
    if target < _ORDER.index(BALLOT_OPEN):
        n = SealedBallot.objects.filter(contest=contest).count()
        if n:
            raise TransitionError(
                f"cannot go back to {to!r}: {n} ballots are stored, and the ballot they "
                "were cast on cannot change under them; expected 'Ballot open' or later"
            )
    if to == BALLOT_OPEN and box.is_opened(contest):
        raise TransitionError(
            "cannot reopen the ballot: the ballot box has been opened, and ballots cast now "
            "could not be counted")
    if to == BALLOT_OPEN:
        # Casts will follow the seal: the ledger says why the ballot reopened.
        entry = ledger.append(contest, ledger.Kind.BALLOT_OPENED, {"reopened": reason})
        return {"ledger": _ref(entry)}
    if contest.stage != COUNTED:
        return {}
    return _supersede(contest, reason)


def _supersede(contest, reason: str) -> dict:
    """Withdraw the current count's files: kept, renamed ``superseded-<n>-<name>`` (so
    nothing once hashed into the ledger is lost), with a ``count-withdrawn`` entry."""
    current_files = list(PublishedFile.objects.filter(contest=contest)
                         .exclude(name__startswith=SUPERSEDED))
    n = LedgerEntry.objects.filter(contest=contest, kind=COUNT_WITHDRAWN).count() + 1
    for f in current_files:
        f.name = f"{SUPERSEDED}{n}-{f.name}"
        f.save(update_fields=["name"])
    withdrawn = {f.name: f.sha256 for f in sorted(current_files, key=lambda f: f.name)}
    entry = ledger.append(contest, COUNT_WITHDRAWN, {"reason": reason, "files": withdrawn})
    return {"count_withdrawn": withdrawn, "ledger": _ref(entry)}


# -- the published files ------------------------------------------------------------


def _section_of(ballots: Ballots, index: int) -> Ballots:
    """One section's rows of the counted ballots, in their order (the same rows, and the
    same BLT text, as ``Ballots.from_rankings`` of that section's rankings: a BLT line
    drops trailing blank ranks, and an overvote is written by its candidates)."""
    mask = ballots.sections == index
    return Ballots(ballots.candidates, ballots.ranks[mask], ballots.weights[mask],
                   np.zeros(int(mask.sum()), dtype=np.int16),
                   overvote_sets=ballots.overvote_sets)


def _sealed_by_receipt(contest):
    """Every sealed ballot, sorted by receipt (bytewise, as Python sorts the hex), read
    from a server-side cursor."""
    if connection.vendor == "postgresql":
        return published.server_rows(
            'SELECT receipt, section, ciphertext FROM voting_sealedballot WHERE contest_id = %s '
            'ORDER BY receipt COLLATE "C"', [contest.pk])
    return (SealedBallot.objects.filter(contest=contest).order_by("receipt")
            .values_list("receipt", "section", "ciphertext").iterator(chunk_size=20_000))


def ballots_csv(section: str, rankings: list[list[str]]) -> str:
    """One section's ballots as CSV: the section is named in every row (``verify`` reads
    it from there, never from the file name)."""
    return ballots_csv_text(section, rankings)


def blt_title(title: str, section: str) -> str:
    """A BLT file's title names its section after the last " – " (``verify`` reads it)."""
    return f"{title} – {section}"


def ballots_blt(rankings: list[list[str]], candidates, seats: int, title: str) -> str:
    from hustings.formats.blt import blt_text

    ballots = Ballots.from_rankings(candidates, rankings)
    return blt_text(ballots, seats=seats, title=title)


# -- for scripts and tests: each is only the Contest method ----------------------------


def close(contest, *, by):
    """Close the ballot (sealing the ledger); returns the audit entry."""
    return contest.close_ballot(by=by)


def count_contest(contest, *, by):
    """Record the count (counting and storing the files); returns the audit entry."""
    return contest.mark_counted(by=by)


def publish(contest, *, by):
    return contest.publish(by=by)


def close_count_publish(contest, *, by, shares=()):
    """Close, open the box with the trustees' ``shares``, count and publish."""
    close(contest, by=by)
    if box.needs_opening(contest):
        box.open_box(contest, list(shares), by=by)
        contest.refresh_from_db()
    entry = count_contest(contest, by=by)
    publish(contest, by=by)
    return entry
