"""The charts in a real browser (Debian's chromium through Playwright): on a page as the
results page will hold them (each SVG inline in a figure, its data table beside it), axe
finds no violation, and at 390 px nothing overflows sideways."""

from __future__ import annotations

from html import escape

import pytest

from hustings.charts.data import from_result
from hustings.charts.render import charts
from hustings.counting import Rules, count
from tests.analysis.conftest import PLP_CANDIDATES

pytestmark = pytest.mark.browser
def html_page(drawn: dict) -> str:
    parts = []
    for name, (svg, rows) in drawn.items():
        head = "".join(f'<th scope="col">{escape(k)}</th>' for k in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in r.values())
                       + "</tr>" for r in rows)
        parts.append(f'<figure>{svg[svg.index("<svg"):]}<figcaption>{escape(name)}'
                     f'</figcaption><table><caption>Figures of {escape(name)}</caption>'
                     f'<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></figure>')
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport"'
            ' content="width=device-width, initial-scale=1"><title>Charts</title><style>'
            'body{margin:0;padding:8px;font-family:sans-serif}figure{margin:0 0 16px}'
            'svg{max-width:100%;height:auto}table{border-collapse:collapse}</style></head>'
            '<body><main><h1>2010 PLP count</h1>' + "".join(parts) + "</main></body></html>")


def test_charts_pass_axe_and_fit_a_phone(page, plp_ballots, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    drawn = charts(from_result(count(Rules(PLP_CANDIDATES), plp_ballots), "2010 PLP"))
    path = tmp_path / "charts.html"
    path.write_text(html_page(drawn), encoding="utf-8")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(path.as_uri())
        assert page.locator("svg[role=img]").count() == len(drawn) == 5
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
    found = [(v["id"], [n["target"] for n in v["nodes"]][:3])
             for v in results.response["violations"]]
    assert found == []
