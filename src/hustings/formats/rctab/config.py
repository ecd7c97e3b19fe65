"""RCTab's contest configuration (``*_config.json``) read into typed settings and ``Rules``.

RCTab keeps everything as JSON strings or booleans; here every value is parsed once and
checked as RCTab's ``ContestConfig.validate`` checks it (RCTab 2.0 user guide, "Contest
Rules"), and every problem found is reported together in one :class:`ConfigError`. The
tabulation options map onto :class:`hustings.counting.Rules` (see docs/rctab.md); nothing
here counts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from hustings.counting import (
    BallotRules,
    Method,
    OvervoteRule,
    Quota,
    Rules,
    RulesError,
    TieBreak,
    TieBreakMode,
)
from hustings.formats.ballot_file import MAX_RANKS
from hustings.formats.rctab.errors import ConfigError, shown

UWI = "Undeclared Write-ins"  # RCTab's pseudo-candidate for undeclared write-ins

PROVIDERS = ("ess", "genericCsv", "clearBallot", "cdf", "dominion", "hart")

WINNER_MODES: dict[str, Method] = {
    "singleWinnerMajority": Method.IRV,
    "multiWinnerAllowMultipleWinnersPerRound": Method.STV,
    "multiWinnerAllowOnlyOneWinnerPerRound": Method.STV,
    "bottomsUp": Method.BOTTOMS_UP,
    "bottomsUpUsingPercentageThreshold": Method.BOTTOMS_UP_PERCENTAGE,
    "multiPassIrv": Method.MULTI_PASS_IRV,
}

TIE_BREAKS: dict[str, TieBreakMode] = {
    "random": TieBreakMode.RANDOM,
    "useCandidateOrder": TieBreakMode.CANDIDATE_ORDER,
    "previousRoundCountsThenRandom": TieBreakMode.PREVIOUS_ROUNDS_THEN_RANDOM,
    "generatePermutation": TieBreakMode.GENERATE_PERMUTATION,
    # RCTab asks the operator; a batch count cannot, so the count stops and names the tie.
    "stopCountingAndAsk": TieBreakMode.STOP,
}
RANDOM_MODES = ("random", "previousRoundCountsThenRandom", "generatePermutation")

OVERVOTE_RULES: dict[str, OvervoteRule] = {
    "alwaysSkipToNextRank": OvervoteRule.ALWAYS_SKIP,
    "exhaustImmediately": OvervoteRule.EXHAUST_IMMEDIATELY,
    "exhaustIfMultipleContinuing": OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING,
}

MAX_DECIMAL_PLACES = 12  # Rules' limit (RCTab allows 20; no real contest uses more than 4)


@dataclass(frozen=True)
class CandidateSpec:
    name: str
    aliases: tuple[str, ...] = ()
    excluded: bool = False


@dataclass(frozen=True)
class CvrSource:
    """One entry of ``cvrFileSources``; column and row indexes are 1-based as in RCTab."""

    provider: str
    path: Path  # resolved against the config's folder
    file_path: str  # as written in the config
    contest_id: str = ""
    first_vote_column: int | None = None
    first_vote_row: int | None = None
    id_column: int | None = None
    batch_column: int | None = None
    precinct_column: int | None = None
    overvote_delimiter: str = ""
    overvote_label: str = ""
    skipped_rank_label: str = ""
    uwi_label: str = ""
    treat_blank_as_uwi: bool = False


@dataclass(frozen=True)
class OutputSettings:
    contest_name: str = ""
    contest_date: str = ""
    jurisdiction: str = ""
    office: str = ""
    tabulate_by_precinct: bool = False
    tabulate_by_batch: bool = False
    generate_cdf_json: bool = False


@dataclass(frozen=True)
class ContestConfig:
    """A validated RCTab config: sources to read and the rules to count by."""

    path: Path
    output: OutputSettings
    sources: tuple[CvrSource, ...]
    candidates: tuple[CandidateSpec, ...]
    rules: Rules
    winner_mode: str
    max_rankings: int  # resolved: "max" is the number of declared candidates
    cutoff_elimination: bool = False  # bottomsUpUsingPercentageThreshold option (see docs)

    @property
    def has_uwi(self) -> bool:
        return UWI in self.rules.candidates

    def alias_map(self) -> dict[str, str]:
        """Every name or alias a CVR may use -> the candidate's name."""
        out: dict[str, str] = {}
        for c in self.candidates:
            out[c.name] = c.name
            for a in c.aliases:
                out.setdefault(a, c.name)
        return out


