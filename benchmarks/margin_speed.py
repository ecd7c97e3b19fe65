"""How long the AV margin takes: the 2010 PLP ballots and real Scottish by-elections.

    .venv/bin/python benchmarks/margin_speed.py

Prints, per contest: candidates, ballots, the margin and decisive figures, exact or upper
bound, ILPs solved and seconds. Reads ../shared/data in place.
"""

from __future__ import annotations

import time
from pathlib import Path

from hustings.analysis.margin import margin
from hustings.counting import Rules, count
from hustings.formats.readers import Source, read_ballots

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CONTESTS = [
    DATA / "labour" / "labour-2010-plp-ballots.csv",
    DATA / "scotland" / "aberdeenshire_2017_by_election_inverurie.blt",
    DATA / "scotland" / "clackmannanshire__2019_by_election_ward3_central.blt",
    DATA / "scotland" / "glasgow_2021_by_election_ward_23_partick_east-kelvindale.blt",
    DATA / "scotland" / "aberdeen_2019_by_election_torry-ferryhill.blt",  # 7: upper bound
]


def main() -> None:
    print(f"{'contest':58} {'cands':>5} {'ballots':>7} {'margin':>6} {'decis.':>6} "
          f"{'exact':>5} {'ILPs':>5} {'secs':>6}")
    for path in CONTESTS:
        if not path.exists():
            print(f"{path.name}: not found")
            continue
        ballots, _ = read_ballots([Source(path)])
        rules = Rules(ballots.candidates)
        start = time.perf_counter()
        m = margin(rules, ballots, result=count(rules, ballots))
        secs = time.perf_counter() - start
        print(f"{path.name:58} {len(ballots.candidates):>5} {ballots.total:>7} "
              f"{m.ballots!s:>6} {m.decisive!s:>6} {m.exact!s:>5} {m.solves:>5} "
              f"{secs:>6.1f}")


if __name__ == "__main__":
    main()
