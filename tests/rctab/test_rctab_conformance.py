"""RCTab conformance: every runnable case of RCTab's own regression suite, round by round.

For each ``tabulation`` case whose inputs are complete, the contest is read from its
config (``hustings.formats.rctab``), counted (``hustings.counting.count``), written as
RCTab's detailed-report JSON (``hustings.formats.report_json``) and compared structurally
with RCTab's expected report: rounds, tallies, transfers, inactive-ballot categories,
thresholds and summary, numbers as decimals, then every figure's text exactly (RCTab's
``BigDecimal`` scales, via ``hustings.formats.rctab.scales``). Expected-error and
config-validation cases must be refused with a clear message of the right kind. A pass
table is printed at the end of the session (see conftest.py).
"""

from __future__ import annotations

import json

import pytest
from rctab_oracle import (
    RCTAB,
    all_cases,
    case_id,
    counted,
    csv_diff,
    csv_exact_diff,
    diff,
    exact_diff,
    load,
)

from hustings.formats import report_json
from hustings.formats.rctab import (
    ConfigError,
    RankAboveMaximumError,
    TabulationAbortedError,
    report_csv,
)
from hustings.formats.rctab.scales import trace

CASES = all_cases()

# Cases we cannot yet match, each with the precise reason; strict, so a fix turns them red
# until the mark is removed.
KNOWN_GAPS: dict[str, str] = {}

def _params(kind: str, *, complete: bool = True) -> list:
    out = []
    for c in CASES:
        if c["kind"] != kind or (complete and not c["inputs_complete"]):
            continue
        marks = []
        if c["name"] in KNOWN_GAPS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[c["name"]]))
        out.append(pytest.param(c, id=case_id(c), marks=marks))
    return out


def _compare(ours: dict, expected: dict) -> list[str]:
    """Differences by value first (the more readable failure), then by text."""
    ours = json.loads(json.dumps(ours))
    return diff(ours, expected) or exact_diff(ours, expected)


def _reports(case: dict) -> list[tuple[str, list[str]]]:
    """(expected file, differences) for each whole-contest report of the case."""
    contest = load(case)
    result = counted(case)
    expected = sorted(case["expected"]["detailed_json"])
    ours = report_json.render_passes(result, contest=contest.metadata,
                                     scales=trace(result, contest.ballots))
    assert len(ours) == len(expected), f"{len(ours)} reports, expected {len(expected)}"
    return [
        (path, _compare(report, json.loads((RCTAB / path).read_text(encoding="utf-8"))))
        for report, path in zip(ours, expected, strict=True)
    ]


@pytest.mark.parametrize("case", _params("tabulation"))
def test_tabulation_matches_rctab(case: dict, rctab_table: dict) -> None:
    rctab_table[case["name"]] = "json FAIL"
    problems = [f"{p}: {d}" for p, ds in _reports(case) for d in ds[:10]]
    assert not problems, "\n".join(problems)
    rctab_table[case["name"]] = "json pass"


@pytest.mark.parametrize("case", _params("tabulation"))
def test_json_file_is_rctabs_byte_for_byte(case: dict) -> None:
    """The file RCTab would write (Jackson's layout, keys sorted, BigDecimal text), byte for
    byte but for ``generatedBy`` and a final newline two expected files gained upstream."""
    from hustings.formats.rctab.outputs import reports

    contest, result = load(case), counted(case)
    for text, path in zip(reports(result, contest, "json"),
                          sorted(case["expected"]["detailed_json"]), strict=True):
        expected = (RCTAB / path).read_text(encoding="utf-8")
        ours = text.replace(json.loads(text)["config"]["generatedBy"],
                            json.loads(expected)["config"]["generatedBy"], 1)
        assert ours == expected.removesuffix("\n"), path


@pytest.mark.parametrize("case", _params("tabulation"))
def test_csv_report_matches_rctab(case: dict, rctab_table: dict) -> None:
    """RCTab's detailed CSV report, compared row by row (rows matched by label), by value
    and then cell text."""
    json_outcome = rctab_table.get(case["name"], "json not run")
    rctab_table[case["name"]] = f"{json_outcome}, csv FAIL"
    contest = load(case)
    result = counted(case)
    ours = report_csv.csv_passes(result, contest, scales=trace(result, contest.ballots))
    expected = sorted(case["expected"]["detailed_csv"])
    assert len(ours) == len(expected)
    problems = [f"{path}: {d}" for text, path in zip(ours, expected, strict=True)
                for d in _csv_compare(text, (RCTAB / path).read_text(encoding="utf-8"))[:10]]
    assert not problems, "\n".join(problems)
    rctab_table[case["name"]] = f"{json_outcome}, csv pass"


