"""The ``hustings`` command: a thin shell over the library.

Each subcommand lives in its own module and is registered here. Commands print one clear
line and exit with status 2 on bad input (``click.UsageError`` / ``CliError``); they never
show a traceback for a user's mistake.
"""

from __future__ import annotations

import importlib

import click

# module name -> attribute holding the click command (or group)
COMMANDS = {
    "chart": "hustings.cli.chart:chart_command",
    "compare": "hustings.cli.compare:compare_command",
    "count": "hustings.cli.count:count_command",
    "createofficer": "hustings.cli.officer:createofficer_command",
    "demo": "hustings.cli.web:demo_command",
    "election": "hustings.cli.election:election_group",
    "open-box": "hustings.cli.box:open_box_command",
    "serve": "hustings.cli.web:serve_command",
    "verify": "hustings.cli.verify:verify_group",
    "worker": "hustings.cli.web:worker_command",
}


class LazyGroup(click.Group):
    """Imports a subcommand's module only when it is used: `hustings count` starts fast
    and does not need Django installed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith("hustings.cli."):
                return None  # a command not written yet
            raise
        return getattr(mod, attr)


@click.group(cls=LazyGroup)
@click.version_option(package_name="hustings")
def main() -> None:
    """Hustings: run a party leadership election end to end.

    \b
    Example:
        hustings count ballots.csv --output table
    """


class CliError(click.ClickException):
    """A user's mistake, reported as one line and exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)
