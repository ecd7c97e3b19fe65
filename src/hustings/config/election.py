"""Load ``election.toml`` (and the packaged presets) into typed data.

Every key is checked against a table of known keys and parsers below; a key not there is
an error, except ``[nominations]`` (the web app's, read by ``hustings.rulebook``). Strings
become enums and Fractions here, at the edge, so the counting core only sees ``Rules``.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hustings.config.errors import ConfigError
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
from hustings.formats.readers import SectionPlan, Source
from hustings.rulebook import preset_names, preset_text

IGNORED_TABLES = {"nominations"}  # owned by the web app's rule-book loader
CONTEST_KEYS = {"preset", "name", "title", "rule_book", "date", "description", "office"}


@dataclass(frozen=True)
class SectionSpec:
    """One ``[[sections]]`` entry: a weighted part of the electorate."""

    name: str
    weight: Fraction = Fraction(1)
    labels: tuple[str, ...] = ()
    ballots: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Election:
    """A contest as the TOML describes it. ``rules()`` needs the candidates when the TOML
    does not declare them (they then come from the ballots)."""

    path: Path | None
    contest: Mapping[str, Any] = field(default_factory=dict)
    candidates: tuple[str, ...] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)  # other Rules fields
    sections: tuple[SectionSpec, ...] = ()

    def rules(self, candidates: tuple[str, ...] | None = None, **overrides: Any) -> Rules:
        """The counting core's ``Rules``; ``overrides`` win over the TOML (e.g. CLI flags)."""
        options = {**self.options, **overrides}
        if self.sections:
            options.setdefault("sections", tuple(Section(s.name, s.weight) for s in self.sections))
        return Rules(candidates=self.candidates or candidates or (), **options)

    @property
    def plan(self) -> SectionPlan | None:
        """Which ballot-file labels go to which section (None: one section, OMOV)."""
        if not self.sections:
            return None
        # A section's own name is a label too, unless another section claims it.
        labels = {s.name: s.name for s in self.sections}
        labels.update({label: s.name for s in self.sections for label in s.labels})
        return SectionPlan(tuple(s.name for s in self.sections), labels)

    @property
    def sources(self) -> tuple[Source, ...]:
        """The ballot files the TOML lists, each with its section."""
        return tuple(Source(p, s.name) for s in self.sections for p in s.ballots)

    @property
    def title(self) -> str | None:
        return self.contest.get("title") or self.contest.get("name")


# --- value parsers: (value, where) -> typed value, or ConfigError -------------------------

Parser = Callable[[Any, str], Any]


def _enum(kind: type[enum.Enum]) -> Parser:
    def parse(value: Any, where: str) -> Any:
        try:
            return kind(value)
        except ValueError:
            choices = ", ".join(m.value for m in kind)
            raise _Bad(repr(value), f"one of {choices}") from None

    return parse