def _csv_compare(ours: str, expected: str) -> list[str]:
    """By value, then each cell's text, then the file line by line (row order included:
    RCTab lists tied candidates in Java hash order), the program's name aside."""
    return (csv_diff(ours, expected) or csv_exact_diff(ours, expected)
            or _line_diff(ours, expected))


def _line_diff(ours: str, expected: str) -> list[str]:
    a, b = ([line for line in text.splitlines() if not line.startswith("Generated By,")]
            for text in (ours, expected))
    for k, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return [f"line {k + 1}: {x!r} != expected {y!r}"]
    return [] if len(a) == len(b) else [f"{len(a)} lines != expected {len(b)}"]


def test_incomplete_cases_are_listed() -> None:
    """The suite says which cases lack input; those are the two the README names."""
    missing = {c["name"] for c in CASES if c["kind"] == "tabulation" and not c["inputs_complete"]}
    assert missing == {"2018_maine_governor_primary", "dominion_kansas"}


def test_max_ranking_enforcement_halts(rctab_table: dict) -> None:
    case = next(c for c in CASES if c["name"] == "max_ranking_enforcement")
    with pytest.raises(RankAboveMaximumError) as e:
        load(case)
    assert str(e.value).endswith(
        "max_ranking_enforcement_cvr.csv:2: rank 4 for 'Candidate D'; "
        "expected a rank from 1 to maxRankingsAllowed (3)"
    )
    rctab_table[case["name"]] = "pass (refused)"


def test_tabulate_by_precinct_without_precincts_aborts(rctab_table: dict) -> None:
    case = next(c for c in CASES if c["name"] == "tabulate_by_precinct_without_precincts")
    with pytest.raises(TabulationAbortedError) as e:
        load(case)
    assert "tabulateByPrecinct is on but no CVR source gives precinct ids" in str(e.value)
    rctab_table[case["name"]] = "pass (refused)"


def test_invalid_params_rejected(rctab_table: dict) -> None:
    case = next(c for c in CASES if c["name"] == "invalid_params_test")
    with pytest.raises(ConfigError) as e:
        load(case)
    problems = e.value.problems
    for expected in (
        "rules.tiebreakMode is 'whatever'; expected one of generatePermutation, "
        "previousRoundCountsThenRandom, random, stopCountingAndAsk, useCandidateOrder",
        "rules.overvoteRule is 'invalidOption'; expected one of alwaysSkipToNextRank, "
        "exhaustIfMultipleContinuing, exhaustImmediately",
        "rules.decimalPlacesForVoteArithmetic is -1; expected 1..12",
        "rules.maxRankingsAllowed is -1; expected a whole number >= 1",
        "rules.maxSkippedRanksAllowed is -3; expected a whole number >= 0",
        "rules.batchElimination is 'True'; expected true or false (a JSON boolean)",
        "rules.continueUntilTwoCandidatesRemain is 'false'; "
        "expected true or false (a JSON boolean)",
        "candidates is empty; expected at least one candidate",
        "cvrFileSources is empty; expected at least one CVR source",
    ):
        assert expected in problems
    rctab_table[case["name"]] = "pass (refused)"


def test_invalid_sources_rejected(rctab_table: dict) -> None:
    case = next(c for c in CASES if c["name"] == "invalid_sources_test")
    with pytest.raises(ConfigError) as e:
        load(case)
    problems = e.value.problems
    assert any(p.startswith("cvrFileSources[0].filePath 'test_data/nonexistent_path': ")
               and p.endswith("does not exist") for p in problems)
    assert "cvrFileSources[1].firstVoteColumnIndex is missing; expected a whole number" in problems
    assert "cvrFileSources[2].filePath is missing; expected a CVR file or folder" in problems
    assert "cvrFileSources[3].firstVoteRowIndex is missing; expected a whole number" in problems
    rctab_table[case["name"]] = "pass (refused)"


# --- per-precinct / per-batch slice reports ---------------------------------------------