class _Checker:
    """Collects every problem in a config, so the user fixes them in one go."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def table(self, obj: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        """An object member that must itself be an object (absent or null: empty)."""
        v = obj.get(key)
        if v is None:
            return {}
        if not isinstance(v, dict):
            self.problems.append(f"{key} is {shown(v)}; expected an object")
            return {}
        return v

    def names(self, obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        """A list of strings (absent or null: none), each trimmed, blanks dropped."""
        v = obj.get(key)
        if v is None:
            return ()
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.problems.append(f"{where}.{key} is {shown(v)}; expected a list of strings")
            return ()
        return tuple(x.strip() for x in v if x.strip())

    def text(self, obj: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        v = obj.get(key, default)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, str | int):
            self.problems.append(f"{where}.{key} is {shown(v)}; expected a string")
            return default
        return str(v)

    def flag(self, obj: Mapping[str, Any], key: str, where: str) -> bool:
        v = obj.get(key, False)
        if not isinstance(v, bool):
            self.problems.append(
                f"{where}.{key} is {shown(v)}; expected true or false (a JSON boolean)")
            return False
        return v

    def integer(
        self, obj: Mapping[str, Any], key: str, where: str, *, low: int, high: int | None = None,
        words: tuple[str, ...] = (), required: bool = False,
    ) -> int | str | None:
        """An int given as a JSON number or string, or one of ``words``; '' means absent."""
        v = obj.get(key, "")
        if isinstance(v, str):
            v = v.strip()
            if v in words:
                return v
            if v == "":
                if required:
                    self.problems.append(f"{where}.{key} is missing; expected a whole number")
                return None
        if isinstance(v, bool) or not isinstance(v, int | str):
            self.problems.append(f"{where}.{key} is {shown(v)}; expected a whole number")
            return None
        try:
            n = int(v)
        except ValueError:  # not digits, or more digits than Python converts
            alt = f" or {' / '.join(repr(w) for w in words)}" if words else ""
            self.problems.append(f"{where}.{key} is {shown(v)}; expected a whole number{alt}")
            return None
        if n < low or (high is not None and n > high):
            span = f"a whole number >= {low}" if high is None else f"{low}..{high}"
            self.problems.append(f"{where}.{key} is {n}; expected {span}")
            return None
        return n

    def choice(self, obj: Mapping[str, Any], key: str, where: str,
               options: Mapping[str, Any]) -> str | None:
        v = obj.get(key)
        if not isinstance(v, str) or v not in options:
            said = "is missing" if v is None else f"is {shown(v)}"
            listed = ", ".join(sorted(options))
            self.problems.append(f"{where}.{key} {said}; expected one of {listed}")
            return None
        return v


def read_config(
    path: str | Path, *, substitutes: Mapping[str, str | Path] | None = None
) -> ContestConfig:
    """Read and validate an RCTab config; CVR paths are resolved against its folder.

    ``substitutes`` maps a config ``filePath`` to the file to read instead (the
    conformance suite feeds one CVR rendering to the 13 identical copies of the scale case).
    """
    path = Path(path)
    raw = load_json(path)
    if not isinstance(raw, dict):
        raise ConfigError(path, ["top level is not an object; expected {...}"])
    ck = _Checker()
    out = _output(ck.table(raw, "outputSettings"), ck)
    cands = _candidates(raw.get("candidates"), ck)
    sources = _sources(raw.get("cvrFileSources"), path.parent, substitutes or {}, ck)
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, dict):
        ck.problems.append("rules is missing; expected an object")
        rules_raw = {}
    config = _rules(path, rules_raw, cands, sources, out, ck)
    if ck.problems:
        raise ConfigError(path, ck.problems)
    assert config is not None
    return config


def load_json(path: Path) -> Any:
    """The config file's JSON, or a ConfigError saying why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except UnicodeDecodeError as e:
        raise ConfigError(path, [f"not UTF-8 text at byte offset {e.start}; expected a UTF-8 JSON "
                                 "file"]) from None
    except OSError as e:
        raise ConfigError(path, [f"cannot open: {e.strerror}; expected a readable JSON "
                                 "file"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        where = f"line {e.lineno} column {e.colno}"
        raise ConfigError(path, [f"{where}: {e.msg}; expected JSON"]) from None
    except ValueError as e:  # a number of more digits than Python converts
        raise ConfigError(path, [f"{e}; expected JSON numbers of at most 4300 "
                                 "digits"]) from None
    except RecursionError:
        raise ConfigError(path, ["arrays or objects nested too deeply; expected an "
                                 "RCTab config"]) from None


def _output(o: Mapping[str, Any], ck: _Checker) -> OutputSettings:
    w = "outputSettings"
    return OutputSettings(
        contest_name=ck.text(o, "contestName", w),
        contest_date=ck.text(o, "contestDate", w),
        jurisdiction=ck.text(o, "contestJurisdiction", w),
        office=ck.text(o, "contestOffice", w),
        tabulate_by_precinct=ck.flag(o, "tabulateByPrecinct", w),
        tabulate_by_batch=ck.flag(o, "tabulateByBatch", w),
        generate_cdf_json=ck.flag(o, "generateCdfJson", w),
    )


def _candidates(items: Any, ck: _Checker) -> tuple[CandidateSpec, ...]:
    if not isinstance(items, list) or not items:
        ck.problems.append("candidates is empty; expected at least one candidate")
        return ()
    out: list[CandidateSpec] = []
    seen: set[str] = set()
    for i, c in enumerate(items):
        w = f"candidates[{i}]"
        if not isinstance(c, dict):
            ck.problems.append(f"{w} is {shown(c)}; expected an object")
            continue
        name = ck.text(c, "name", w).strip()
        if not name:
            ck.problems.append(f"{w}.name is empty; expected a candidate name")
            continue
        aliases = ck.names(c, "aliases", w)
        for n in dict.fromkeys((name, *aliases)):
            if n in seen:
                ck.problems.append(f"{w}: name or alias {n!r} is used twice; expected unique names")
            seen.add(n)
        out.append(CandidateSpec(name, aliases, ck.flag(c, "excluded", w)))
    return tuple(out)


def _sources(
    items: Any, folder: Path, substitutes: Mapping[str, str | Path], ck: _Checker
) -> tuple[CvrSource, ...]:
    if not isinstance(items, list) or not items:
        ck.problems.append("cvrFileSources is empty; expected at least one CVR source")
        return ()
    out: list[CvrSource] = []
    for i, s in enumerate(items):
        w = f"cvrFileSources[{i}]"
        if not isinstance(s, dict):
            ck.problems.append(f"{w} is {shown(s)}; expected an object")
            continue
        provider = ck.choice(s, "provider", w, dict.fromkeys(PROVIDERS))
        file_path = ck.text(s, "filePath", w).strip()
        if not file_path:
            ck.problems.append(f"{w}.filePath is missing; expected a CVR file or folder")
            continue
        resolved = Path(substitutes[file_path]) if file_path in substitutes else folder / file_path
        if not (_exists(resolved) or (provider == "ess" and _exists(_rendering(resolved)))):
            ck.problems.append(f"{w}.filePath {shown(file_path)}: {shown(str(resolved))} "
                               "does not exist")
        tabular = provider in ("ess", "genericCsv")
        first_col = ck.integer(s, "firstVoteColumnIndex", w, low=1, required=tabular)
        first_row = ck.integer(s, "firstVoteRowIndex", w, low=1, required=tabular)
        idx = {k: ck.integer(s, k, w, low=1) for k in
               ("idColumnIndex", "batchColumnIndex", "precinctColumnIndex")}
        contest = ck.text(s, "contestId", w).strip()
        if provider in ("cdf", "clearBallot", "dominion", "hart") and not contest:
            ck.problems.append(f"{w}.contestId is missing; expected the contest to read")
        if provider is None:
            continue
        out.append(CvrSource(
            provider=provider, path=resolved, file_path=file_path, contest_id=contest,
            first_vote_column=first_col if isinstance(first_col, int) else None,
            first_vote_row=first_row if isinstance(first_row, int) else None,
            id_column=_int_or_none(idx["idColumnIndex"]),
            batch_column=_int_or_none(idx["batchColumnIndex"]),
            precinct_column=_int_or_none(idx["precinctColumnIndex"]),
            overvote_delimiter=ck.text(s, "overvoteDelimiter", w),
            overvote_label=ck.text(s, "overvoteLabel", w).strip(),
            skipped_rank_label=ck.text(s, "skippedRankLabel", w).strip(),
            uwi_label=ck.text(s, "undeclaredWriteInLabel", w).strip(),
            treat_blank_as_uwi=ck.flag(s, "treatBlankAsUndeclaredWriteIn", w),
        ))
    return tuple(out)


def _exists(path: Path) -> bool:
    """Whether a path from the config names something; a name the system cannot even look
    up (too long, a NUL byte in it) names nothing."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False



def _rendering(path: Path) -> Path:
    """The suite's CSV rendering of an ES&S workbook: ``<name>.xlsx.csv``."""
    return path.with_name(path.name + ".csv")


def _int_or_none(v: int | str | None) -> int | None:
    return v if isinstance(v, int) else None


def _rules(
    path: Path, r: Mapping[str, Any], cands: tuple[CandidateSpec, ...],
    sources: tuple[CvrSource, ...],
    out: OutputSettings, ck: _Checker,
) -> ContestConfig | None:
    w = "rules"
    mode = ck.choice(r, "winnerElectionMode", w, WINNER_MODES)
    tie = ck.choice(r, "tiebreakMode", w, TIE_BREAKS)
    over = ck.choice(r, "overvoteRule", w, OVERVOTE_RULES)
    winners = ck.integer(r, "numberOfWinners", w, low=0, required=True)
    places = ck.integer(r, "decimalPlacesForVoteArithmetic", w, low=1,
                        high=MAX_DECIMAL_PLACES, required=True)
    max_rank = ck.integer(r, "maxRankingsAllowed", w, low=1, words=("max",), required=True)
    if isinstance(max_rank, int) and max_rank > MAX_RANKS:  # the width of every ballot array
        ck.problems.append(f"rules.maxRankingsAllowed is {max_rank}; expected 'max' or at "
                           f"most {MAX_RANKS} (Hustings' limit on ranks)")
    max_skip = ck.integer(r, "maxSkippedRanksAllowed", w, low=0, words=("unlimited",),
                          required=True)
    stop_after = ck.integer(r, "stopTabulationEarlyAfterRound", w, low=1)
    seed = ck.integer(r, "randomSeed", w, low=-(2**63), high=2**63 - 1,
                      required=tie in RANDOM_MODES)
    pct = ck.integer(r, "multiSeatBottomsUpPercentageThreshold", w, low=1, high=100,
                     required=mode == "bottomsUpUsingPercentageThreshold")
    flags = {k: ck.flag(r, k, w) for k in (
        "nonIntegerWinningThreshold", "doesFirstRoundDetermineThreshold", "hareQuota",
        "batchElimination", "continueUntilTwoCandidatesRemain", "exhaustOnDuplicateCandidate",
        "cutoffElimination")}
    if mode == "singleWinnerMajority" and isinstance(winners, int) and winners != 1:
        ck.problems.append(
            f"rules.numberOfWinners is {winners}; expected 1 for singleWinnerMajority")
    if (mode and mode != "bottomsUpUsingPercentageThreshold" and winners == 0):
        ck.problems.append(f"rules.numberOfWinners is 0; expected at least 1 for {mode}")
    if flags["batchElimination"] and mode not in (None, "singleWinnerMajority", "multiPassIrv"):
        ck.problems.append("rules.batchElimination is only allowed in single-winner contests")
    if ck.problems:
        return None
    names = [c.name for c in cands]
    if any(s.uwi_label or s.treat_blank_as_uwi for s in sources) and UWI not in names:
        names.append(UWI)
    declared = len(cands)
    max_rankings = declared if max_rank == "max" else int(max_rank)  # type: ignore[arg-type]
    try:
        rules = Rules(
            candidates=tuple(names),
            method=WINNER_MODES[mode],  # type: ignore[index]
            seats=max(1, int(winners)),  # type: ignore[arg-type]
            quota=Quota.HARE if flags["hareQuota"] else Quota.DROOP,
            tie_break=TieBreak(TIE_BREAKS[tie], int(seed or 0)),  # type: ignore[index]
            ballot_rules=BallotRules(
                overvote=OVERVOTE_RULES[over],  # type: ignore[index]
                max_skipped_ranks=(
                    None if max_skip == "unlimited" else max_skip),  # type: ignore[arg-type]
                max_rankings=max_rankings,
                exhaust_on_duplicate=flags["exhaustOnDuplicateCandidate"],
            ),
            decimal_places=int(places),  # type: ignore[arg-type]
            non_integer_threshold=flags["nonIntegerWinningThreshold"],
            first_round_determines_threshold=flags["doesFirstRoundDetermineThreshold"],
            batch_elimination=flags["batchElimination"],
            continue_until_two_remain=flags["continueUntilTwoCandidatesRemain"],
            stop_after_round=stop_after if isinstance(stop_after, int) else None,
            excluded=frozenset(c.name for c in cands if c.excluded),
            stv_one_winner_per_round=mode == "multiWinnerAllowOnlyOneWinnerPerRound",
            bottoms_up_threshold=Fraction(int(pct), 100) if isinstance(pct, int) else None,
            cutoff_elimination=flags["cutoffElimination"],
            undeclared_write_in=UWI if UWI in names else None,
        )
    except RulesError as e:
        raise ConfigError(path, [str(e)]) from None
    return ContestConfig(
        path=path, output=out, sources=sources, candidates=cands, rules=rules,
        winner_mode=mode, max_rankings=max_rankings,  # type: ignore[arg-type]
        cutoff_elimination=flags["cutoffElimination"],
    )