def _int(low: int) -> Parser:
    def parse(value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise _Bad(repr(value), f"a whole number ≥ {low}")
        return value

    return parse


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(repr(value), "true or false")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(repr(value), "a non-empty string")
    return value.strip()


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Bad(repr(value), "a list of names (strings)")
    names = tuple(v.strip() for v in value)
    if len(set(names)) != len(names):
        raise _Bad(repr(value), "names without repeats")
    return names


FRACTION = re.compile(r"\s*\d+(\s*/\s*\d+)?\s*%?\s*")


def _fraction(value: Any, where: str) -> Fraction:
    """A weight: a whole number, or a string such as "1/3" (or "15%" for a share)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return Fraction(value)
    if isinstance(value, str) and FRACTION.fullmatch(value):
        text = value.replace(" ", "")
        percent = text.endswith("%")
        try:
            number = Fraction(text.rstrip("%"))
        except (ZeroDivisionError, ValueError):  # ValueError: past Python's 4,300-digit limit
            number = Fraction(0)
        if number > 0:
            return number / 100 if percent else number
    raise _Bad(repr(value), 'a number > 0: a whole number or a fraction string such as "1/3"')


def _decimal_places(value: Any, where: str) -> int | None:
    if value == "exact":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 12:
        raise _Bad(repr(value), 'a whole number from 0 to 12, or "exact"')
    return value


COUNT: dict[str, tuple[str, Parser]] = {  # TOML key -> (Rules field, parser)
    "method": ("method", _enum(Method)),
    "seats": ("seats", _int(1)),
    "quota": ("quota", _enum(Quota)),
    "decimal_places": ("decimal_places", _decimal_places),
    "candidates": ("candidates", _names),
    "excluded": ("excluded", lambda v, w: frozenset(_names(v, w))),
    "non_integer_threshold": ("non_integer_threshold", _bool),
    "first_round_determines_threshold": ("first_round_determines_threshold", _bool),
    "batch_elimination": ("batch_elimination", _bool),
    "continue_until_two_remain": ("continue_until_two_remain", _bool),
    "stop_after_round": ("stop_after_round", _int(1)),
    "stv_one_winner_per_round": ("stv_one_winner_per_round", _bool),
    "bottoms_up_threshold": ("bottoms_up_threshold", _fraction),
    "undeclared_write_in": ("undeclared_write_in", _str),
    "stop_when_seats_filled": ("stop_when_seats_filled", _bool),
}
TIE_BREAK: dict[str, Parser] = {"mode": _enum(TieBreakMode), "seed": _int(0)}
BALLOT: dict[str, Parser] = {
    "overvote": _enum(OvervoteRule),
    "max_skipped_ranks": _int(0),
    "max_rankings": _int(1),
    "exhaust_on_duplicate": _bool,
}
SECTION: dict[str, Parser] = {
    "name": _str,
    "weight": _fraction,
    "labels": _names,
    "ballots": _names,
}


class _Bad(Exception):
    """A parser's complaint, given its place by the caller: (what, expected)."""


# --- loading ---------------------------------------------------------------------------------


def load_election(path: str | PathLike[str]) -> Election:
    """Read ``election.toml``; a ``preset`` key starts from that packaged rule book."""
    path = Path(path)
    return parse_election(_read(path), source=path, folder=path.parent)


def parse_election(
    text: str, *, source: str | PathLike[str] = "rule book", folder: Path | None = None
) -> Election:
    """The same from TOML text (e.g. a rule book stored in a database). ``source`` names
    it in errors; ballot paths are relative to ``folder`` (without one, listing ballot
    files is an error)."""
    path = Path(source)
    data = _toml(path, text)
    preset = _preset_name(path, data)
    if preset is not None:
        base = _toml(_preset_label(preset), _preset_text(path, preset))
        data = _merge(base, data)
    return _build(path, data, folder=folder)


def load_preset(name: str) -> Election:
    """A packaged rule book on its own (``hustings count --preset labour-2010``)."""
    return _build(Path(_preset_label(name)), _toml(_preset_label(name), _preset_text(None, name)),
                  folder=None)


def _preset_label(name: str) -> str:
    return f"preset {name}"


def count_preset_names() -> list[str]:
    """Count-only rule books (statutes: ``presets/counts/``). They hold no
    ``[nominations]`` table, so the web app's contests, which need one, do not list them."""
    folder = resources.files("hustings") / "presets" / "counts"
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def _preset_text(path: Path | None, name: str) -> str:
    if name in count_preset_names():
        folder = resources.files("hustings") / "presets" / "counts"
        return (folder / f"{name}.toml").read_text(encoding="utf-8")
    if name not in preset_names():
        # named in a file: say which file and key; asked for directly: just the name
        names = sorted(preset_names() + count_preset_names())
        raise ConfigError(path or "hustings presets", "preset" if path else None,
                          f"no preset {name!r}", f"one of {', '.join(names)}")
    return preset_text(name)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(path, None, "not UTF-8 text", "a TOML file") from None
    except OSError as e:
        raise ConfigError(path, None, f"cannot open: {e.strerror}",
                          "a readable TOML file") from None


TOML_WHERE = re.compile(r"(.*) \(at line (\d+), column \d+\)")


def _toml(path: str | Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = TOML_WHERE.fullmatch(str(e))
        what, line = (m.group(1), int(m.group(2))) if m else (str(e), None)
        raise ConfigError(path, line, what.lower(), "valid TOML") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(path, None, "arrays or tables nested too deeply",
                          "valid TOML nested a few levels") from None


def _preset_name(path: Path, data: dict[str, Any]) -> str | None:
    top = data.get("preset")
    contest = data.get("contest", {})
    inner = contest.get("preset") if isinstance(contest, dict) else None
    if top is not None and inner is not None and top != inner:
        raise ConfigError(path, "preset", f"{top!r} and contest.preset {inner!r}", "one preset")
    name = top if top is not None else inner
    if name is not None and not isinstance(name, str):
        raise ConfigError(path, "preset", repr(name), "a preset name (a string)")
    return name


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """The file's keys over the preset's: tables merge key by key; sections merge by name
    (a section the preset lacks is added)."""
    out = dict(base)
    for key, value in over.items():
        if key == "sections" and isinstance(value, list) and isinstance(base.get(key), list):
            merged: dict[object, Any] = {
                s.get("name"): dict(s) for s in base[key] if isinstance(s, dict)}
            for s in value:
                name = s.get("name") if isinstance(s, dict) else None
                # only a string names a section; anything else stays apart, for _build to refuse
                name = name if isinstance(name, str) else object()
                merged[name] = {**merged.get(name, {}), **s} if isinstance(s, dict) else s
            out[key] = list(merged.values())
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = _merge(base[key], value)
        else:
            out[key] = value
    return out


def _build(path: Path, data: dict[str, Any], *, folder: Path | None) -> Election:
    for key in data:
        if key not in {"preset", "contest", "count", "sections"} | IGNORED_TABLES:
            raise ConfigError(path, key, "unknown key",
                              "preset, [contest], [count], [[sections]] or [nominations]")
    contest = _table(path, data, "contest")
    for key in contest:
        if key not in CONTEST_KEYS:
            raise ConfigError(path, f"contest.{key}", "unknown key",
                              f"one of {', '.join(sorted(CONTEST_KEYS))}")
    count = _table(path, data, "count")
    options: dict[str, Any] = {}
    for key, value in count.items():
        if key in ("tie_break", "ballot"):
            continue
        if key not in COUNT:
            raise ConfigError(path, f"count.{key}", "unknown key",
                              f"one of {', '.join(COUNT)}, [count.tie_break], [count.ballot]")
        field_name, parse = COUNT[key]
        options[field_name] = _parse(path, f"count.{key}", parse, value)
    tie = _fields(path, _table(path, count, "tie_break", "count.tie_break"), TIE_BREAK,
                  "count.tie_break")
    ballot = _fields(path, _table(path, count, "ballot", "count.ballot"), BALLOT, "count.ballot")
    if tie:
        options["tie_break"] = TieBreak(**tie)
    if ballot:
        options["ballot_rules"] = BallotRules(**ballot)
    candidates = options.pop("candidates", None)
    sections = _sections(path, data.get("sections"), folder)
    return Election(path, MappingProxyType(dict(contest)), candidates,
                    MappingProxyType(options), sections)


def _table(path: Path, data: Mapping[str, Any], key: str,
           where: str | None = None) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(path, where or key, repr(value), f"a table [{where or key}]")
    return value


def _parse(path: Path, where: str, parse: Parser, value: Any) -> Any:
    try:
        return parse(value, where)
    except _Bad as e:
        what, expected = e.args
        raise ConfigError(path, where, what, expected) from None


def _fields(path: Path, table: dict[str, Any], known: dict[str, Parser],
            where: str) -> dict[str, Any]:
    out = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(path, f"{where}.{key}", "unknown key", f"one of {', '.join(known)}")
        out[key] = _parse(path, f"{where}.{key}", known[key], value)
    return out


def _sections(path: Path, value: Any, folder: Path | None) -> tuple[SectionSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise ConfigError(path, "sections", repr(value), "one or more [[sections]] tables")
    specs: list[SectionSpec] = []
    owner: dict[str, str] = {}
    for i, table in enumerate(value):
        where = f"sections[{i}]"
        if not isinstance(table, dict):
            raise ConfigError(path, where, repr(table), "a [[sections]] table")
        fields = _fields(path, table, SECTION, where)
        if "name" not in fields:
            raise ConfigError(path, f"{where}.name", "missing", "a section name")
        name = fields["name"]
        if any(s.name == name for s in specs):
            raise ConfigError(path, f"{where}.name", f"{name!r} again", "unique section names")
        for label in fields.get("labels", ()):
            if label in owner:
                raise ConfigError(path, f"{where}.labels", f"{label!r} also in {owner[label]!r}",
                                  "each label in one section")
            owner[label] = name
        ballots = fields.get("ballots", ())
        if ballots and folder is None:
            raise ConfigError(path, f"{where}.ballots", "ballot files in a rule book without "
                              "a folder", "ballots listed in an election.toml file")
        specs.append(SectionSpec(
            name, fields.get("weight", Fraction(1)), fields.get("labels", ()),
            tuple((folder / b) if folder else Path(b) for b in ballots),
        ))
    return tuple(specs)
