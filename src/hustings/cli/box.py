"""``hustings open-box``: k trustees open a closed contest's ballot box from a terminal,
for a trustee who works offline or a count held away from the web page.

The shares are read from files (``-`` for standard input) or, with none given, asked for
one after another without echo; they are combined in this process's memory only, the box
is opened, shuffled and written for the count (``voting.box.open_box``) in the database
named by ``DATABASE_URL``, and the key is forgotten when the command ends. Then the
returning officer records the count ("Close and count" on the voting page, or the
contest's stage button).

Shared with ``hustings verify box``: reading share files and the published downloads.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from hustings.cli import CliError


def read_share_files(paths: tuple[str, ...]) -> list[str]:
    texts = []
    for p in paths:
        if p == "-":
            texts.append(click.get_text_stream("stdin").read())
            continue
        try:
            texts.append(Path(p).read_text(encoding="utf-8"))
        except OSError as e:
            raise CliError(f"{p}: cannot open: {e.strerror}") from None
        except UnicodeDecodeError:
            raise CliError(f"{p}: not text; expected a trustee share file") from None
    return texts


def django_setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hustings.web.settings")
    django.setup()


@click.command("open-box")
@click.option("--contest", "slug", required=True, help="The contest (its slug).")
@click.argument("share_files", nargs=-1)
def open_box_command(slug: str, share_files: tuple[str, ...]) -> None:
    """Open a closed contest's ballot box with k trustees' shares.

    Each SHARE_FILE is a trustee's share as handed out (the text file, or the letters
    typed into one); '-' reads one from standard input. With none, asks for each share in
    turn without showing it. Uses the database in DATABASE_URL.

    \b
    Example:
        hustings open-box --contest labour-leader-2010 share-1.txt share-3.txt
    """
    django_setup()
    from hustings.web.contests.models import Contest
    from hustings.web.voting import box, trustees
    from hustings.web.voting.errors import VotingError

    contest = Contest.objects.filter(slug=slug).first()
    if contest is None:
        raise CliError(f"no contest {slug!r} in the database")
    texts = read_share_files(share_files)
    if not texts:
        key = trustees.box_key(contest)
        need = key.threshold if key else 1
        texts = [click.prompt(f"Share {i + 1} of {need} (hidden)", hide_input=True)
                 for i in range(need)]
    try:
        done = box.open_box(contest, texts)
    except VotingError as e:
        raise CliError(str(e)) from None
    click.echo(f"Opened: {done['opened']} of {done['sealed']} sealed ballots, shuffled and "
               f"stored for the count (shares of trustees {done['shares_from']}); the key is "
               "forgotten. Now record the count.")
