"""election.toml: presets, overrides, sections, and an exact message for every bad key."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from hustings.config import ConfigError, load_election, load_preset, parse_election
from hustings.counting import Method, OvervoteRule, TieBreakMode
from hustings.formats.errors import SectionLabelError
from hustings.formats.readers import Source, read_ballots

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/college/election.toml"


def test_example_merges_the_labour_2010_preset():
    e = load_election(EXAMPLE)
    rules = e.rules()
    assert rules.candidates == ("Alex Ashby", "Bea Brown", "Cal Carter", "Dee Dhillon")
    assert [(s.name, s.weight) for s in rules.sections] == [
        ("MPs and MEPs", Fraction(1, 3)),
        ("Members", Fraction(1, 3)),
        ("Affiliates", Fraction(1, 3)),
    ]
    assert rules.tie_break.mode is TieBreakMode.PREVIOUS_ROUNDS_THEN_RANDOM  # from the preset
    assert rules.tie_break.seed == 2026  # overridden by the file
    assert e.sections[0].labels == ("MP", "MEP", "MPs and MEPs")  # kept from the preset
    assert [s.path.name for s in e.sources] == ["mps.csv", "members.csv", "affiliates.csv"]
    assert e.title == "Example party leadership election (synthetic data)"


def test_example_ballots_land_in_their_sections():
    e = load_election(EXAMPLE)
    ballots, _ = read_ballots(e.sources, candidates=e.candidates, plan=e.plan)
    assert ballots.section_names == ("MPs and MEPs", "Members", "Affiliates")
    assert np.bincount(ballots.sections).tolist() == [34, 200, 140]  # rows in the three files


def test_presets_load_without_a_file():
    e = load_preset("labour-2015")
    assert e.options["method"] is Method.IRV
    assert [s.name for s in e.sections] == ["All voters"]


def toml(tmp_path, text: str) -> Path:
    p = tmp_path / "election.toml"
    p.write_text(text)
    return p


def error(p) -> str:
    with pytest.raises(ConfigError) as e:
        load_election(p)
    return str(e.value)


def test_every_option_parses(tmp_path):
    p = toml(tmp_path, """
[count]
method = "stv"
seats = 3
quota = "hare"
decimal_places = "exact"
excluded = ["C"]
candidates = ["A", "B", "C", "D"]
batch_elimination = true
bottoms_up_threshold = "15%"
[count.ballot]
overvote = "always-skip"
max_skipped_ranks = 1
[nominations]
anything = "is the web app's"
""")
    r = load_election(p).rules()
    assert (r.method, r.seats, r.decimal_places, r.excluded) == (Method.STV, 3, None, {"C"})
    assert r.batch_elimination and r.bottoms_up_threshold == Fraction(15, 100)
    assert r.ballot_rules.overvote is OvervoteRule.ALWAYS_SKIP
    assert r.ballot_rules.max_skipped_ranks == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ('[count]\nmethod = "borda"\n',
         ": count.method: 'borda'; expected one of " + ", ".join(m.value for m in Method)),
        ("[count]\nseats = 0\n", ": count.seats: 0; expected a whole number ≥ 1"),
        ("[count]\nseats = true\n", ": count.seats: True; expected a whole number ≥ 1"),
        ("[count]\nseets = 2\n",
         ": count.seets: unknown key; expected one of method, seats, quota, decimal_places, "
         "candidates, excluded, non_integer_threshold, first_round_determines_threshold, "
         "batch_elimination, continue_until_two_remain, stop_after_round, "
         "stv_one_winner_per_round, bottoms_up_threshold, undeclared_write_in, "
         "stop_when_seats_filled, [count.tie_break], [count.ballot]"),
        ('[count.tie_break]\nmode = "coin"\n',
         ": count.tie_break.mode: 'coin'; expected one of previous-rounds, candidate-order, "
         "random, previous-rounds-then-random, generate-permutation, stop"),
        ("[count.ballot]\nmax_rankings = 0\n",
         ": count.ballot.max_rankings: 0; expected a whole number ≥ 1"),
        ("[count.ballot]\nexhaust_on_duplicate = 1\n",
         ": count.ballot.exhaust_on_duplicate: 1; expected true or false"),
        ('[[sections]]\nname = "A"\nweight = "1/0"\n',
         ": sections[0].weight: '1/0'; expected a number > 0: a whole number or a fraction "
         'string such as "1/3"'),
        ('[[sections]]\nname = "A"\nweight = 0\n',
         ": sections[0].weight: 0; expected a number > 0: a whole number or a fraction "
         'string such as "1/3"'),
        ('[[sections]]\nweight = 1\n', ": sections[0].name: missing; expected a section name"),
        ('[[sections]]\nname = "A"\nlabels = ["x"]\n[[sections]]\nname = "B"\nlabels = ["x"]\n',
         ": sections[1].labels: 'x' also in 'A'; expected each label in one section"),
        ('[contest]\ntitel = "x"\n',
         ": contest.titel: unknown key; expected one of date, description, name, office, preset, "
         "rule_book, title"),
        ('colour = "red"\n',
         ": colour: unknown key; expected preset, [contest], [count], [[sections]] or "
         "[nominations]"),
        ('preset = "labour-1994"\n',
         ": preset: no preset 'labour-1994'; "
         "expected one of ers97, labour-2010, labour-2015, labour-2020, meek-prf, "
         "nz-meek, scottish-stv, wigm-prf"),
        ("[count]\nseats = \n", ":2: invalid value; expected valid TOML"),
    ],
)
def test_errors_name_file_key_and_expectation(tmp_path, text, message):
    p = toml(tmp_path, text)
    assert error(p) == f"{p}{message}"


def test_missing_file(tmp_path):
    assert error(tmp_path / "none.toml") == (
        f"{tmp_path / 'none.toml'}: cannot open: No such file or directory; "
        "expected a readable TOML file"
    )


def test_section_label_outside_every_section(tmp_path):
    (tmp_path / "b.csv").write_text("section,pref1\nMP,A\nMember,B\nPeer,A\n")
    e = load_election(toml(tmp_path, """
