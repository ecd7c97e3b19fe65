"""US IRV and Irish STV counts against declared results (sources: tests/statutes/README.md).

Burlington, Vermont counted its 2006 and 2009 mayoral elections by instant runoff,
dropping together every candidate who could not catch the next (batch elimination); a
rank with several marks counts when only one of them is still in the race. With those
rules in an ``election.toml`` the count reproduces the declared figures exactly."""

from __future__ import annotations

import pytest

from hustings.config import load_election, load_preset
from hustings.counting import Method, count
from hustings.formats.preflib import read_preflib
from tests.statutes.conftest import SHARED

PREFLIB = SHARED / "data" / "preflib"
BURLINGTON_RULES = """\
[contest]
title = "Burlington, Vermont, mayor (instant runoff, City Charter as amended 2005)"

[count]
method = "irv"
batch_elimination = true

[count.ballot]
overvote = "exhaust-if-multiple-continuing"
"""


def burlington(tmp_path, number):
    path = tmp_path / "election.toml"
    path.write_text(BURLINGTON_RULES)
    ballots = read_preflib(PREFLIB / f"00005-0000000{number}.toi").ballots
    return count(load_election(path).rules(ballots.candidates), ballots)


def test_burlington_2006_exactly(shared, tmp_path):
    result = burlington(tmp_path, 1)
    first, final = (dict(r.tally) for r in result.rounds)
    assert {c: first[c] for c in ("Bob Kiss", "Hinda Miller", "Kevin J. Curley",
                                  "Louie The Cowman Beaudin", "Loyal Ploof")} == {
        "Bob Kiss": 3809, "Hinda Miller": 3106, "Kevin J. Curley": 2609,
        "Louie The Cowman Beaudin": 119, "Loyal Ploof": 57}
    assert final == {"Bob Kiss": 4761, "Hinda Miller": 3986}
    assert result.winners == ("Bob Kiss",)


def test_burlington_2009_exactly(shared, tmp_path):
    result = burlington(tmp_path, 2)
    assert len(result.rounds) == 3
    first, second, final = (dict(r.tally) for r in result.rounds)
    assert {c: first[c] for c in ("Kurt Wright", "Bob Kiss", "Andy Montroll", "Dan Smith")} \
        == {"Kurt Wright": 2951, "Bob Kiss": 2585, "Andy Montroll": 2063, "Dan Smith": 1306}
    assert set(result.rounds[0].eliminated) == {"Dan Smith", "James Simpson", "Write-In"}
    assert second["Andy Montroll"] == 2554
    assert final == {"Bob Kiss": 4313, "Kurt Wright": 4061}
    assert result.winners == ("Bob Kiss",)


IRISH_2002 = {  # file, seats, declared elected set
    "00001-00000001.soi": (4, {"Trevor Sargent G.P.", "Jim Glennon F.F.", "G.V. Wright F.F.",
                               "Sean Ryan Lab"}),  # Dublin North
    "00001-00000002.soi": (3, {"Joe Higgins S.P.", "Brian Lenihan F.F.", "Joan Burton Lab"}),
    "00001-00000003.soi": (5, {"John Bruton F.G.", "Mary Wallace F.F.", "Noel Dempsey F.F.",
                               "Johnny Brady F.F.", "Damien English F.G."}),  # Meath
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(IRISH_2002))
@pytest.mark.parametrize("how", ["stv", "scottish-stv", "wigm-prf"])
def test_irish_2002_elected_sets(shared, name, how):
    seats, declared = IRISH_2002[name]
    ballots = read_preflib(PREFLIB / name).ballots
    if how == "stv":
        from hustings.counting import Rules

        rules = Rules(candidates=ballots.candidates, method=Method.STV, seats=seats)
    else:
        rules = load_preset(how).rules(ballots.candidates, seats=seats)
    assert set(count(rules, ballots).winners) == declared
