"""``hustings count``: read ballot files, count them, print the rounds.

A thin shell: ``hustings.config`` turns ``election.toml`` into rules, ``hustings.formats``
reads the ballots and renders the result, ``hustings.counting.count`` decides. Every
refusal (a bad file, a bad rule, a count the rules cannot finish) is one line on stderr
and exit status 2.

With ``--rctab-config`` the contest, its CVRs and its outputs are RCTab's
(``hustings.formats.rctab``; the files and their names are ``rctab.outputs``'s).
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import click

from hustings.cli import CliError
from hustings.counting import Method, Quota

OUTPUTS = ("table", "json", "csv")
CONVERSIONS = ("cdf", "rctab-cvr")
METHODS = tuple(m.value for m in Method)  # irv, stv, fptp, condorcet and RCTab's
LARGE_BYTES = 50 * 1024 * 1024  # from here a read takes seconds: show progress


class _DecimalPlaces(click.ParamType):
    name = "N|exact"

    def convert(self, value, param, ctx):
        if value == "exact" or value is None:
            return value
        if isinstance(value, int) or (isinstance(value, str) and value.isascii()
                                      and value.isdigit() and int(value) <= 12):
            return int(value)
        self.fail(f"{value!r}: expected a whole number from 0 to 12, or exact", param, ctx)


DECIMAL_PLACES = _DecimalPlaces()


@click.command(
    "count",
    epilog="""\b
Examples:
    hustings count ballots.csv
    hustings count ballots.csv --method stv --seats 3 --output json -o result.json
    hustings count --rules examples/college/election.toml
    hustings count mps.csv --preset labour-2010 --output csv
    hustings count ballots.csv --chart charts/
    hustings count ward11.blt --preset scottish-stv
    hustings count ballots.blt --method stv --quota droop-exact --decimal-places 9
    hustings count --rctab-config contest_config.json --output csv -o report.csv
    hustings count --rctab-config contest_config.json --output-dir results/
    hustings count --rctab-config contest_config.json --convert-to cdf -o cvr.json
