"""NZ Meek (Local Electoral Regulations 2001, Schedule 1A; ``counting.nz_meek``) against
the random numbers and quota the Department of Internal Affairs' STV Calculator printed
for a real count, and against figures worked by hand from the Schedule's clauses.

Kapiti Coast District Council 2016, district-wide ward (5 vacancies, 14 candidates of
whom 13 active, 17,783 voting documents): the calculator's iteration report, published
by the council (tests/statutes/README.md), opens with iteration 1: quota 2882.166666667,
non-transferable votes 490, total surplus 1649.833333333, and for the first three
candidates Austin 349, Bell 1,050 and Boonen 749 votes with random numbers 6581, 403 and
6604. Only that opening is in the copy we could read, so only iteration 1 is checked."""

from __future__ import annotations

from fractions import Fraction

import pytest

from hustings.config.election import load_preset
from hustings.counting import (
    Ballots,
    CountingError,
    Method,
    Rules,
    TieBreak,
    TieBreakMode,
    count,
    nz_meek,
)
from hustings.counting.nz_meek import nz_iterations, nz_random_numbers

F = Fraction


def nz(candidates, groups, seats, *, withdrawn=(), mode=TieBreakMode.PREVIOUS_ROUNDS_THEN_RANDOM):
    rankings = [list(r) for r, _ in groups]
    weights = [n for _, n in groups]
    ballots = Ballots.from_rankings(candidates, rankings, weights=weights)
    rules = Rules(candidates=tuple(candidates), method=Method.NZ_MEEK, seats=seats,
                  decimal_places=9, tie_break=TieBreak(mode), excluded=frozenset(withdrawn))
    return count(rules, ballots)


def test_the_prng_method_gives_the_calculators_numbers_for_kapiti_coast_2016():
    # cl 41-48, seeded by 14 candidates, 5 vacancies and 17,783 voting documents
    assert nz_random_numbers(14, 5, 17783)[:3] == [6581, 403, 6604]
    numbers = nz_random_numbers(14, 5, 17783)
    assert len(set(numbers)) == 14 and all(0 <= n <= 10000 for n in numbers)


def test_kapiti_coast_2016_iteration_1():
    """Ballots built to the published iteration 1: the three named candidates' first
    preferences; 490 documents that name only the withdrawn candidate (the report's
    non-transferable votes at iteration 1); one candidate on the quota plus the total
    surplus (4,532, supposing one candidate over the quota); the other first preferences
    (10,613 over nine candidates, names unknown) are made up, all under the quota."""
    names = ["Austin Ric", "Bell Murray", "Boonen Emily"] + [f"Candidate {k}" for k in
                                                             range(4, 15)]
    groups = [(["Austin Ric"], 349), (["Bell Murray"], 1050), (["Boonen Emily"], 749),
              (["Candidate 4"], 4532), (["Candidate 14"], 490), (["Candidate 5"], 1181)]
    groups += [([f"Candidate {k}"], 1179) for k in range(6, 14)]
    ballots = Ballots.from_rankings(names, [r for r, _ in groups],
                                    weights=[n for _, n in groups])
    rules = load_preset("nz-meek").rules(tuple(names), seats=5,
                                         excluded=frozenset({"Candidate 14"}))
    result, iterations = nz_iterations(rules, ballots)
    assert result.total_ballots == 17783 and result.undervotes == 0
    it1 = iterations[0]
    assert it1.quota == F("2882.166666667")  # cl 5: (17783 - 490) / 6, truncated
    assert it1.non_transferable == 490
    assert it1.surplus == F("1649.833333333")
    for name, votes in (("Austin Ric", 349), ("Bell Murray", 1050), ("Boonen Emily", 749)):
        assert (it1.votes[name], it1.keep[name]) == (votes, 1)
    assert result.rounds[0].elected == ("Candidate 4",)


def test_worked_by_hand_from_the_clauses():
    """2 vacancies; 4 papers A then B, 1 paper B, 2 papers C (v = 7).
    Iteration 1: quota 7/3 truncated to 9 places plus 10^-9 = 2.333333334 (cl 5); A on 4
    is successful (cl 6). Keep value of A (cl 17): 1 x 2.333333334 / 4 = 0.5833333335,
    rounded up to 0.583333334. Iteration 2 (cl 10): each A-B paper gives A 0.583333334 and
    goes on with 1 x (1 - 0.583333334) = 0.416666666 to B: A 2.333333336, B 1 + 4 x
    0.416666666 = 2.666666664, C 2; B reaches the quota (cl 12) and the count is complete."""
    result = nz("ABC", [(["A", "B"], 4), (["B"], 1), (["C"], 2)], seats=2)
    r1, r2 = result.rounds
    assert r1.threshold == F("2.333333334") and r1.elected == ("A",)
    assert dict(r1.tally) == {"A": 4, "B": 1, "C": 2}
    assert dict(r2.tally) == {"A": F("2.333333336"), "B": F("2.666666664"), "C": 2}
    assert r2.threshold == F("2.333333334") and r2.elected == ("B",)
    assert result.winners == ("A", "B")


