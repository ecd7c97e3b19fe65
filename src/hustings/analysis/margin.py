"""How close an alternative-vote count was: the margin.

The **margin** is the smallest number of ballots that, changed (each to any other ranking,
or to a blank ballot), let another candidate win: with fewer, no way of breaking ties
can stop the winner winning (the literature's convention: ties are broken the challenger's
way). The **decisive** figure is the smallest number that makes another candidate win
whatever way ties are broken; it is the margin or a little more (2010 PLP: 9 and 10).

* **Exact, up to 6 continuing candidates** (``EXACT_LIMIT``): branch-and-bound over
  elimination orders (Magrino, Stark, Wagner 2011, "Computing the margin of victory in IRV
  elections"; Blom, Stuckey, Teague 2016, "Efficient computation of exact IRV margins",
  ECAI). The tree is built from the end of the order: a node is a *suffix* ``(e_j, ...,
  e_{k-1}, c)`` with another candidate ``c`` winning; the ILP of its conditions
  (``distance.DistanceModel``) is a lower bound on every order ending so, and a node whose
  bound is not below the best full order found is pruned.
* **Beyond 6**: the same search with a budget of ILP solves; when the budget runs out the
  answer is an **upper bound**, the best of the *winner-elimination upper bound* (the
  count's own eliminations, then the winner eliminated in some round: one ILP per round),
  the count's own order with each rival last, and the best full elimination order the
  search found. ``Margin.exact`` says which.
* **Electoral college**: :func:`college_margins` asks, per section, how many ballots of
  that section alone must change (the other sections' ballots as cast). ``None`` when no
  change in that section can do it.

Both come with a witness change (which rankings to take, what to cast instead), checked
exactly; the decisive witness is also recounted by ``hustings.counting.count``, so that
many changed ballots are proven to change the winner under the rules as they are. The
rules must be plain AV (IRV, one seat, one candidate eliminated a round); anything else
raises ``UnsupportedRulesError``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from hustings.analysis.distance import (
    INFEASIBLE,
    NONE,
    Condition,
    DistanceModel,
    Solution,
    first_in,
)
from hustings.analysis.errors import AnalysisError, UnsupportedRulesError
from hustings.analysis.preferences import Profile, read_profile
from hustings.counting import Ballots, Method, Result, Rules, count

EXACT_LIMIT = 6  # candidates up to which the search always runs to the end
NODE_BUDGET = 1500  # LP/ILP solves allowed per search beyond EXACT_LIMIT (seconds, not minutes)

BRANCH_AND_BOUND = ("exact: branch-and-bound over elimination orders with an ILP per "
                    "order suffix (Magrino et al. 2011; Blom, Stuckey and Teague 2016)")
WINNER_ELIMINATION = ("upper bound: winner elimination (the count's own eliminations, then "
                      "the winner eliminated; Magrino et al. 2011), the count's order with "
                      "each rival last, and the best elimination order found in {n} ILP "
                      "solves")


@dataclass(frozen=True)
class Margin:
    """How many ballots must change for another candidate to win."""

    winner: str
    ballots: int | None  # the margin (exact) or an upper bound; None: no change can do it
    exact: bool  # False: ``ballots`` and ``decisive`` are upper bounds (see ``method``)
    method: str
    decisive: int | None = None  # changes that elect another whatever the tie-break
    section: str | None = None  # a college: the section whose ballots alone change
    new_winner: str | None = None  # who wins after the decisive change (recounted)
    elimination_order: tuple[str, ...] = ()  # the eliminations the decisive change forces
    removed: tuple[tuple[tuple[str, ...], int], ...] = ()  # rankings taken, and how many
    added: tuple[tuple[tuple[str, ...], int], ...] = ()  # rankings cast instead
    solves: int = 0  # ILPs solved
    section_ballots: int | None = None  # ballots in the changed section


def margin(rules: Rules, ballots: Ballots, *, result: Result | None = None,
           exact_limit: int = EXACT_LIMIT, node_budget: int = NODE_BUDGET) -> Margin:
    """The margin of a single-section AV count (see the module docstring)."""
    if rules.is_college:
        raise UnsupportedRulesError("an electoral college has a margin per section: use "
                                    "college_margins(rules, ballots)")
    return _margin(rules, ballots, 0, result, exact_limit, node_budget)


def college_margins(rules: Rules, ballots: Ballots, *, result: Result | None = None,
                    exact_limit: int = EXACT_LIMIT,
                    node_budget: int = NODE_BUDGET) -> tuple[Margin, ...]:
    """Per section of the rules: ballots of that section alone that must change."""
    result = result or count(rules, ballots)
    return tuple(_margin(rules, ballots, k, result, exact_limit, node_budget)
                 for k in range(len(rules.sections)))


def _check(rules: Rules) -> None:
    if rules.method is not Method.IRV or rules.seats != 1:
        raise UnsupportedRulesError(
            f"the margin is computed for the alternative vote (method irv, 1 seat), not "
            f"{rules.method.value} for {rules.seats} seat(s)")
    if rules.batch_elimination or rules.stop_after_round is not None \
            or rules.undeclared_write_in is not None:
        raise UnsupportedRulesError(
            "the margin assumes one candidate eliminated a round to the end; batch "
            "elimination, stop-after-round and undeclared write-ins are not modelled")


def _margin(rules: Rules, ballots: Ballots, section: int, result: Result | None,
            exact_limit: int, node_budget: int) -> Margin:
    _check(rules)
    result = result or count(rules, ballots)
    profile = read_profile(rules, ballots)
    name = profile.sections[section] if rules.is_college else None
    size = sum(profile.counts[section].values())
    if not result.winners:
        raise AnalysisError("the count elected nobody: there is no winner to change")
    winner = result.winners[0]
    k = len(profile.candidates)
    w = profile.candidates.index(winner)
    if k < 2:
        return Margin(winner, None, True, "only one candidate stands", name,
                      section_ballots=size)
    eliminated = _count_order(result, profile)
    budget = None if k <= exact_limit else node_budget
    tie = _Search(DistanceModel(profile, section, rules.ballot_rules.max_rankings), k, w)
    final = _final_losers(result, profile, winner)
    tie.count_orders(eliminated, final)
    tie.winner_elimination(eliminated)
    complete = tie.run(budget)
    strict = _Search(DistanceModel(profile, section, rules.ballot_rules.max_rankings,
                                   strict=True), k, w, floor=tie.value if complete else 0)
    strict.count_orders(eliminated, final)
    strict.winner_elimination(eliminated)
    complete = strict.run(budget) and complete
    solves = tie.model.solves + strict.model.solves
    method = BRANCH_AND_BOUND if complete else WINNER_ELIMINATION.format(n=solves)
    if tie.best is None:
        return Margin(winner, None, complete, method, None, name, solves=solves,
                      section_ballots=size)
    _holds(profile, section, *tie.best, strict=False)
    margin_ = tie.best[0].changed
    if strict.best is None:  # no change forces an order (a tie always remains possible)
        return Margin(winner, margin_, complete, method, None, name, solves=solves,
                      section_ballots=size)
    _holds(profile, section, *strict.best, strict=True)
    solution, order, fixed = strict.best
    new_winner = _verify(rules, profile, section, solution, winner)
    names = profile.names
    return Margin(
        winner, margin_, complete, method, solution.changed, name, new_winner,
        tuple(profile.candidates[c] for c in order[:fixed]),
        tuple((names(p), n) for p, n in solution.removed),
        tuple((names(p), n) for p, n in solution.added),
        solves, size,
    )


def _count_order(result: Result, profile: Profile) -> list[int]:
    """The count's eliminations, as candidate positions."""
    index = {c: i for i, c in enumerate(profile.candidates)}
    return [index[c] for r in result.rounds for c in r.eliminated if c in index]


