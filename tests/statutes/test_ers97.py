"""ERS97 (Electoral Reform Society, *How to conduct an election by the Single
Transferable Vote*, 3rd edition, 1997, section 5), against the booklet's own model
election and against figures worked by hand from the rules' text.

The model election (section 8; http://www.rosenstiel.co.uk/stvrules/model.htm) is
published as a narrative of the count, not as ballots: its first two stages give the
figures checked here (758 votes, 5 invalid, 753 valid, 6 places, quota 107.58; Smith
134, elected; surplus 26.42 over 123 transferable papers of 134, transfer value 0.21,
non-transferable difference 0.59; the two lowest candidates on 24 and 23). The ballots
below are built to those published facts (the other candidates' first preferences are
not in the excerpt and are made up, keeping 24 and 23 the two lowest)."""

from __future__ import annotations

from fractions import Fraction

from hustings.counting import Ballots, Method, Rules, TieBreak, TieBreakMode, count

F = Fraction


def ers97(candidates, groups, seats):
    rankings, weights = [], []
    for ranking, n in groups:
        rankings.append(ranking)
        weights.append(n)
    ballots = Ballots.from_rankings(candidates, rankings, weights=weights)
    rules = Rules(candidates=tuple(candidates), method=Method.ERS97, seats=seats,
                  decimal_places=2, tie_break=TieBreak(TieBreakMode.CANDIDATE_ORDER))
    return count(rules, ballots)


def test_model_election_first_two_stages():
    others = {"Adams": 100, "Brown": 95, "Clark": 90, "Davis": 80, "Evans": 70,
              "Fox": 60, "Hill": 42, "Jones": 35, "Kerr": 24, "Lowe": 23}
    names = ["Smith", *others]
    groups = [(["Smith", "Jones"], 60), (["Smith", "Lowe"], 40), (["Smith", "Adams"], 23),
              (["Smith"], 11), (["Kerr", "Lowe"], 24)]
    groups += [([c], n) for c, n in others.items() if c != "Kerr"]
    groups += [([], 5)]  # the five invalid papers
    result = ers97(names, groups, seats=6)
    assert (result.total_ballots, result.undervotes) == (758, 5)
    first, second = result.rounds[0], result.rounds[1]
    assert first.threshold == F("107.58") and first.elected == ("Smith",)
    moved = {t.target: t.votes for t in first.transfers if t.source == "Smith"}
    assert moved == {"Jones": F("12.60"), "Lowe": F("8.40"), "Adams": F("4.83"),
                     "exhausted": F("0.59")}  # 0.21 a paper; 26.42 - 25.83
    assert second.tally["Smith"] == F("107.58") and second.tally["Jones"] == F("47.60")
    assert second.sections[0].exhausted == F("0.59")
    assert sum(second.tally.values()) + second.sections[0].exhausted == 753
    assert first.eliminated == () and second.eliminated == ("Kerr",)


def test_deferred_surplus_and_election_on_the_active_vote():
    """A's surplus (1.33) does not exceed the gap between the two lowest (10 - 8): it is
    deferred (5.2.2(a)) and E excluded; then it goes (5.3.1, all A's papers: 0.04 each);
    D and C tie on 18 and D, lower at the first stage, goes (5.2.5); B is then deemed
    elected on the total active vote (5.4.9(b)): (86 - 18.13 - 28.67) / 2 = 19.60."""
    result = ers97("ABCDE", [(["A", "B"], 30), (["B"], 20), (["C"], 18), (["D"], 10),
                             (["E", "D"], 8)], seats=2)
    r1, r2, r3, r4 = result.rounds
    assert r1.threshold == F("28.67") and r1.elected == ("A",) and r1.eliminated == ("E",)
    assert r1.transfers and all(t.source == "E" for t in r1.transfers)
    assert dict(r2.tally) == {"A": 30, "B": 20, "C": 18, "D": 18}
    assert {(t.source, t.target, t.votes) for t in r2.transfers} == {
        ("A", "B", F("1.20")), ("A", "exhausted", F("0.13"))}
    assert dict(r3.tally) == {"A": F("28.67"), "B": F("21.20"), "C": 18, "D": 18}
    assert r3.eliminated == ("D",) and "earliest point" in r3.tie_breaks[0].reason
    assert r4.sections[0].exhausted == F("18.13") and r4.elected == ("B",)
    assert result.winners == ("A", "B")


def test_several_excluded_together():
    """5.2.5: D and E (2 + 1) cannot overtake C (10): both go at once; C then reaches
    the quota of 12.00 (36 / 3, exact)."""
    result = ers97("ABCDE", [(["A"], 12), (["B"], 11), (["C"], 10), (["D", "C"], 2),
                             (["E", "C"], 1)], seats=2)
    assert result.rounds[0].threshold == 12 and result.rounds[0].elected == ("A",)
    assert set(result.rounds[0].eliminated) == {"D", "E"}
    assert result.rounds[1].tally["C"] == 13 and result.rounds[1].elected == ("C",)
    assert result.winners == ("A", "C") and len(result.rounds) == 2


def test_last_parcel_only():
    """A reaches the quota on C's 5 papers (stage 2); its surplus of 4.33 is shared over
    that last batch only (5.3.2): 0.86 a paper, not 4.33 / 14 = 0.30 over all 14."""
    result = ers97("ABCD", [(["A", "D"], 9), (["B"], 8), (["C", "A", "D"], 5), (["D"], 7)],
                   seats=2)
    r1, r2, r3 = result.rounds
    assert r1.threshold == F("9.67") and r1.eliminated == ("C",)
    assert r2.tally["A"] == 14 and r2.elected == ("A",)
    assert {(t.target, t.votes) for t in r2.transfers} == {("D", F("4.30")),
                                                           ("exhausted", F("0.03"))}
    assert r3.tally["D"] == F("11.30") and r3.elected == ("D",)
    assert result.winners == ("A", "D")


def test_quota_recalculated_when_papers_leave_before_anyone_is_elected():
    """5.4.8: C's 5 papers are non-transferable, nobody has been elected: the quota
    becomes (29 - 5) / 3 = 8.00, and A (9) and B (8) reach it."""
    result = ers97("ABCD", [(["A"], 9), (["B"], 8), (["C"], 5), (["D"], 7)], seats=2)
    assert result.rounds[0].threshold == F("9.67")
    assert result.rounds[1].threshold == 8
    assert set(result.rounds[1].elected) == {"A", "B"}


def _adds_up(result, valid):
    for r in result.rounds:
        s = r.sections[0]
        assert sum(s.tally.values(), F(0)) + s.exhausted == valid, r.number


def test_the_last_exclusion_keeps_its_votes_in_the_final_stage():
    # Found by the conservation property: B is excluded by 5.5.1 (one place, one other
    # continuing candidate) without its paper moving; the stage must still show it.
    result = ers97(["A", "B", "C"], [(["A"], 9), (["B"], 1), (["C"], 1)], seats=2)
    assert result.winners == ("A", "C")
    assert result.rounds[-1].tally["B"] == 1
    _adds_up(result, 11)


def test_papers_not_moved_when_the_places_fill_stay_with_the_excluded():
    # Found by the conservation property: the places fill during an exclusion (5.5.2), so
    # the excluded candidate's lower-valued batches never move and still count for it.
    groups = [(["A"], 22), (["C"], 1), (["E"], 2), (["D", "C"], 1), (["D", "A", "B"], 8),
              (["A", "B"], 1)]
    result = ers97(["A", "B", "C", "D", "E"], groups, seats=3)
    _adds_up(result, 35)
