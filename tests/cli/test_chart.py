"""``hustings chart``: from a report JSON (as ``hustings count --output json`` writes it)."""

from __future__ import annotations

from click.testing import CliRunner

from hustings.cli import main


def test_chart_from_result_json(shared, tmp_path):
    path = shared / "data" / "labour" / "labour-2010-plp-ballots.csv"
    runner = CliRunner()
    result = tmp_path / "result.json"
    assert runner.invoke(main, ["count", str(path), "--output", "json", "-o",
                                str(result)]).exit_code == 0
    out = runner.invoke(main, ["chart", str(result), "--out", str(tmp_path / "c")])
    assert out.exit_code == 0, out.output
    names = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert "round-4-all-ballots.svg" in names and "transfers-all-ballots.png" in names
    table = (tmp_path / "c" / "round-4-all-ballots.csv").read_text()
    assert "David Miliband,140,elected" in table


def test_chart_of_not_a_report_is_one_line(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"a": 1}')
    out = CliRunner().invoke(main, ["chart", str(bad), "--out", str(tmp_path / "c")])
    assert out.exit_code == 2 and "not a count report" in out.output


def test_chart_help_ends_in_an_example():
    out = CliRunner().invoke(main, ["chart", "--help"])
    assert out.output.rstrip().endswith("--out charts/")


def test_chart_from_ballots_and_rules(tmp_path):
    out = CliRunner().invoke(main, ["chart", "--rules", "examples/college/election.toml",
                                    "--out", str(tmp_path), "--no-png"])
    assert out.exit_code == 0, out.output
    names = {p.name for p in tmp_path.iterdir()}
    assert {"round-1-college-weighted.svg", "round-1-members.svg",
            "transfers-college-weighted.svg", "transfers-members.csv"} <= names
    assert not any(n.endswith(".png") for n in names)
