"""RCTab contests: the config JSON and every cast-vote-record format of the US tabulator.

One call reads a contest::

    from hustings.formats.rctab import load_contest
    contest = load_contest("path/to/x_config.json")
    result = hustings.counting.count(contest.rules, contest.ballots)
    report = hustings.formats.report_json.render(result, contest=contest.metadata)

CVR paths in the config are resolved against the config's folder, as RCTab does; an ES&S
``.xlsx`` that is missing but has a ``.xlsx.csv`` rendering beside it is read from that.
Providers (one module each): ``ess`` (xlsx and CSV renderings), ``generic_csv``,
``clear_ballot``, ``cdf`` (NIST SP 1500-103 JSON and XML, Unisyn's XML too),
``dominion`` (single and multi-file JSON exports), ``hart`` (a folder of per-ballot XML).

Errors: ``hustings.formats.rctab.errors`` (every one a ``hustings.formats.errors.FormatError``).
Each reader checks the shape of what it reads (an object where an object belongs, a whole
number where a rank belongs) and raises ``CvrError`` naming file and place; nothing here
catches ``AttributeError``/``KeyError``/``TypeError``, so a bug in a reader surfaces as one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hustings.counting import Ballots, Rules
from hustings.formats.rctab import cdf, clear_ballot, dominion, ess, generic_csv, hart
from hustings.formats.rctab.config import (
    UWI,
    ContestConfig,
    CvrSource,
    OutputSettings,
    read_config,
)
from hustings.formats.rctab.cvr import BallotBuilder, Resolver, SourceBallots, SourceResolver
from hustings.formats.rctab.errors import (
    ConfigError,
    CvrError,
    RankAboveMaximumError,
    RctabError,
    TabulationAbortedError,
    UnknownCandidateError,
)

Reader = Callable[[CvrSource, SourceResolver, BallotBuilder, int], None]

READERS: dict[str, Reader] = {
    "ess": ess.read,
    "genericCsv": generic_csv.read,
    "clearBallot": clear_ballot.read,
    "cdf": cdf.read,
    "dominion": dominion.read,
    "hart": hart.read,
}


@dataclass(frozen=True)
class RctabContest:
    """An RCTab contest ready to count: rules, ballots and what the reports need."""

    config: ContestConfig
    ballots: Ballots
    ballot_ids: tuple[str | None, ...]
    sources_read: tuple[SourceBallots, ...] = ()  # per source, in order: for exports

    @property
    def rules(self) -> Rules:
        return self.config.rules

    @property
    def output(self) -> OutputSettings:
        return self.config.output

    @property
    def metadata(self) -> dict[str, str]:
        """The ``config`` block of RCTab's detailed report (less ``generatedBy``)."""
        o = self.config.output
        return {"contest": o.contest_name, "date": o.contest_date,
                "jurisdiction": o.jurisdiction, "office": o.office}

    @property
    def num_candidates(self) -> int:
        """RCTab's ``numCandidates``: every declared candidate, plus the UWI pseudo-candidate."""
        return len(self.config.rules.candidates)


def load_contest(
    config_path: str | Path, *, substitutes: Mapping[str, str | Path] | None = None
) -> RctabContest:
    """Read an RCTab config and all its CVR sources (see the module docstring).

    ``substitutes`` maps a ``filePath`` as written in the config to another file to read.
    Raises :class:`RctabError` subclasses for every bad input.
    """
    config = read_config(config_path, substitutes=substitutes)
    builder = BallotBuilder(config.rules.candidates, config.max_rankings)
    resolver = Resolver(config, builder)
    for source in config.sources:
        first_chunk = len(builder.chunks)
        reader = resolver.for_source(source)
        # No catch-all here: each reader checks the shape of what it reads where it reads
        # it and raises a CvrError naming file and place, so an AttributeError or KeyError
        # escaping a reader is a bug in the reader, and surfaces as one.
        READERS[source.provider](source, reader, builder, config.max_rankings)
        for chunk in builder.chunks[first_chunk:]:
            chunk.raw_names = reader.raw
    out = config.output
    for kind, wanted in (("precinct", out.tabulate_by_precinct), ("batch", out.tabulate_by_batch)):
        if wanted and not builder.has_labels(kind):
            raise TabulationAbortedError(
                config.path, None,
                f"tabulateBy{kind.title()} is on but no CVR source gives {kind} ids",
                f"a {kind} column or {kind} data in every source, or tabulateBy{kind.title()} off",
            )
    ballots = builder.build(precinct_slices=out.tabulate_by_precinct,
                            batch_slices=out.tabulate_by_batch)
    return RctabContest(config, ballots, tuple(builder.ids()), builder.records())


__all__ = [
    "UWI", "ConfigError", "ContestConfig", "CvrError", "CvrSource", "OutputSettings",
    "RankAboveMaximumError", "RctabContest", "RctabError", "TabulationAbortedError",
    "UnknownCandidateError", "load_contest", "read_config",
]
