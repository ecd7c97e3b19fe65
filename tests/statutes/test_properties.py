"""Properties of the statute counts on random ballots.

* Conservation: at every stage the votes credited, the non-transferable papers and the
  residual lost to rounding add up to the valid papers (Meek: votes and excess).
* Rounding: counted in the statute's 5 decimal places and with exact fractions, the two
  counts take the same decisions as long as no figure is within the rounding of another,
  and every figure differs by less than the rounding could lose: 10^-5 a paper for each
  surplus transfer so far.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from hustings.counting import RESIDUAL, Ballots, Method, Rules, TieBreak, TieBreakMode, count

NAMES = ("A", "B", "C", "D", "E", "F")


@st.composite
def elections(draw):
    n = draw(st.integers(3, 6))
    names = NAMES[:n]
    rows = draw(st.lists(st.lists(st.sampled_from(names), min_size=1, max_size=n, unique=True),
                         min_size=3, max_size=30))
    weights = draw(st.lists(st.integers(1, 40), min_size=len(rows), max_size=len(rows)))
    seats = draw(st.integers(1, n - 1))
    return names, rows, weights, seats


def rules_for(names, seats, method, places):
    return Rules(candidates=names, method=method, seats=seats, decimal_places=places,
                 tie_break=TieBreak(TieBreakMode.CANDIDATE_ORDER))


@settings(max_examples=150, deadline=None)
@given(elections(), st.sampled_from([Method.SCOTTISH_STV, Method.WIGM, Method.MEEK_PRF,
                                     Method.ERS97]))
def test_conservation_at_every_stage(election, method):
    names, rows, weights, seats = election
    ballots = Ballots.from_rankings(names, rows, weights=weights)
    places = {Method.MEEK_PRF: 9, Method.ERS97: 2}.get(method, 5)
    result = count(rules_for(names, seats, method, places), ballots)
    valid = result.total_ballots - result.undervotes
    residual = Fraction(0)
    for rnd in result.rounds:
        shown = sum(rnd.tally.values(), Fraction(0))
        assert shown + rnd.sections[0].exhausted + residual == valid, rnd.number
        residual += sum((t.votes for t in rnd.transfers if t.target == RESIDUAL), Fraction(0))
        assert all(t.votes >= 0 for t in rnd.transfers)
    assert len(result.winners) == min(seats, len(names))


def _decisions(result):
    return [(r.elected, r.eliminated, {t.source for t in r.transfers}) for r in result.rounds]


@settings(max_examples=150, deadline=None)
@given(elections())
def test_five_places_agree_with_exact_fractions_within_the_rounding(election):
    names, rows, weights, seats = election
    ballots = Ballots.from_rankings(names, rows, weights=weights)
    fixed = count(rules_for(names, seats, Method.SCOTTISH_STV, 5), ballots)
    exact = count(rules_for(names, seats, Method.SCOTTISH_STV, None), ballots)
    papers = sum(weights)
    unit = Fraction(1, 10**5)
    transfers = 0
    for f, e in zip(fixed.rounds, exact.rounds, strict=False):
        bound = papers * unit * transfers
        assert set(f.tally) == set(e.tally)
        for c in f.tally:
            assert abs(f.tally[c] - e.tally[c]) <= bound, (f.number, c)
        if _decisions(replace(fixed, rounds=(f,))) != _decisions(replace(exact, rounds=(e,))):
            # a decision may differ only when figures were within the rounding's reach
            figures = sorted(e.tally.values())
            gaps = [b - a for a, b in zip(figures, figures[1:], strict=False)]
            close = any(g <= 2 * bound for g in gaps) or any(
                abs(v - e.threshold) <= bound for v in figures)
            assert close, f.number
            break
        transfers += any(t.source not in f.eliminated for t in f.transfers)
    else:
        assert set(fixed.winners) == set(exact.winners)
