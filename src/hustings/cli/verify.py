"""``hustings verify``: anyone can re-check a published contest.

``hustings verify ledger LEDGER.json`` re-checks the hash chain of a published ledger (or,
with ``--contest SLUG``, the one in the database named by ``DATABASE_URL``).

``hustings verify ballots --rules election.toml --result result.json BALLOTS...`` recounts
the published anonymised ballots through ``hustings.counting.count`` and compares every
round with the published result. A BLT file has no section column: name its section as
``SECTION=PATH`` (or keep the published name ``ballots-<section>.blt``).

Exit status: 0 the published result is reproduced / the chain verifies; 1 it is not;
2 bad input (a file that cannot be read, a rule book with errors).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from hustings.cli import CliError


@click.group(name="verify")
def verify_group() -> None:
    """Re-check a published contest: its ledger, or its result from its ballots.

    \b
    Example:
        hustings verify ballots --rules election.toml --result result.json ballots-*.csv
        hustings verify ledger ledger.json
    """


@verify_group.command(name="ledger")
@click.argument("ledger_file", required=False, type=click.Path(dir_okay=False))
@click.option("--contest", "slug", help="Check the database's ledger of this contest instead.")
def ledger_command(ledger_file: str | None, slug: str | None) -> None:
    """Re-check a ledger's hash chain; exit 1 naming the first bad entry.

    \b
    Example:
        hustings verify ledger ledger.json
    """
    from hustings.web.voting import chain
    from hustings.web.voting.errors import LedgerError

    if slug:
        entries = _database_entries(slug)
        where = f"contest {slug}"
    elif ledger_file:
        entries = _file_entries(Path(ledger_file))
        where = ledger_file
    else:
        raise CliError("give a ledger file, or --contest SLUG to check the database")
    try:
        n = chain.verify_entries(entries)
    except LedgerError as e:
        click.echo(f"NOT VERIFIED: {where}: {e}")
        raise SystemExit(1) from None
    head = entries[-1]["hash"] if entries else chain.GENESIS
    click.echo(f"Verified: {where}: {n} entries, chain head {head}")


def _file_entries(path: Path) -> list[dict]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise CliError(f"{path}: cannot open: {e.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CliError(f"{path}: not JSON ({e}); expected a published ledger.json") from None
    entries = doc.get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise CliError(f'{path}: no "entries" list; expected a published ledger.json')
    return entries


def _database_entries(slug: str) -> list[dict]:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hustings.web.settings")
    django.setup()
    from hustings.web.contests.models import Contest
    from hustings.web.voting import ledger

    contest = Contest.objects.filter(slug=slug).first()
    if contest is None:
        raise CliError(f"no contest {slug!r} in the database")
    return ledger.entries(contest)


@verify_group.command(name="ballots")
@click.option("--rules", "rules_path", required=True, type=click.Path(dir_okay=False),
              help="The published election.toml.")
@click.option("--result", "result_path", required=True, type=click.Path(dir_okay=False),
              help="The published result.json.")
@click.argument("ballot_files", nargs=-1, required=True)
def ballots_command(rules_path: str, result_path: str, ballot_files: tuple[str, ...]) -> None:
    """Recount published ballots and say whether the published result is reproduced.

    \b
    Example:
        hustings verify ballots --rules election.toml --result result.json \\
            ballots-members.csv ballots-affiliates.csv "MPs and MEPs=mps.blt"
    """
    from hustings.config import ConfigError, load_election
    from hustings.counting import CountingError, count
    from hustings.formats.errors import FormatError
    from hustings.formats.readers import SectionPlan, Source, read_ballots
    from hustings.web.voting import resultdoc

    try:
        election = load_election(rules_path)
        published = json.loads(Path(result_path).read_text(encoding="utf-8"))
    except ConfigError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"{result_path}: cannot open: {e.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CliError(f"{result_path}: not JSON ({e}); expected the published result.json") from None
    names = [s.name for s in election.sections] or ["all"]
    sources = [_source(arg, names, Source) for arg in ballot_files]
    plan = None
    if election.sections:
        labels = {label: s.name for s in election.sections for label in (*s.labels, s.name)}
        plan = SectionPlan(tuple(names), labels)
    try:
        ballots, _ = read_ballots(sources, candidates=election.candidates, plan=plan)
        result = count(election.rules(ballots.candidates), ballots)
    except (FormatError, CountingError, ValueError) as e:
        raise CliError(str(e)) from None
    recount = resultdoc.document(result, title=election.title or "")
    if "results" not in published and "rounds" not in published:
        raise CliError(f"{result_path}: neither RCTab 'results' nor 'rounds'; expected a result.json")
    diffs = resultdoc.differences(published, recount)
    if diffs:
        click.echo(f"NOT REPRODUCED: the recount of {len(ballots)} ballots differs from {result_path}:")
        for d in diffs:
            click.echo(f"  {d}")
        raise SystemExit(1)
    click.echo(
        f"Reproduced: {result.total_ballots} ballots, {len(result.rounds)} rounds, "
        f"elected {', '.join(result.winners)} — the published result matches the recount."
    )


def _source(arg: str, sections: list[str], Source):  # noqa: ANN001, N803
    if "=" in arg and arg.split("=", 1)[0] in sections:
        name, path = arg.split("=", 1)
        return Source(Path(path), name)
    path = Path(arg)
    if not path.is_file():
        raise CliError(f"{arg}: no such ballot file")
    stem = re.sub(r"^.*?ballots-", "", path.stem)
    by_slug = {re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-"): s for s in sections}
    section = by_slug.get(stem)
    if section is None and len(sections) == 1:
        section = sections[0]
    return Source(path, section)
