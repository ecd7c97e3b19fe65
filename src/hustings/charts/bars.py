"""Per round and view: a bar per continuing candidate, the threshold line, and the
exhausted ballots and turnout under the chart. Vega-Lite (altair) rendered by vl-convert,
so the SVG is made on the server without a browser."""

from __future__ import annotations

from fractions import Fraction

import altair as alt
import vl_convert

from hustings.charts.data import RoundData, View
from hustings.charts.svg import accessible

WIDTH = 420  # the plot's width in px; the SVG scales down (viewBox) on a phone


def figure(value: Fraction | None, percent: bool) -> str:
    """Exact figure for people: whole votes as they are, else 2 decimals."""
    if value is None:
        return ""
    if percent:
        return f"{_decimal(value, 2)}%"
    return str(value.numerator) if value.denominator == 1 else _decimal(value, 2)


def _decimal(value: Fraction, places: int) -> str:
    scaled = round(value * 10**places)  # Fraction rounds exactly (half to even)
    whole, part = divmod(abs(scaled), 10**places)
    return f"{'-' if scaled < 0 else ''}{whole}.{part:0{places}d}"


def bar_table(rnd: RoundData, view: View) -> list[dict[str, str]]:
    """The chart's figures as table rows (for a table beside the chart)."""
    rows = [{"candidate": c, "figure": figure(v, view.percent),
             "status": ("elected" if c in rnd.elected else
                        "eliminated" if c in rnd.eliminated else "continuing")}
            for c, v in view.tally]
    if view.threshold is not None:
        rows.append({"candidate": view.threshold_label,
                     "figure": figure(view.threshold, view.percent),
                     "status": ""})
    if view.exhausted is not None:
        rows.append({"candidate": "Exhausted", "figure": figure(view.exhausted, False),
                     "status": ""})
        rows.append({"candidate": "Turnout", "figure": figure(view.turnout, False),
                     "status": ""})
    return rows


def bar_spec(rnd: RoundData, view: View, title: str) -> dict:
    unit = "%" if view.percent else "votes"
    values = [{"candidate": c, "value": float(v), "label": figure(v, view.percent),
               "desc": f"{c}: {figure(v, view.percent)}",
               "status": ("elected" if c in rnd.elected else
                          "eliminated" if c in rnd.eliminated else "continuing")}
              for c, v in view.tally]
    top = max([float(v) for _, v in view.tally] + [float(view.threshold or 0), 1])
    scale = alt.Scale(domain=[0, top * 1.05], nice=False, zero=True)
    base = alt.Chart(alt.Data(values=values))
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title=unit, scale=scale),
        y=alt.Y("candidate:N", title=None, sort=None),
        color=alt.Color("status:N", scale=alt.Scale(
            domain=["elected", "continuing", "eliminated"],
            range=["#1a7f37", "#3b6ea8", "#b35c00"]), legend=alt.Legend(title=None,
                                                                        orient="bottom")),
        description=alt.Description("desc:N"),
    )
    labels = base.mark_text(align="left", dx=3).encode(
        x=alt.X("value:Q", scale=scale), y=alt.Y("candidate:N", sort=None),
        text="label:N")
    layers = [bars, labels]
    if view.threshold is not None:
        rule = alt.Chart(alt.Data(values=[{"threshold": float(view.threshold),
                                           "label": f"{view.threshold_label} "
                                                    f"{figure(view.threshold, view.percent)}"}])
                         ).mark_rule(color="#b00020", strokeDash=[4, 3]).encode(
            x=alt.X("threshold:Q", scale=scale), description=alt.Description("label:N"))
        layers.append(rule)
    sub = []
    if view.exhausted is not None:
        sub.append(f"exhausted {figure(view.exhausted, False)} · turnout "
                   f"{figure(view.turnout, False)}")
    chart = alt.layer(*layers).properties(
        width=WIDTH, height=max(60, 26 * len(values)),
        title=alt.Title(title, subtitle=sub or [("weighted shares of the college, % "
                                                 "(each section's votes re-based each round)")],
                        anchor="start"),
    )
    return chart.to_dict(validate=False)  # validated by tests; 4x faster without


def bar_svg(rnd: RoundData, view: View, title: str | None = None) -> str:
    title = title or f"Round {rnd.number}: {view.name}"
    svg = vl_convert.vegalite_to_svg(bar_spec(rnd, view, title))
    rows = bar_table(rnd, view)
    desc = "; ".join(f"{r['candidate']} {r['figure']}" for r in rows)
    return accessible(svg, title, desc)