""",
)
@click.argument("ballots", nargs=-1, type=click.Path(path_type=Path))
@click.option("--method", type=click.Choice(METHODS),
              help="Counting method (default: the rules', else irv).")
@click.option("--seats", type=click.IntRange(min=1),
              help="Seats to fill (default: the rules', else 1).")
@click.option("--quota", type=click.Choice([q.value for q in Quota]),
              help="droop: floor(votes/(seats+1))+1; hare: votes/seats; droop-exact: "
                   "votes/(seats+1) in the declared decimal places (default: the rules').")
@click.option("--decimal-places", type=DECIMAL_PLACES,
              help='Decimal places of fractional transfers, 0-12, or "exact" for fractions '
                   "(default: the rules').")
@click.option("--stop-when-filled", is_flag=True, default=None,
              help="STV: stop in the round the last seat is filled (no round showing the "
                   "last surplus moved).")
@click.option("--rules", "rules_path", type=click.Path(path_type=Path),
              help="election.toml: rules, sections and (when no BALLOTS are given) ballot files.")
@click.option("--preset", help="A packaged rule book, e.g. labour-2010 (instead of --rules).")
@click.option("--chart", "chart_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write every chart (SVG, PNG and a CSV of its figures) into DIR.")
@click.option("--rctab-config", type=click.Path(path_type=Path),
              help="An RCTab contest config (*_config.json) with its own CVR files.")
@click.option("--output", type=click.Choice(OUTPUTS), default="table", show_default=True,
              help="table (for people), json (RCTab's detailed report) or csv (round tables; "
                   "RCTab's detailed CSV report with --rctab-config).")
@click.option("-o", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file instead of standard output.")
@click.option("--output-dir", type=click.Path(path_type=Path, file_okay=False),
              help="With --rctab-config: write every file RCTab writes for the contest here.")
@click.option("--convert-to", type=click.Choice(CONVERSIONS),
              help="With --rctab-config: convert the CVRs without counting (RCTab's CDF JSON "
                   "or its one-row-per-ballot rctab_cvr CSV).")
def count_command(ballots, method, seats, quota, decimal_places, stop_when_filled, rules_path,
                  preset, rctab_config, output, out_path, output_dir, convert_to, chart_dir):
    """Count ranked ballots and show the result round by round.

    BALLOTS are .csv (one ballot per row, columns pref1..prefN or rank1..rankN, optional
    weight and section), .blt, or PrefLib .soi/.toi/.soc files. Without --rules or
    --preset every ballot counts in one section (one member one vote), whatever a
    `section` column says; with them, `section` labels put ballots in the rules' sections.

    \b
    With --rctab-config, -o FILE also gets RCTab's other files beside it:
        multi-pass IRV      one report per pass: FILE_1.ext, FILE_2.ext, ... (not FILE
                            itself); on standard output, JSON is a list of the passes
        tabulateByPrecinct  FILE_<id>_precinct.ext per precinct (FILE_<id>_batch.ext
        / tabulateByBatch   per batch; characters outside A-Za-z0-9_.- become _)
        generateCdfJson     FILE_cvr_cdf.json (the CDF export, with per-round snapshots)
    --output-dir DIR writes every file RCTab writes, named as RCTab names them:
    <timestamp>_detailed_report.json and .csv (_detailed_report_<k> per pass),
    <timestamp>_<id>_precinct_detailed_report.json and .csv, <timestamp>_cvr_cdf.json
    and <timestamp>_rctab_cvr.csv.
    """
    from hustings.config import ConfigError
    from hustings.counting import CountingError
    from hustings.formats.errors import FormatError

    tuning = {}
    if quota:
        tuning["quota"] = Quota(quota)
    if decimal_places is not None:
        tuning["decimal_places"] = None if decimal_places == "exact" else decimal_places
    if stop_when_filled:
        tuning["stop_when_seats_filled"] = True
    if rctab_config is None and (output_dir is not None or convert_to is not None):
        raise click.UsageError("--output-dir and --convert-to go with --rctab-config")
    if rctab_config is not None:
        try:
            _rctab(rctab_config, ballots, rules_path, preset, method, seats, output,
                   out_path, output_dir, convert_to, tuning)
        except (FormatError, ConfigError, CountingError) as e:
            raise CliError(str(e)) from None
        return
    try:
        result, title, contest = _count(ballots, method, seats, rules_path, preset, tuning)
        text = _render(result, output, title, contest, to_file=out_path is not None)
    except (FormatError, ConfigError, CountingError) as e:
        raise CliError(str(e)) from None
    if out_path is None:
        click.echo(text, nl=False)
    else:
        _write(out_path, text)
    if chart_dir is not None:
        _charts(result, title, chart_dir)


def _charts(result, title: str, folder: Path) -> None:
    from hustings.charts import ChartError
    from hustings.charts.data import from_result
    from hustings.charts.render import write_charts

    try:
        written = write_charts(from_result(result, title), folder)
    except (ChartError, OSError) as e:
        raise CliError(f"{folder}: cannot write the charts: {e}") from None
    click.echo(f"wrote {len(written)} chart files to {folder}", err=True)


def partial_college_warning(result) -> str | None:
    """The warning when a college's rules meet ballots that fill only some sections: each
    section keeps its fixed share, so the empty ones' shares count for no one."""
    if not result.rules.is_college or not result.rounds:
        return None
    first = result.rounds[0].sections
    empty = [s for s in first if not (s.continuing + s.exhausted)]
    if not empty:
        return None
    filled = [s for s in first if s.continuing + s.exhausted]
    cast = sum((s.weight for s in filled), Fraction(0)) * 100

    def names(sections) -> str:  # the SectionRounds of a Round
        return ", ".join(f"{s.name} ({_share(s.weight * 100)}%)" for s in sections)

    return (f"warning: these ballots fill only some sections of the college: "
            f"{names(filled) or 'none'}; none in {names(empty)}. Each section keeps its "
            f"fixed share of the college, so the weighted figures are percent of the whole "
            f"college with only {_share(cast)}% of it cast, and no one can reach the "
            f"threshold shown (over 50%). To count these ballots on their own, leave out "
            f"--preset/--rules (one section, one vote each).")


def _share(x: Fraction) -> str:
    units = int(Fraction(x) * 100 + Fraction(1, 2))  # exact, half up (x >= 0)
    return f"{units // 100}.{units % 100:02d}"


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise CliError(f"{path}: cannot write: {e.strerror}") from None


def _write_all(files: Mapping[Path, str]) -> None:
    for path, text in files.items():
        _write(path, text)
        click.echo(f"wrote {path}", err=True)


