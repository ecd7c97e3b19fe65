"""``hustings verify``: anyone can re-check a published contest.

``hustings verify ledger LEDGER.json`` re-checks the hash chain of a published ledger (or,
with ``--contest SLUG``, the one in the database named by ``DATABASE_URL``).

``hustings verify ballots --rules election.toml --result result.json BALLOTS...`` recounts
the published anonymised ballots through ``hustings.counting.count`` and compares every
round with the published result. Each file names its section inside (a CSV's ``section``
column, a BLT's title ``<contest> – <section>``), or give ``SECTION=PATH``. A ballot set
given twice (the same file, or the CSV and BLT of one section) is refused (exit 2).

``hustings verify sealed FOLDER`` holds the published sealed ballots to the ledger: every
ciphertext hashes to its receipt, every receipt in the ledger is in the sealed list and
nothing else is, and sealed = opened = participations = the published ballots (with
``--contest SLUG``: the database's sealed rows, participations and opened ballots).

``hustings verify box FOLDER --share FILE...``: a trustee with k shares re-opens the
published sealed ballots and checks they are, as a multiset, the published ballots.

``hustings verify all FOLDER`` (or ``KIT.zip``, the results page's recount kit): the ledger,
the sealed list and the recount, in turn.

Exit status: 0 verified / reproduced; 1 not (one line says where it differs); 2 bad input
(a file that cannot be read or is not what it should be, a rule book with errors, a share
that cannot be used): one line, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from hustings.cli import CliError


@click.group(name="verify")
def verify_group() -> None:
    """Re-check a published contest: its ledger, or its result from its ballots.

    \b
    Example:
        hustings verify all labour-leader-2010-recount-kit.zip
        hustings verify all downloads/
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
    from hustings.publication import LedgerError, chain

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
    for n, e in enumerate(entries, start=1):
        _entry_shape(e, f"{path}: entry {n}")
    return entries


_SHAPE = {"seq": int, "kind": str, "at": str, "payload": dict, "prev_hash": str, "hash": str}


def _entry_shape(e, where: str) -> None:
    """A ledger entry has the fields and types the chain hashes; anything else is bad input
    (exit 2), not a chain that fails to verify."""
    if not isinstance(e, dict):
        raise CliError(f"{where}: {type(e).__name__}; expected an object")
    for key, kind in _SHAPE.items():
        if key in e and (not isinstance(e[key], kind) or isinstance(e[key], bool)):
            raise CliError(f"{where}: field {key!r} is {type(e[key]).__name__}; "
                           f"expected {kind.__name__}")
    if not isinstance(e.get("lane", 0), int):
        raise CliError(f"{where}: field 'lane' is {type(e['lane']).__name__}; expected int")
    heads = e.get("payload", {}).get("heads") if e.get("kind") == "ballot-closed" else None
    if heads is not None and not (isinstance(heads, dict) and all(
            k.isdigit() and isinstance(v, list) and len(v) == 2 and isinstance(v[0], int)
            and isinstance(v[1], str) for k, v in heads.items())):
        raise CliError(f"{where}: the close's 'heads' are not lane: [seq, hash] pairs")


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
    from hustings.publication import resultdoc

    try:
        election = load_election(rules_path)
        published = json.loads(Path(result_path).read_text(encoding="utf-8"))
    except ConfigError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"{result_path}: cannot open: {e.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CliError(
            f"{result_path}: not JSON ({e}); expected the published result.json") from None
    names = [s.name for s in election.sections] or ["all"]
    sources = [_source(arg, names, Source) for arg in ballot_files]
    refuse_duplicates(sources)
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
        raise CliError(
            f"{result_path}: neither RCTab 'results' nor 'rounds'; expected a result.json")
    diffs = resultdoc.differences(published, recount)
    if diffs:
        click.echo(f"NOT REPRODUCED: the recount of {len(ballots)} ballots differs from "
                   f"{result_path}:")
        for d in diffs:
            click.echo(f"  {d}")
        raise SystemExit(1)
    click.echo(
        f"Reproduced: {result.total_ballots} ballots, {len(result.rounds)} rounds, "
        f"elected {', '.join(result.winners)} — the published result matches the recount."
    )


def _source(arg: str, sections: list[str], Source):
    """A ballot file and its section, read from inside the file: a CSV names it in its
    ``section`` column, a BLT in its title (``<contest> – <section>``); ``SECTION=PATH``
    names it outright. Never from the file name (a slug may contain anything)."""
    if "=" in arg and arg.split("=", 1)[0] in sections:
        name, path = arg.split("=", 1)
        return Source(Path(path), name)
    path = Path(arg)
    if not path.is_file():
        raise CliError(f"{arg}: no such ballot file")
    if len(sections) == 1:
        return Source(path, sections[0])
    if path.suffix.lower() == ".blt":
        return Source(path, _blt_section(path, sections))
    return Source(path, None)  # the section column says, row by row


