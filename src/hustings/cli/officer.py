"""``hustings createofficer``: the first returning officer of a fresh deployment, from the
``hustings`` command (the same as ``python -m hustings.web createofficer``)."""

from __future__ import annotations

import click

from hustings.cli import CliError


@click.command("createofficer")
@click.argument("username")
@click.option("--email", default="", help="The officer's email address.")
@click.option("--existing", is_flag=True,
              help="Give an existing account the right to create contests (its password is kept).")
def createofficer_command(username: str, email: str, existing: bool) -> None:
    """Create an officer account that may set up contests on the site (not staff).

    Uses the database in DATABASE_URL (or the SQLite file in var/ when it is unset). The
    password is asked twice, or read from HUSTINGS_OFFICER_PASSWORD. The account becomes
    the returning officer of each contest it creates, and of nothing else.

    \b
    Example:
        hustings createofficer alice --email alice@example.org
    """
    from hustings.cli.web import _django

    _django({})
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("createofficer", username, email=email, existing=existing)
    except CommandError as e:
        raise CliError(str(e)) from None
