"""Figures and the Rich table: exact rounding, and tables split to fit a terminal."""

from __future__ import annotations

import io
from fractions import Fraction

from rich.console import Console

from hustings.counting import Ballots, Rules, count
from hustings.formats.figures import decimal_text, votes_text
from hustings.formats.report_table import render, standing


def test_decimal_text_rounds_exactly_half_away_from_zero():
    assert decimal_text(Fraction(111 * 100, 266), 2) == "41.73"
    assert decimal_text(Fraction(1, 8), 2) == "0.13"  # 0.125: a float would give 0.12
    assert decimal_text(Fraction(-1, 8), 2) == "-0.13"
    assert decimal_text(Fraction(-1, 1000), 2) == "0.00"
    assert decimal_text(Fraction(5, 2), 0) == "3"


def test_votes_text_keeps_whole_numbers_and_declared_places():
    assert votes_text(Fraction(140), 4) == "140"
    assert votes_text(Fraction(177_5192, 10_000), 4) == "177.5192"
    assert votes_text(Fraction(1, 4), None) == "0.25"


def small_result():
    # 5 candidates, 4 eliminations: A wins on transfers
    ballots = Ballots.from_rankings(
        ["A", "B", "C", "D", "E"],
        [["A"]] * 8 + [["B", "A"]] * 6 + [["C", "B"]] * 4 + [["D", "C"]] * 3 + [["E", "D"]] * 2,
    )
    return count(Rules(ballots.candidates), ballots)


def text(renderable, width: int) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width).print(renderable)
    return buffer.getvalue()


def test_standing_orders_winner_first_then_last_out_first():
    result = small_result()
    assert standing(result)[0] == result.winners[0]
    eliminated = [c for r in result.rounds for c in r.eliminated]
    assert standing(result)[-len(eliminated):] == eliminated[::-1]


def test_wide_tables_split_into_round_ranges_that_fit():
    result = small_result()
    assert len(result.rounds) >= 3
    wide = text(render(result, title="T"), 10**4)
    assert "rounds 1–" not in wide
    narrow = text(render(result, title="T", width=60), 60)
    assert "T, rounds 1–" in narrow
    assert max(len(line) for line in narrow.splitlines() if "│" in line) <= 60
    assert "…" not in narrow
