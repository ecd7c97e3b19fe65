"""The margin against brute force on small random elections (Hypothesis)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hustings.analysis.margin import college_margins, margin
from hustings.counting import Ballots, Rules, Section, count
from tests.analysis.brute import possible_winners, some_change_of

NAMES = ("A", "B", "C", "D")


@st.composite
def elections(draw, max_candidates=3, max_ballots=7, complete=False):
    k = draw(st.integers(2, max_candidates))
    cands = NAMES[:k]
    n = draw(st.integers(1, max_ballots))
    ballots = []
    for _ in range(n):
        order = draw(st.permutations(cands))
        length = k if complete else draw(st.integers(1, k))
        ballots.append(tuple(order[:length]))
    return cands, ballots


def check(cands, sections, weights, m, section=0):
    """m changes let another candidate win (found by brute force too) and m - 1 do not;
    m.decisive changes elect another whatever the tie-break, and fewer than m never do."""
    args = (sections, weights, cands, m.winner, section)
    if m.ballots > 0:
        assert some_change_of(m.ballots - 1, *args) is None
        assert some_change_of(m.ballots - 1, *args, outright=True) is None
    assert some_change_of(m.ballots, *args) is not None
    if m.decisive is not None:  # None: no change forces an elimination order (see margin)
        assert m.decisive >= m.ballots
        assert some_change_of(m.decisive, *args, outright=True) is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_margin_equals_brute_force_three_candidates(election):
    cands, ballots = election
    rules = Rules(cands)
    result = count(rules, Ballots.from_rankings(cands, ballots))
    m = margin(rules, Ballots.from_rankings(cands, ballots), result=result)
    assert m.exact and m.ballots is not None
    counts = [Counter(ballots)]
    assert result.winners[0] in possible_winners(counts, [Fraction(1)], cands)
    check(cands, counts, [Fraction(1)], m)
    if m.decisive is not None:
        assert m.new_winner != m.winner
        assert sum(n for _, n in m.removed) == m.decisive == sum(n for _, n in m.added)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_candidates=4, max_ballots=4))
def test_margin_equals_brute_force_four_candidates(election):
    cands, ballots = election
    rules = Rules(cands)
    m = margin(rules, Ballots.from_rankings(cands, ballots))
    assume(m.ballots <= 2)  # beyond 2 changes the brute force over 65 rankings is too slow
    check(cands, [Counter(ballots)], [Fraction(1)], m)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_ballots=5, complete=True), elections(max_ballots=5),
       st.sampled_from([(Fraction(1, 2), Fraction(1, 2)), (Fraction(1, 3), Fraction(2, 3))]))
def test_college_margin_per_section_equals_brute_force(first, second, weights):
    cands = first[0]
    other = [tuple(c for c in b if c in cands) for b in second[1]]
    other = [b for b in other if b] or [cands[:1]]
    names = ("S1", "S2")
    rules = Rules(cands, sections=(Section("S1", weights[0]), Section("S2", weights[1])))
    rows = list(first[1]) + other
    ballots = Ballots.from_rankings(cands, rows, sections=["S1"] * len(first[1]) +
                                    ["S2"] * len(other), section_names=names)
    m1, _ = college_margins(rules, ballots)
    # Unchanged complete ballots keep the section's continuing total above 0, which the
    # margin requires; so compare only where some ballot of the section is left unchanged.
    assume(m1.ballots is not None and m1.ballots < len(first[1]))
    assume(m1.decisive is None or m1.decisive < len(first[1]))
    sections = [Counter(first[1]), Counter(other)]
    check(cands, sections, [w * 100 for w in weights], m1, section=0)
    assert m1.section == "S1"
