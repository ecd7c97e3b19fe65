"""The transfers between rounds as a flow (Sankey) diagram, one per view.

Laid out here: no maintained Python library lays out a Sankey to static SVG without a
browser (plotly and floweaver lay out in JavaScript). The layout is simple because the
columns are the rounds: each round's continuing candidates are stacked in candidate order,
heights proportional to their figures; between round r and r+1, a band for each candidate
who stays (their own figure) and one for each transfer (votes, or weighted points, moved
at the end of round r), stacked in order at both ends. Exhausted ballots (votes views)
collect in a node of their own at the bottom. drawsvg writes the SVG.
"""

from __future__ import annotations

from fractions import Fraction

import drawsvg as draw

from hustings.charts.bars import figure
from hustings.charts.data import EXHAUSTED, ChartData, View
from hustings.charts.svg import accessible

COLUMN = 170  # px between rounds
NODE = 14  # node width
HEIGHT = 300  # px for the largest round's figures
GAP = 8  # px between nodes
TOP = 40


def flows(data: ChartData, view_name: str) -> list[tuple[int, str, str, Fraction, bool]]:
    """(round, source, target, value, is_transfer): what each band of the diagram shows."""
    out = []
    for rnd, nxt in zip(data.rounds, data.rounds[1:]):
        view = rnd.view(view_name)
        here = dict(view.tally)
        moved: dict[str, Fraction] = {}
        for s, _, v in view.transfers:
            moved[s] = moved.get(s, Fraction(0)) + v
        # who stays first (so they sit at the top of the next node), then what moved
        for c, v in here.items():
            if c in dict(nxt.view(view_name).tally) and v - moved.get(c, 0) > 0:
                out.append((rnd.number, c, c, v - moved.get(c, Fraction(0)), False))
        if view.exhausted:
            out.append((rnd.number, EXHAUSTED, EXHAUSTED, view.exhausted, False))
        out.extend((rnd.number, s, t, v, True) for s, t, v in view.transfers)
    return out


def sankey_table(data: ChartData, view_name: str) -> list[dict[str, str]]:
    percent = data.rounds[0].view(view_name).percent if data.rounds else False
    return [{"round": f"{r} to {r + 1}", "from": s, "to": t,
             "figure": figure(v, percent and s != EXHAUSTED)}
            for r, s, t, v, moving in flows(data, view_name) if moving]


def _nodes(view: View, before: View | None) -> list[tuple[str, Fraction]]:
    """A round's nodes: its candidates, then the exhausted ballots (votes views: all of
    them so far; the weighted view: the points that left at the end of the round before,
    since exhausted ballots hold no share of the college)."""
    nodes = list(view.tally)
    if view.exhausted is not None:
        if view.exhausted:
            nodes.append((EXHAUSTED, view.exhausted))
    elif before is not None:
        gone = sum((v for _, t, v in before.transfers if t == EXHAUSTED), Fraction(0))
        if gone:
            nodes.append((EXHAUSTED, gone))
    return nodes


def sankey_svg(data: ChartData, view_name: str, title: str | None = None) -> str:
    views = [r.view(view_name) for r in data.rounds]
    columns = [_nodes(w, views[k - 1] if k else None) for k, w in enumerate(views)]
    biggest = max((sum((v for _, v in nodes), Fraction(0)) for nodes in columns),
                  default=Fraction(1)) or Fraction(1)
    scale = Fraction(HEIGHT) / biggest
    width = COLUMN * max(len(views) - 1, 1) + 260
    tall = HEIGHT + GAP * (len(data.candidates) + 1) + TOP + 20
    d = draw.Drawing(width, tall, viewBox=f"0 0 {width} {tall}")
    d.append(draw.Rectangle(0, 0, width, tall, fill="white"))
    pos: list[dict[str, tuple[float, float]]] = []  # per round: node -> (y, height)
    for k, (rnd, view) in enumerate(zip(data.rounds, views)):
        x = 120 + k * COLUMN
        y = TOP
        here = {}
        d.append(draw.Text(f"Round {rnd.number}", 12, x, TOP - 14, font_family="sans-serif"))
        for name, v in columns[k]:
            h = float(v * scale)
            here[name] = (y, h)
            fill = "#999" if name == EXHAUSTED else "#3b6ea8"
            d.append(draw.Rectangle(x, y, NODE, max(h, 0.5), fill=fill,
                                    **{"data-node": name, "data-round": rnd.number,
                                       "data-value": str(v)}))
            if k == 0:
                d.append(draw.Text(name, 11, x - 4, y + h / 2 + 4, text_anchor="end",
                                   font_family="sans-serif"))
            if k == len(views) - 1:
                d.append(draw.Text(f"{name} {figure(v, view.percent and name != EXHAUSTED)}",
                                   11, x + NODE + 4, y + h / 2 + 4, font_family="sans-serif"))
            y += h + GAP
        pos.append(here)
    # bands: stacked in list order at the source, and at the target
    out_y = [{n: y for n, (y, _) in p.items()} for p in pos]
    in_y = [{n: y for n, (y, _) in p.items()} for p in pos]
    for r, s, t, v, moving in flows(data, view_name):
        k = r - 1
        h = float(v * scale)
        if s not in out_y[k] or t not in in_y[k + 1]:
            continue
        y0, y1 = out_y[k][s], in_y[k + 1][t]
        out_y[k][s] += h
        in_y[k + 1][t] += h
        x0, x1 = 120 + k * COLUMN + NODE, 120 + (k + 1) * COLUMN
        xm = (x0 + x1) / 2
        p = draw.Path(fill="#b35c00" if moving else "#3b6ea8", fill_opacity=0.35 if
                      not moving else 0.6, **{"data-round": r, "data-source": s,
                                              "data-target": t, "data-value": str(v),
                                              "data-transfer": str(moving).lower()})
        p.M(x0, y0).C(xm, y0, xm, y1, x1, y1).L(x1, y1 + h).C(xm, y1 + h, xm, y0 + h, x0,
                                                              y0 + h).Z()
        d.append(p)
    title = title or f"Transfers between rounds: {view_name}"
    rows = sankey_table(data, view_name)
    desc = "; ".join(f"round {r['round']}: {r['from']} to {r['to']} {r['figure']}"
                     for r in rows) or "no transfers"
    return accessible(d.as_svg(), title, desc)
