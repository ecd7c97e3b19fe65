"""Read a Droop reference report (../shared/conformance/droop/ref/report) into stages.

A stage is what the count sheet shows after the first count and after each transfer:
every hopeful, pending (elected, surplus not yet moved) and elected candidate's votes,
and the non-transferable votes. Between two stages come the actions: candidates deemed
elected, then the surplus moved or the candidate defeated. Only the report's text is
read; none of Droop's code is here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

CANDIDATE = re.compile(r"\t(Hopeful|Pending|Elected|Defeated|Withdrawn):\s+(.*) \((-?[0-9.]+)\)$")
FIGURE = re.compile(r"\t(Nontransferable votes|Residual|Quota|Total): (-?[0-9.]+)$")
ACTION = re.compile(r"^Action: ([^:]+)(?::\s*(.*))?$")
SNAPSHOT_ACTIONS = ("Begin Count", "Surplus transferred", "Transfer defeated")


@dataclass
class Stage:
    votes: dict[str, Fraction]  # hopeful, pending and elected candidates
    nontransferable: Fraction
    elected: list[str] = field(default_factory=list)  # deemed elected at this stage
    surplus_of: str | None = None  # whose surplus ends this stage
    defeated: list[str] = field(default_factory=list)  # excluded at the end of this stage
    zero_surplus: bool = False  # the stage ends moving a surplus of 0.00000


@dataclass
class Report:
    title: str
    quota: Fraction | None
    stages: list[Stage]
    elected: list[str]


def _num(text: str) -> Fraction:
    return Fraction(Decimal(text))


def read_report(path: Path) -> Report:
    lines = path.read_text(encoding="utf-8").splitlines()
    title = next(line[len("Election: "):] for line in lines if line.startswith("Election: "))
    quota = None
    for line in lines:
        m = re.match(r"\tQuota: ([0-9.]+)$", line)
        if m:
            quota = _num(m.group(1))
            break
    # split into actions: (kind, argument, block lines)
    actions: list[tuple[str, str, list[str]]] = []
    for line in lines:
        m = ACTION.match(line)
        if m:
            actions.append((m.group(1).strip(), (m.group(2) or "").strip(), []))
        elif actions and line.startswith("\t"):
            actions[-1][2].append(line)
    stages: list[Stage] = []
    elected: list[str] = []
    for kind, arg, block in actions:
        if kind == "Surplus transferred" and re.search(r"\((0\.0*)\)$", arg):
            stages[-1].zero_surplus = True
        if kind in SNAPSHOT_ACTIONS:
            votes: dict[str, Fraction] = {}
            nontransferable = Fraction(0)
            for line in block:
                c = CANDIDATE.match(line)
                if c and c.group(1) in ("Hopeful", "Pending", "Elected"):
                    votes[" ".join(c.group(2).split())] = _num(c.group(3))
                f = FIGURE.match(line)
                if f and f.group(1) == "Nontransferable votes":
                    nontransferable = _num(f.group(2))
            stages.append(Stage(votes, nontransferable))
        elif kind.startswith("Elect"):
            names = [arg] if kind.startswith("Elect, transfer pending") else None
            if names is None:
                names = [n.strip() for n in arg.split(", ")] if arg else []
            for name in names:
                name = " ".join(name.split())
                stages[-1].elected.append(name)
                elected.append(name)
        elif kind == "Transfer high surplus":
            stages[-1].surplus_of = " ".join(arg.split())
        elif kind.startswith("Defeat") and kind != "Defeat remaining candidates" \
                and kind != "Defeat remaining":
            stages[-1].defeated.append(" ".join(arg.split()))
    return Report(title, quota, stages, elected)


def without_zero_surpluses(report: Report) -> Report:
    """The report with each "transfer" of a surplus of 0 folded into the stage before.

    SSI 2007/42 rule 48(1) transfers a surplus only when a candidate's votes *exceed*
    the quota; Droop also makes a stage of moving nothing from a candidate who has
    exactly the quota. Such a stage changes no figure, so the stages either side of it
    are one stage of the statute's count."""
    out: list[Stage] = []
    for stage in report.stages:
        if out and out[-1].zero_surplus:
            last = out[-1]
            assert stage.votes == last.votes and stage.nontransferable == last.nontransferable
            last.surplus_of, last.zero_surplus = stage.surplus_of, stage.zero_surplus
            last.elected += stage.elected
            last.defeated += stage.defeated
            continue
        out.append(stage)
    return Report(report.title, report.quota, out, report.elected)


@dataclass
class MeekRound:
    votes: dict[str, Fraction]  # hopeful and elected, and whoever this round defeats
    quota: Fraction
    residual: Fraction  # the excess: what no candidate keeps
    elected: list[str] = field(default_factory=list)
    defeated: list[str] = field(default_factory=list)


def read_meek_report(path: Path) -> list[MeekRound]:
    """Droop's Meek report, a ``MeekRound`` per "Round n:" section: the figures shown
    with the round's election or defeat (its last iteration); "Elect remaining" joins
    the last round."""
    rounds: list[MeekRound] = []
    current: MeekRound | None = None
    kind = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^Round \d+:$", line):
            current = MeekRound({}, Fraction(0), Fraction(0))
            rounds.append(current)
            kind = ""
            continue
        m = ACTION.match(line)
        if m:
            kind, arg = m.group(1).strip(), " ".join((m.group(2) or "").split())
            if current is None:
                continue
            if kind == "Elect" or kind == "Elect remaining":
                current.elected.append(arg)
            elif kind.startswith("Defeat (") or kind == "Defeat":
                current.defeated.append(arg)
            continue
        if current is None or not line.startswith("\t"):
            continue
        if kind not in ("Elect", "Defeat") and not kind.startswith("Defeat ("):
            continue  # the round's own figures are those shown with its decision
        c = CANDIDATE.match(line)
        if c:
            name = " ".join(c.group(2).split())
            if c.group(1) in ("Hopeful", "Elected", "Pending"):
                current.votes[name] = _num(c.group(3))
            elif c.group(1) == "Defeated":  # equal figures share a line: "A, B (0.0)"
                for one in name.split(", "):
                    if one in current.defeated:
                        current.votes[one] = _num(c.group(3))
        q = re.match(r"\tQuota: ([0-9.]+)$", line)
        if q:
            current.quota = _num(q.group(1))
        r = re.match(r"\tResidual: ([0-9.]+)$", line)
        if r:
            current.residual = _num(r.group(1))
    return rounds
