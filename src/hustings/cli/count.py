"""``hustings count``: read ballot files, count them, print the rounds.

A thin shell: ``hustings.config`` turns ``election.toml`` into rules, ``hustings.formats``
reads the ballots and renders the result, ``hustings.counting.count`` decides. Every
refusal (a bad file, a bad rule, a count the rules cannot finish) is one line on stderr
and exit status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from hustings.cli import CliError
from hustings.counting import Method

OUTPUTS = ("table", "json", "csv")
METHODS = tuple(m.value for m in Method)  # irv, stv, fptp, condorcet and RCTab's
LARGE_BYTES = 50 * 1024 * 1024  # from here a read takes seconds: show progress


@click.command(
    "count",
    epilog="""\b
Examples:
    hustings count ballots.csv
    hustings count ballots.csv --method stv --seats 3 --output json -o result.json
    hustings count --rules examples/college/election.toml
    hustings count mps.csv --preset labour-2010 --output csv""",
)
@click.argument("ballots", nargs=-1, type=click.Path(path_type=Path))
@click.option("--method", type=click.Choice(METHODS),
              help="Counting method (default: the rules', else irv).")
@click.option("--seats", type=click.IntRange(min=1),
              help="Seats to fill (default: the rules', else 1).")
@click.option("--rules", "rules_path", type=click.Path(path_type=Path),
              help="election.toml: rules, sections and (when no BALLOTS are given) ballot files.")
@click.option("--preset", help="A packaged rule book, e.g. labour-2010 (instead of --rules).")
@click.option("--rctab-config", type=click.Path(path_type=Path),
              help="An RCTab contest config (*_config.json) with its own CVR files.")
@click.option("--output", type=click.Choice(OUTPUTS), default="table", show_default=True,
              help="table (for people), json (RCTab's detailed report) or csv (round tables).")
@click.option("-o", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file instead of standard output.")
def count_command(ballots, method, seats, rules_path, preset, rctab_config, output, out_path):
    """Count ranked ballots and show the result round by round.

    BALLOTS are .csv (one ballot per row, columns pref1..prefN or rank1..rankN, optional
    weight and section), .blt, or PrefLib .soi/.toi/.soc files. Without --rules or
    --preset every ballot counts in one section (one member one vote), whatever a
    `section` column says; with them, `section` labels put ballots in the rules' sections.
    """
    from hustings.config import ConfigError
    from hustings.counting import CountingError
    from hustings.formats.errors import FormatError

    try:
        result, title, contest = _count(ballots, method, seats, rules_path, preset, rctab_config)
        text = _render(result, output, title, contest, to_file=out_path is not None)
    except (FormatError, ConfigError, CountingError) as e:
        raise CliError(str(e)) from None
    if out_path is None:
        click.echo(text, nl=False)
    else:
        try:
            out_path.write_text(text, encoding="utf-8")
        except OSError as e:
            raise CliError(f"{out_path}: cannot write: {e.strerror}") from None


def _count(ballots, method, seats, rules_path, preset, rctab_config):
    from hustings.config import Election, load_election, load_preset
    from hustings.counting import count
    from hustings.formats.readers import Source, read_ballots

    overrides = {}
    if method:
        overrides["method"] = Method(method)
    if seats:
        overrides["seats"] = seats
    if rctab_config is not None:
        if ballots or rules_path or preset:
            raise click.UsageError("--rctab-config names its own CVR files and rules; "
                                   "give it alone")
        from hustings.formats.rctab import load_contest

        contest = load_contest(rctab_config)
        rules = contest.rules
        if overrides:
            from dataclasses import replace

            rules = replace(rules, **overrides)
        report = {"metadata": contest.metadata, "num_candidates": contest.num_candidates}
        return count(rules, contest.ballots), contest.metadata.get("contest"), report
    if rules_path and preset:
        raise click.UsageError("give --rules or --preset, not both (a rules file can say "
                               "preset = \"NAME\")")
    if rules_path:
        election = load_election(rules_path)
    elif preset:
        election = load_preset(preset)
    else:
        election = Election(None)
    sources = [Source(p) for p in ballots] or list(election.sources)
    if not sources:
        raise click.UsageError("no ballot files: give BALLOTS, or --rules with an "
                               "election.toml whose [[sections]] list ballots")
    with _progress(sources) as tell:
        read, files = read_ballots(sources, candidates=election.candidates, plan=election.plan,
                                   progress=tell)
        blt = [f for f in files if f.seats is not None]
        if blt and "seats" not in election.options:
            overrides.setdefault("seats", blt[0].seats)  # what the BLT header says
        withdrawn = {c for f in files for c in f.withdrawn}
        if withdrawn:
            overrides["excluded"] = election.options.get("excluded", frozenset()) | withdrawn
        rules = election.rules(read.candidates, **overrides)
        if tell:
            tell(None, "counting")
        result = count(rules, read)
    title = election.title or "Count of " + ", ".join(s.path.name for s in sources)
    metadata = {k: str(election.contest[k]) for k in ("date", "office") if k in election.contest}
    return result, title, {"metadata": {"contest": title, **metadata}}


@contextmanager
def _progress(sources) -> Iterator:
    """A Rich progress bar on stderr while large files are read, when stderr is a terminal
    (a log or a pipe gets nothing). Yields the reader's progress callback, or None."""
    size = sum(s.path.stat().st_size for s in sources if s.path.is_file())
    if not _wants_progress(size):
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    stages = {"parsing": 1, "encoding": 2}
    done: dict[Path, int] = {}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), transient=True, console=_console(sys.stderr)) as bar:
        task = bar.add_task("reading", total=3 * len(sources) + 1)

        def tell(path: Path | None, stage: str) -> None:
            if path is not None:
                done[path] = stages.get(stage, 0)
            bar.update(task, description=f"{stage} {path.name if path else ''}",
                       completed=sum(done.values()) + (stage == "counting") * 3 * len(sources))

        yield tell


def _wants_progress(size: int) -> bool:
    return size >= LARGE_BYTES and sys.stderr.isatty()


def _console(file):
    from rich.console import Console

    # Not a terminal (a file, a pipe, a test): Rich drops colours, and lines are as long
    # as the table needs (a table is only split into round ranges to fit a terminal).
    return Console(file=file, width=None if file.isatty() else 10**4, highlight=False)


def _render(result, output: str, title: str | None, contest: dict, *, to_file: bool) -> str:
    if output == "json":
        from hustings.formats.report_json import render

        report = render(result, contest=contest["metadata"],
                        num_candidates=contest.get("num_candidates"))
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if output == "csv":
        from hustings.formats.report_csv import csv_text

        return csv_text(result)
    import io

    from hustings.formats.report_table import render as table

    if not to_file and sys.stdout.isatty():
        console = _console(sys.stdout)
        console.print(table(result, title=title, width=console.width))  # in colour
        return ""
    buffer = io.StringIO()
    _console(buffer).print(table(result, title=title))
    return buffer.getvalue()
