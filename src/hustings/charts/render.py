"""Every chart of a count as files: per round and view a bar chart, per view a Sankey, each
as SVG and PNG (vl-convert's resvg: no browser), and a table of each chart's figures as
CSV for people who cannot see it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import vl_convert

from hustings.charts.bars import bar_svg, bar_table
from hustings.charts.data import ChartData
from hustings.charts.sankey import sankey_svg, sankey_table


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def png(svg: str, scale: float = 2.0) -> bytes:
    """The SVG as PNG (resvg inside vl-convert)."""
    return vl_convert.svg_to_png(svg, scale=scale)


def charts(data: ChartData) -> dict[str, tuple[str, list[dict[str, str]]]]:
    """name -> (SVG, table rows) for every chart of the count."""
    out: dict[str, tuple[str, list[dict[str, str]]]] = {}
    for view in data.view_names:
        for rnd in data.rounds:
            v = rnd.view(view)
            out[f"round-{rnd.number}-{slug(view)}"] = (bar_svg(rnd, v), bar_table(rnd, v))
        if len(data.rounds) > 1:
            out[f"transfers-{slug(view)}"] = (sankey_svg(data, view),
                                              sankey_table(data, view))
    return out


def write_charts(data: ChartData, folder: Path, *, with_png: bool = True) -> list[Path]:
    """Write NAME.svg, NAME.png and NAME.csv for every chart; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (svg, rows) in charts(data).items():
        path = folder / f"{name}.svg"
        path.write_text(svg, encoding="utf-8")
        written.append(path)
        if with_png:
            (folder / f"{name}.png").write_bytes(png(svg))
            written.append(folder / f"{name}.png")
        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        (folder / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")
        written.append(folder / f"{name}.csv")
    return written
