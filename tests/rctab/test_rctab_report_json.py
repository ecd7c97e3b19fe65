"""report_json on counts whose figures can be worked out by hand."""

from __future__ import annotations

import json
from fractions import Fraction

from hustings.counting import (
    EXHAUSTED,
    RESIDUAL,
    Ballots,
    InactiveReason,
    Result,
    Round,
    Rules,
    Section,
    SectionRound,
    Transfer,
    count,
)
from hustings.formats.report_json import render


def test_college_rounds_carry_weighted_percentages_and_sections() -> None:
    # MPs (half the college): X X X Y.  Members (half): X, Y, Y, Z (no later preference).
    ballots = Ballots.from_rankings(
        ["X", "Y", "Z"],
        [["X"], ["X"], ["X"], ["Y"], ["X"], ["Y"], ["Y"], ["Z"]],
        sections=["mps"] * 4 + ["members"] * 4,
        section_names=["mps", "members"],
    )
    rules = Rules(candidates=("X", "Y", "Z"),
                  sections=(Section("mps", Fraction(1, 2)), Section("members", Fraction(1, 2))))
    report = json.loads(json.dumps(render(count(rules, ballots), contest={"contest": "T"})))
    r1, r2 = report["results"]
    # X: 3/4 of 50 + 1/4 of 50 = 50; Y: 12.5 + 25; Z: 12.5
    assert r1["tally"] == {"X": "50.0000", "Y": "37.5000", "Z": "12.5000"}
    assert r1["sections"]["members"]["tally"] == {"X": "1", "Y": "2", "Z": "1"}
    assert r1["sections"]["mps"]["share"] == {"X": "37.5000", "Y": "12.5000", "Z": "0.0000"}
    assert r1["tallyResults"] == [{"eliminated": "Z", "transfers": {"exhausted": "1"}}]
    assert r1["sections"]["members"]["transfers"] == {"Z": {"exhausted": "1"}}
    assert r1["sections"]["mps"]["transfers"] == {}
    # Members' continuing votes are now 3: X 1/3 and Y 2/3 of their 50%.
    assert r2["tally"] == {"X": "54.1667", "Y": "45.8333"}
    assert r2["sections"]["members"]["exhausted"] == "1"
    assert r2["inactiveBallots"]["exhaustedChoices"] == "1"
    assert r2["tallyResults"] == [{"elected": "X", "transfers": {}}]
    assert report["summary"] == {"finalThreshold": report["results"][-1]["threshold"],
                                 "numCandidates": 3, "numWinners": 1,
                                 "totalNumBallots": "8", "undervotes": 0}
    assert report["config"]["contest"] == "T" and report["config"]["office"] == ""


def test_decisions_elected_first_then_eliminated_each_sorted() -> None:
    zero = {r: Fraction(0) for r in InactiveReason if r is not InactiveReason.FINAL_ROUND_SURPLUS}
    tally = {"A": Fraction(10), "B": Fraction(12), "C": Fraction(1), "D": Fraction(1)}
    section = SectionRound("all", Fraction(1), tally, zero, {})
    rnd = Round(
        number=1, sections=(section,), tally=tally, threshold=Fraction(72501, 10000),
        elected=("B", "A"), eliminated=("D", "C"),
        transfers=(
            Transfer("B", "C", Fraction(0), "all"),  # nothing moved: left out
            Transfer("B", "A", Fraction(47, 10), "all"),
            Transfer("B", RESIDUAL, Fraction(3, 10000), "all"),
            Transfer("D", EXHAUSTED, Fraction(1), "all"),
        ),
    )
    rules = Rules(candidates=("A", "B", "C", "D"), seats=2, decimal_places=4)
    report = render(Result(rules, (rnd,), ("B", "A"), total_ballots=24, undervotes=0))
    assert report["results"][0]["tallyResults"] == [
        {"elected": "A", "transfers": {}},
        {"elected": "B", "transfers": {"A": "4.7000", "residual surplus": "0.0003"}},
        {"eliminated": "C", "transfers": {}},
        {"eliminated": "D", "transfers": {"exhausted": "1"}},
    ]
    assert report["results"][0]["threshold"] == "7.2501"
    assert report["summary"]["numWinners"] == 2
    assert report["summary"]["totalNumBallots"] == "24"


def test_csv_percentages_truncate_as_rctab() -> None:
    from hustings.formats.rctab.report_csv import percent_text

    assert percent_text(Fraction(41), Fraction(83)) == "49.39%"  # 49.397…: truncated
    assert percent_text(Fraction(20), Fraction(99)) == "20.2%"  # 20.20…: one zero dropped
    assert percent_text(Fraction(0), Fraction(99)) == "0.0%"
    assert percent_text(Fraction(14866), Fraction(59463)) == "25.0%"
    assert percent_text(Fraction(1), Fraction(0)) == ""
