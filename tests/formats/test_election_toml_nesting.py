"""An election.toml nested 100,000 deep is a ConfigError, not a RecursionError traceback."""

from __future__ import annotations

import pytest

from hustings.config import ConfigError, load_election, parse_election


@pytest.mark.parametrize("value", ["[" * 100_000, "{a=" * 100_000])
def test_deep_nesting_is_one_line(tmp_path, value):
    p = tmp_path / "election.toml"
    p.write_text(f"[count]\nseats = 1\nz = {value}\n")
    with pytest.raises(ConfigError) as e:
        load_election(p)
    assert str(e.value) == (f"{p}: arrays or tables nested too deeply; expected valid TOML "
                            "nested a few levels")


def test_deep_nesting_in_a_stored_rule_book():
    with pytest.raises(ConfigError) as e:
        parse_election("x = " + "[" * 100_000)
    assert str(e.value) == ("rule book: arrays or tables nested too deeply; expected valid "
                            "TOML nested a few levels")


# Two more the fuzz suite found (tests/fuzz): each was a traceback, now one line.
def test_a_section_named_by_a_list_over_a_preset(tmp_path):
    p = tmp_path / "election.toml"
    p.write_text('preset = "labour-2010"\n[[sections]]\nname = ["x"]\nweight = "1/3"\n')
    with pytest.raises(ConfigError) as e:
        load_election(p)
    assert str(e.value) == f"{p}: sections[3].name: ['x']; expected a non-empty string"


def test_a_weight_past_pythons_digit_limit(tmp_path):
    p = tmp_path / "election.toml"
    p.write_text('[[sections]]\nname = "members"\nweight = "' + "9" * 5000 + '/1"\n')
    with pytest.raises(ConfigError) as e:
        load_election(p)
    assert ('expected a number > 0: a whole number or a fraction string such as "1/3"'
            in str(e.value))
