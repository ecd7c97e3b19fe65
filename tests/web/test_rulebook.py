"""The [nominations] rule books: thresholds exact at their edges (Chapter 4, Clause II.2.B).

Pure: no database. Figures: 257 Labour MPs in 2010 (33 needed for 12.5%); 232 in 2015
(35 for 15%); 2020: 202 MPs + 10 MEPs (22 for 10%), 645 CLPs (33 for 5%).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from hustings.rulebook import (
    Affiliates,
    BodyType,
    NominationRulesError,
    Share,
    Tally,
    assess,
    load_nominations,
    preset_names,
    preset_text,
)
from hustings.rulebook.nominations import Rounding, needed, percent

MP, MEP, CLP, TU, SS = BodyType


def rules(name):
    return load_nominations(preset_text(name), name)


def test_presets_are_packaged_with_nominations_tables():
    assert {"labour-2010", "labour-2015", "labour-2020"} <= set(preset_names())
    assert rules("labour-2010").vacancy == Share((MP,), Fraction(1, 8), "12.5% of the PLP")
    assert rules("labour-2015").vacancy.share == Fraction(15, 100)
    assert rules("labour-2010").challenge.share == Fraction(1, 5)


@pytest.mark.parametrize(
    "got, passed, reason",
    [
        (32, False, "32 of 257 MPs = 12.45% < 12.5%; 33 needed (exact rounding)"),
        (33, True, "33 of 257 MPs = 12.84% ≥ 12.5%"),
        (81, True, "81 of 257 MPs = 31.51% ≥ 12.5%"),
    ],
)
def test_2010_vacancy_needs_one_eighth_of_the_plp(got, passed, reason):
    result = assess(rules("labour-2010").vacancy, Tally({MP: got}, {MP: 257}))
    assert (result.passed, result.reason) == (passed, reason)


def test_2015_needs_fifteen_percent_of_the_plp():
    r = rules("labour-2015")
    assert needed(r.vacancy.share, 232, r.rounding) == 35  # 34.8 rounds up
    assert not assess(r.vacancy, Tally({MP: 34}, {MP: 232})).passed
    assert assess(r.vacancy, Tally({MP: 35}, {MP: 232})).passed


def test_challenge_without_vacancy_needs_twenty_percent():
    r = rules("labour-2010")
    req = r.requirement(vacancy=False)
    assert not assess(req, Tally({MP: 51}, {MP: 257})).passed  # 51.4 needed -> 52
    assert assess(req, Tally({MP: 52}, {MP: 257})).passed
    r20 = rules("labour-2020").requirement(vacancy=False)
    assert not assess(r20, Tally({MP: 40, MEP: 2}, {MP: 202, MEP: 10})).passed  # 42.4 -> 43
    assert assess(r20, Tally({MP: 41, MEP: 2}, {MP: 202, MEP: 10})).passed


ELIGIBLE_2020 = {MP: 202, MEP: 10, CLP: 645, TU: 12, SS: 20}
MEMBERSHIP_2020 = {TU: 2_000_000, SS: 100_000}  # affiliated membership of every affiliate


def tally_2020(mps=22, meps=0, clps=0, tus=0, sss=0, members=0):
    return Tally(
        {MP: mps, MEP: meps, CLP: clps, TU: tus, SS: sss},
        ELIGIBLE_2020,
        {TU: members, SS: 0},
        MEMBERSHIP_2020,
    )


def test_2020_mps_and_meps_together_ten_percent():
    req = rules("labour-2020").vacancy
    assert not assess(req, tally_2020(mps=20, meps=1, clps=33)).passed  # 21 of 212 < 21.2
    result = assess(req, tally_2020(mps=21, meps=1, clps=33))
    assert result.passed
    assert result.parts[0].reason == "22 of 212 MPs and MEPs = 10.37% ≥ 10%"


def test_2020_clp_route_is_five_percent_of_clps():
    req = rules("labour-2020").vacancy
    fails = assess(req, tally_2020(clps=32))
    assert not fails.passed
    assert "32 of 645 CLPs = 4.96% < 5%; 33 needed" in fails.reason
    assert assess(req, tally_2020(clps=33)).passed


@pytest.mark.parametrize(
    "tus, sss, members, passed, why",
    [
        (2, 1, 105_000, True, "meets the affiliates route"),
        (3, 0, 105_000, True, "meets the affiliates route"),
        (2, 0, 105_000, False, "3 affiliates needed"),
        (1, 2, 105_000, False, "2 unions needed"),
        (2, 1, 104_999, False, "5% of affiliated membership needed"),  # 5% of 2.1m = 105,000
    ],
)
def test_2020_affiliates_route(tus, sss, members, passed, why):
    req = rules("labour-2020").vacancy
    result = assess(req, tally_2020(tus=tus, sss=sss, members=members))
    assert result.passed is passed
    assert why in result.parts[1].parts[1].reason


def test_2020_needs_both_halves():
    req = rules("labour-2020").vacancy
    result = assess(req, tally_2020(mps=10, clps=100))
    assert not result.passed
    assert result.reason.startswith("[✗ 10% of MPs and MEPs: 10 of 212 MPs and MEPs")


def test_half_up_rounding_when_the_rule_book_says_so():
    text = preset_text("labour-2015").replace('rounding = "exact"', 'rounding = "half-up"')
    r = load_nominations(text)
    assert r.rounding is Rounding.HALF_UP
    # 15% of 230 = 34.5: half-up needs 35; 15% of 229 = 34.35: half-up needs 34 (exact: 35)
    assert needed(r.vacancy.share, 230, r.rounding) == 35
    assert assess(r.vacancy, Tally({MP: 34}, {MP: 229}), r.rounding).passed
    assert not assess(r.vacancy, Tally({MP: 34}, {MP: 229}), Rounding.EXACT).passed


def test_percent_never_overstates():
    assert percent(Fraction(33, 257)) == "12.84%"
    assert percent(Fraction(1, 8)) == "12.5%"
    assert percent(Fraction(2, 3)) == "66.66%"


@pytest.mark.parametrize(
    "toml, message",
    [
        ("[contest]\n", "x: no [nominations] table"),
        ("[nominations]\n", "x: nominations: no [nominations.vacancy] requirement"),
        (
            '[nominations.vacancy]\nbodies = ["MP"]\nshare = 0.125\n',
            "x: nominations.vacancy.share: expected a share as a string such as "
            '"12.5%" or "1/8", got 0.125',
        ),
        (
            '[nominations.vacancy]\nbodies = ["PPC"]\nshare = "10%"\n',
            "x: nominations.vacancy.bodies: unknown body type 'PPC'; "
            "expected one of MP, MEP, CLP, TU, SS",
        ),
        (
            '[nominations.vacancy]\nbodies = ["MP"]\nshare = "120%"\n',
            "x: nominations.vacancy.share: a share must be above 0% and at most 100%, got '120%'",
        ),
        (
            '[nominations]\nrounding = "down"\n'
            '[nominations.vacancy]\nbodies = ["MP"]\nshare = "10%"\n',
            'x: nominations.rounding: expected "exact" or "half-up", got \'down\'',
        ),
        (
            '[[nominations.vacancy.any]]\nbodies = ["MP"]\nmembership_share = "5%"\n',
            "x: nominations.vacancy.any[0].bodies: the affiliates route takes only TU and SS",
        ),
        ("[nominations\n", "x: not valid TOML"),
    ],
)
def test_bad_rule_books_say_where_and_what(toml, message):
    with pytest.raises(NominationRulesError) as e:
        load_nominations(toml, "x")
    assert str(e.value).startswith(message)


def test_affiliates_requirement_counts_unions_separately():
    req = Affiliates((TU, SS), 3, {TU: 2}, Fraction(1, 20))
    t = Tally({TU: 2, SS: 1}, {TU: 4, SS: 4}, {TU: 50, SS: 10}, {TU: 1000, SS: 200})
    assert assess(req, t).passed  # 60 of 1200 = 5%
    assert assess(req, t).reason.startswith(
        "3 affiliates (2 unions, 1 socialist societies) with 60 of 1,200"
    )
