"""``hustings chart``: every chart of a count as SVG, PNG and a CSV of its figures.

From a report JSON (``hustings count --output json``: read, never recounted) or from
ballot files and rules (counted once through ``hustings.counting.count``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from hustings.cli import CliError


@click.command("chart", epilog="""\b
Examples:
    hustings count ballots.csv --output json -o result.json
    hustings chart result.json --out charts/
    hustings chart --rules examples/college/election.toml --out charts/
""")
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              required=True, help="Folder for NAME.svg, NAME.png and NAME.csv per chart.")
@click.option("--rules", "rules_path", type=click.Path(path_type=Path),
              help="With ballot files: an election.toml.")
@click.option("--preset", help="With ballot files: a packaged rule book, e.g. labour-2010.")
@click.option("--no-png", is_flag=True, help="SVG and CSV only.")
def chart_command(inputs, out_dir, rules_path, preset, no_png):
    """Draw a count: per round and view (the weighted college, each section) a bar chart
    with the threshold line, exhausted ballots and turnout; per view a Sankey diagram of the
    transfers between rounds. INPUTS is one result.json, or ballot files."""
    from hustings.charts import ChartError
    from hustings.charts.data import from_report, from_result
    from hustings.charts.render import write_charts
    from hustings.config import ConfigError
    from hustings.counting import CountingError, count
    from hustings.formats.errors import FormatError

    try:
        if len(inputs) == 1 and inputs[0].suffix == ".json" and not (rules_path or preset):
            try:
                report = json.loads(inputs[0].read_text(encoding="utf-8"))
            except OSError as e:
                raise CliError(f"{inputs[0]}: cannot open: {e.strerror}") from None
            except json.JSONDecodeError as e:
                raise CliError(f"{inputs[0]}: line {e.lineno}: not JSON ({e.msg})") from None
            data = from_report(report)
        else:
            from hustings.cli.compare import load

            rules, read, title = load(inputs, rules_path, preset)
            data = from_result(count(rules, read), title)
        written = write_charts(data, out_dir, with_png=not no_png)
    except (ChartError, FormatError, ConfigError, CountingError) as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"{out_dir}: cannot write: {e.strerror}") from None
    click.echo(f"wrote {len(written)} files to {out_dir}", err=True)
