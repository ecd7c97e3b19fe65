"""The ``[nominations]`` table: who may nominate, and what puts a candidate on the ballot.

Labour Rule Book, Chapter 4, Clause II.2.B ("Nomination"): in a vacancy a candidate needs
supporting nominations from a share of the PLP (12.5% in 2010, 15% from 2014, 10% of MPs
and MEPs plus CLPs or affiliates from 2018); a challenge with no vacancy needs 20%.

Every threshold is compared exactly: the share is a ``Fraction`` and the number of
nominators needed is ``share x eligible`` rounded *up* (``rounding = "exact"``, the same as
comparing the fractions) or to the nearest whole, halves up (``rounding = "half-up"``), as
the preset states. So 33 of 257 MPs passes 12.5% (32.125 needed, rounded up to 33) and 32
fails.

Schema (see the presets in ``hustings/presets``)::

    [nominations]
    clause = "Chapter 4, Clause II.2.B.i"   # cited on every qualification record
    rounding = "exact"                      # or "half-up"
    body_types = ["MP", "MEP", "CLP", "TU", "SS"]   # columns of the nominations table

    [nominations.vacancy]        # a requirement: one of the four shapes below
    bodies = ["MP"]              # Share: nominations from these types / all of these types
    share = "12.5%"

    # AllOf / AnyOf:   all = [ {requirement}, ... ]   or   any = [ ... ]
    # Affiliates:      bodies = ["TU", "SS"], min_bodies = 3, min_by_type = { TU = 2 },
    #                  membership_share = "5%"   (of the affiliated membership of all
    #                  bodies of those types)

    [nominations.challenge]      # optional: the same shapes, for a challenge with no vacancy
"""

from __future__ import annotations

import enum
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from importlib import resources
from typing import Any

from hustings.rulebook.errors import NominationRulesError


class BodyType(enum.Enum):
    """The kinds of nominating body in Labour's rule book."""

    MP = "MP"  # a Commons member of the PLP
    MEP = "MEP"  # a member of the EPLP
    CLP = "CLP"  # a constituency Labour party
    TU = "TU"  # an affiliated trade union
    SS = "SS"  # a socialist society

    @property
    def plural(self) -> str:
        return {
            "MP": "MPs",
            "MEP": "MEPs",
            "CLP": "CLPs",
            "TU": "unions",
            "SS": "socialist societies",
        }[self.value]

    @property
    def column(self) -> str:
        """The short column heading used in the press tables (MPs, CLPs, MEPs, TUs, SSs)."""
        return self.value + "s"

    @property
    def is_affiliate(self) -> bool:
        return self in (BodyType.TU, BodyType.SS)


class Rounding(enum.Enum):
    EXACT = "exact"  # needed = ceil(share x eligible): identical to comparing the fractions
    HALF_UP = "half-up"  # needed = share x eligible rounded to the nearest whole, halves up


@dataclass(frozen=True)
class Share:
    """At least ``share`` of all bodies of ``bodies`` nominated the candidate."""

    bodies: tuple[BodyType, ...]
    share: Fraction
    label: str = ""


@dataclass(frozen=True)
class Affiliates:
    """At least ``min_bodies`` affiliates (with ``min_by_type`` of some types) nominated
    the candidate, together holding ``membership_share`` of all affiliated membership."""

    bodies: tuple[BodyType, ...]
    min_bodies: int
    min_by_type: Mapping[BodyType, int]
    membership_share: Fraction
    label: str = ""


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Requirement, ...]
    label: str = ""


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Requirement, ...]
    label: str = ""


Requirement = Share | Affiliates | AllOf | AnyOf


@dataclass(frozen=True)
class NominationRules:
    clause: str
    rounding: Rounding
    body_types: tuple[BodyType, ...]
    vacancy: Requirement
    challenge: Requirement | None = None

    def requirement(self, *, vacancy: bool) -> Requirement:
        """The requirement for a vacancy, or for a challenge when there is none (clause
        II.2.B.ii); a rule book without a challenge rule uses the vacancy rule."""
        if vacancy or self.challenge is None:
            return self.vacancy
        return self.challenge


