"""What-if: the same ballots under other rules, side by side.

Every count goes through the one entry point ``hustings.counting.count``; this module only
chooses the rules and reads the ``Result`` back:

* an electoral college against **one member one vote** (every ballot pooled into one
  section, each worth one) and against **each section alone** (who would have won with
  only the MPs', the members' or the affiliates' ballots: did one section decide it?);
* the **alternative vote** against **first past the post**, **Condorcet** (Schulze, with
  the pairwise matrix and the Condorcet winner if there is one) and **STV** for ``seats``.

Each :class:`Outcome` names its winners and its *deciding round*: the round whose figures
settled it (AV and STV: the round the last seat was filled; FPTP: the one round;
Condorcet: the head-to-head contests of the winner).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from hustings.counting import Ballots, Method, Result, Rules, Section, count

ONE_SECTION = (Section("all", Fraction(1)),)


@dataclass(frozen=True)
class Outcome:
    """One set of rules applied to the ballots."""

    key: str  # "college", "omov", "av", "fptp", "condorcet", "stv"
    label: str  # for people: "Alternative vote (one member one vote)"
    rules: Rules
    result: Result
    winners: tuple[str, ...]
    deciding_round: int
    # the deciding round's figures, highest first: votes, or weighted % for a college
    figures: tuple[tuple[str, Fraction], ...]
    percent: bool = False  # figures are weighted percentages
    condorcet_winner: str | None = None  # Condorcet: who beats every rival head to head
    # Condorcet: (rival, winner's votes, rival's votes) for each head-to-head of the winner
    head_to_head: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class Comparison:
    candidates: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    # ballots preferring row to column, in ``candidates`` order (Condorcet's matrix)
    pairwise: tuple[tuple[int, ...], ...] | None

    def get(self, key: str) -> Outcome:
        for o in self.outcomes:
            if o.key == key:
                return o
        raise KeyError(key)


def pooled(ballots: Ballots) -> Ballots:
    """Every ballot in one section, each worth one: one member one vote."""
    import numpy as np

    return Ballots(ballots.candidates, ballots.ranks, ballots.weights,
                   np.zeros(len(ballots), dtype=np.int16), ("all",), ballots.overvote_sets)


def _section_ballots(ballots: Ballots, rules: Rules, k: int) -> Ballots | None:
    """The ballots of the rules' section ``k`` only, as one section (None if it has none)."""
    import numpy as np

    name = rules.sections[k].name
    if name not in ballots.section_names:
        return None
    keep = ballots.sections == ballots.section_names.index(name)
    if not ballots.weights[keep].sum():
        return None
    return Ballots(ballots.candidates, ballots.ranks[keep], ballots.weights[keep],
                   np.zeros(int(keep.sum()), dtype=np.int16), ("all",), ballots.overvote_sets)


def compare(rules: Rules, ballots: Ballots, *, seats: int = 2) -> Comparison:
    """Count ``ballots`` under ``rules`` and the comparators (see the module docstring)."""
    single = replace(rules, sections=ONE_SECTION, method=Method.IRV, seats=1)
    pool = pooled(ballots)
    outcomes = []
    if rules.is_college:
        outcomes.append(_outcome("college", "Electoral college (alternative vote)", rules,
                                 count(replace(rules, method=Method.IRV, seats=1), ballots)))
        outcomes.append(_outcome("omov", "One member one vote (alternative vote)", single,
                                 count(single, pool)))
        for k, section in enumerate(rules.sections):
            alone = _section_ballots(ballots, rules, k)
            if alone is not None:
                outcomes.append(_outcome(f"section:{section.name}",
                                         f"{section.name} alone (alternative vote)", single,
                                         count(single, alone)))
    else:
        outcomes.append(_outcome("av", "Alternative vote", single, count(single, pool)))
    fptp = replace(single, method=Method.FPTP)
    outcomes.append(_outcome("fptp", "First past the post", fptp, count(fptp, pool)))
    schulze = replace(single, method=Method.CONDORCET)
    condorcet = count(schulze, pool)
    outcomes.append(_condorcet(schulze, condorcet))
    if seats >= 2:
        stv = replace(single, method=Method.STV, seats=seats)
        outcomes.append(_outcome("stv", f"STV, {seats} seats", stv, count(stv, pool)))
    return Comparison(rules.candidates, tuple(outcomes), condorcet.pairwise)


def _outcome(key: str, label: str, rules: Rules, result: Result) -> Outcome:
    deciding = result.rounds[-1]
    for rnd in result.rounds:
        if result.winners and result.winners[-1] in rnd.elected:
            deciding = rnd
            break
    figures = tuple(sorted(deciding.tally.items(), key=lambda kv: (-kv[1], kv[0])))
    return Outcome(key, label, rules, result, result.winners, deciding.number, figures,
                   percent=rules.is_college)


def condorcet_winner(candidates: tuple[str, ...], d) -> str | None:
    """The candidate preferred to every other by more ballots than the reverse, if any."""
    for a, name in enumerate(candidates):
        if all(d[a][b] > d[b][a] for b in range(len(candidates)) if b != a):
            return name
    return None


def _condorcet(rules: Rules, result: Result) -> Outcome:
    base = _outcome("condorcet", "Condorcet (Schulze)", rules, result)
    d = result.pairwise
    names = rules.candidates
    standing = [i for i, c in enumerate(names) if c not in rules.excluded]
    cw = condorcet_winner(tuple(names[i] for i in standing),
                          [[d[a][b] for b in standing] for a in standing])
    winner = result.winners[0] if result.winners else None
    h2h = ()
    if winner is not None:
        w = names.index(winner)
        h2h = tuple(sorted(((names[b], d[w][b], d[b][w]) for b in standing if b != w),
                           key=lambda t: (t[1] - t[2], t[0])))  # closest contest first
    return replace(base, condorcet_winner=cw, head_to_head=h2h)
