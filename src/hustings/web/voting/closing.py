"""Close the ballot, count every section through ``hustings.counting.count``, publish.

Closing is the platform's ``Contest.close_ballot`` transition plus a ledger entry with the
number of participations and ballots (equal, or the close is refused: every participation
row was written with its ballot). The count reads the anonymous ballots only. The
published files are written once, at the count, so everyone downloads the same bytes and
their SHA-256 are in the ledger:

* ``ballots-<section>.csv`` and ``.blt`` — each section's ballots in a random order drawn
  from ``secrets`` (the storage order might reflect the casting order);
* ``result.json`` — the RCTab-format report; ``election.toml`` — the rules with the
  candidates, so ``hustings verify ballots`` can recount with nothing else;
* ``ledger.json`` — the whole hash chain (written at publication, with its last entry).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets

from django.db import transaction
from django.utils import timezone

from hustings.counting import Ballots, Result, count
from hustings.web.voting import contest_info, ledger, resultdoc
from hustings.web.voting.errors import VotingError
from hustings.web.voting.models import Ballot, Participation, PublishedFile


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "section"


def load_ballots(contest, rules) -> tuple[Ballots, list[tuple[str, list[str]]]]:  # noqa: ANN001
    """Every stored ballot, shuffled with a ``secrets`` seed, as counting Ballots."""
    rows = list(Ballot.objects.filter(contest=contest).values_list("section", "ranking"))
    secrets.SystemRandom().shuffle(rows)
    names = tuple(s.name for s in rules.sections)
    ballots = Ballots.from_rankings(
        rules.candidates, [r for _, r in rows], sections=[s for s, _ in rows], section_names=names
    )
    return ballots, rows


def close(contest, *, by) -> None:  # noqa: ANN001
    """Close the ballot (the platform's transition) and seal the ledger. A ballot already
    closed through the platform's generic stage button is sealed here, once."""
    from hustings.web.voting.models import LedgerEntry

    with transaction.atomic():
        if contest.stage == contest_info.BALLOT_CLOSED:
            if LedgerEntry.objects.filter(contest=contest, kind=ledger.Kind.BALLOT_CLOSED).exists():
                return
            if not by.has_perm("contests.run_contest"):
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied("close: only a returning officer may do this")
        else:
            contest.close_ballot(by=by)
        n_part = Participation.objects.filter(contest=contest).count()
        n_ball = Ballot.objects.filter(contest=contest).count()
        if n_part != n_ball:
            raise VotingError(
                f"cannot close: {n_part} participations but {n_ball} ballots; they must be equal"
            )
        ledger.append(contest, ledger.Kind.BALLOT_CLOSED, {"participations": n_part, "ballots": n_ball})


def count_contest(contest, *, by) -> Result:  # noqa: ANN001
    """Count the closed ballot, store the published files, record the count."""
    from hustings.web.voting import paper  # merges batches held back by the 'online' rule

    paper.merge_held_batches(contest)
    rules = contest_info.rules(contest)
    ballots, rows = load_ballots(contest, rules)
    result = count(rules, ballots)
    files: dict[str, str] = {}
    for section in rules.sections:
        mine = [r for s, r in rows if s == section.name]
        files[f"ballots-{slug(section.name)}.csv"] = ballots_csv(section.name, mine, rules.candidates)
        files[f"ballots-{slug(section.name)}.blt"] = ballots_blt(
            mine, rules.candidates, rules.seats, f"{contest.title} – {section.name}")
    files["result.json"] = json.dumps(resultdoc.document(result, title=contest.title), indent=2,
                                      default=str)
    files["election.toml"] = contest_info.election_toml(contest)
    plain = resultdoc.plain_document(result)
    with transaction.atomic():
        setup = ledger.setup_for(contest)
        PublishedFile.objects.filter(contest=contest).delete()
        for name, text in files.items():
            PublishedFile.objects.create(contest=contest, name=name, content=text,
                                         sha256=hashlib.sha256(text.encode()).hexdigest())
        setup.result_plain = plain
        setup.result_json = files["result.json"]
        setup.election_toml = files["election.toml"]
        setup.counted_at = timezone.now()
        setup.save(update_fields=["result_plain", "result_json", "election_toml", "counted_at"])
        ledger.append(contest, ledger.Kind.COUNTED, {
            "winners": list(result.winners), "ballots": len(rows),
            "files": {n: hashlib.sha256(t.encode()).hexdigest() for n, t in sorted(files.items())},
        })
        contest.mark_counted(by=by)
    return result


def publish(contest, *, by) -> None:  # noqa: ANN001
    with transaction.atomic():
        contest.publish(by=by)
        entry = ledger.append(contest, ledger.Kind.PUBLISHED, {
            "result_sha256": PublishedFile.objects.get(contest=contest, name="result.json").sha256,
        })
        text = json.dumps({"contest": contest.slug, "entries": ledger.entries(contest)}, indent=1)
        PublishedFile.objects.update_or_create(
            contest=contest, name="ledger.json",
            defaults={"content": text, "sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
    del entry


def ballots_csv(section: str, rankings: list[list[str]], candidates) -> str:  # noqa: ANN001
    width = max([len(r) for r in rankings] + [1])
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", *[f"pref{i}" for i in range(1, width + 1)]])
    for r in rankings:
        w.writerow([section, *r, *[""] * (width - len(r))])
    return out.getvalue()


def ballots_blt(rankings: list[list[str]], candidates, seats: int, title: str) -> str:  # noqa: ANN001
    from hustings.formats.blt import blt_text

    ballots = Ballots.from_rankings(candidates, rankings)
    return blt_text(ballots, seats=seats, title=title)


def close_count_publish(contest, *, by) -> Result:  # noqa: ANN001
    close(contest, by=by)
    result = count_contest(contest, by=by)
    publish(contest, by=by)
    return result
