"""The real 2010 Labour leadership ballots of MPs and MEPs, against the published rounds.

Published figures (Labour Party, 25 September 2010, MPs & MEPs section, votes): round 1
D. Miliband 111, E. Miliband 84, Balls 40, Burnham 24, Abbott 7; round 2 Balls 41,
Burnham 24, D. Miliband 111, E. Miliband 88 (2 non-transferable); round 3 Balls 43,
D. Miliband 125, E. Miliband 96; final D. Miliband 140, E. Miliband 122 (4 exhausted).
"""

from __future__ import annotations

import csv
from fractions import Fraction

import pytest

from hustings.counting import (
    EXHAUSTED,
    Ballots,
    InactiveReason,
    Rules,
    Section,
    count,
)

DM, EM, EB, AB, DA = (
    "David Miliband", "Ed Miliband", "Ed Balls", "Andy Burnham", "Diane Abbott",
)
CANDIDATES = (DM, EM, EB, AB, DA)


@pytest.fixture(scope="module")
def rankings(shared):
    with open(shared / "data" / "labour" / "labour-2010-plp-ballots.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 266
    return [[row[f"pref{i}"] or None for i in range(1, 6)] for row in rows]


def votes(rnd):
    return {c: int(v) for c, v in rnd.tally.items()}


def test_rounds_match_the_published_count(rankings):
    result = count(Rules(CANDIDATES), Ballots.from_rankings(CANDIDATES, rankings))
    r1, r2, r3, r4 = result.rounds
    assert votes(r1) == {DM: 111, EM: 84, EB: 40, AB: 24, DA: 7}
    assert r1.eliminated == (DA,)
    assert votes(r2) == {EB: 41, AB: 24, DM: 111, EM: 88}
    assert r2.sections[0].exhausted == 2
    assert votes(r3) == {EB: 43, DM: 125, EM: 96}
    assert r3.sections[0].exhausted == 2
    assert votes(r4) == {DM: 140, EM: 122}
    assert r4.sections[0].inactive[InactiveReason.EXHAUSTED_CHOICES] == 4
    # In the MPs' and MEPs' section alone David Miliband has the majority.
    assert result.winners == (DM,)
    assert r4.elected == (DM,)
    assert r4.threshold == 132  # floor(262 / 2) + 1
    assert result.total_ballots == 266 and result.undervotes == 0


def test_transfers_explain_every_change(rankings):
    result = count(Rules(CANDIDATES), Ballots.from_rankings(CANDIDATES, rankings))
    r1 = result.rounds[0]
    moved = {t.target: t.votes for t in r1.transfers}
    assert moved == {EM: 4, EB: 1, EXHAUSTED: 2}
    assert all(t.source == DA and t.section == "all" for t in r1.transfers)
    for before, after in zip(result.rounds, result.rounds[1:]):
        for c, v in after.tally.items():
            came = sum(t.votes for t in before.transfers if t.target == c)
            assert v == before.tally[c] + came


def test_college_of_identical_sections_gives_the_same_shares(rankings):
    """Three sections of weight 1/3 holding these ballots: shares equal plain AV percentages."""
    n = len(rankings)
    names = ("MPs", "Members", "Affiliates")
    ballots = Ballots.from_rankings(
        CANDIDATES, rankings * 3, sections=[s for s in names for _ in range(n)],
        section_names=names,
    )
    rules = Rules(CANDIDATES, sections=tuple(Section(s, Fraction(1, 3)) for s in names))
    college = count(rules, ballots)
    plain = count(Rules(CANDIDATES), Ballots.from_rankings(CANDIDATES, rankings))
    assert college.winners == plain.winners
    assert len(college.rounds) == len(plain.rounds)
    for c_round, p_round in zip(college.rounds, plain.rounds):
        total = sum(p_round.tally.values())
        for cand, v in p_round.tally.items():
            assert c_round.tally[cand] == v / total * 100
            assert c_round.section("MPs").share[cand] == v / total * 100 / 3
            assert c_round.section("Members").tally[cand] == v
        assert c_round.threshold == 50
        assert c_round.eliminated == p_round.eliminated
    assert college.rounds[-1].tally[DM] == Fraction(140 * 100, 262)
