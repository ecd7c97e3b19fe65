"""Charts against the data they draw: bar lengths proportional to the tallies, Sankey bands
summing to each round's transfers, accessible SVG, and the report-JSON reader."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest

from hustings.charts import ChartError
from hustings.charts.bars import bar_svg, bar_table
from hustings.charts.data import WEIGHTED, from_report, from_result
from hustings.charts.render import png
from hustings.charts.sankey import sankey_svg, sankey_table
from hustings.counting import Rules, count
from hustings.formats.report_json import render
from tests.analysis.conftest import DM, EM, PLP_CANDIDATES

BAR = re.compile(r'<path aria-label="([^"]+): ([^"]+)" role="graphics-symbol" '
                 r'aria-roledescription="bar" d="M0,[-\d.e]+h([\d.e-]+)v')


def bands(svg):
    """(round, source, target, value, transfer, y at the source, band height at the target)"""
    out = []
    for tag in re.findall(r"<path [^>]*data-round[^>]*>", svg):
        a = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        y0 = float(re.match(r"M[\d.]+,([\d.]+)", a["d"]).group(1))
        y1 = float(re.search(r"C[^L]*,([\d.]+) L[\d.]+,([\d.]+)", a["d"]).group(2))
        top = float(re.search(r"C[^L]*,([\d.]+) L", a["d"]).group(1))
        out.append((int(a["data-round"]), a["data-source"], a["data-target"],
                    Fraction(a["data-value"]), a["data-transfer"] == "true", y0, y1 - top))
    return out


@pytest.fixture(scope="module")
def plp_result(plp_ballots):
    return count(Rules(PLP_CANDIDATES), plp_ballots)


@pytest.fixture(scope="module")
def plp_data(plp_result):
    return from_result(plp_result, "2010 PLP")


def test_bar_lengths_are_proportional_to_the_tallies(plp_data, plp_result):
    for rnd, counted in zip(plp_data.rounds, plp_result.rounds):
        svg = bar_svg(rnd, rnd.views[0])
        bars = {name: float(width) for name, _, width in BAR.findall(svg)}
        assert set(bars) == set(counted.tally)
        per_vote = {name: bars[name] / float(v) for name, v in counted.tally.items()}
        assert max(per_vote.values()) - min(per_vote.values()) < 1e-6
    final = plp_data.rounds[-1]
    assert {r["candidate"]: r["figure"] for r in bar_table(final, final.views[0])} \
        == {DM: "140", EM: "122", "Threshold": "132", "Exhausted": "4", "Turnout": "266"}


def test_every_chart_is_an_accessible_image(plp_data):
    rnd = plp_data.rounds[0]
    for svg in (bar_svg(rnd, rnd.views[0]), sankey_svg(plp_data, "All ballots")):
        head = svg[svg.index("<svg"):svg.index(">", svg.index("<svg"))]
        assert 'role="img"' in head and "aria-labelledby" in head
        assert re.search(r"<title id=\"[^\"]+-title\">[^<]+</title><desc", svg)
    assert "David Miliband 111" in bar_svg(rnd, rnd.views[0])  # in the <desc>


def test_sankey_bands_sum_to_each_rounds_transfers(plp_data, plp_result):
    drawn_all = bands(sankey_svg(plp_data, "All ballots"))
    assert len(drawn_all) > 10
    for rnd in plp_result.rounds[:-1]:
        drawn = [b for b in drawn_all if b[0] == rnd.number and b[4]]
        assert sum(b[3] for b in drawn) == sum(t.votes for t in rnd.transfers)
        for b in drawn:
            moved = sum(t.votes for t in rnd.transfers if (t.source, t.target) == b[1:3])
            assert b[3] == moved
        # what stays plus what moves is each candidate's tally in the round
        for c, v in rnd.tally.items():
            assert sum(b[3] for b in drawn_all if b[0] == rnd.number and b[1] == c) == v
    per_vote = [b[6] / float(b[3]) for b in drawn_all]  # drawn height per vote
    assert max(per_vote) - min(per_vote) < 1e-6
    rows = sankey_table(plp_data, "All ballots")
    assert {"round": "1 to 2", "from": "Diane Abbott", "to": "Ed Miliband", "figure": "4"} \
        in rows


def test_report_json_reads_back_to_the_same_figures(plp_result, plp_data):
    report = json.loads(json.dumps(render(plp_result, contest={"contest": "PLP"})))
    back = from_report(report)
    assert back.title == "PLP"
    assert [dict(r.views[0].tally) for r in back.rounds] == \
        [dict(r.views[0].tally) for r in plp_data.rounds]
    assert back.rounds[0].views[0].transfers == plp_data.rounds[0].views[0].transfers
    with pytest.raises(ChartError, match="not a count report"):
        from_report({"results": [{"tally": 3}]})


def test_college_has_a_weighted_view_and_one_per_section(tmp_path):
    from hustings.config import load_election
    from hustings.formats.readers import read_ballots

    election = load_election("examples/college/election.toml")
    read, _ = read_ballots(list(election.sources), candidates=election.candidates,
                           plan=election.plan)
    data = from_result(count(election.rules(read.candidates), read))
    assert data.college and data.view_names[0] == WEIGHTED and len(data.view_names) == 4
    rnd = data.rounds[0]
    weighted = rnd.view(WEIGHTED)
    assert weighted.percent and weighted.threshold == 50
    svg = bar_svg(rnd, weighted)
    assert "weighted shares" in svg
    assert png(svg)[:8] == b"\x89PNG\r\n\x1a\n"
    section = rnd.view("Members")
    assert not section.percent and section.threshold == sum(v for _, v in section.tally) / 2
    assert "Half the section's votes" in [r["candidate"] for r in bar_table(rnd, section)]


def test_weighted_sankey_bands_are_each_sections_transfers_in_college_points():
    """A band of the weighted diagram is votes moved x the points one vote carried in its
    section that round (100 x weight / the section's continuing votes)."""
    from hustings.config import load_election
    from hustings.formats.readers import read_ballots

    election = load_election("examples/college/election.toml")
    read, _ = read_ballots(list(election.sources), candidates=election.candidates,
                           plan=election.plan)
    result = count(election.rules(read.candidates), read)
    data = from_result(result)
    drawn = bands(sankey_svg(data, WEIGHTED))
    for rnd in result.rounds[:-1]:
        points = {s.name: s.weight * 100 / s.continuing for s in rnd.sections}
        expected = sum(t.votes * points[t.section] for t in rnd.transfers)
        assert expected > 0
        assert sum(b[3] for b in drawn if b[0] == rnd.number and b[4]) == expected
        for c, v in rnd.tally.items():  # stays and moves add up to the weighted share
            assert sum(b[3] for b in drawn if b[0] == rnd.number and b[1] == c) == v


def test_stv_surplus_transfers_are_drawn():
    from hustings.counting import RESIDUAL, Method

    cands = ("A", "B", "C", "D")
    rows = [["A", "B"]] * 7 + [["A", "C"]] * 3 + [["B"]] * 2 + [["C", "B"]] * 3 + [["D"]] * 2
    from hustings.counting import Ballots

    result = count(Rules(cands, method=Method.STV, seats=2),
                   Ballots.from_rankings(cands, rows))
    data = from_result(result)
    drawn = bands(sankey_svg(data, "All ballots"))
    for rnd in result.rounds[:-1]:
        moved = sum(t.votes for t in rnd.transfers if t.target != RESIDUAL)
        assert sum(b[3] for b in drawn if b[0] == rnd.number and b[4]) == moved
    assert any(b[1] == "A" and b[4] for b in drawn)  # A's surplus moved on


def test_college_report_json_reads_back_per_section():
    from hustings.config import load_election
    from hustings.formats.readers import read_ballots

    election = load_election("examples/college/election.toml")
    read, _ = read_ballots(list(election.sources), candidates=election.candidates,
                           plan=election.plan)
    result = count(election.rules(read.candidates), read)
    ours = from_result(result)
    back = from_report(json.loads(json.dumps(render(result))))
    assert back.college and back.view_names == ours.view_names
    assert any(r.view("Members").transfers for r in ours.rounds)
    for a, b in zip(ours.rounds, back.rounds):
        for name in ours.view_names[1:]:  # sections: votes, exactly
            assert a.view(name).tally == b.view(name).tally
            assert a.view(name).exhausted == b.view(name).exhausted
            assert set(a.view(name).transfers) == set(b.view(name).transfers)
        for (c, x), (d, y) in zip(a.view(WEIGHTED).tally, b.view(WEIGHTED).tally):
            assert c == d and abs(x - y) <= Fraction(1, 10**4)  # the report's 4 places
