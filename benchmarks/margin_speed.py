"""How long the AV margin takes: the 2010 PLP ballots and real Scottish by-elections.

    .venv/bin/python benchmarks/margin_speed.py

Prints, per contest: candidates, ballots, the margin and decisive figures, exact or upper
bound, ILPs solved and seconds. Reads ../shared/data in place.
"""

from __future__ import annotations

import time
from pathlib import Path

from hustings.analysis.margin import margin
from hustings.counting import Ballots, Rules, count
from hustings.formats.errors import FormatError
from hustings.formats.readers import Source, read_ballots

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CONTESTS = [
    DATA / "labour" / "labour-2010-plp-ballots.csv",
    DATA / "scotland" / "aberdeenshire_2017_by_election_inverurie.blt",
    DATA / "scotland" / "clackmannanshire__2019_by_election_ward3_central.blt",
    DATA / "scotland" / "glasgow_2021_by_election_ward_23_partick_east-kelvindale.blt",
    DATA / "scotland" / "aberdeen_2019_by_election_torry-ferryhill.blt",  # 7
    DATA / "scotland" / "south_lanarkshire_2019_by_election_east_kilbride.blt",  # 7
    DATA / "scotland" / "glasgow_2022_by_election_linn_ward.blt",  # 9: upper bound
    DATA / "scotland" / "edinburgh_2019_by_election_leith_walk.blt",  # 11: upper bound
]


def numbers_only(path: Path) -> Ballots:
    """The ballot lines of a BLT whose name lines our reader refuses (a dialect of the
    Scottish files): candidates become C1..Cn; only the preferences matter here."""
    lines = path.read_text(encoding="utf-8").splitlines()
    k = int(lines[0].split()[0])
    rows, weights = [], []
    for line in lines[1:]:
        parts = line.split()
        if parts == ["0"]:
            break
        nums = [int(x) for x in parts]
        weights.append(nums[0])
        rows.append([f"C{c}" for c in nums[1:-1] if c > 0])
    return Ballots.from_rankings(tuple(f"C{i}" for i in range(1, k + 1)), rows,
                                 weights=weights)


def main() -> None:
    print(f"{'contest':58} {'cands':>5} {'ballots':>7} {'margin':>6} {'decis.':>6} "
          f"{'exact':>5} {'ILPs':>5} {'secs':>6}")
    for path in CONTESTS:
        if not path.exists():
            print(f"{path.name}: not found")
            continue
        try:
            ballots, _ = read_ballots([Source(path)])
        except FormatError:
            ballots = numbers_only(path)
        rules = Rules(ballots.candidates)
        start = time.perf_counter()
        m = margin(rules, ballots, result=count(rules, ballots))
        secs = time.perf_counter() - start
        print(f"{path.name:58} {len(ballots.candidates):>5} {ballots.total:>7} "
              f"{m.ballots!s:>6} {m.decisive!s:>6} {m.exact!s:>5} {m.solves:>5} "
              f"{secs:>6.1f}")


if __name__ == "__main__":
    main()
