"""RCTab config options land in the typed rule model (the table in docs/rctab.md)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from hustings.counting import Method, OvervoteRule, Quota, TieBreakMode
from hustings.formats.rctab import ConfigError, read_config

BASE = {
    "tiebreakMode": "useCandidateOrder", "overvoteRule": "alwaysSkipToNextRank",
    "winnerElectionMode": "singleWinnerMajority", "numberOfWinners": "1",
    "decimalPlacesForVoteArithmetic": "4", "maxSkippedRanksAllowed": "1",
    "maxRankingsAllowed": "max",
}


def _read(tmp_path: Path, candidates=None, sources=None, **rules):
    (tmp_path / "cvr.csv").write_text("id,A,B\n")
    config = {
        "outputSettings": {"contestName": "C", "contestDate": "2024-11-05",
                           "contestJurisdiction": "J", "contestOffice": "O"},
        "cvrFileSources": sources or [{"provider": "genericCsv", "filePath": "cvr.csv",
                                       "firstVoteColumnIndex": 2, "firstVoteRowIndex": 2}],
        "candidates": candidates or [{"name": "A"}, {"name": "B"}, {"name": "C"}],
        "rules": {**BASE, **rules},
    }
    path = tmp_path / "x_config.json"
    path.write_text(json.dumps(config))
    return read_config(path)


@pytest.mark.parametrize(("mode", "method", "winners", "one_per_round"), [
    ("singleWinnerMajority", Method.IRV, "1", False),
    ("multiWinnerAllowMultipleWinnersPerRound", Method.STV, "2", False),
    ("multiWinnerAllowOnlyOneWinnerPerRound", Method.STV, "2", True),
    ("bottomsUp", Method.BOTTOMS_UP, "2", False),
    ("multiPassIrv", Method.MULTI_PASS_IRV, "2", False),
])
def test_winner_modes(tmp_path: Path, mode: str, method: Method, winners: str,
                      one_per_round: bool) -> None:
    rules = _read(tmp_path, winnerElectionMode=mode, numberOfWinners=winners).rules
    assert rules.method is method
    assert rules.seats == int(winners)
    assert rules.stv_one_winner_per_round is one_per_round


def test_bottoms_up_percentage_with_cutoff(tmp_path: Path) -> None:
    config = _read(tmp_path, winnerElectionMode="bottomsUpUsingPercentageThreshold",
                   numberOfWinners="0", multiSeatBottomsUpPercentageThreshold="15",
                   cutoffElimination=True, doesFirstRoundDetermineThreshold=True)
    rules = config.rules
    assert rules.method is Method.BOTTOMS_UP_PERCENTAGE
    assert rules.bottoms_up_threshold == Fraction(15, 100)
    assert rules.cutoff_elimination and rules.first_round_determines_threshold


@pytest.mark.parametrize(("text", "rule"), [
    ("alwaysSkipToNextRank", OvervoteRule.ALWAYS_SKIP),
    ("exhaustImmediately", OvervoteRule.EXHAUST_IMMEDIATELY),
    ("exhaustIfMultipleContinuing", OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING),
])
def test_overvote_rules(tmp_path: Path, text: str, rule: OvervoteRule) -> None:
    assert _read(tmp_path, overvoteRule=text).rules.ballot_rules.overvote is rule


@pytest.mark.parametrize(("text", "mode"), [
    ("random", TieBreakMode.RANDOM),
    ("useCandidateOrder", TieBreakMode.CANDIDATE_ORDER),
    ("previousRoundCountsThenRandom", TieBreakMode.PREVIOUS_ROUNDS_THEN_RANDOM),
    ("generatePermutation", TieBreakMode.GENERATE_PERMUTATION),
    ("stopCountingAndAsk", TieBreakMode.STOP),
])
def test_tie_breaks_and_seed(tmp_path: Path, text: str, mode: TieBreakMode) -> None:
    tie = _read(tmp_path, tiebreakMode=text, randomSeed="12345").rules.tie_break
    assert tie.mode is mode and tie.seed == 12345


def test_random_tie_break_needs_a_seed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        _read(tmp_path, tiebreakMode="random")
    assert e.value.problems == ["rules.randomSeed is missing; expected a whole number"]


def test_every_other_option(tmp_path: Path) -> None:
    config = _read(
        tmp_path,
        candidates=[{"name": "A", "aliases": ["a1"]}, {"name": "B", "excluded": True},
                    {"name": "C"}],
        sources=[{"provider": "genericCsv", "filePath": "cvr.csv", "firstVoteColumnIndex": "2",
                  "firstVoteRowIndex": "2", "undeclaredWriteInLabel": "Write-In"}],
        maxSkippedRanksAllowed="unlimited", maxRankingsAllowed="2",
        decimalPlacesForVoteArithmetic=5, nonIntegerWinningThreshold=True, hareQuota=True,
        batchElimination=True, continueUntilTwoCandidatesRemain=True,
        stopTabulationEarlyAfterRound="3", exhaustOnDuplicateCandidate=True,
    )
    rules = config.rules
    assert rules.candidates == ("A", "B", "C", "Undeclared Write-ins")
    assert rules.undeclared_write_in == "Undeclared Write-ins"
    assert rules.excluded == frozenset({"B"})
    assert config.alias_map()["a1"] == "A"
    br = rules.ballot_rules
    assert br.max_skipped_ranks is None and br.max_rankings == 2 and br.exhaust_on_duplicate
    assert rules.decimal_places == 5 and rules.non_integer_threshold
    assert rules.quota is Quota.HARE
    assert rules.batch_elimination and rules.continue_until_two_remain
    assert rules.stop_after_round == 3
    assert config.output.jurisdiction == "J" and config.output.office == "O"


def test_max_rankings_max_is_the_number_of_declared_candidates(tmp_path: Path) -> None:
    assert _read(tmp_path).rules.ballot_rules.max_rankings == 3


def test_duplicate_alias_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        _read(tmp_path, candidates=[{"name": "A", "aliases": ["X"]},
                                    {"name": "B", "aliases": ["X"]}])
    assert e.value.problems == [
        "candidates[1]: name or alias 'X' is used twice; expected unique names"]
