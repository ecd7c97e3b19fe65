"""Meek STV as the Proportional Representation Foundation's reference rule writes it
("Meek Reference STV", prfound.org/resources/reference/reference-meek-rule), the rule
Droop's ``meek-prf`` reports follow. Its arithmetic and quota are those of the New
Zealand regulations (Local Electoral Regulations 2001, Schedule 1A, clause 5: the quota
``(v - vnt) / (n + 1)`` truncated to 9 decimal places, plus 0.000000001).

Steps, as the rule numbers them (fixed point, 9 decimal places, ``decimal_places``):

* A. Every hopeful candidate's keep factor ``kf`` is 1, a withdrawn one's 0; omega is
  10^-6.
* B.1. The count is complete when all seats are filled, or when the elected and hopeful
  candidates are no more than the seats.
* B.2.a. Distribute: each ballot starts with weight ``w = 1``; each candidate on it in
  turn gets ``w x kf`` rounded *up* to 9 places, and ``w`` is reduced by as much, until
  the ballot runs out or ``w`` is 0. What is left is excess (``exhausted`` here).
* B.2.b. Quota: the votes of all candidates / (seats + 1), truncated, plus 10^-9.
* B.2.c. Every hopeful with ``v >= quota`` is elected; the round ends there.
* B.2.d-e. Otherwise the total surplus ``s`` (elected candidates' votes above the quota)
  ends the iteration when ``s < omega``, or when it has stopped falling.
* B.2.f. Each elected candidate's ``kf`` becomes ``kf x quota`` (rounded up) ``/ v``
  (rounded up), and the iteration goes on.
* B.3. Defeat the hopeful with the fewest votes; every hopeful within ``s`` of that
  figure is tied with them, and procedure T breaks the tie by lot (the rules'
  tie-break; ``candidate-order`` takes the declared order as the order drawn). Its
  ``kf`` becomes 0.
* C. When complete, the hopefuls left are elected if seats remain, else defeated.

Each round (B.1-B.3) is one ``Round``: the votes of its last iteration, its quota, who it
elected or defeated. Meek moves part of every ballot at once, so rounds carry no
``Transfer`` list. The iteration always ends (the total surplus cannot fall for ever in
fixed point); a count that would need more than ``MAX_ITERATIONS`` iterations in one
round stops with a ``CountingError`` rather than go on unconverged.
"""

from __future__ import annotations

from fractions import Fraction

from hustings.counting.ballots import Ballots
from hustings.counting.errors import CountingError
from hustings.counting.gregory import Ties
from hustings.counting.papers import preference_orders
from hustings.counting.result import Result, Round, SectionRound, TieBreakNote, frozen_map
from hustings.counting.rounds import candidate_names
from hustings.counting.rules import InactiveReason, Rules

OMEGA_PLACES = 6  # A: omega = 1/10^6
MAX_ITERATIONS = 100_000


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def count_meek_prf(rules: Rules, ballots: Ballots) -> Result:
    """Count ``ballots`` by the PRF's Meek reference rule (see the module docstring)."""
    assert rules.decimal_places is not None, "count() refuses exact fractions here"
    unit = 10**rules.decimal_places
    omega = max(1, unit // 10**OMEGA_PLACES)
    names = candidate_names(rules, ballots)
    C = len(names)
    orders, invalid = preference_orders(rules, ballots)
    hopeful = [c for c in range(C) if names[c] not in rules.excluded]
    kf = [unit if c in hopeful else 0 for c in range(C)]  # A
    elected: list[int] = []
    ties = Ties(rules, earlier_stages=False)
    rounds: list[Round] = []
    seats = rules.seats
    section = rules.sections[0]

    def distribute() -> tuple[list[int], int]:  # B.2.a
        votes = [0] * C
        excess = 0
        for order, papers in orders:
            w = unit
            for c in order:
                k = kf[c]
                if k:
                    keep = _ceil_div(w * k, unit)
                    votes[c] += keep * papers
                    w -= keep
                    if w <= 0:
                        break
            excess += w * papers
        return votes, excess

    def record(votes: list[int], excess: int, quota: int, chosen: list[int], out: list[int],
               notes: list[TieBreakNote], extra: tuple[int, ...] = ()) -> Round:
        shown = [c for c in range(C) if c in hopeful or c in elected or c in extra]
        tally = {names[c]: Fraction(votes[c], unit) for c in shown}
        inactive = {r: Fraction(0) for r in (
            InactiveReason.OVERVOTE, InactiveReason.SKIPPED_RANKINGS,
            InactiveReason.EXHAUSTED_CHOICES, InactiveReason.REPEATED_RANKINGS)}
        inactive[InactiveReason.EXHAUSTED_CHOICES] = Fraction(excess, unit)
        total = sum(tally.values(), Fraction(0))
        share = {c: (v / total * 100 if total else Fraction(0)) for c, v in tally.items()}
        sr = SectionRound(section.name, section.weight, frozen_map(tally),
                          frozen_map(inactive), frozen_map(share))
        return Round(len(rounds) + 1, (sr,), frozen_map(tally), Fraction(quota, unit),
                     tuple(names[c] for c in chosen), tuple(names[c] for c in out), (),
                     tuple(notes))

    votes, excess = distribute()
    quota = sum(votes) // (seats + 1) + 1
    while len(hopeful) > seats - len(elected) > 0:  # B.1
        last_surplus = sum(p for _, p in orders) * unit
        for _ in range(MAX_ITERATIONS):
            votes, excess = distribute()
            quota = sum(votes[c] for c in hopeful + elected) // (seats + 1) + 1  # B.2.b
            winners = sorted((c for c in hopeful if votes[c] >= quota),  # B.2.c
                             key=lambda c: (-votes[c], c))
            surplus = max(0, sum(votes[c] - quota for c in elected))  # B.2.d
            if winners or surplus < omega or surplus >= last_surplus:  # B.2.e
                break
            last_surplus = surplus
            for c in elected:  # B.2.f
                kf[c] = _ceil_div(_ceil_div(kf[c] * quota, unit) * unit, votes[c])
        else:
            raise CountingError(
                f"round {len(rounds) + 1}: Meek's iteration did not settle in "
                f"{MAX_ITERATIONS} iterations (total surplus {Fraction(surplus, unit)})")
        if winners:
            for c in winners:
                hopeful.remove(c)
                elected.append(c)
            rounds.append(record(votes, excess, quota, winners, [], []))
            continue
        low = min(votes[c] for c in hopeful)  # B.3
        tied = [c for c in hopeful if votes[c] <= low + surplus]
        notes = []
        loser = tied[0]
        if len(tied) > 1:
            note = ties.choose([names[c] for c in tied], most=False, stage=len(rounds) + 1,
                               purpose="elimination", history=[],
                               votes=Fraction(low, unit))
            notes.append(note)
            loser = names.index(note.chosen)
        hopeful.remove(loser)
        rounds.append(record(votes, excess, quota, [], [loser], notes, extra=(loser,)))
        kf[loser] = 0
    # C: complete
    rest = sorted(hopeful, key=lambda c: (-votes[c], c))
    if len(elected) < seats and rest:
        if not rounds:
            rounds.append(record(votes, excess, quota, rest, [], []))
        else:
            last = rounds[-1]
            rounds[-1] = Round(last.number, last.sections, last.tally, last.threshold,
                               last.elected + tuple(names[c] for c in rest), last.eliminated,
                               last.transfers, last.tie_breaks)
        elected += rest
    return Result(rules, tuple(rounds), tuple(names[c] for c in elected), ballots.total,
                  invalid)
