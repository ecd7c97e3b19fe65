"""What voting needs to know about a ``contests.Contest``, in one place.

The platform's ``Contest`` keeps its rule book as TOML (``rule_book``), its candidates
(``contest.ballot()``: on the ballot, in ballot order) and its stage. The counting tables of
the TOML are turned into typed ``Rules`` by ``hustings.config``; the section labels (the
spellings of a section on a roll or ballot file) are read from the same ``[[sections]]``.
"""

from __future__ import annotations

import tomllib
from fractions import Fraction

from hustings.counting import (
    BallotRules,
    Method,
    OvervoteRule,
    Quota,
    Rules,
    Section,
    TieBreak,
    TieBreakMode,
)

BALLOT_OPEN = "ballot_open"
BALLOT_CLOSED = "ballot_closed"
COUNTED = "counted"
PUBLISHED = "published"


def candidates(contest) -> tuple[str, ...]:  # noqa: ANN001
    return tuple(c.name for c in contest.ballot())


def ballot_is_open(contest) -> bool:  # noqa: ANN001
    return contest.stage == BALLOT_OPEN


def rule_book(contest) -> dict:  # noqa: ANN001
    return tomllib.loads(contest.rule_book)


def section_labels(contest) -> dict[str, str]:  # noqa: ANN001
    """Every accepted spelling (lower case) of a section -> its name in the rule book."""
    out: dict[str, str] = {}
    for s in rule_book(contest).get("sections", []) or [{"name": "all"}]:
        out[s["name"].lower()] = s["name"]
        for label in s.get("labels", []):
            out[str(label).lower()] = s["name"]
    return out


def rules(contest) -> Rules:  # noqa: ANN001
    """The typed rules the count runs under: the rule book's tables plus the ballot."""
    try:  # the config engineer's loader, when present, is the one authority on election.toml
        from hustings.config import rules_from_toml  # type: ignore[attr-defined]
    except ImportError:
        rules_from_toml = None
    if rules_from_toml is not None:
        return rules_from_toml(contest.rule_book, candidates=candidates(contest))
    return _rules_from_tables(rule_book(contest), candidates(contest), contest.seats)


def _rules_from_tables(book: dict, cands: tuple[str, ...], seats: int) -> Rules:
    """Fallback reading of the [count] and [[sections]] tables of the presets."""
    count = book.get("count", {})
    tie = count.get("tie_break", {})
    ballot = count.get("ballot", {})
    sections = tuple(
        Section(s["name"], Fraction(str(s.get("weight", "1")))) for s in book.get("sections", [])
    ) or (Section("all"),)
    return Rules(
        candidates=cands,
        method=Method(count.get("method", "irv")),
        seats=int(count.get("seats", seats or 1)),
        quota=Quota(count.get("quota", "droop")),
        tie_break=TieBreak(
            TieBreakMode(tie.get("mode", "previous-rounds-then-random")), int(tie.get("seed", 0))
        ),
        ballot_rules=BallotRules(
            overvote=OvervoteRule(ballot.get("overvote", "exhaust-immediately")),
            max_skipped_ranks=ballot.get("max_skipped_ranks"),
            max_rankings=ballot.get("max_rankings"),
            exhaust_on_duplicate=bool(ballot.get("exhaust_on_duplicate", False)),
        ),
        sections=sections,
        decimal_places=count.get("decimal_places", 4),
    )


def election_toml(contest) -> str:  # noqa: ANN001
    """The rule book as published with the result: the contest's TOML with the candidates
    on the ballot written into ``[count] candidates`` so a recount needs nothing else."""
    names = ", ".join('"' + n.replace("\\", "\\\\").replace('"', '\\"') + '"'
                      for n in candidates(contest))
    text = contest.rule_book.rstrip() + "\n"
    header = f"# Published by Hustings with the result of contest {contest.slug!r}.\n"
    # A second [count] table is not allowed in TOML; append the list as a dotted key
    # in a table of its own only when the book has none.
    book = rule_book(contest)
    if "candidates" in book.get("count", {}):
        return header + text
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "[count]":
            lines.insert(i + 1, f"candidates = [{names}]")
            break
    else:
        lines += ["", "[count]", f"candidates = [{names}]"]
    return header + "\n".join(lines) + "\n"