def _final_losers(result: Result, profile: Profile, winner: str) -> list[int]:
    """The last round's candidates other than the winner, lowest first."""
    last = result.rounds[-1].tally
    index = {c: i for i, c in enumerate(profile.candidates)}
    return [index[c] for c in sorted(last, key=lambda c: (last[c], c))
            if c != winner and c in index]


class _Search:
    """Branch-and-bound over elimination-order suffixes (depth first, best child first)."""

    def __init__(self, model: DistanceModel, k: int, winner: int, floor: float = 0) -> None:
        self.model, self.k, self.winner = model, k, winner
        # the best change, the order it brings about, how many of its eliminations are fixed
        self.best: tuple[Solution, tuple[int, ...], int] | None = None
        self.value = INFEASIBLE
        self.floor = floor  # known lower bound: stop on reaching it
        self.runners_up: list[int] = []  # the count's eliminations, last out first

    def _offer(self, conditions: Sequence[Condition], order: tuple[int, ...]) -> None:
        bound, _ = self.model.solve(conditions, want_solution=False, relaxed=True)
        if bound >= self.value:  # the LP already shows it cannot do better
            return
        value, solution = self.model.solve(conditions, want_solution=True)
        if solution is not None and value < self.value:
            self.value, self.best = value, (solution, order, len(conditions))

    def winner_elimination(self, eliminated: list[int]) -> None:
        """Upper bound: the count's own eliminations, then the winner out in round r."""
        everyone = frozenset(range(self.k))
        # never eliminated (the final round's losers) first, then the latest eliminated
        self.runners_up = [c for c in range(self.k) if c not in eliminated] + \
            list(reversed(eliminated))
        for r in range(len(eliminated) + 1):
            prefix = eliminated[:r]
            conditions, cont = [], everyone
            for e in prefix + [self.winner]:
                conditions.append((cont, e))
                cont = cont - {e}
            order = tuple(prefix) + (self.winner,) + tuple(sorted(cont))
            self._offer(conditions, order)

    def count_orders(self, eliminated: list[int], final: list[int]) -> None:
        """Upper bound: for each other candidate c, the count's own order with c last and the
        winner just before it (``final``: the last round's losers, lowest first)."""
        for c in range(self.k):
            if c == self.winner:
                continue
            order = [e for e in eliminated + final if e not in (c, self.winner)]
            order += [self.winner, c]
            self._offer(_suffix_conditions(tuple(order)), tuple(order))

    def run(self, budget: int | None) -> bool:
        """Search; True when it finished (the best found is then the margin)."""
        # Try the runner-up as winner first: its orders are likeliest to be cheap, and a
        # good order found early prunes the rest.
        first = [c for c in self.runners_up if c != self.winner]
        first += [c for c in range(self.k) if c != self.winner and c not in first]
        stack = [(0.0, (c,)) for c in reversed(first)]
        while stack and self.value > self.floor:
            bound, suffix = stack.pop()
            if bound >= self.value:
                continue
            children = []
            for e in range(self.k):
                if e in suffix:
                    continue
                if budget is not None and self.model.solves >= budget:
                    return False
                child = (e,) + suffix
                conditions = _suffix_conditions(child)
                if len(child) == self.k:
                    self._offer(conditions, child)
                    continue
                value, _ = self.model.solve(conditions, want_solution=False, relaxed=True)
                if value < self.value:
                    children.append((value, child))
            stack.extend(sorted(children, reverse=True))
        return True