@dataclass(frozen=True)
class Tally:
    """One candidate's nominations and what they are out of, per body type.

    ``membership`` is the affiliated membership of the affiliates that nominated the
    candidate; ``total_membership`` that of every affiliate of the type.
    """

    nominations: Mapping[BodyType, int]
    eligible: Mapping[BodyType, int]
    membership: Mapping[BodyType, int] = field(default_factory=dict)
    total_membership: Mapping[BodyType, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    """Whether a requirement is met, and a sentence saying why (for the public record)."""

    passed: bool
    reason: str
    parts: tuple[Assessment, ...] = ()


# -- assessing -------------------------------------------------------------------------


def percent(value: Fraction) -> str:
    """A share as a percentage, truncated to 2 places so that it never overstates:
    33/257 -> "12.84%", 1/8 -> "12.5%"."""
    d = (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN
    )
    text = f"{d:f}".rstrip("0").rstrip(".")
    return f"{text}%"


def needed(share: Fraction, eligible: int, rounding: Rounding) -> int:
    """The number of nominators that meets ``share`` of ``eligible``."""
    exact = share * eligible
    if rounding is Rounding.HALF_UP:
        return math.floor(exact + Fraction(1, 2))
    return math.ceil(exact)


def _bodies_label(bodies: tuple[BodyType, ...]) -> str:
    names = [b.plural for b in bodies]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def assess(req: Requirement, tally: Tally, rounding: Rounding = Rounding.EXACT) -> Assessment:
    """Apply one requirement to one candidate's tally."""
    if isinstance(req, Share):
        got = sum(tally.nominations.get(b, 0) for b in req.bodies)
        out_of = sum(tally.eligible.get(b, 0) for b in req.bodies)
        need = needed(req.share, out_of, rounding)
        ok = out_of > 0 and got >= need
        what = _bodies_label(req.bodies)
        if out_of == 0:
            return Assessment(False, f"no eligible {what} to nominate")
        got_pct = percent(Fraction(got, out_of))
        if Fraction(got, out_of) >= req.share:
            text = f"{got} of {out_of} {what} = {got_pct} ≥ {percent(req.share)}"
        else:
            # below the share: say how many were needed (with half-up rounding that may be
            # fewer than the exact share, and then the candidate still passes)
            text = f"{got} of {out_of} {what} = {got_pct} < {percent(req.share)}"
            text += f"; {need} needed ({rounding.value} rounding)"
        return Assessment(ok, text)
    if isinstance(req, Affiliates):
        count = {b: tally.nominations.get(b, 0) for b in req.bodies}
        total = sum(count.values())
        members = sum(tally.membership.get(b, 0) for b in req.bodies)
        all_members = sum(tally.total_membership.get(b, 0) for b in req.bodies)
        misses = []
        if total < req.min_bodies:
            misses.append(f"{req.min_bodies} affiliates needed")
        for b, n in req.min_by_type.items():
            if count.get(b, 0) < n:
                misses.append(f"{n} {b.plural} needed")
        share = Fraction(members, all_members) if all_members else Fraction(0)
        if all_members == 0 or share < req.membership_share:
            misses.append(f"{percent(req.membership_share)} of affiliated membership needed")
        kinds = ", ".join(f"{count.get(b, 0)} {b.plural}" for b in req.bodies)
        text = (
            f"{total} affiliates ({kinds}) with {members:,} of {all_members:,} affiliated members"
            f" = {percent(share)}"
        )
        text += "; " + "; ".join(misses) if misses else " — meets the affiliates route"
        return Assessment(not misses, text)
    if isinstance(req, AllOf | AnyOf):
        parts = tuple(assess(p, tally, rounding) for p in req.parts)
        ok = (
            all(p.passed for p in parts) if isinstance(req, AllOf) else any(p.passed for p in parts)
        )
        joiner = " and " if isinstance(req, AllOf) else " or "
        inner = joiner.join(
            f"[{'✓' if p.passed else '✗'} {_label(sub)}: {p.reason}]"
            for p, sub in zip(parts, req.parts)
        )
        return Assessment(ok, inner, parts)
    raise TypeError(f"not a nomination requirement: {req!r}")


def _label(req: Requirement) -> str:
    if req.label:
        return req.label
    if isinstance(req, Share | Affiliates):
        return _bodies_label(req.bodies)
    return "all of" if isinstance(req, AllOf) else "one of"


# -- parsing ---------------------------------------------------------------------------


def _fraction(value: Any, where: str) -> Fraction:
    """ "12.5%" -> 1/8; "1/8" -> 1/8. Floats are refused: shares are exact."""
    if not isinstance(value, str):
        raise NominationRulesError(
            f'{where}: expected a share as a string such as "12.5%" or "1/8", got {value!r}'
        )
    text = value.strip()
    try:
        share = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise NominationRulesError(
            f'{where}: expected a share such as "12.5%" or "1/8", got {value!r}'
        ) from None
    if not 0 < share <= 1:
        raise NominationRulesError(
            f"{where}: a share must be above 0% and at most 100%, got {value!r}"
        )
    return share


def _bodies(value: Any, where: str, declared: tuple[BodyType, ...]) -> tuple[BodyType, ...]:
    if not isinstance(value, list) or not value:
        raise NominationRulesError(
            f'{where}: expected a list of body types such as ["MP"], got {value!r}'
        )
    out = []
    for v in value:
        try:
            b = BodyType(v)
        except ValueError:
            raise NominationRulesError(
                f"{where}: unknown body type {v!r}; expected one of "
                + ", ".join(t.value for t in BodyType)
            ) from None
        if b not in declared:
            raise NominationRulesError(f"{where}: body type {v!r} is not in nominations.body_types")
        out.append(b)
    return tuple(out)


def _int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise NominationRulesError(f"{where}: expected a whole number >= 0, got {value!r}")
    return value


def _requirement(table: Any, where: str, declared: tuple[BodyType, ...]) -> Requirement:
    if not isinstance(table, dict):
        raise NominationRulesError(f"{where}: expected a table, got {table!r}")
    label = table.get("label", "")
    if not isinstance(label, str):
        raise NominationRulesError(f"{where}.label: expected a string, got {label!r}")
    for key, cls in (("all", AllOf), ("any", AnyOf)):
        if key in table:
            parts = table[key]
            if not isinstance(parts, list) or not parts:
                raise NominationRulesError(
                    f"{where}.{key}: expected a non-empty list of requirements"
                )
            return cls(
                tuple(
                    _requirement(p, f"{where}.{key}[{i}]", declared) for i, p in enumerate(parts)
                ),
                label,
            )
    if "bodies" not in table:
        raise NominationRulesError(
            f"{where}: expected 'bodies' with 'share' or 'membership_share', or 'all'/'any'"
        )
    bodies = _bodies(table["bodies"], f"{where}.bodies", declared)
    if "membership_share" in table:
        if not all(b.is_affiliate for b in bodies):
            raise NominationRulesError(f"{where}.bodies: the affiliates route takes only TU and SS")
        raw = table.get("min_by_type", {})
        if not isinstance(raw, dict):
            raise NominationRulesError(
                f"{where}.min_by_type: expected a table such as {{ TU = 2 }}"
            )
        min_by_type = {
            _bodies([k], f"{where}.min_by_type", declared)[0]: _int(v, f"{where}.min_by_type.{k}")
            for k, v in raw.items()
        }
        return Affiliates(
            bodies,
            _int(table.get("min_bodies", 1), f"{where}.min_bodies"),
            min_by_type,
            _fraction(table["membership_share"], f"{where}.membership_share"),
            label,
        )
    if "share" not in table:
        raise NominationRulesError(f"{where}: expected 'share' (e.g. \"12.5%\") next to 'bodies'")
    return Share(bodies, _fraction(table["share"], f"{where}.share"), label)


def parse_nominations(document: Mapping[str, Any], source: str = "rule book") -> NominationRules:
    """The ``[nominations]`` table of a parsed rule-book document."""
    table = document.get("nominations")
    if not isinstance(table, dict):
        raise NominationRulesError(f"{source}: no [nominations] table")
    where = f"{source}: nominations"
    try:
        rounding = Rounding(table.get("rounding", "exact"))
    except ValueError:
        raise NominationRulesError(
            f'{where}.rounding: expected "exact" or "half-up", got {table.get("rounding")!r}'
        ) from None
    declared = tuple(BodyType)
    body_types = _bodies(
        table.get("body_types", [t.value for t in BodyType]), f"{where}.body_types", declared
    )
    if "vacancy" not in table:
        raise NominationRulesError(f"{where}: no [nominations.vacancy] requirement")
    vacancy = _requirement(table["vacancy"], f"{where}.vacancy", body_types)
    challenge = (
        _requirement(table["challenge"], f"{where}.challenge", body_types)
        if "challenge" in table
        else None
    )
    clause = table.get("clause", "")
    if not isinstance(clause, str):
        raise NominationRulesError(f"{where}.clause: expected a string, got {clause!r}")
    return NominationRules(clause, rounding, body_types, vacancy, challenge)


def load_nominations(text: str, source: str = "rule book") -> NominationRules:
    """Parse a whole rule-book TOML document and return its ``[nominations]`` rules."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise NominationRulesError(f"{source}: not valid TOML: {e}") from None
    return parse_nominations(document, source)


def preset_names() -> list[str]:
    """The packaged rule books, e.g. ["labour-2010", "labour-2015", "labour-2020"]."""
    folder = resources.files("hustings") / "presets"
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of a packaged rule book."""
    if name not in preset_names():
        raise NominationRulesError(
            f"no rule book preset named {name!r}; expected one of {', '.join(preset_names())}"
        )
    return (resources.files("hustings") / "presets" / f"{name}.toml").read_text(encoding="utf-8")
