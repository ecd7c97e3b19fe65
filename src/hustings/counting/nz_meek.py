"""Meek STV as the New Zealand regulations write it: the Local Electoral Regulations 2001
(SR 2001/145), Schedule 1A, "New Zealand method of counting single transferable votes",
Part 1 (multi-member vacancies). Fixed point in ``decimal_places`` (9 in the Schedule).

Clauses (numbered as in the Schedule). The wording of clauses 3 to 6 was read in the
legislation.govt.nz text; clauses 7, 10, 11, 13, 17, 19, 34, 40 and 41-48 as two
independent implementations' notes on the text describe them (OpenSTV's ``MeekNZSTV``,
ConcreteSTV's NZ tie resolution); the numbers 12 and 14-16 are inferred from the order of
the steps around them (docs/rules.md says which is which):

* cl 3. Counting is complete when the successful candidates fill the vacancies, or when
  successful and hopeful candidates together are no more than the vacancies (the
  hopefuls then become successful).
* cl 5 (step 1), cl 11. Quota ``q = (v - vnt) / (n + 1) + 0.000000001``, ``v`` the valid
  voting documents, ``vnt`` the non-transferable votes, ``n`` the vacancies; the division
  truncated to 9 decimal digits "with no rounding". The quota is computed again in every
  iteration from that iteration's ``vnt``.
* cl 6, cl 12. A hopeful candidate whose votes equal or exceed the quota becomes
  successful (``>=``, as the PRF rule; ``meek-stv`` elects on more than the quota).
* cl 7. Keep values: 1 for a hopeful candidate, 0 for an excluded (or withdrawn) one.
* cl 10. Each voting document, of value 1, gives each candidate in its order of
  preference ``value x keep value`` rounded *up* to 9 places, and goes on with
  ``value x (1 - keep value)``, also rounded up, until it is exhausted; what it still
  holds then is non-transferable. Both products are rounded up, so a document may hand
  out up to 10^-9 more than it held at each candidate: conservation holds within that.
* cl 13. The iteration has converged when the sum of the successful candidates'
  surpluses is less than 0.0001; then a candidate is excluded (cl 14-16): the hopeful
  with the fewest votes, whose keep value becomes 0.
* cl 17. Otherwise each successful candidate's keep value becomes
  ``keep value x q`` (rounded up) ``/ votes`` (rounded up), and the count iterates.
* cl 19, 34, 40. Equal fewest votes: the AAFD method (Ahead At First Difference) looks
  at the iterations of the count from the first; the candidate behind at the first one
  at which the tied candidates' votes differ is excluded.
* cl 41-48. Never different: the PRNG method. Seeds ``x = c + 5``, ``y = n``,
  ``z = (v + 1000 x (v mod 10)) mod 30323`` (``c`` candidates, ``n`` vacancies, ``v``
  valid voting documents); each step ``x = 171x mod 30269``, ``y = 172y mod 30307``,
  ``z = 170z mod 30323`` and ``rc = (10000x div 30269 + 10000y div 30307 + 10000z div
  30323) mod 10000``; the first four are discarded and each candidate, in ballot order,
  takes the next value not already taken, as ``10000 - rc``. That reading reproduces the
  random numbers the Department of Internal Affairs' STV Calculator printed for Kapiti
  Coast District Council 2016 (tests/statutes/README.md). The candidate with the lowest
  such number is excluded. Which way the Schedule orders them at later iterations (it is
  said to invert the numbers at alternate iterations) could not be checked against a
  published count.

The tie-break mode of the rules chooses how a tie the AAFD method leaves is broken:
``stop`` refuses (``UnbrokenTieError``), ``candidate-order`` takes the declared order as
the order drawn, every other mode uses the PRNG method above (it needs no seed).

Each decision (candidates becoming successful, a candidate excluded) ends a ``Round``: the
votes of that iteration, its quota, the non-transferable votes as ``exhaustedChoices``.
Meek moves part of every document at once, so rounds carry no ``Transfer`` list. An
iteration that does not converge is an error, never a silent carry-on: the count stops
with a ``CountingError`` when the keep values repeat a state already seen in the round
(fixed point arithmetic would cycle for ever) or after ``MAX_ITERATIONS`` iterations.
Clause 23 (exceptional cases) may provide for such a count; its text was not available,
so the count refuses rather than guess. ``nz_iterations`` gives every iteration's figures,
as the STV Calculator's iteration report lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from hustings.counting.ballots import Ballots
from hustings.counting.errors import CountingError, UnbrokenTieError
from hustings.counting.papers import preference_orders
from hustings.counting.result import Result, Round, SectionRound, TieBreakNote, frozen_map
from hustings.counting.rounds import candidate_names
from hustings.counting.rules import InactiveReason, Rules, TieBreakMode
from hustings.counting.tiebreak import and_list, fmt

SURPLUS_LIMIT = Fraction(1, 10_000)  # cl 13: 0.0001
MAX_ITERATIONS = 10_000  # in one round; a count that needs more is refused


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def nz_random_numbers(candidates: int, vacancies: int, valid: int) -> list[int]:
    """The PRNG method's number for each candidate, in ballot order (cl 41-48)."""
    x, y, z = candidates + 5, vacancies, (valid + 1000 * (valid % 10)) % 30323

    def step() -> int:
        nonlocal x, y, z
        x, y, z = 171 * x % 30269, 172 * y % 30307, 170 * z % 30323
        rc = (10000 * x // 30269 + 10000 * y // 30307 + 10000 * z // 30323) % 10000
        return 10000 - rc

    for _ in range(4):
        step()
    numbers: list[int] = []
    while len(numbers) < candidates:
        rc = step()
        if rc not in numbers:  # each candidate a different number
            numbers.append(rc)
    return numbers


@dataclass(frozen=True)
class Iteration:
    """One iteration as the STV Calculator's report lists it: quota, non-transferable
    votes, total surplus (votes above the quota), and each continuing or successful
    candidate's votes and keep value."""

    number: int
    round: int  # the Round its figures lead to (a decision ends a round)
    quota: Fraction
    non_transferable: Fraction
    surplus: Fraction
    votes: Mapping[str, Fraction]
    keep: Mapping[str, Fraction]


class _Count:
    def __init__(self, rules: Rules, ballots: Ballots) -> None:
        assert rules.decimal_places is not None, "count() refuses exact fractions here"
        self.rules = rules
        self.unit: int = 10**rules.decimal_places
        self.names = candidate_names(rules, ballots)
        self.orders, self.invalid = preference_orders(rules, ballots)
        self.valid = sum(n for _, n in self.orders)  # v
        self.total = ballots.total
        C = len(self.names)
        self.hopeful = [c for c in range(C) if self.names[c] not in rules.excluded]
        self.successful: list[int] = []
        self.keep = [self.unit if c in self.hopeful else 0 for c in range(C)]  # cl 7
        self.history: list[list[int]] = []  # every iteration's votes, for the AAFD method
        self.iterations: list[Iteration] = []
        self.random = nz_random_numbers(C, rules.seats, self.valid)
        self.rounds: list[Round] = []

    # -- one iteration -------------------------------------------------------------
    def distribute(self) -> tuple[list[int], int]:
        """cl 10: every document's value to its preferences, by keep value."""
        unit = self.unit
        votes = [0] * len(self.names)
        untransferred = 0
        for order, papers in self.orders:
            value = unit
            for c in order:
                k = self.keep[c]
                if not k:
                    continue
                votes[c] += _ceil_div(value * k, unit) * papers
                value = _ceil_div(value * (unit - k), unit)
                if not value:
                    break
            untransferred += value * papers
        self.history.append(votes)
        return votes, untransferred

    def iterate(self) -> tuple[list[int], int, int]:
        """cl 10 then cl 11: the votes, the non-transferable votes and the quota."""
        votes, vnt = self.distribute()
        q = self.quota(vnt)
        shown = [c for c in range(len(self.names)) if c in self.hopeful or c in self.successful]
        unit = self.unit
        self.iterations.append(Iteration(
            len(self.iterations) + 1, len(self.rounds) + 1, Fraction(q, unit),
            Fraction(vnt, unit),
            Fraction(sum(max(0, votes[c] - q) for c in shown), unit),
            frozen_map({self.names[c]: Fraction(votes[c], unit) for c in shown}),
            frozen_map({self.names[c]: Fraction(self.keep[c], unit) for c in shown})))
        return votes, vnt, q

    def quota(self, untransferred: int) -> int:
        """cl 5 / cl 11: (v - vnt) / (n + 1) truncated to the places, plus one unit."""
        return (self.valid * self.unit - untransferred) // (self.rules.seats + 1) + 1

    # -- the count -----------------------------------------------------------------
    def run(self) -> Result:
        seats = self.rules.seats
        votes, vnt, q = self.iterate()
        while self.hopeful and len(self.successful) < seats:
            if len(self.hopeful) + len(self.successful) <= seats:  # cl 3
                self._record(votes, vnt, q, sorted(self.hopeful, key=lambda c: -votes[c]), [])
                break
            new = [c for c in self.hopeful if votes[c] >= q]  # cl 6, cl 12
            if new:
                self._record(votes, vnt, q, sorted(new, key=lambda c: (-votes[c], c)), [])
                continue
            surplus = sum(max(0, votes[c] - q) for c in self.successful)
            if surplus < SURPLUS_LIMIT * self.unit:  # cl 13 (nobody successful: 0)
                notes: list[TieBreakNote] = []
                loser = self._lowest(votes, notes)
                self._record(votes, vnt, q, [], [loser], notes)
                self.keep[loser] = 0
            votes, vnt, q = self._converge()
        return Result(self.rules, tuple(self.rounds),
                      tuple(self.names[c] for c in self.successful), self.total, self.invalid)

    def _converge(self) -> tuple[list[int], int, int]:
        """cl 17 then cl 10-13 until a candidate becomes successful or cl 13 is met."""
        seen: set[tuple[int, ...]] = set()
        votes, vnt, q = self.iterate()
        for _ in range(MAX_ITERATIONS):
            if any(votes[c] >= q for c in self.hopeful):
                return votes, vnt, q
            if len(self.hopeful) + len(self.successful) <= self.rules.seats:
                return votes, vnt, q
            surplus = sum(max(0, votes[c] - q) for c in self.successful)
            if surplus < SURPLUS_LIMIT * self.unit:
                return votes, vnt, q
            state = tuple(self.keep)
            if state in seen:
                raise CountingError(
                    f"round {len(self.rounds) + 1}: the keep values repeat without the total "
                    f"surplus falling below 0.0001 (it is {fmt(Fraction(surplus, self.unit))}); "
                    "Schedule 1A cl 13 cannot be met in these decimal places")
            seen.add(state)
            for c in self.successful:  # cl 17
                if votes[c]:
                    kq = _ceil_div(self.keep[c] * q, self.unit)
                    self.keep[c] = min(self.unit, _ceil_div(kq * self.unit, votes[c]))
            votes, vnt, q = self.iterate()
        raise CountingError(
            f"round {len(self.rounds) + 1}: the count did not converge in {MAX_ITERATIONS} "
            "iterations (Schedule 1A cl 13: total surplus below 0.0001)")

    def _lowest(self, votes: Sequence[int], notes: list[TieBreakNote]) -> int:
        """cl 14-16 with cl 19: the fewest votes; ties by the AAFD method, then PRNs."""
        low = min(votes[c] for c in self.hopeful)
        tied = [c for c in self.hopeful if votes[c] == low]
        if len(tied) == 1:
            return tied[0]
        names = [self.names[c] for c in tied]
        said = f"{and_list(names)} tied on {fmt(Fraction(low, self.unit))}"
        stage = len(self.rounds) + 1
        for number, figures in enumerate(self.history, start=1):  # AAFD: from the first
            least = min(figures[c] for c in tied)
            behind = [c for c in tied if figures[c] == least]
            if len(behind) < len(tied):
                if len(behind) == 1:
                    chosen = behind[0]
                    notes.append(TieBreakNote(
                        stage, "elimination", tuple(names), self.names[chosen],
                        f"{said}; {self.names[chosen]} was behind at iteration {number}, the "
                        "first at which they differed (AAFD method)"))
                    return chosen
                tied = behind  # the others were ahead there; the rest are still tied
        mode = self.rules.tie_break.mode
        if mode is TieBreakMode.STOP:
            raise UnbrokenTieError(
                f"round {stage}: {said} for exclusion at every iteration; the rules say to "
                "stop the count (tie-break mode 'stop')")
        if mode is TieBreakMode.CANDIDATE_ORDER:
            order = {n: k for k, n in enumerate(self.rules.candidates)}
            chosen = min(tied, key=lambda c: order.get(self.names[c], len(order)))
            how = "first of them in the order drawn by lot (the declared order)"
        else:
            chosen = min(tied, key=lambda c: self.random[c])
            how = f"lowest random number ({self.random[chosen]}, Schedule 1A PRNG method)"
        notes.append(TieBreakNote(stage, "elimination", tuple(names), self.names[chosen],
                                  f"{said} at every iteration; {self.names[chosen]} {how}"))
        return chosen

    def _record(self, votes: Sequence[int], vnt: int, q: int, chosen: list[int],
                out: list[int], notes: Sequence[TieBreakNote] = ()) -> None:
        shown = [c for c in range(len(self.names))
                 if c in self.hopeful or c in self.successful]
        tally = {self.names[c]: Fraction(votes[c], self.unit) for c in shown}
        inactive = {r: Fraction(0) for r in (
            InactiveReason.OVERVOTE, InactiveReason.SKIPPED_RANKINGS,
            InactiveReason.EXHAUSTED_CHOICES, InactiveReason.REPEATED_RANKINGS)}
        inactive[InactiveReason.EXHAUSTED_CHOICES] = Fraction(vnt, self.unit)
        total = sum(tally.values(), Fraction(0))
        share = {c: (v / total * 100 if total else Fraction(0)) for c, v in tally.items()}
        section = self.rules.sections[0]
        sr = SectionRound(section.name, section.weight, frozen_map(tally), frozen_map(inactive),
                          frozen_map(share))
        self.rounds.append(Round(len(self.rounds) + 1, (sr,), frozen_map(tally),
                                 Fraction(q, self.unit), tuple(self.names[c] for c in chosen),
                                 tuple(self.names[c] for c in out), (), tuple(notes)))
        for c in chosen:
            if len(self.successful) < self.rules.seats:
                self.successful.append(c)
            self.hopeful.remove(c)
        for c in out:
            self.hopeful.remove(c)


def count_nz_meek(rules: Rules, ballots: Ballots) -> Result:
    """Count ``ballots`` by Schedule 1A of the NZ Local Electoral Regulations 2001."""
    return _Count(rules, ballots).run()


def nz_iterations(rules: Rules, ballots: Ballots) -> tuple[Result, tuple[Iteration, ...]]:
    """The same count, with every iteration's figures (for an iteration report)."""
    counting = _Count(rules, ballots)
    result = counting.run()
    return result, tuple(counting.iterations)
