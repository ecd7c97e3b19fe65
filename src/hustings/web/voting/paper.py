"""Paper and postal ballots: batches keyed twice, merged into the count once they agree.

A batch file (CSV, header required) has one row per envelope::

    reference,pref1,pref2,pref3
    L0001,Corbyn,Burnham,
    L0002,Kendall,,Cooper

``reference`` is the voter reference printed on the envelope; the ranks are the
candidate names as marked (a blank cell in the middle is a skipped rank, kept for the
count's ballot rules to judge). Two people key the same batch independently; the batch is
accepted only when the second keying agrees with the first exactly, envelope by envelope.

Merging turns each envelope into a participation and a sealed ballot through the same
casting transaction as online votes (sealed to the contest's key like them), so the
participation constraint decides duplicates.
Which ballot counts when a voter voted online too is the contest's ``paper_rule``:

* ``first-received``: batches merge as soon as they are accepted; whichever ballot was
  recorded first counts, the later one is set aside (an online attempt after the paper
  ballot is refused as "already voted");
* ``online``: accepted batches are held until the ballot closes, then merged, so any online
  ballot wins and the paper one is set aside.

A set-aside ballot is reported (reference and reason) and its ranking discarded. Once a
batch is merged its keying (which links envelopes to rankings) is erased; its SHA-256
stays in the ledger.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re

from django.db import transaction

from hustings.web.voting import casting, contest_info, ledger
from hustings.web.voting.errors import AlreadyVoted, NotOpen, PaperBatchError
from hustings.web.voting.models import Channel, PaperBatch, PaperRule, SetAside, Voter

Envelope = tuple[str, tuple[str | None, ...]]
_RANK = re.compile(r"(pref|rank)(\d+)$", re.IGNORECASE)
ACCEPTING = contest_info.ACCEPTING


def parse_batch(text: str, candidates, *, source: str) -> list[Envelope]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise PaperBatchError(f"{source}: the file is empty; expected a header reference,pref1,…")
    header = [h.strip().lower() for h in rows[0]]
    if not header or header[0] != "reference" or not all(_RANK.match(h) for h in header[1:]):
        raise PaperBatchError(
            f"{source}, line 1: header {','.join(rows[0])!r}; expected reference,pref1,pref2,…"
        )
    known = set(candidates)
    out: list[Envelope] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        ref = row[0].strip()
        marks = [c.strip() or None for c in row[1:]]
        while marks and marks[-1] is None:
            marks.pop()
        if not ref:
            problems.append(f"{source}, line {n}: the envelope's voter reference is empty")
        elif ref in seen:
            problems.append(f"{source}, line {n}: reference {ref!r} already on line {seen[ref]}")
        seen.setdefault(ref, n)
        for m in marks:
            if m is not None and m not in known:
                problems.append(
                    f"{source}, line {n}: unknown candidate {m!r}; expected one of "
                    f"{', '.join(candidates)}"
                )
        out.append((ref, tuple(marks)))
    if problems:
        raise PaperBatchError("; ".join(problems))
    return out


def submit_keying(contest, *, section: str, label: str, text: str, by) -> PaperBatch:
    """Record a keying of batch ``label``. The first is stored; the second must come from a
    different person and agree with it, and then the batch is accepted (and merged now or at
    close, by the contest's paper rule)."""
    if contest.stage not in ACCEPTING:
        raise NotOpen("paper batches are accepted while the ballot is open or closed, "
                      "before the count")
    if ledger.setup_for(contest).box_opened_at is not None:
        raise NotOpen("the ballot box has been opened: paper batches are accepted until then")
    rules = contest_info.rules(contest)
    if section not in [s.name for s in rules.sections]:
        raise PaperBatchError(
            f"batch {label}: unknown section {section!r}; expected one of "
            f"{', '.join(s.name for s in rules.sections)}"
        )
    who = by.get_username()
    envelopes = parse_batch(text, rules.candidates, source=f"batch {label} ({who})")
    with transaction.atomic():
        batch = PaperBatch.objects.select_for_update().filter(contest=contest, label=label).first()
        if batch is None:
            return PaperBatch.objects.create(
                contest=contest, section=section, label=label,
                status=PaperBatch.Status.AWAITING_SECOND, first_keying=text, first_keyed_by=who,
            )
        if batch.status != PaperBatch.Status.AWAITING_SECOND:
            raise PaperBatchError(f"batch {label} was already accepted")
        if batch.first_keyed_by == who:
            raise PaperBatchError(
                f"batch {label}: the second keying must be by someone other than {who}, "
                "who keyed it first"
            )
        if batch.section != section:
            raise PaperBatchError(
                f"batch {label}: first keyed for {batch.section!r}, now for {section!r}"
            )
        first = parse_batch(batch.first_keying, rules.candidates, source=f"batch {label}")
        diffs = _compare(first, envelopes)
        if diffs:
            raise PaperBatchError(f"batch {label}: the two keyings disagree: " + "; ".join(diffs))
        batch.status = PaperBatch.Status.ACCEPTED
        batch.second_keyed_by = who
        batch.keying_sha256 = hashlib.sha256(batch.first_keying.encode()).hexdigest()
        batch.save(update_fields=["status", "second_keyed_by", "keying_sha256"])
    if ledger.setup_for(contest).paper_rule == PaperRule.FIRST_RECEIVED:
        merge(batch)
    return batch


def _compare(a: list[Envelope], b: list[Envelope]) -> list[str]:
    da, db = dict(a), dict(b)
    out = []
    for ref in sorted(set(da) | set(db)):
        if ref not in db:
            out.append(f"envelope {ref} only in the first keying")
        elif ref not in da:
            out.append(f"envelope {ref} only in the second keying")
        elif da[ref] != db[ref]:
            show = lambda r: " > ".join(x or "(blank)" for x in r) or "(no marks)"  # noqa: E731
            out.append(f"envelope {ref}: first {show(da[ref])}, second {show(db[ref])}")
        if len(out) >= 5:
            break
    return out


def merge(batch: PaperBatch) -> PaperBatch:
    """Cast every envelope of an accepted batch; set aside the ones that cannot count."""
    contest = batch.contest
    rules = contest_info.rules(contest)
    envelopes = parse_batch(batch.first_keying, rules.candidates, source=f"batch {batch.label}")
    counted = 0
    with transaction.atomic():
        voters = {v.reference: v for v in Voter.objects.filter(
            election_id=contest.election_id, reference__in=[r for r, _ in envelopes])}
        for ref, marks in envelopes:
            voter = voters.get(ref)
            reason = None
            if voter is None:
                reason = "not on the roll"
            elif voter.excluded:
                reason = f"voter excluded: {voter.excluded_reason}"
            elif batch.section not in casting.ballot_sections(contest, voter):
                reason = f"the voter has no ballot in {batch.section}"
            else:
                try:
                    casting.cast(contest, voter, batch.section, list(marks), channel=Channel.PAPER)
                    counted += 1
                except AlreadyVoted:
                    reason = "already voted (online or on another paper ballot)"
            if reason:
                SetAside.objects.create(batch=batch, reference=ref, reason=reason)
        batch.status = PaperBatch.Status.MERGED
        batch.first_keying = ""  # the link between envelopes and rankings goes now
        batch.counted = counted
        batch.set_aside = len(envelopes) - counted
        batch.save(update_fields=["status", "first_keying", "counted", "set_aside"])
        ledger.append(contest, ledger.Kind.PAPER_BATCH, {
            "label": batch.label, "section": batch.section, "keying_sha256": batch.keying_sha256,
            "envelopes": len(envelopes), "counted": counted, "set_aside": batch.set_aside,
        })
    return batch


def merge_held_batches(contest) -> int:
    """Merge accepted batches held back by the 'online' rule (called by the count)."""
    held = list(PaperBatch.objects.filter(contest=contest, status=PaperBatch.Status.ACCEPTED))
    for batch in held:
        merge(batch)
    return len(held)
