"""``hustings election``: set up an election of several contests from an election preset
(``presets/elections/``), as ``hustings.web.contests.setup_election`` does for the site."""

from __future__ import annotations

import click

from hustings.cli import CliError


@click.group("election")
def election_group() -> None:
    """Elections: one roll and one code per voter for several contests on one ballot.

    \b
    Example:
        hustings election create --preset labour-2015 --slug labour-2015 --officer alice
    """


@election_group.command("presets")
def presets_command() -> None:
    """List the election presets and their contests.

    \b
    Example:
        hustings election presets
    """
    from hustings.cli.web import _django

    _django({})
    from hustings.web.contests.election_presets import election_preset_names, load_preset

    for name in election_preset_names():
        preset = load_preset(name)
        click.echo(f"{name}: {preset.title}")
        for c in preset.contests:
            who = f"voters marked {c.eligibility!r}" if c.eligibility else "every voter"
            extra = f" (optional: --with {c.key})" if c.optional else ""
            click.echo(f"  {c.ballot_order}. {c.key}: {c.title}, {c.rule_book}, {who}{extra}")


@election_group.command("create")
@click.option("--preset", required=True, help="The election preset, e.g. labour-2015.")
@click.option("--slug", required=True,
              help="The election's short name; each contest's is <slug>-<key>.")
@click.option("--title", default="", help="The election's title [default: the preset's].")
@click.option("--officer", required=True,
              help="The officer account (hustings createofficer) made returning officer of each "
                   "contest.")
@click.option("--with", "include", multiple=True, metavar="KEY",
              help="Also make the preset's optional contest KEY (repeatable).")
@click.option("--with-london", is_flag=True, help="Also make the London mayoral contest "
              "(the same as --with london).")
def create_command(preset: str, slug: str, title: str, officer: str, include: tuple[str, ...],
                   with_london: bool) -> None:
    """Create an election and its contests, in draft, from an election preset.

    Uses the database in DATABASE_URL (or the SQLite file in var/ when it is unset). All the
    contests are made, or none. Then import the roll (with a `marks` column for contests
    open to part of it) on any contest's "Run the ballot" page.

    \b
    Example:
        hustings election create --preset labour-2015 --slug labour-2015 --officer alice \\
            --title "Labour leadership and deputy leadership 2015" --with-london
    """
    from hustings.cli.web import _django

    _django({})
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from hustings.web.contests.setup_election import create_election
    from hustings.web.errors import SetupError

    user = get_user_model().objects.filter(username=officer).first()
    if user is None:
        raise CliError(f"no account {officer!r}; expected an officer's username "
                       "(hustings createofficer)")
    keys = [*include, *(["london"] if with_london else [])]
    try:
        election = create_election(by=user, preset=preset, slug=slug, title=title,
                                   include=list(dict.fromkeys(keys)))
    except SetupError as e:
        raise CliError("; ".join(e.errors)) from None
    except PermissionDenied as e:
        raise CliError(str(e)) from None
    click.echo(f"Created the election {election.slug!r}: {election.title}")
    for c in election.ordered_contests():
        who = f"voters marked {c.eligibility!r}" if c.eligibility else "every voter"
        click.echo(f"  {c.ballot_order}. {c.slug}: {c.title} ({c.rule_book_preset}; {who})")
