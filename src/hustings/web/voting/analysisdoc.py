"""What the results page shows beyond the rounds, computed ONCE when the count is stored.

``build(rules, ballots, result, title)`` gives a JSON-ready dict the count keeps in the
result document (``VotingSetup.result_plain["analysis"]``), so a page view only reads it:

* ``charts``: every chart of ``hustings.charts`` as server-rendered SVG with its table rows,
  tagged with its kind (``bars``/``sankey``), round and view;
* ``report``: ``hustings.analysis.report.to_dict`` of the what-if comparison, the margin
  (per section for a college) and what one ballot was worth;
* ``notes``: what was not computed and why (the margin beyond ``MARGIN_CANDIDATES``
  candidates can take tens of seconds: it is left to ``hustings compare``).

Nothing here changes the count; an analysis that fails is recorded as a note, never
failing the count it describes.
"""

from __future__ import annotations

import time
from typing import Any

from hustings.counting import Ballots, Result, Rules

# The margin is exact (and well under a second) up to 6 candidates; 7 takes ~8 s on two
# shared cores (docs/analysis.md). Beyond that it is left to the CLI.
MARGIN_CANDIDATES = 7


def charts(result: Result, title: str) -> list[dict[str, Any]]:
    from hustings.charts.bars import bar_svg, bar_table
    from hustings.charts.data import from_result
    from hustings.charts.render import slug
    from hustings.charts.sankey import sankey_svg, sankey_table

    data = from_result(result, title)
    out: list[dict[str, Any]] = []
    for view in data.view_names:
        for rnd in data.rounds:
            v = rnd.view(view)
            out.append({"name": f"round-{rnd.number}-{slug(view)}", "kind": "bars",
                        "round": rnd.number, "view": view, "svg": bar_svg(rnd, v),
                        "rows": bar_table(rnd, v)})
        if len(data.rounds) > 1:
            out.append({"name": f"transfers-{slug(view)}", "kind": "sankey", "round": None,
                        "view": view, "svg": sankey_svg(data, view),
                        "rows": sankey_table(data, view)})
    return out


def report(rules: Rules, ballots: Ballots, result: Result) -> tuple[dict[str, Any], list[str]]:
    from hustings.analysis import AnalysisError
    from hustings.analysis.compare import compare
    from hustings.analysis.margin import college_margins, margin
    from hustings.analysis.report import to_dict
    from hustings.analysis.worth import ballot_values
    from hustings.counting import CountingError

    notes: list[str] = []
    try:
        comparison = compare(rules, ballots, seats=2)
    except (AnalysisError, CountingError) as e:
        return {}, [f"The what-if comparison could not be made: {e}"]
    margins: tuple = ()
    n = len(rules.candidates) - len(getattr(rules, "excluded", ()) or ())
    if rules.seats > 1:
        notes.append(f"The margin is computed for one seat by the alternative vote; this "
                     f"count fills {rules.seats} seats.")
    elif n > MARGIN_CANDIDATES:
        notes.append(f"The margin was not computed with the count: {n} candidates (it is "
                     f"computed here for up to {MARGIN_CANDIDATES}); run hustings compare "
                     "on the downloaded ballots for a proven upper bound.")
    else:
        try:
            first = comparison.outcomes[0]
            margins = (college_margins(rules, ballots, result=first.result) if rules.is_college
                       else (margin(first.rules, ballots, result=first.result),))
        except (AnalysisError, CountingError) as e:
            notes.append(f"The margin could not be computed: {e}")
    values = ballot_values(result) if rules.is_college else ()
    return to_dict(comparison, margins, values), notes


def build(rules: Rules, ballots: Ballots, result: Result, title: str) -> dict[str, Any]:
    started = time.perf_counter()
    from hustings.charts import ChartError

    doc, notes = report(rules, ballots, result)
    try:
        drawn = charts(result, title)
    except (ChartError, ValueError) as e:  # vl-convert reports a failed render as ValueError
        drawn = []
        notes.append(f"The charts could not be drawn: {e}")
    return {"charts": drawn, "report": doc, "notes": notes,
            "seconds": round(time.perf_counter() - started, 2)}
