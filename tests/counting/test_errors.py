"""What the core refuses, and that it says what, where and what was expected."""

from __future__ import annotations

from fractions import Fraction

import pytest

from hustings.counting import (
    Ballots,
    BallotsError,
    CountingError,
    Method,
    Rules,
    RulesError,
    Section,
    count,
)


def test_a_candidate_the_rules_do_not_declare():
    ballots = Ballots.from_rankings(("A", "B", "Z"), [["Z"], ["A"]])
    with pytest.raises(BallotsError) as err:
        count(Rules(("A", "B")), ballots)
    assert str(err.value) == (
        "the ballots name 'Z', who is not a candidate in the rules; expected one of ['A', 'B']"
    )


def test_a_section_the_rules_do_not_declare():
    ballots = Ballots.from_rankings(("A", "B"), [["A"], ["B"]], sections=["MPs", "Unions"])
    rules = Rules(("A", "B"), sections=(Section("MPs", Fraction(1, 2)),
                                        Section("Members", Fraction(1, 2))))
    with pytest.raises(BallotsError) as err:
        count(rules, ballots)
    assert str(err.value) == (
        "ballots are in section 'Unions', which the rules do not declare; "
        "expected one of ['MPs', 'Members']"
    )


def test_sections_are_matched_by_name_not_position():
    ballots = Ballots.from_rankings(("A", "B"), [["A"], ["B"], ["B"]],
                                    sections=["Members", "MPs", "MPs"])
    rules = Rules(("A", "B"), sections=(Section("MPs", Fraction(1, 2)),
                                        Section("Members", Fraction(1, 2))))
    rnd = count(rules, ballots).rounds[0]
    assert rnd.section("MPs").tally == {"A": 0, "B": 2}
    assert rnd.section("Members").tally == {"A": 1, "B": 0}
    assert rnd.tally == {"A": 50, "B": 50}


def test_the_college_is_counted_by_irv_only():
    rules = Rules(("A", "B"), method=Method.FPTP,
                  sections=(Section("x", Fraction(1)), Section("y", Fraction(1))))
    ballots = Ballots.from_rankings(("A", "B"), [["A"]], sections=["x"], section_names=("x", "y"))
    with pytest.raises(RulesError, match="^an electoral college .* IRV only, not fptp$"):
        count(rules, ballots)


def test_every_error_is_a_counting_error():
    from hustings.counting.errors import UnbrokenTieError

    assert issubclass(BallotsError, CountingError)
    assert issubclass(RulesError, CountingError)
    assert issubclass(UnbrokenTieError, CountingError)