def test_the_kept_part_is_rounded_up():
    """2 vacancies, 3 papers A then B (v = 3): quota 3/3 + 10^-9 = 1.000000001; A is
    successful. Keep value of A (cl 17): 1.000000001 / 3 = 0.333333333667, rounded up to
    0.333333334. Each paper keeps 0.333333334 for A (cl 10) and passes 0.666666666 to B:
    A 1.000000002, B 1.999999998 (rounding up gives A slightly more than the quota)."""
    result = nz("ABC", [(["A", "B"], 3)], seats=2)
    r1 = result.rounds[0]
    assert r1.threshold == F("1.000000001") and r1.elected == ("A",)
    assert dict(result.rounds[1].tally) == {"A": F("1.000000002"), "B": F("1.999999998"),
                                            "C": 0}


def test_equal_lowest_never_different_goes_by_the_random_numbers():
    # C and D never have a vote: the AAFD method cannot separate them (cl 19); the PRNG
    # method (cl 41-48) excludes the one with the lower number
    result = nz("ABCDE", [(["A"], 3), (["B"], 3), (["E"], 3)], seats=2)
    note = result.rounds[0].tie_breaks[0]
    numbers = dict(zip("ABCDE", nz_random_numbers(5, 2, 9), strict=True))
    assert set(note.tied) == {"C", "D"}
    assert note.chosen == min("CD", key=numbers.__getitem__)
    assert "Schedule 1A PRNG method" in note.reason


def test_equal_lowest_goes_by_the_first_iteration_at_which_they_differed():
    """1 vacancy: A 6, B 4, C 3, D 1 then C (v = 14, quota 7.000000001). D is excluded;
    then B and C are both on 4; at iteration 1 C had 3 against B's 4, so the AAFD method
    (cl 19) excludes C; with C's 4 papers exhausted the quota is (14 - 4) / 2 + 10^-9 and
    A, on 6, is elected."""
    result = nz("ABCD", [(["A"], 6), (["B"], 4), (["C"], 3), (["D", "C"], 1)], seats=1)
    r1, r2, r3 = result.rounds
    assert r1.eliminated == ("D",) and r2.eliminated == ("C",)
    assert dict(r2.tally) == {"A": 6, "B": 4, "C": 4}
    assert r2.tie_breaks[0].chosen == "C"
    assert "C was behind at iteration 1" in r2.tie_breaks[0].reason
    assert r3.threshold == F("5.000000001") and r3.sections[0].exhausted == 4
    assert result.winners == ("A",)


def test_stop_refuses_a_tie_the_aafd_method_leaves():
    with pytest.raises(CountingError, match=r"round 1: C and D tied on 0 for exclusion at "
                                            r"every iteration; the rules say to stop"):
        nz("ABCDE", [(["A"], 3), (["B"], 3), (["E"], 3)], seats=2, mode=TieBreakMode.STOP)


def test_a_count_that_does_not_converge_stops_with_an_error(monkeypatch):
    monkeypatch.setattr(nz_meek, "MAX_ITERATIONS", 1)
    with pytest.raises(CountingError, match=r"^round 2: the count did not converge in 1 "
                                            r"iterations \(Schedule 1A cl 13"):
        nz("ABCD", [(["A", "B"], 40), (["A", "C"], 20), (["B"], 18), (["C"], 19),
                    (["D"], 17)], seats=2)


def test_keep_values_that_cycle_stop_the_count():
    """Found by the property tests: 34 papers for A alone, 3 vacancies. Only A's votes are
    active, so the quota stays a quarter of them and A's keep value must fall towards 0;
    at about 4 x 10^-6, cl 17's rounding up of keep value x quota to 9 places makes it
    rise again, and the keep values cycle with the total surplus at 0.000146, above cl
    13's 0.0001. The count stops with an error rather than exclude unconverged."""
    with pytest.raises(CountingError, match=r"^round 2: the keep values repeat without the "
                                            r"total surplus falling below 0\.0001"):
        nz("ABCD", [(["A"], 34)], seats=3)


def test_exact_fractions_are_refused():
    ballots = Ballots.from_rankings("AB", [["A"]])
    with pytest.raises(CountingError, match="nz-meek counts in fixed decimal places"):
        count(Rules(candidates=("A", "B"), method=Method.NZ_MEEK, decimal_places=None),
              ballots)
