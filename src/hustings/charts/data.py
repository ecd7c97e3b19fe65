"""The figures charts draw, read from a ``Result`` or from our report JSON.

A *view* is one way of looking at a round: ``WEIGHTED`` (the college's weighted shares,
in percent) or one section (votes). A count of one section has one view, in votes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from hustings.charts import ChartError
from hustings.counting import EXHAUSTED, RESIDUAL, Result

WEIGHTED = "College (weighted)"
HALF = "Half the section's votes"  # the line on a section's chart: the college's is 50%


@dataclass(frozen=True)
class View:
    """One round as one view sees it."""

    name: str
    percent: bool  # figures are weighted percentages (else votes)
    tally: tuple[tuple[str, Fraction], ...]  # continuing candidates, in candidate order
    threshold: Fraction | None  # the line to cross (a section of a college: half its votes)
    exhausted: Fraction | None  # ballots no longer counting (None for the weighted view)
    # (source, target, votes or weighted points) moved at the end of the round
    transfers: tuple[tuple[str, str, Fraction], ...] = ()
    threshold_label: str = "Threshold"  # a college's section: "Half the section's votes"

    @property
    def turnout(self) -> Fraction | None:
        if self.exhausted is None:
            return None
        return sum((v for _, v in self.tally), Fraction(0)) + self.exhausted


@dataclass(frozen=True)
class RoundData:
    number: int
    views: tuple[View, ...]
    elected: tuple[str, ...]
    eliminated: tuple[str, ...]

    def view(self, name: str) -> View:
        for v in self.views:
            if v.name == name:
                return v
        raise ChartError(f"no view {name!r} in round {self.number}; expected one of "
                         f"{[v.name for v in self.views]}")


@dataclass(frozen=True)
class ChartData:
    title: str
    candidates: tuple[str, ...]
    rounds: tuple[RoundData, ...]
    college: bool

    @property
    def view_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.rounds[0].views) if self.rounds else ()


def from_result(result: Result, title: str = "Count") -> ChartData:
    """Chart figures from a ``Result`` (read, not recounted)."""
    college = result.rules.is_college
    rounds = []
    for rnd in result.rounds:
        views = []
        order = [c for c in result.rules.candidates if c in rnd.tally]
        if college:
            points = {s.name: (s.weight * 100 / s.continuing if s.continuing else Fraction(0))
                      for s in rnd.sections}
            weighted = tuple((t.source, t.target, t.votes * points[t.section])
                             for t in rnd.transfers if t.votes and t.target != RESIDUAL)
            views.append(View(WEIGHTED, True, tuple((c, rnd.tally[c]) for c in order),
                              rnd.threshold, None, _merge(weighted)))
        for s in rnd.sections:
            tally = tuple((c, s.tally[c]) for c in order if c in s.tally)
            moved = tuple((t.source, t.target, t.votes) for t in rnd.transfers
                          if t.section == s.name and t.votes)
            threshold = s.continuing / 2 if college else rnd.threshold
            views.append(View(s.name if college else "All ballots", False, tally,
                              threshold, s.exhausted, moved,
                              HALF if college else "Threshold"))
        rounds.append(RoundData(rnd.number, tuple(views), rnd.elected, rnd.eliminated))
    return ChartData(title, result.rules.candidates, tuple(rounds), college)


def _merge(flows) -> tuple[tuple[str, str, Fraction], ...]:
    out: dict[tuple[str, str], Fraction] = {}
    for s, t, v in flows:
        out[(s, t)] = out.get((s, t), Fraction(0)) + v
    return tuple((s, t, v) for (s, t), v in out.items())


def from_report(report: Mapping[str, Any]) -> ChartData:
    """Chart figures from ``hustings count --output json`` (RCTab's detailed report, with
    a ``sections`` block per round for a college)."""
    try:
        results = report["results"]
        title = report.get("config", {}).get("contest") or "Count"
        candidates: list[str] = []
        rounds = []
        for entry in results:
            tally = {c: Fraction(v) for c, v in entry["tally"].items()}
            candidates.extend(c for c in tally if c not in candidates)
            sections = entry.get("sections")
            decisions = entry.get("tallyResults", [])
            elected = tuple(d["elected"] for d in decisions if "elected" in d)
            eliminated = tuple(d["eliminated"] for d in decisions if "eliminated" in d)
            views = []
            if sections:
                views.append(View(WEIGHTED, True, tuple(tally.items()),
                                  Fraction(entry["threshold"]), None,
                                  _weighted_from_report(sections)))
                for name, s in sections.items():
                    votes = tuple((c, Fraction(v)) for c, v in s["tally"].items())
                    moved = tuple((src, tgt, Fraction(v))
                                  for src, m in s.get("transfers", {}).items()
                                  for tgt, v in m.items())
                    total = sum((v for _, v in votes), Fraction(0))
                    views.append(View(name, False, votes, total / 2,
                                      Fraction(s["exhausted"]), moved, HALF))
            else:
                inactive = sum((Fraction(v) for v in entry.get("inactiveBallots", {}).values()),
                               Fraction(0))
                moved = tuple((d.get("elected") or d.get("eliminated"), tgt, Fraction(v))
                              for d in decisions for tgt, v in d.get("transfers", {}).items())
                views.append(View("All ballots", False, tuple(tally.items()),
                                  Fraction(entry["threshold"]), inactive, moved))
            rounds.append(RoundData(int(entry["round"]), tuple(views), elected, eliminated))
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError) as e:
        raise ChartError(f"not a count report (hustings count --output json): {e}") from None
    return ChartData(title, tuple(candidates), tuple(rounds), bool(rounds and
                                                                  len(rounds[0].views) > 1))


def _weighted_from_report(sections: Mapping[str, Any]) -> tuple:
    """Weighted points moved: votes x the section's share per vote (share / tally)."""
    flows = []
    for s in sections.values():
        per_vote = next((Fraction(s["share"][c]) / Fraction(v) for c, v in s["tally"].items()
                         if Fraction(v)), Fraction(0))
        for src, m in s.get("transfers", {}).items():
            for tgt, v in m.items():
                if tgt != RESIDUAL:
                    flows.append((src, tgt, Fraction(v) * per_vote))
    return _merge(flows)


__all__ = ["EXHAUSTED", "WEIGHTED", "ChartData", "RoundData", "View", "from_report",
           "from_result"]
