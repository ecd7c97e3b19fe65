"""Election presets: the contests of a real ballot event, kept as TOML and read into plain
typed data (``presets/elections/<name>.toml``; ``labour-2015``: leader and deputy, and the
London mayoral contest for voters the roll marks ``london``).

This module only reads text (no database, no Django): ``parse_preset`` gives an
``ElectionPreset`` of frozen dataclasses, or a ``SetupError`` listing every problem as
"file:line: what; expected ...". ``setup_election.create_election`` makes the election
from it. The format::

    [election]
    title = "..."                 # the election's default title

    [[contests]]                  # one table per contest, any number ≥ 1
    key = "leader"                # the contest's short name is "<election slug>-<key>"
    title = "..."
    office = "leader"             # leader | deputy | mayor | body
    seats = 1                     # optional, 1
    rule_book = "labour-2015"     # a rule-book preset (presets/<name>.toml)
    ballot_order = 0              # optional: the table's position; unique
    eligibility = "london"        # optional: the roll mark a voter needs; "" = everyone
    optional = true               # optional: made only when asked for (--with-london)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from typing import Any

from hustings.rulebook import preset_names
from hustings.web.errors import SetupError

KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A roll mark as rollfile reads it: lower case, no ";" (the cell's separator) or spaces.
MARK = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
OFFICES = ("leader", "deputy", "mayor", "body")  # contests.models.Office (a test holds them equal)
_CONTEST_KEYS = ("key", "title", "office", "seats", "rule_book", "ballot_order", "eligibility",
                 "optional")


@dataclass(frozen=True)
class ContestPlan:
    """One contest of an election preset, as the preset file says it."""

    key: str
    title: str
    office: str
    rule_book: str
    seats: int = 1
    ballot_order: int = 0
    eligibility: str = ""
    optional: bool = False
    line: int = 0  # where its [[contests]] table starts, for messages


@dataclass(frozen=True)
class ElectionPreset:
    name: str
    title: str
    contests: tuple[ContestPlan, ...]  # in ballot order
    source: str

    def chosen(self, include: Collection[str] = ()) -> tuple[ContestPlan, ...]:
        """The contests to make: every one that is not optional, and the optional ones
        whose key is in ``include``. An unknown key in ``include`` is an error."""
        optional = {c.key for c in self.contests if c.optional}
        unknown = sorted(set(include) - optional)
        if unknown:
            raise SetupError([
                f"{self.source}: no optional contest {k!r}; expected one of "
                f"{', '.join(sorted(optional)) or '(none: this preset has no optional contest)'}"
                for k in unknown])
        return tuple(c for c in self.contests if not c.optional or c.key in include)


def preset_folder() -> Any:
    return resources.files("hustings") / "presets" / "elections"


def election_preset_names() -> list[str]:
    """The packaged election presets, e.g. ["labour-2015"]."""
    return sorted(p.name[: -len(".toml")] for p in preset_folder().iterdir()
                  if p.name.endswith(".toml"))


def load_preset(name: str) -> ElectionPreset:
    """A packaged election preset by name (``labour-2015``)."""
    if name not in election_preset_names():
        raise SetupError([f"no election preset named {name!r}; expected one of "
                          f"{', '.join(election_preset_names())}"])
    text = (preset_folder() / f"{name}.toml").read_text(encoding="utf-8")
    return parse_preset(text, source=f"presets/elections/{name}.toml", name=name)


class _Lines:
    """Where each table and key of the TOML text is, for "file:line" in messages (tomllib
    parses without positions). Tables are found by their headers; a key by the first
    ``key =`` line inside its table."""

    HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"-]+)\s*\]\]?")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables: dict[str, list[tuple[int, int]]] = {}  # name -> [(first, last) line]
        current: tuple[str, int] | None = None
        for n, line in enumerate(self.lines, start=1):
            m = self.HEADER.match(line)
            if m:
                if current:
                    self.tables.setdefault(current[0], []).append((current[1], n - 1))
                current = (m.group(2), n)
        if current:
            self.tables.setdefault(current[0], []).append((current[1], len(self.lines)))

    def table(self, name: str, index: int = 0) -> int:
        spans = self.tables.get(name, [])
        return spans[index][0] if index < len(spans) else 1

    def key(self, table: str, index: int, key: str) -> int:
        spans = self.tables.get(table, [])
        if index >= len(spans):
            return 1
        first, last = spans[index]
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for n in range(first, last + 1):
            if pattern.match(self.lines[n - 1]):
                return n
        return first


def parse_preset(text: str, *, source: str = "election preset", name: str = "",
                 rule_books: Collection[str] | None = None) -> ElectionPreset:
    """An election preset from its TOML text; SetupError lists every problem found, each
    "source:line: what; expected ...". ``rule_books``: the rule-book presets a contest
    may name (by default the packaged ones)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        where = f"{source}:{m.group(1)}" if m else source
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e)).lower()
        raise SetupError([f"{where}: {what}; expected valid TOML"]) from None
    books = set(preset_names() if rule_books is None else rule_books)
    at = _Lines(text)
    errors: list[str] = []

    def err(line: int, what: str, expected: str) -> None:
        errors.append(f"{source}:{line}: {what}; expected {expected}")

    for extra in sorted(set(raw) - {"election", "contests"}):
        err(at.table(extra) if extra in at.tables else 1, f"unknown table [{extra}]",
            "[election] and [[contests]]")
    election = raw.get("election")
    title = ""
    if not isinstance(election, dict):
        err(1, "no [election] table", "[election] with its title")
    else:
        title = election.get("title", "")
        for extra in sorted(set(election) - {"title"}):
            err(at.key("election", 0, extra), f"unknown key election.{extra}", "only title")
        if not isinstance(title, str) or not title.strip():
            err(at.key("election", 0, "title"), f"election.title is {title!r}",
                "the election's name as text")
            title = ""
    tables = raw.get("contests")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        err(at.table("contests") if "contests" in at.tables else 1,
            "no [[contests]] tables", "one [[contests]] table per contest, at least one")
        tables = []
    plans = [p for i, t in enumerate(tables) if (p := _contest(t, i, at, err, books)) is not None]
    _check_together(plans, err)
    if errors:
        raise SetupError(errors)
    return ElectionPreset(name=name, title=title.strip(),
                          contests=tuple(sorted(plans, key=lambda p: p.ballot_order)),
                          source=source)


