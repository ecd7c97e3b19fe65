"""Rules and ballots together, as ``hustings count`` reads them: for callers that count
files without the CLI (``hustings compare``, the web gallery)."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from hustings.config.election import Election, load_election, load_preset
from hustings.config.errors import ConfigError
from hustings.counting import Ballots, Rules
from hustings.formats.readers import Source, read_ballots


def load_count(
    paths: Sequence[str | PathLike[str]],
    rules_path: str | PathLike[str] | None = None,
    preset: str | None = None,
) -> tuple[Rules, Ballots, str]:
    """(rules, ballots, title): ``paths`` read under an ``election.toml``, a preset or the
    default rules. With no paths, the ballots the election.toml's ``[[sections]]`` list.
    Candidates withdrawn in a ballot file are excluded. Raises ConfigError (and the
    readers' FormatError)."""
    if rules_path and preset:
        raise ConfigError(rules_path, None, f"given with the preset {preset!r}",
                          "an election.toml or a preset, not both")
    election = (load_election(rules_path) if rules_path else
                load_preset(preset) if preset else Election(None))
    sources = [Source(Path(p)) for p in paths] or list(election.sources)
    if not sources:
        raise ConfigError(rules_path or "(no rules)", None, "no ballot files",
                          "ballot files, or an election.toml whose [[sections]] list them")
    read, files = read_ballots(sources, candidates=election.candidates, plan=election.plan)
    withdrawn = {c for f in files for c in f.withdrawn}
    overrides = ({"excluded": election.options.get("excluded", frozenset()) | withdrawn}
                 if withdrawn else {})
    rules = election.rules(read.candidates, **overrides)
    title = election.title or "Count of " + ", ".join(s.path.name for s in sources)
    return rules, read, title