def _rctab(config, ballots, rules_path, preset, method, seats, output, out_path, output_dir,
           convert_to, tuning) -> None:
    """``--rctab-config``: count an RCTab contest and write RCTab's files."""
    from hustings.counting import count
    from hustings.formats.rctab import load_contest, outputs

    if ballots or rules_path or preset:
        raise click.UsageError("--rctab-config names its own CVR files and rules; give it alone")
    if out_path is not None and output_dir is not None:
        raise click.UsageError("give -o FILE or --output-dir DIR, not both")
    with warnings.catch_warnings():
        # openpyxl warns about workbook extensions it skips (data validation and such):
        # nothing a voter's ranking depends on, and noise on a count's stderr.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        contest = load_contest(config)
    stamp = _stamp()  # one per run, so all of a run's files sort together
    if convert_to is not None:
        name, text = outputs.conversion(contest, convert_to)
        if output_dir is not None:
            _write_all({_in_dir(output_dir, stamp, name): text})
        elif out_path is not None:
            _write(out_path, text)
        else:
            click.echo(text, nl=False)
        return
    rules = contest.rules
    if method or seats or tuning:
        from dataclasses import replace

        rules = replace(rules, **({"method": Method(method)} if method else {}),
                        **({"seats": seats} if seats else {}), **tuning)
    result = count(rules, contest.ballots)
    if output_dir is not None:
        _write_all({_in_dir(output_dir, stamp, name): text
                    for name, text in outputs.everything(result, contest).items()})
        return
    if output == "table":
        text = _render(result, "table", contest.metadata.get("contest"),
                       {"metadata": contest.metadata}, to_file=out_path is not None)
        if out_path is None:
            click.echo(text, nl=False)
        else:
            _write(out_path, text)
        return
    texts = outputs.reports(result, contest, output)
    if out_path is None:
        if len(texts) > 1 and output == "csv":
            raise CliError("multi-pass IRV has one CSV report per pass: give -o FILE (for "
                           "FILE_1.csv, FILE_2.csv, ...) or --output-dir DIR")
        if len(texts) > 1:
            texts = [outputs.json_text([json.loads(t) for t in texts])]
        # RCTab's files end without a newline; a terminal wants one
        click.echo(texts[0], nl=not texts[0].endswith("\n"))
        if contest.output.tabulate_by_precinct or contest.output.tabulate_by_batch \
                or contest.output.generate_cdf_json:
            click.echo("note: the config asks for slice reports or a CDF export; give -o FILE "
                       "or --output-dir DIR to write them", err=True)
        return
    stem, ext = out_path.stem, out_path.suffix
    files: dict[Path, str] = {}
    if len(texts) > 1:
        files.update({out_path.with_name(f"{stem}_{k}{ext}"): t
                      for k, t in enumerate(texts, start=1)})
    else:
        files[out_path] = texts[0]
    for name, text in outputs.slice_reports(result, contest, output).items():
        files[out_path.with_name(f"{stem}_{name}{ext}")] = text
    if contest.output.generate_cdf_json:
        files[out_path.with_name(f"{stem}_cvr_cdf.json")] = outputs.cdf_after_count(contest)
    _write_all(files)


def _stamp() -> str:
    """RCTab's file-name timestamp (local time, as RCTab)."""
    from datetime import datetime

    return datetime.now().strftime("%Y-%m-%d_%H-%M-%S")


def _in_dir(directory: Path, stamp: str, name: str) -> Path:
    """RCTab's file name in ``directory``: ``<timestamp>_<name>``."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"{directory}: cannot create the folder: {e.strerror}") from None
    return directory / f"{stamp}_{name}"


def _count(ballots, method, seats, rules_path, preset, tuning):
    from hustings.config import Election, load_election, load_preset
    from hustings.counting import count
    from hustings.formats.readers import Source, read_ballots

    overrides = dict(tuning)
    if method:
        overrides["method"] = Method(method)
    if seats:
        overrides["seats"] = seats
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
        tie_orders = {getattr(f, "tie_order", None) for f in files} - {None}
        if len(tie_orders) == 1 and set(next(iter(tie_orders))) == set(read.candidates):
            # a BLT [tie] line: the order lot stands for is the declared order
            candidates = next(iter(tie_orders))
        else:
            candidates = read.candidates
        rules = election.rules(candidates, **overrides)
        if tell:
            tell(None, "counting")
        result = count(rules, read)
    warning = partial_college_warning(result)
    if warning:
        click.echo(warning, err=True)
    # a preset's title names its rules; the file's own title names the contest
    file_title = next((f.title for f in files if f.title), None)
    title = ((None if preset else election.title) or file_title or election.title
             or "Count of " + ", ".join(s.path.name for s in sources))
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