[[sections]]
name = "MPs"
labels = ["MP"]
[[sections]]
name = "Members"
labels = ["Member"]
"""))
    with pytest.raises(SectionLabelError) as err:
        read_ballots([Source(tmp_path / "b.csv")], plan=e.plan)
    assert str(err.value) == (
        f"{tmp_path / 'b.csv'}:4: section label 'Peer'; "
        "expected one of MPs: 'MPs', 'MP'; Members: 'Members', 'Member'"
    )


def test_parse_election_from_text_names_its_source():
    e = parse_election('preset = "labour-2015"\n[count]\nseats = 1\n', source="rule book")
    assert [s.name for s in e.sections] == ["All voters"]
    with pytest.raises(ConfigError) as err:
        parse_election("[count]\nseats = -1\n", source="rule book")
    assert str(err.value) == "rule book: count.seats: -1; expected a whole number ≥ 1"
    with pytest.raises(ConfigError) as err:
        parse_election('[[sections]]\nname = "A"\nballots = ["a.csv"]\n')
    assert str(err.value) == (
        "rule book: sections[0].ballots: ballot files in a rule book without a folder; "
        "expected ballots listed in an election.toml file"
    )


def test_a_section_name_is_a_label_of_its_section(tmp_path):
    (tmp_path / "b.csv").write_text("section,pref1\nMPs and MEPs,A\nMembers,B\nCLP,A\n")
    e = load_preset("labour-2010")
    ballots, _ = read_ballots([Source(tmp_path / "b.csv")], plan=e.plan)
    assert ballots.sections.tolist() == [0, 1, 1]


def test_statute_presets_load_as_count_only_rule_books():
    """presets/counts/: a statute's count, no [nominations] (so the web app's contests,
    which need nominations, do not offer them)."""
    from hustings.config import load_preset
    from hustings.config.election import count_preset_names
    from hustings.counting import Quota
    from hustings.rulebook import preset_names

    assert count_preset_names() == ["ers97", "meek-prf", "nz-meek", "scottish-stv",
                                   "wigm-prf"]
    assert not set(count_preset_names()) & set(preset_names())
    scottish = load_preset("scottish-stv").rules(("A", "B"), seats=1)
    assert (scottish.method, scottish.quota, scottish.decimal_places) == (
        Method.SCOTTISH_STV, Quota.DROOP, 5)
    assert scottish.ballot_rules.max_skipped_ranks == 0
    wigm = load_preset("wigm-prf").rules(("A", "B"))
    assert (wigm.method, wigm.quota, wigm.decimal_places) == (Method.WIGM, Quota.DROOP_EXACT, 4)
    assert load_preset("meek-prf").rules(("A",)).decimal_places == 9


def test_preset_named_in_a_file_may_be_a_statute(tmp_path):
    from hustings.config import load_election

    p = toml(tmp_path,
             'preset = "scottish-stv"\n[count]\nseats = 3\nstop_when_seats_filled = true\n')
    rules = load_election(p).rules(("A", "B", "C", "D"))
    assert (rules.method, rules.seats, rules.stop_when_seats_filled) == (
        Method.SCOTTISH_STV, 3, True)
