"""What voting needs to know about a ``contests.Contest``, in one place.

The platform's ``Contest`` keeps its rule book as TOML (``rule_book``), its candidates
(``contest.ballot()``: on the ballot, in ballot order) and its stage. The counting tables of
the TOML are turned into typed ``Rules`` by ``hustings.config``; the section labels (the
spellings of a section on a roll or ballot file) are read from the same ``[[sections]]``.
"""

from __future__ import annotations

import functools
import tomllib
from typing import Any

from hustings.config import parse_election
from hustings.counting import Rules
from hustings.web.contests.models import Contest, Stage

# The stages voting asks about: ``contests.models.Stage`` is the one source (voting builds
# on contests, never the other way round, so this import makes no circle).
DRAFT = Stage.DRAFT
BALLOT_OPEN = Stage.BALLOT_OPEN
BALLOT_CLOSED = Stage.BALLOT_CLOSED
COUNTED = Stage.COUNTED
PUBLISHED = Stage.PUBLISHED
ACCEPTING = (BALLOT_OPEN, BALLOT_CLOSED)  # paper ballots: until the count


def candidates(contest: Contest) -> tuple[str, ...]:
    """The names on the ballot, in ballot order; kept on the instance (one per request), as
    the ballot is fixed once nominations close and a cast asks several times."""
    cached = getattr(contest, "_voting_candidates", None)
    if cached is None:
        cached = tuple(c.name for c in contest.ballot())
        contest._voting_candidates = cached
    return cached


def ballot_is_open(contest: Contest) -> bool:
    return contest.stage == BALLOT_OPEN


def rule_book(contest: Contest) -> dict[str, Any]:
    return tomllib.loads(contest.rule_book)


def section_labels(contest: Contest) -> dict[str, str]:
    """Every accepted spelling (lower case) of a section -> its name in the rule book."""
    out: dict[str, str] = {}
    for s in rule_book(contest).get("sections", []) or [{"name": "all"}]:
        out[s["name"].lower()] = s["name"]
        for label in s.get("labels", []):
            out[str(label).lower()] = s["name"]
    return out


def rules(contest: Contest) -> Rules:
    """The typed rules the count runs under: the rule book read by ``hustings.config`` (the
    one authority on election.toml) with the candidates on the ballot."""
    return _rules(contest.rule_book, candidates(contest))


@functools.lru_cache(maxsize=64)
def _rules(text: str, cands: tuple[str, ...]) -> Rules:
    return parse_election(text).rules(cands)


def election_toml(contest: Contest) -> str:
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