def _suffix_conditions(suffix: tuple[int, ...]) -> list[Condition]:
    """The rounds a suffix fixes: while ``suffix[i:]`` continue, ``suffix[i]`` goes out."""
    return [(frozenset(suffix[i:]), suffix[i]) for i in range(len(suffix) - 1)]


def _holds(profile: Profile, section: int, solution: Solution, order: tuple[int, ...],
           fixed: int, *, strict: bool) -> None:
    """Check, in exact fractions, that after the change the first ``fixed`` of ``order``
    can be (are, if ``strict``) eliminated in turn: each no higher (strictly lower) than
    every other continuing candidate."""
    changed = [Counter(c) for c in profile.counts]
    changed[section].subtract(dict(solution.removed))
    changed[section].update(dict(solution.added))
    college = len(changed) > 1
    cont = set(order)
    for out in order[:fixed]:
        score = dict.fromkeys(cont, Fraction(0))
        for k, counts in enumerate(changed):
            votes = dict.fromkeys(cont, 0)
            for pref, n in counts.items():
                b = first_in(pref, frozenset(cont))
                if b != NONE:
                    votes[b] += n
            total = sum(votes.values())
            for b, v in votes.items():
                score[b] += (Fraction(v, total) * profile.weights[k] * 100 if college
                             else Fraction(v)) if total else 0
        low = min(v for b, v in score.items() if b != out)
        if score[out] > low or (strict and score[out] == low):
            raise AnalysisError("internal: the change the margin search found does not "
                                "bring about its elimination order")
        cont.discard(out)


def _verify(rules: Rules, profile: Profile, section: int, solution: Solution,
            winner: str) -> str:
    """Recount with the witness change applied; the winner must differ."""
    changed = [Counter(c) for c in profile.counts]
    changed[section].subtract(dict(solution.removed))
    changed[section].update(dict(solution.added))
    rows, weights, sections = [], [], []
    for k, counts in enumerate(changed):
        for pref, n in counts.items():
            if n < 0:
                raise AnalysisError("internal: the witness change takes ballots that are "
                                    "not there")
            if n:
                rows.append(list(profile.names(pref)) or [None])
                weights.append(n)
                sections.append(profile.sections[k])
    ballots = Ballots.from_rankings(rules.candidates, rows, weights=weights,
                                    sections=sections, section_names=profile.sections)
    clean = replace(rules, ballot_rules=type(rules.ballot_rules)())
    after = count(clean, ballots)
    if not after.winners or after.winners[0] == winner:
        raise AnalysisError("internal: the change the margin search found does not change "
                            "the winner on a recount")
    return after.winners[0]
