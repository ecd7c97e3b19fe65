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
        if not conditions:
            return 0.0, (Solution(0, (), ()) if want_solution else None)
        self._prepare()
        sig = np.stack([self._firsts(cont) for cont, _ in conditions], axis=1)
        old, inverse = np.unique(sig, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        sizes = np.zeros(len(old), dtype=np.int64)
        np.add.at(sizes, inverse, self._n)
        new = np.array(sorted(self._new_signatures(conditions)), dtype=np.int64)
        n_y, n_x = len(old), len(new)
        college = len(self.profile.counts) > 1
        rows, rhs = [], []
        for r, (cont, out) in enumerate(conditions):
            for other in sorted(cont - {out}):
                table = self._table(cont, out, other)  # candidate (NONE: last) -> weight
                coef_old, coef_new = table[old[:, r]], table[new[:, r]]
                const = int((coef_old * sizes).sum())
                # (votes of out - votes of other), weighted: const - coef_old.y + coef_new.x
                rows.append(np.concatenate([-coef_old, coef_new]).astype(float))
                rhs.append(-const - 1 if self.strict else -const)
            if college:
                # the changed section keeps a continuing ballot (its shares divide by it)
                total = int(sizes[old[:, r] != NONE].sum())
                rows.append(np.concatenate([(old[:, r] != NONE).astype(float),
                                            -(new[:, r] != NONE).astype(float)]))
                rhs.append(total - 1)
        a = np.vstack(rows)
        constraints = [LinearConstraint(np.array([[-1.0] * n_y + [1.0] * n_x]), 0, 0),
                       LinearConstraint(a, -np.inf, np.array(rhs, dtype=float))]
        cap = float(sizes.sum())
        res = milp(
            c=np.concatenate([np.ones(n_y), np.zeros(n_x)]),
            constraints=constraints,
            integrality=np.zeros(n_y + n_x) if relaxed else np.ones(n_y + n_x),
            bounds=Bounds(np.zeros(n_y + n_x),
                          np.concatenate([sizes.astype(float), np.full(n_x, cap)])),
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
        for gi, take in enumerate(v[:n_y]):
            members = sorted(np.nonzero(inverse == gi)[0].tolist(),
                             key=lambda i: (-int(self._n[i]), self._prefs[i]))
            for i in members:
                if take <= 0:
                    break
                k = min(int(self._n[i]), take)
                removed.append((self._prefs[i], k))
                take -= k
        added = [(_ranking(tuple(h)), k) for h, k in zip(new.tolist(), v[n_y:]) if k]
        return value, Solution(sum(v[:n_y]), tuple(removed), tuple(added))

    def _prepare(self) -> None:
        """Once: the changed section's preference lists, their counts, and each
        candidate's position in each (``k`` where unranked)."""
        if hasattr(self, "_pos"):
            return
        counts = self.profile.counts[self.section]
        k = len(self.profile.candidates)
        self._prefs = sorted(counts)
        self._n = np.array([counts[p] for p in self._prefs], dtype=np.int64)
        self._pos = np.full((len(self._prefs), k), k, dtype=np.int16)
        for i, pref in enumerate(self._prefs):
            for j, c in enumerate(pref):
                self._pos[i, c] = j
        self._first_cache: dict[frozenset[int], np.ndarray] = {}
        self._tables: dict[tuple, np.ndarray] = {}

    def _firsts(self, cont: frozenset[int]) -> np.ndarray:
        """Whom each preference list counts for while ``cont`` continue (NONE: nobody)."""
        if cont not in self._first_cache:
            cols = np.array(sorted(cont), dtype=np.int64)
            sub = self._pos[:, cols]
            if not len(sub):
                self._first_cache[cont] = np.zeros(0, dtype=np.int64)
            else:
                j = sub.argmin(axis=1)
                best = sub[np.arange(len(sub)), j]
                self._first_cache[cont] = np.where(best < self._pos.shape[1], cols[j], NONE)
        return self._first_cache[cont]

    def _table(self, cont: frozenset[int], out: int, other: int) -> np.ndarray:
        """Integer weights, per candidate and NONE last (so index -1 is NONE), of one ballot
        in "votes of ``out`` minus votes of ``other``": exact fractions scaled to whole
        numbers and divided by their common factor."""
        key = (cont, out, other)
        if key not in self._tables:
            coef = self._row(cont, out, other)
            k = len(self.profile.candidates)
            values = [coef(b) for b in range(k)] + [Fraction(0)]
            scale = math.lcm(*(v.denominator for v in values))
            ints = [int(v * scale) for v in values]
            g = math.gcd(*ints) or 1
            ints = [x // g for x in ints]
            total = int(self._n.sum()) or 1
            fits = max(map(abs, ints)) * total < 2**62
            self._tables[key] = np.array(ints, dtype=np.int64 if fits else object)
        return self._tables[key]

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
