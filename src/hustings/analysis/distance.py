"""How many ballots must change for a chosen sequence of eliminations to happen: one ILP.

This is Magrino et al.'s *DistanceTo* (2011), in the form Blom, Stuckey and Teague (2016)
use for a *suffix* of an elimination order. A list of conditions ``(S, e)`` (nested: each
``S`` is the one before it less the candidate eliminated there) says "when exactly the
candidates ``S`` are continuing, ``e`` has no more votes than each other one of ``S``"
(``strict=False``: the order can happen, ties broken its way; the literature's margin) or
"strictly fewer" (``strict=True``: the order happens whatever the tie-break).

Variables, grouping ballots by what they do under the conditions (their *signature*: the
candidate each counts for while ``S`` continues, or -1 if it has none):

* ``y[g]`` (integer, ``0..N[g]``): ballots of the changed section with signature ``g`` that
  are changed;
* ``x[h]`` (integer ``>= 0``): changed ballots given a new ranking with signature ``h``
  (every signature some ranking has; no more than ``max_rankings`` names);
* ``sum(x) == sum(y)`` (a changed ballot is still a ballot), minimise ``sum(y)``.

In an electoral college only one section's ballots change; the other sections' weighted
shares under ``S`` are constants, and the condition (shares, not votes) is made linear by
multiplying through by the changed section's continuing total, which must then stay >= 1.
Coefficients are exact fractions, scaled to integers per row before HiGHS (through
``scipy.optimize.milp``) sees them; every answer is checked afterwards by a real recount.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from hustings.analysis.preferences import Preference, Profile

Condition = tuple[frozenset[int], int]  # (continuing candidates, the one eliminated)
NONE = -1  # a signature entry: the ballot counts for nobody there
INFEASIBLE = math.inf


def first_in(pref: Preference, continuing: frozenset[int]) -> int:
    for c in pref:
        if c in continuing:
            return c
    return NONE


@dataclass(frozen=True)
class Solution:
    """An optimal change for one list of conditions."""

    changed: int  # ballots changed
    # (a preference list to take, how many) and (a new ranking to cast instead, how many)
    removed: tuple[tuple[Preference, int], ...]
    added: tuple[tuple[Preference, int], ...]


@dataclass
class DistanceModel:
    """Builds and solves DistanceTo ILPs over one profile, changing one section."""

    profile: Profile
    section: int
    max_rankings: int | None = None
    strict: bool = False
    time_limit: float = 30.0
    solves: int = 0
    _others: dict = field(default_factory=dict)

    def solve(self, conditions: Sequence[Condition], *, want_solution: bool,
              relaxed: bool = False) -> tuple[float, Solution | None]:
        """(a lower bound on the ballots to change, or inf; an optimal change if asked and
        proven optimal). ``relaxed``: solve the LP relaxation only (a weaker lower bound,
        several times faster: what the search's inner nodes need)."""
        self.solves += 1
        conditions = list(conditions)
        groups: dict[tuple, Counter] = {}
        for pref, n in self.profile.counts[self.section].items():
            sig = tuple(first_in(pref, s) for s, _ in conditions)
            groups.setdefault(sig, Counter())[pref] += n
        old = list(groups)
        new = sorted(self._new_signatures(conditions))
        sizes = [sum(groups[g].values()) for g in old]
        n_y, n_x = len(old), len(new)
        rows, rhs = [], []
        for r, (cont, out) in enumerate(conditions):
            total = sum(sizes[i] for i, g in enumerate(old) if g[r] != NONE)
            for other in sorted(cont - {out}):
                coef = self._row(cont, out, other)  # candidate (or NONE) -> exact weight
                const = sum((coef(g[r]) * sizes[i] for i, g in enumerate(old)), Fraction(0))
                terms = [-coef(g[r]) for g in old] + [coef(h[r]) for h in new]
                row, bound = _integer_row(terms, -const, self.strict)
                rows.append(row)
                rhs.append(bound)
            if len(self.profile.counts) > 1:
                # the changed section keeps a continuing ballot (its shares divide by it)
                terms = [1 if g[r] != NONE else 0 for g in old] + \
                        [-1 if h[r] != NONE else 0 for h in new]
                rows.append(terms)
                rhs.append(total - 1)
        if not old:  # nothing to change: the conditions hold already, or never
            if any(b < 0 for b in rhs):
                return INFEASIBLE, None
            return 0.0, (Solution(0, (), ()) if want_solution else None)
        a = np.array(rows, dtype=float).reshape(len(rows), n_y + n_x)
        constraints = [LinearConstraint(np.array([[-1.0] * n_y + [1.0] * n_x]), 0, 0)]
        if rows:
            constraints.append(LinearConstraint(a, -np.inf, np.array(rhs, dtype=float)))
        cap = float(sum(sizes))
        res = milp(
            c=np.array([1.0] * n_y + [0.0] * n_x),
            constraints=constraints,
            integrality=np.zeros(n_y + n_x) if relaxed else np.ones(n_y + n_x),
            bounds=Bounds(np.zeros(n_y + n_x), np.array(sizes + [cap] * n_x, dtype=float)),
            options={"time_limit": self.time_limit, "presolve": True},
        )
        if res.status == 2:
            return INFEASIBLE, None
        if res.status != 0:  # stopped early: the dual bound is still a valid lower bound
            bound = getattr(res, "mip_dual_bound", None)
            return (math.ceil(bound - 1e-6) if bound is not None and math.isfinite(bound)
                    else 0.0), None
        value = math.ceil(res.fun - 1e-6)
        if not want_solution or relaxed:
            return value, None
        v = np.rint(res.x).astype(np.int64).tolist()
        removed: list[tuple[Preference, int]] = []
        for g, take in zip(old, v[:n_y]):
            for pref, n in groups[g].most_common():
                if take <= 0:
                    break
                k = min(n, take)
                removed.append((pref, k))
                take -= k
        added = [(_ranking(h), k) for h, k in zip(new, v[n_y:]) if k]
        return value, Solution(sum(v[:n_y]), tuple(removed), tuple(added))

    def _row(self, cont: frozenset[int], out: int, other: int):
        """The weight of one ballot of the changed section counting for b in "votes of
        ``out`` minus votes of ``other``" (shares, multiplied by the section's total)."""
        w = self.profile.weights[self.section] * 100
        d = self._fixed_shares(cont)
        diff = d.get(out, Fraction(0)) - d.get(other, Fraction(0))

        def coef(b: int) -> Fraction:
            if b == NONE:
                return Fraction(0)
            return w * ((b == out) - (b == other)) + diff

        return coef

    def _fixed_shares(self, cont: frozenset[int]) -> dict[int, Fraction]:
        """The other sections' weighted shares (percent) when ``cont`` is continuing."""
        if cont not in self._others:
            shares: dict[int, Fraction] = {}
            for k, counts in enumerate(self.profile.counts):
                if k == self.section:
                    continue
                votes: Counter = Counter()
                for pref, n in counts.items():
                    b = first_in(pref, cont)
                    if b != NONE:
                        votes[b] += n
                total = sum(votes.values())
                for b, v in votes.items():
                    shares[b] = shares.get(b, Fraction(0)) + \
                        Fraction(v, total) * self.profile.weights[k] * 100
            self._others[cont] = shares
        return self._others[cont]

    def _new_signatures(self, conditions: Sequence[Condition]) -> set[tuple[int, ...]]:
        """Every signature a new ranking can have: it counts for the same candidate until
        that one is eliminated, then for any continuing one (or nobody, for good)."""
        out: set[tuple[int, ...]] = set()
        limit = self.max_rankings if self.max_rankings is not None else math.inf

        def walk(r: int, sig: tuple[int, ...], used: int) -> None:
            if r == len(conditions):
                out.add(sig)
                return
            cont = conditions[r][0]
            if r and sig[-1] == NONE:
                walk(r + 1, sig + (NONE,), used)
            elif r and sig[-1] in cont:
                walk(r + 1, sig + (sig[-1],), used)
            else:
                walk(r + 1, sig + (NONE,), used)
                if used < limit:
                    for c in sorted(cont):
                        walk(r + 1, sig + (c,), used + 1)

        walk(0, (), 0)
        return out


def _ranking(sig: tuple[int, ...]) -> Preference:
    """A ranking with this signature: the candidates it counts for, in order."""
    return tuple(dict.fromkeys(c for c in sig if c != NONE))


def _integer_row(terms: list[Fraction], bound: Fraction, strict: bool
                 ) -> tuple[list[int], int]:
    """``terms . v < bound`` (or ``<=``) over integers ``v`` as ``row . v <= b``, with
    ``row`` and ``b`` integers (so HiGHS sees no fraction and no strict inequality)."""
    scale = math.lcm(*(Fraction(t).denominator for t in terms), Fraction(bound).denominator)
    row = [int(t * scale) for t in terms]
    b = Fraction(bound) * scale  # a whole number
    g = math.gcd(*row) or 1
    # row . v is a multiple of g: "< b" is "<= ceil(b/g) - 1" in units of g, "<= b" "<= floor"
    limit = math.ceil(b / g) - 1 if strict else math.floor(b / g)
    return [t // g for t in row], limit