def _blt_section(path: Path, sections: list[str]) -> str:
    from hustings.formats.blt import read_blt
    from hustings.formats.errors import FormatError

    try:
        title = read_blt(path).title or ""
    except FormatError as e:
        raise CliError(str(e)) from None
    # the longest section name the title ends with (one name may end another)
    found = sorted((s for s in sections if title.endswith(f" – {s}") or title == s),
                   key=len, reverse=True)
    if not found:
        raise CliError(f"{path}: its title {title!r} names none of the sections "
                       f"{sections}; expected '<contest> – <section>', or give "
                       "SECTION=PATH")
    return found[0]


def refuse_duplicates(sources) -> None:
    """A ballot set given twice would be counted twice: the same file (by content), or
    the CSV and the BLT of one section."""
    import hashlib

    seen: dict[str, Path] = {}
    for src in sources:
        digest = hashlib.sha256(src.path.read_bytes()).hexdigest()
        if digest in seen:
            raise CliError(f"{src.path}: the same ballots as {seen[digest]} (the same file "
                           "given twice); each ballot set must be given once")
        seen[digest] = src.path
    by_stem: dict[tuple[Path, str], Path] = {}
    for src in sources:
        key = (src.path.parent.resolve(), src.path.stem)
        other = by_stem.get(key)
        if other is not None and other.suffix.lower() != src.path.suffix.lower():
            raise CliError(f"{src.path}: the {src.path.suffix} copy of the ballots in "
                           f"{other}; give the CSV or the BLT of a section, not both "
                           "(each ballot would be counted twice)")
        by_stem[key] = src.path


# -- the sealed ballot box ------------------------------------------------------------


def _folder(folder: str) -> Path:
    path = Path(folder)
    if not path.is_dir():
        raise CliError(f"{folder}: not a folder; expected the folder of a contest's downloads")
    return path


def _read_sealed(path: Path):
    from hustings.web.voting.sealedlist import NAME, SealedListFormatError, read

    file = path / NAME
    try:
        return read(file.read_text(encoding="utf-8"), source=str(file))
    except OSError as e:
        raise CliError(f"{file}: cannot open: {e.strerror}") from None
    except UnicodeDecodeError:
        raise CliError(f"{file}: not text; expected the published {NAME}") from None
    except SealedListFormatError as e:
        raise CliError(str(e)) from None


def _published_ballots(path: Path) -> list[tuple[str, tuple]]:
    """The published plain ballots (every ballots-*.csv) as (section, ranking) pairs."""
    import csv

    out = []
    files = sorted(path.glob("ballots-*.csv"))
    if not files:
        raise CliError(f"{path}: no ballots-*.csv; expected the published ballots")
    for file in files:
        try:
            rows = list(csv.reader(file.read_text(encoding="utf-8").splitlines()))
        except (OSError, UnicodeDecodeError) as e:
            raise CliError(f"{file}: cannot read: {e}") from None
        if not rows or not rows[0] or rows[0][0] != "section":
            raise CliError(f"{file}, line 1: expected a header section,pref1,…")
        for n, row in enumerate(rows[1:], start=2):
            if not row:
                raise CliError(f"{file}, line {n}: empty; expected section,pref1,…")
            out.append((row[0], _ranking(row[1:])))
    return out


def _ranking(marks) -> tuple:
    marks = [m or None for m in marks]
    while marks and marks[-1] is None:
        marks.pop()
    return tuple(marks)


def _check_sealed(entries, sealed, **kw) -> None:
    from hustings.publication import LedgerError, chain
    from hustings.web.voting.errors import SealedListError
    from hustings.web.voting.sealedlist import SealedListFormatError, check

    try:
        chain.verify_entries(entries)
        figures = check(entries, sealed, **kw)
    except (LedgerError, SealedListError) as e:
        click.echo(f"NOT VERIFIED: {e}")
        raise SystemExit(1) from None
    except SealedListFormatError as e:
        raise CliError(str(e)) from None
    opened = figures.get("opened", "not yet")
    click.echo(f"Verified: {figures['sealed']} sealed ballots = {figures['casts']} receipts in "
               f"the ledger; opened {opened}; participations "
               f"{figures.get('participations', 'not recorded')}"
               + (f"; published ballots {figures['plain']}" if "plain" in figures else ""))


@verify_group.command(name="sealed")
@click.argument("folder", required=False)
@click.option("--contest", "slug", help="Check the database's sealed ballots instead.")
def sealed_command(folder: str | None, slug: str | None) -> None:
    """Hold the sealed ballots to the ledger's receipts; sealed = opened = participations.

    \b
    Example:
        hustings verify sealed downloads/
        hustings verify sealed --contest labour-leader-2010
    """
    from collections import Counter

    if slug:
        entries = _database_entries(slug)
        from hustings.web.contests.models import Contest
        from hustings.web.voting.models import Ballot, Participation, SealedBallot
        from hustings.web.voting.sealedlist import Sealed

        contest = Contest.objects.get(slug=slug)
        sealed = [Sealed(r, s, bytes(c)) for r, s, c in SealedBallot.objects.filter(
            contest=contest).values_list("receipt", "section", "ciphertext")]
        plain = None
        if any(e["kind"] == "box-opened" for e in entries):
            plain = Counter(
                Ballot.objects.filter(contest=contest).values_list("section", flat=True))
        _check_sealed(entries, sealed, plain=plain,
                      participations=Participation.objects.filter(contest=contest).count())
        return
    if not folder:
        raise CliError("give the folder of a contest's downloads, or --contest SLUG")
    path = _folder(folder)
    entries = _file_entries(path / "ledger.json")
    plain = Counter(s for s, _ in _published_ballots(path))
    _check_sealed(entries, _read_sealed(path), plain=plain)


