"""``hustings compare``: the same ballots under other rules, side by side, with the margin.

A thin shell over ``hustings.analysis`` (compare, margin, ballot values); ballots and rules
are read as ``hustings count`` reads them.
"""

from __future__ import annotations

from pathlib import Path

import click

from hustings.cli import CliError


def load(ballots, rules_path, preset):
    """(rules, ballots, title) as ``hustings count`` reads them."""
    from hustings.config.loading import load_count

    if rules_path and preset:
        raise click.UsageError("give --rules or --preset, not both")
    if not ballots and not rules_path:
        raise click.UsageError("no ballot files: give BALLOTS, or --rules with an "
                               "election.toml whose [[sections]] list ballots")
    return load_count(ballots, rules_path, preset)


def _fig(value, percent: bool) -> str:
    from hustings.charts.bars import figure

    return figure(value, percent)


@click.command("compare", epilog="""\b
Examples:
    hustings compare ../shared/data/labour/labour-2010-plp-ballots.csv
    hustings compare ballots.csv --output json --no-margin
    hustings compare --rules examples/college/election.toml --seats 3
""")
@click.argument("ballots", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rules", "rules_path", type=click.Path(path_type=Path),
              help="election.toml: rules, sections and (when no BALLOTS are given) ballots.")
@click.option("--preset", help="A packaged rule book, e.g. labour-2010.")
@click.option("--seats", type=click.IntRange(min=1), default=2, show_default=True,
              help="Seats for the STV comparison (1: no STV row).")
@click.option("--no-margin", is_flag=True, help="Skip the margin (it solves ILPs).")
@click.option("--output", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="text for people, or json (hustings.analysis.report).")
def compare_command(ballots, rules_path, preset, seats, no_margin, output):
    """Count BALLOTS under other rules side by side: the college against one member one
    vote; the alternative vote against first past the post, Condorcet (Schulze, with the
    pairwise matrix) and STV. Then the margin: the fewest ballots whose change lets
    another candidate win (per section in a college), and what one ballot was worth."""
    from hustings.analysis import AnalysisError
    from hustings.analysis.compare import compare
    from hustings.analysis.margin import college_margins, margin
    from hustings.analysis.worth import ballot_values
    from hustings.config import ConfigError
    from hustings.counting import CountingError
    from hustings.formats.errors import FormatError

    try:
        rules, read, title = load(ballots, rules_path, preset)
        comparison = compare(rules, read, seats=seats)
        margins = ()
        if not no_margin:
            first = comparison.outcomes[0]
            margins = (college_margins(rules, read, result=first.result) if rules.is_college
                       else (margin(first.rules, read, result=first.result),))
    except (FormatError, ConfigError, CountingError, AnalysisError) as e:
        raise CliError(str(e)) from None
    values = ballot_values(comparison.outcomes[0].result) if rules.is_college else ()
    if output == "json":
        import json

        from hustings.analysis.report import to_dict

        click.echo(json.dumps(to_dict(comparison, margins, values), indent=2,
                              ensure_ascii=False))
        return
    if rules.is_college:
        first_round = comparison.outcomes[0].result.rounds[0]
        empty = [s.name for s in first_round.sections if not s.continuing]
        if empty:
            click.echo(f"note: no ballots in {', '.join(empty)}: the college shares are each "
                       "section's percentage x its weight, so those sections' weight is "
                       "counted for nobody and a candidate can win on well under 50% of the "
                       "whole", err=True)
    click.echo(title)
    click.echo("")
    for o in comparison.outcomes:
        figs = ", ".join(f"{c} {_fig(v, o.percent)}" for c, v in o.figures[:2])
        if o.key == "condorcet" and o.head_to_head:
            r, a, b = o.head_to_head[0]
            figs = f"closest head to head, {o.winners[0]} {a}, {r} {b}"
        click.echo(f"{o.label}: {', '.join(o.winners) or 'nobody'} "
                   f"(round {o.deciding_round}: {figs})")
        if o.key == "condorcet":
            if o.condorcet_winner:
                click.echo(f"  Condorcet winner: {o.condorcet_winner}, beating every rival "
                           "head to head: " + "; ".join(
                               f"{a}-{b} over {r}" for r, a, b in o.head_to_head))
            else:
                click.echo("  no Condorcet winner: Schulze's strongest paths decided")
    names = comparison.candidates
    if comparison.pairwise:
        click.echo("")
        click.echo("Head to head (ballots preferring the row's candidate to the column's):")
        width = max(len(n) for n in names)
        click.echo(" " * (width + 2) + "  ".join(f"{n[:12]:>12}" for n in names))
        for n, row in zip(names, comparison.pairwise):
            cells = "  ".join(f"{'-' if m == n else v:>12}" for m, v in zip(names, row))
            click.echo(f"{n:<{width}}  {cells}")
    if rules.is_college:
        click.echo("")
        click.echo("What one ballot was worth (round 1):")
        for v in values:
            rel = "" if v.relative is None else f" = {_fig(v.relative, False)} x the least"
            click.echo(f"  {v.section}: {v.ballots} ballots, "
                       f"{_fig(v.points, False) if v.points is not None else '-'} points of "
                       f"the college each{rel}")
    for m in margins:
        click.echo("")
        where = f" in {m.section} alone" if m.section else ""
        if m.ballots is None:
            click.echo(f"Margin{where}: no change of ballots{where} lets another win")
            continue
        kind = "exactly" if m.exact else "at most"
        click.echo(f"Margin{where}: {kind} {m.ballots} ballot(s) changed let another "
                   f"candidate win (ties broken their way)")
        if m.decisive is not None:
            click.echo(f"  {m.decisive} changed elect {m.new_winner} whatever the tie-break "
                       f"(checked by a recount)")
        click.echo(f"  method: {m.method}")