def _contest(t: dict, i: int, at: _Lines, err, books: set[str]) -> ContestPlan | None:
    def line(key: str) -> int:
        return at.key("contests", i, key)

    ok = True

    def bad(key: str, what: str, expected: str) -> None:
        nonlocal ok
        ok = False
        err(line(key), what, expected)

    for extra in sorted(set(t) - set(_CONTEST_KEYS)):
        bad(extra, f"contest {i + 1}: unknown key {extra!r}", ", ".join(_CONTEST_KEYS))
    for required in ("key", "title", "office", "rule_book"):
        if required not in t:
            bad(required, f"contest {i + 1}: no {required}", f"{required} = ...")
    key, title = t.get("key", ""), t.get("title", "")
    office, book = t.get("office", ""), t.get("rule_book", "")
    if "key" in t and not (isinstance(key, str) and KEY.match(key) and len(key) <= 20):
        bad("key", f"contest {i + 1}: key {key!r}",
            "lower-case letters, digits and hyphens, at most 20 (e.g. \"leader\")")
    if "title" in t and not (isinstance(title, str) and title.strip() and len(title) <= 200):
        bad("title", f"contest {i + 1}: title {title!r}", "the contest's name, 1 to 200 characters")
    if "office" in t and office not in OFFICES:
        bad("office", f"contest {i + 1}: office {office!r}", f"one of {', '.join(OFFICES)}")
    if "rule_book" in t and book not in books:
        bad("rule_book", f"contest {i + 1}: rule book {book!r} is not a preset",
            f"one of {', '.join(sorted(books))}")
    seats = t.get("seats", 1)
    if not isinstance(seats, int) or isinstance(seats, bool) or seats < 1:
        bad("seats", f"contest {i + 1}: seats {seats!r}", "a whole number, 1 or more")
    order = t.get("ballot_order", i)
    if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 1000:
        bad("ballot_order", f"contest {i + 1}: ballot_order {order!r}",
            "a whole number from 0 (first on the ballot)")
    mark = t.get("eligibility", "")
    if not isinstance(mark, str) or (mark and not MARK.match(mark)):
        bad("eligibility", f"contest {i + 1}: eligibility {mark!r}",
            "a roll mark in lower case (letters, digits, - or _; e.g. \"london\"), or \"\" for "
            "every voter")
    optional = t.get("optional", False)
    if not isinstance(optional, bool):
        bad("optional", f"contest {i + 1}: optional {optional!r}", "true or false")
    if not ok:
        return None
    return ContestPlan(key=key, title=title.strip(), office=office, rule_book=book, seats=seats,
                       ballot_order=order, eligibility=mark, optional=optional,
                       line=at.table("contests", i))


def _check_together(plans: list[ContestPlan], err) -> None:
    seen: dict[str, ContestPlan] = {}
    orders: dict[int, ContestPlan] = {}
    for p in plans:
        if p.key in seen:
            err(p.line, f"contest key {p.key!r} is also the key of the contest at line "
                f"{seen[p.key].line}", "a key of its own for each contest")
        seen.setdefault(p.key, p)
        if p.ballot_order in orders:
            err(p.line, f"ballot_order {p.ballot_order} is also that of the contest at line "
                f"{orders[p.ballot_order].line}", "one place on the ballot per contest")
        orders.setdefault(p.ballot_order, p)