@verify_group.command(name="box")
@click.argument("folder")
@click.option("--share", "shares", multiple=True, required=True,
              help="A trustee share file ('-': standard input); give k of them.")
def box_command(folder: str, shares: tuple[str, ...]) -> None:
    """Re-open the published sealed ballots with k trustees' shares and check that they
    are exactly the published ballots (as a multiset).

    \b
    Example:
        hustings verify box downloads/ --share share-1.txt --share share-2.txt
    """
    from collections import Counter

    from nacl.bindings import crypto_box_SEALBYTES

    from hustings.cli.box import read_share_files
    from hustings.web.voting import sealing
    from hustings.web.voting.errors import BoxError, SealedListError
    from hustings.web.voting.sealedlist import key_entry

    path = _folder(folder)
    entries = _file_entries(path / "ledger.json")
    sealed = _read_sealed(path)
    published = Counter(_published_ballots(path))
    try:
        key = key_entry(entries)
        public = bytes.fromhex(str(key["public_key"]))
        threshold = int(key["threshold"])
        prints = {int(t["position"]): t["share_fingerprint"] for t in key["trustees"]}
        given = [sealing.read_share(t, public, where=f"share {i + 1}")
                 for i, t in enumerate(read_share_files(shares))]
        for i, s in enumerate(given):
            if prints.get(s.index) != s.fingerprint:
                raise BoxError(f"share {i + 1}: its fingerprint is not the ledger's for "
                               f"trustee {s.index}")
        secret = sealing.combine(given, threshold, public)
        block = min((len(s.ciphertext) for s in sealed), default=crypto_box_SEALBYTES + 16)
        opened = sealing.open_all(secret, public, [s.ciphertext for s in sealed],
                                  block - crypto_box_SEALBYTES)
        del secret
    except (SealedListError, BoxError, KeyError, TypeError, ValueError) as e:
        raise CliError(f"{path}: {e}") from None
    mine = Counter((section, _ranking(r)) for section, r in opened)
    if mine != published:
        extra, missing = mine - published, published - mine
        click.echo(f"NOT VERIFIED: the sealed ballots open to {sum(mine.values())} ballots, "
                   f"the published ballots are {sum(published.values())}: "
                   f"{sum(extra.values())} opened but not published, {sum(missing.values())} "
                   "published but not opened"
                   + (f" (e.g. {_show(next(iter(missing)))} published)" if missing else ""))
        raise SystemExit(1)
    click.echo(f"Verified: the {len(sealed)} sealed ballots open to exactly the "
               f"{sum(published.values())} published ballots.")


def _show(ballot: tuple) -> str:
    section, ranking = ballot
    return f"{section}: " + " > ".join(x or "(blank)" for x in ranking)


@verify_group.command(name="all")
@click.argument("folder")
@click.pass_context
def all_command(ctx: click.Context, folder: str) -> None:
    """The ledger, the sealed ballots against it, and the recount, from the downloads (a
    folder, or the recount kit zip from the results page).

    \b
    Example:
        hustings verify all labour-leader-2010-recount-kit.zip
        hustings verify all downloads/
    """
    import tempfile

    if Path(folder).is_file():
        with tempfile.TemporaryDirectory(prefix="hustings-kit-") as tmp:
            _unzip_kit(Path(folder), Path(tmp))
            _verify_folder(ctx, Path(tmp))
        return
    _verify_folder(ctx, _folder(folder))


def _unzip_kit(kit: Path, into: Path) -> None:
    """Extract a recount kit: flat names only (no folders, no '..'), nothing else."""
    import zipfile

    try:
        with zipfile.ZipFile(kit) as z:
            for info in z.infolist():
                name = info.filename
                if "/" in name or "\\" in name or name.startswith(".") or info.is_dir():
                    raise CliError(f"{kit}: holds {name!r}; expected the flat files of a "
                                   "recount kit")
                (into / name).write_bytes(z.read(info))
    except zipfile.BadZipFile:
        raise CliError(f"{kit}: not a zip; expected a recount kit (.zip) or a folder of "
                       "downloads") from None
    except OSError as e:
        raise CliError(f"{kit}: cannot read: {e.strerror or e}") from None


def _verify_folder(ctx: click.Context, path: Path) -> None:
    ctx.invoke(ledger_command, ledger_file=str(path / "ledger.json"), slug=None)
    ctx.invoke(sealed_command, folder=str(path), slug=None)
    ctx.invoke(ballots_command, rules_path=str(path / "election.toml"),
               result_path=str(path / "result.json"),
               ballot_files=tuple(str(p) for p in sorted(path.glob("ballots-*.csv"))))