def _sanitized(label: str) -> str:
    """RCTab's file-name form of a slice id."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_.-") else "_" for ch in label)


def _slice_params() -> list:
    out = []
    for c in CASES:
        if c["kind"] != "tabulation" or not c["inputs_complete"]:
            continue
        for s in c["expected"].get("slices", []):
            ext = s["path"].rsplit(".", 1)[1]
            out.append(pytest.param(
                c, s, id=f"{case_id(c)}:{s['slice_type']}:{s['slice_id_sanitized']}.{ext}"))
    return out


@pytest.mark.parametrize(("case", "slice_"), _slice_params())
def test_slice_report_matches_rctab(case: dict, slice_: dict, rctab_table: dict) -> None:
    """Per-precinct / per-batch JSON and CSV reports (only the files the suite keeps)."""
    contest = load(case)
    kind = slice_["slice_type"]
    labels, _ = contest.ballots.slices[kind]
    label = next(x for x in labels if _sanitized(x) == slice_["slice_id_sanitized"])
    result = counted(case)
    expected = (RCTAB / slice_["path"]).read_text(encoding="utf-8")
    key = f"{case['name']} [{kind} {label}, {slice_['path'].rsplit('.', 1)[1]}]"
    rctab_table[key] = "slice FAIL"
    scales = trace(result, contest.ballots, slice_=(kind, label))
    if slice_["path"].endswith(".json"):
        ours = report_json.render_slice(result, kind, label, contest=contest.metadata,
                                        scales=scales)
        problems = _compare(ours, json.loads(expected))
        if not problems:  # the file as RCTab writes it, byte for byte
            from hustings.formats.rctab.outputs import json_text

            text = json_text(ours).replace(ours["config"]["generatedBy"],
                                           json.loads(expected)["config"]["generatedBy"], 1)
            problems = [] if text == expected.removesuffix("\n") else ["file text differs"]
    else:
        problems = _csv_compare(
            report_csv.csv_slice(result, kind, label, contest, scales=scales), expected)
    assert not problems, "\n".join(problems[:10])
    rctab_table[key] = "slice pass"


# --- conversion: RCTab's normalised one-row-per-ballot CSV ---------------------------------

def _conversion_params() -> list:
    return [pytest.param(c, id=case_id(c)) for c in CASES
            if c["kind"] == "conversion" and c["expected"].get("rctab_cvr_csv")]


@pytest.mark.parametrize("case", _conversion_params())
def test_rctab_cvr_export_matches_rctab(case: dict, rctab_table: dict) -> None:
    """Every row and cell equal, in order (ids, precinct portions, write-in labels, overvotes)."""
    import csv
    import io

    from hustings.formats.rctab.export import rctab_cvr_csv

    rctab_table[case["name"]] = "rctab_cvr FAIL"
    ours = list(csv.reader(io.StringIO(rctab_cvr_csv(load(case)))))
    path = RCTAB / case["expected"]["rctab_cvr_csv"][0]
    expected = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(ours) == len(expected)
    bad = [(i + 1, a, b) for i, (a, b) in enumerate(zip(ours, expected)) if a != b]
    assert not bad, f"{len(bad)} rows differ; first: line {bad[0][0]}: {bad[0][1]} != {bad[0][2]}"
    rctab_table[case["name"]] = "rctab_cvr pass"


@pytest.mark.parametrize("case", [pytest.param(c, id=case_id(c)) for c in CASES
                                  if c["expected"].get("cdf_cvr_json") and c["inputs_complete"]])
def test_cdf_export_matches_rctab(case: dict, rctab_table: dict) -> None:
    """The CDF JSON export, structurally (GeneratedDate, the time of writing, left out);
    after a count (tabulation cases) with RCTab's per-round interpreted snapshots."""
    from hustings.formats.rctab.export import cdf_json, count_per_ballot

    before = rctab_table.get(case["name"], "not run")
    rctab_table[case["name"]] = f"{before}, cdf FAIL"
    contest = load(case)
    per_ballot = None if case["kind"] == "conversion" else count_per_ballot(contest)
    ours = json.loads(json.dumps(cdf_json(contest, per_ballot=per_ballot)))
    expected = json.loads((RCTAB / case["expected"]["cdf_cvr_json"][0]).read_text())
    expected.pop("GeneratedDate")
    problems = diff(ours, expected)
    assert not problems, "\n".join(problems[:10])
    rctab_table[case["name"]] = f"{before}, cdf pass"


def test_interactive_tie_break_stops_the_count(rctab_table: dict) -> None:
    """RCTab's stopCountingAndAsk (the suite's manual-only demo): a batch count cannot ask,
    so it stops at the tie and names it."""
    from hustings.counting import CountingError, count

    case = next(c for c in CASES if c["name"] == "sample_interactive_tiebreak")
    contest = load(case)
    with pytest.raises(CountingError) as e:
        count(contest.rules, contest.ballots)
    assert str(e.value) == ("round 2: George Gervin and Yinka Dare tied on 3 for elimination; "
                            "the rules say to stop the count (tie-break mode 'stop')")
    rctab_table[case["name"]] = "pass (stops at the tie)"
