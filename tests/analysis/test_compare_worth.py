"""What-if comparisons and ballot values, on the real 2010 PLP ballots.

Published (Labour Party, 25 September 2010, MPs and MEPs section): first preferences
David Miliband 111, Ed Miliband 84, Ed Balls 40, Andy Burnham 24, Diane Abbott 7; final
round David Miliband 140, Ed Miliband 122 (the final round is the two brothers head to
head: every ballot ranking either counts for the one ranked higher).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from hustings.analysis import AnalysisError
from hustings.analysis.compare import compare, condorcet_winner
from hustings.analysis.worth import ballot_values
from hustings.counting import Ballots, Rules, Section, count
from tests.analysis.conftest import AB, DA, DM, EB, EM, PLP_CANDIDATES


@pytest.fixture(scope="module")
def plp_compare(plp_ballots):
    return compare(Rules(PLP_CANDIDATES), plp_ballots, seats=2)


def test_av_is_david_miliband_140_to_122(plp_compare):
    av = plp_compare.get("av")
    assert av.winners == (DM,)
    assert av.deciding_round == 4
    assert av.figures == ((DM, 140), (EM, 122))


def test_fptp_is_david_miliband_on_111(plp_compare):
    fptp = plp_compare.get("fptp")
    assert fptp.winners == (DM,) and fptp.deciding_round == 1
    assert dict(fptp.figures) == {DM: 111, EM: 84, EB: 40, AB: 24, DA: 7}


def test_condorcet_david_miliband_beats_every_rival(plp_compare):
    c = plp_compare.get("condorcet")
    assert c.winners == (DM,) and c.condorcet_winner == DM
    assert c.head_to_head[0] == (EM, 140, 122)  # the closest contest, as in the final round
    assert all(ours > theirs for _, ours, theirs in c.head_to_head)
    d = plp_compare.pairwise
    i, j = PLP_CANDIDATES.index(DM), PLP_CANDIDATES.index(EM)
    assert (d[i][j], d[j][i]) == (140, 122)
    # every ballot ranks Abbott or does not: the two directions never exceed the ballots cast
    assert all(d[a][b] + d[b][a] <= 266 for a in range(5) for b in range(5))


def test_stv_for_two_seats_elects_both_brothers(plp_compare):
    stv = plp_compare.get("stv")
    assert set(stv.winners) == {DM, EM}
    assert stv.rules.seats == 2


def test_condorcet_winner_is_none_in_a_cycle():
    d = [[0, 2, 1], [1, 0, 2], [2, 1, 0]]  # A>B, B>C, C>A
    assert condorcet_winner(("A", "B", "C"), d) is None


def test_college_against_one_member_one_vote():
    """A college the small section decides; pooled, the large section decides."""
    cands = ("A", "B")
    rows = [["A"]] * 3 + [["B"]] * 1 + [["B"]] * 40 + [["A"]] * 35
    secs = ["MPs"] * 4 + ["Members"] * 75
    rules = Rules(cands, sections=(Section("MPs", Fraction(1, 2)),
                                   Section("Members", Fraction(1, 2))))
    ballots = Ballots.from_rankings(cands, rows, sections=secs, section_names=("MPs", "Members"))
    c = compare(rules, ballots, seats=1)
    college, omov = c.get("college"), c.get("omov")
    # college: A 3/4*50 + 35/75*50 = 37.5 + 23.33 = 60.83%; OMOV: A 38, B 41
    assert college.winners == ("A",) and college.percent
    assert college.figures[0][1] == Fraction(3, 4) * 50 + Fraction(35, 75) * 50
    assert omov.winners == ("B",) and dict(omov.figures) == {"B": 41, "A": 38}
    assert c.get("section:MPs").winners == ("A",) and c.get("section:Members").winners == ("B",)
    assert [o.key for o in c.outcomes] == ["college", "omov", "section:MPs", "section:Members",
                                           "fptp", "condorcet"]


def test_one_mp_ballot_is_worth_members_ballots(plp_ballots):
    """The 266 real PLP ballots beside 126,874 member ballots (synthetic here: one row of
    that weight), each section a third: one PLP ballot carries 126874/266 member ballots."""
    import numpy as np

    members = 126_874
    rules = Rules(PLP_CANDIDATES, sections=(Section("MPs and MEPs", Fraction(1, 3)),
                                            Section("Members", Fraction(1, 3)),
                                            Section("Affiliates", Fraction(1, 3))))
    ranks = np.vstack([plp_ballots.ranks,
                       np.array([[3] + [-1] * 4, [4] + [-1] * 4], dtype=np.int16)])
    ballots = Ballots(PLP_CANDIDATES, ranks,
                      np.concatenate([plp_ballots.weights, [members, 200_000]]),
                      np.array([0] * 266 + [1, 2], dtype=np.int16),
                      ("MPs and MEPs", "Members", "Affiliates"))
    values = {v.section: v for v in ballot_values(count(rules, ballots))}
    assert values["MPs and MEPs"].ballots == 266
    assert values["MPs and MEPs"].points == Fraction(100, 3 * 266)
    assert values["MPs and MEPs"].relative == Fraction(200_000, 266)
    assert values["Affiliates"].relative == 1
    assert values["MPs and MEPs"].points / values["Members"].points == Fraction(members, 266)
    with pytest.raises(AnalysisError, match="round 9 is not in this count"):
        ballot_values(count(rules, ballots), 9)


def test_with_two_candidates_every_rule_agrees():
    """Property: between two candidates, AV, FPTP and Condorcet are the same majority."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None)
    @given(st.integers(0, 30), st.integers(0, 30))
    def check(a, b):
        if a == b:
            return
        cands = ("A", "B")
        c = compare(Rules(cands), Ballots.from_rankings(cands, [["A", "B"]] * a +
                                                        [["B", "A"]] * b), seats=1)
        winner = "A" if a > b else "B"
        assert {o.winners for o in c.outcomes} == {(winner,)}
        assert c.get("condorcet").condorcet_winner == winner

    check()
