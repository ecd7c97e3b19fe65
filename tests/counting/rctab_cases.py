"""Just enough of RCTab's ES&S (``.xlsx.csv`` rendering) and generic-CSV inputs to pin the
counting core's semantics against RCTab's expected reports.

This is a test helper, not a reader: the formats package owns real CVR reading. It maps the
config's rules onto ``Rules`` and compares a ``Result`` with the expected JSON.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hustings.counting import (
    EXHAUSTED,
    BallotRules,
    Ballots,
    Method,
    OvervoteRule,
    Quota,
    Result,
    Rules,
    TieBreak,
    TieBreakMode,
)

UWI = "Undeclared Write-ins"
MODES = {
    "random": TieBreakMode.RANDOM,
    "useCandidateOrder": TieBreakMode.CANDIDATE_ORDER,
    "previousRoundCountsThenRandom": TieBreakMode.PREVIOUS_ROUNDS_THEN_RANDOM,
    "generatePermutation": TieBreakMode.GENERATE_PERMUTATION,
    "stopCountingAndAsk": TieBreakMode.STOP,
}
OVERVOTE_RULES = {
    "exhaustImmediately": OvervoteRule.EXHAUST_IMMEDIATELY,
    "alwaysSkipToNextRank": OvervoteRule.ALWAYS_SKIP,
    "exhaustIfMultipleContinuing": OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING,
}
METHODS = {
    "singleWinnerMajority": Method.IRV,
    "multiWinnerAllowOnlyOneWinnerPerRound": Method.STV,
    "multiWinnerAllowMultipleWinnersPerRound": Method.STV,
    "bottomsUp": Method.BOTTOMS_UP,
    "bottomsUpUsingPercentageThreshold": Method.BOTTOMS_UP_PERCENTAGE,
    "multiPassIrv": Method.MULTI_PASS_IRV,
}


def _opt_int(v) -> int | None:
    return None if v in ("", None, "max", "unlimited") else int(v)


def load(case_dir: Path) -> tuple[Rules, Ballots, dict]:
    config_path = next(case_dir.glob("*_config.json"))
    config = json.loads(config_path.read_text())
    r = config["rules"]
    declared = [c["name"] for c in config["candidates"]]
    aliases = {c["name"]: c["name"] for c in config["candidates"]}
    for c in config["candidates"]:
        for a in c.get("aliases", []):
            aliases[a] = c["name"]
    max_rankings = _opt_int(r["maxRankingsAllowed"]) or len(declared)
    uwi_used = False
    rankings: list[list] = []
    for src in config["cvrFileSources"]:
        path = (config_path.parent / src["filePath"]).resolve()
        first_row = int(src["firstVoteRowIndex"]) - 1
        first_col = int(src["firstVoteColumnIndex"]) - 1
        uwi_label = src.get("undeclaredWriteInLabel") or None
        uwi_used |= uwi_label is not None
        if src["provider"] == "ess":
            with open(f"{path}.csv", newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            for row in rows[first_row:]:
                ranking: list = []
                for cell in row[first_col: first_col + max_rankings]:
                    cell = cell.strip()
                    if cell in ("", "undervote", src.get("skippedRankLabel") or "\0"):
                        ranking.append(None)
                    elif cell == (src.get("overvoteLabel") or "\0"):
                        ranking.append("overvote")
                    elif src.get("overvoteDelimiter") and src["overvoteDelimiter"] in cell:
                        parts = [p.strip() for p in cell.split(src["overvoteDelimiter"])]
                        ranking.append([UWI if p == uwi_label else aliases[p] for p in parts])
                    elif cell == uwi_label:
                        uwi_used = True
                        ranking.append(UWI)
                    else:
                        ranking.append(aliases[cell])
                rankings.append(ranking)
        elif src["provider"] == "genericCsv":
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            header = rows[0]
            for row in rows[first_row:]:
                by_rank: dict[int, list[str]] = {}
                for name, cell in zip(header[first_col:], row[first_col:]):
                    if cell.strip():
                        name = UWI if name == uwi_label else aliases[name]
                        uwi_used |= name == UWI
                        by_rank.setdefault(int(cell), []).append(name)
                ranking = [None] * max(by_rank, default=0)
                for k, names in by_rank.items():
                    ranking[k - 1] = names[0] if len(names) == 1 else names
                rankings.append(ranking)
        else:
            raise ValueError(src["provider"])
    candidates = declared + ([UWI] if uwi_used else [])
    ballots = _ballots(candidates, rankings)
    method = METHODS[r["winnerElectionMode"]]
    pct = r.get("multiSeatBottomsUpPercentageThreshold")
    rules = Rules(
        candidates=tuple(declared),
        method=method,
        seats=max(1, int(r["numberOfWinners"])),
        quota=Quota.HARE if r.get("hareQuota") else Quota.DROOP,
        tie_break=TieBreak(MODES[r["tiebreakMode"]], int(r.get("randomSeed") or 0)),
        ballot_rules=BallotRules(
            overvote=OVERVOTE_RULES[r["overvoteRule"]],
            max_skipped_ranks=_opt_int(r["maxSkippedRanksAllowed"]),
            max_rankings=max_rankings,
            exhaust_on_duplicate=bool(r.get("exhaustOnDuplicateCandidate")),
        ),
        decimal_places=int(r["decimalPlacesForVoteArithmetic"]),
        non_integer_threshold=bool(r.get("nonIntegerWinningThreshold")),
        first_round_determines_threshold=bool(r.get("doesFirstRoundDetermineThreshold")),
        batch_elimination=bool(r.get("batchElimination")),
        continue_until_two_remain=bool(r.get("continueUntilTwoCandidatesRemain")),
        stop_after_round=_opt_int(r.get("stopTabulationEarlyAfterRound")),
        excluded=frozenset(c["name"] for c in config["candidates"] if c.get("excluded")),
        stv_one_winner_per_round=r["winnerElectionMode"] == "multiWinnerAllowOnlyOneWinnerPerRound",
        bottoms_up_threshold=Fraction(pct) / 100 if pct else None,
        cutoff_elimination=bool(r.get("cutoffElimination")),
        undeclared_write_in=UWI if uwi_used else None,
    )
    return rules, ballots, config


def _ballots(candidates: list[str], rankings: list[list]) -> Ballots:
    """``Ballots.from_rankings`` plus RCTab's explicit overvote label."""
    import numpy as np

    from hustings.counting import OVERVOTE

    marks = [[None if m == "overvote" else m for m in r] for r in rankings]
    b = Ballots.from_rankings(candidates, marks)
    ranks = np.array(b.ranks)
    for i, r in enumerate(rankings):
        for j, m in enumerate(r):
            if m == "overvote":
                ranks[i, j] = OVERVOTE
    return Ballots(b.candidates, ranks, b.weights, b.sections, b.section_names, b.overvote_sets)


