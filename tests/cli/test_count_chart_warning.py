"""``hustings count --chart DIR`` and the warning when a college preset meets ballots that
fill only some of its sections."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hustings.cli import main

PLP = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "labour" / \
    "labour-2010-plp-ballots.csv"
need_plp = pytest.mark.skipif(not PLP.is_file(), reason="../shared/data is not present")


@need_plp
def test_preset_on_one_section_warns_how_shares_are_computed():
    r = CliRunner().invoke(main, ["count", str(PLP), "--preset", "labour-2010"])
    assert r.exit_code == 0, r.output
    assert ("warning: these ballots fill only some sections of the college: MPs and MEPs "
            "(33.33%); none in Members (33.33%), Affiliates (33.33%). Each section keeps "
            "its fixed share of the college, so the weighted figures are percent of the "
            "whole college with only 33.33% of it cast") in r.stderr
    assert "Elected: David Miliband" in r.stdout  # the count itself is unchanged


@need_plp
def test_no_warning_without_a_college():
    r = CliRunner().invoke(main, ["count", str(PLP)])
    assert r.exit_code == 0 and "warning" not in r.stderr


def test_full_college_does_not_warn():
    r = CliRunner().invoke(main, ["count", "--rules", "examples/college/election.toml"])
    assert r.exit_code == 0, r.output
    assert "fill only some sections" not in r.stderr


@need_plp
def test_chart_dir_gets_every_chart(tmp_path):
    out = tmp_path / "charts"
    r = CliRunner().invoke(main, ["count", str(PLP), "--chart", str(out)])
    assert r.exit_code == 0, r.output
    # 4 rounds: a bar chart per round and a Sankey, each as SVG, PNG and CSV
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 5 * 3 and "transfers-all-ballots.svg" in names
    assert (out / "round-1-all-ballots.svg").read_text().startswith("<svg")
    assert f"wrote 15 chart files to {out}" in r.stderr
    assert "David Miliband,111" in (out / "round-1-all-ballots.csv").read_text()
