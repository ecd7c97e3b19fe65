"""How exact figures are written: a ``Fraction`` as a decimal string, never via float.

Vote counts are whole numbers, or multiples of 10^-d when fractional transfers are kept in
d decimal places (STV); percentages are exact fractions rounded for display only.
"""

from __future__ import annotations

from fractions import Fraction


def decimal_text(value: Fraction | int, places: int) -> str:
    """``value`` rounded half away from zero to ``places`` decimals, e.g. (111/266*100, 2) ->
    '41.73'. Exact: the rounding is done on integers."""
    value = Fraction(value)
    scale = 10**places
    scaled = abs(value) * scale
    units = int(scaled + Fraction(1, 2))  # floor(x + 1/2): half away from zero
    sign = "-" if value < 0 and units else ""
    if places == 0:
        return f"{sign}{units}"
    whole, frac = divmod(units, scale)
    return f"{sign}{whole}.{frac:0{places}d}"


def votes_text(value: Fraction | int, places: int | None) -> str:
    """A vote figure: a whole number as such, otherwise in the count's decimal places (or
    as many as it takes, up to 12, when the count keeps exact fractions)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    if places is None:
        places = next((p for p in range(1, 13) if (value * 10**p).denominator == 1), 12)
    return decimal_text(value, places)


def percent(part: Fraction | int, whole: Fraction | int) -> Fraction:
    """``part`` as a percentage of ``whole`` (0 when the whole is 0)."""
    return Fraction(part) * 100 / whole if whole else Fraction(0)