def expected_reports(case_dir: Path) -> list[dict]:
    files = sorted(case_dir.glob("*_expected_detailed_report.json"))
    return [json.loads(f.read_text()) for f in files]


def as_report(result: Result) -> list[dict]:
    """The parts of RCTab's ``results`` list we compare, built from a Result."""
    out = []
    for rnd in result.rounds:
        sec = rnd.sections[0]
        results = []
        for purpose, names in (("elected", rnd.elected), ("eliminated", rnd.eliminated)):
            for name in sorted(names):
                moved: dict[str, Fraction] = {}
                for t in rnd.transfers:
                    if t.source == name:
                        moved[t.target] = moved.get(t.target, Fraction(0)) + t.votes
                results.append({purpose: name, "transfers": moved})
        out.append({
            "round": rnd.number,
            "tally": dict(rnd.tally),
            "threshold": rnd.threshold,
            "inactive": {k.value: v for k, v in sec.inactive.items()},
            "tallyResults": results,
        })
    return out


def _dec(x) -> Fraction:
    return Fraction(Decimal(str(x)))


def normalise_expected(report: dict) -> list[dict]:
    out = []
    for rnd in report["results"]:
        out.append({
            "round": rnd["round"],
            "tally": {k: _dec(v) for k, v in rnd["tally"].items()},
            "threshold": _dec(rnd["threshold"]),
            "inactive": {k: _dec(v) for k, v in rnd["inactiveBallots"].items()},
            "tallyResults": [
                {
                    **{k: v for k, v in tr.items() if k != "transfers"},
                    "transfers": {
                        (EXHAUSTED if k == "exhausted" else k): _dec(v)
                        for k, v in tr["transfers"].items()
                    },
                }
                for tr in rnd["tallyResults"]
            ],
        })
    return out
