"""What the results page's analysis costs at the count (charts, what-if, margin), computed
once by ``hustings.web.voting.analysisdoc.build``: seconds per real count of ../shared.

    .venv/bin/python benchmarks/results_analysis.py
"""

from __future__ import annotations

import time
from pathlib import Path

from hustings.cli.compare import load
from hustings.counting import count
from hustings.web.voting import analysisdoc

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CASES = [("2010 PLP (5 candidates, AV)", "labour/labour-2010-plp-ballots.csv", None),
         ("2010 PLP under the college preset", "labour/labour-2010-plp-ballots.csv",
          "labour-2010"),
         ("Burlington 2009 (6 candidates, 8,980 ballots)", "preflib/00005-00000002.toi", None),
         ("Glasgow 2007 Anderston/City (STV)", "scotland/glasgow_2007_anderston.blt",
          "scottish-stv")]

for label, path, preset in CASES:
    rules, ballots, title = load([DATA / path], None, preset)
    result = count(rules, ballots)
    t0 = time.perf_counter()
    charts = analysisdoc.charts(result, title)
    t1 = time.perf_counter()
    report, notes = analysisdoc.report(rules, ballots, result)
    t2 = time.perf_counter()
    size = sum(len(c["svg"]) for c in charts)
    print(f"{label}: {len(charts)} charts in {t1 - t0:.2f} s ({size // 1024} KiB of SVG); "
          f"what-if and margin {t2 - t1:.2f} s; margins {len(report.get('margins', []))}"
          + (f"; notes: {' '.join(notes)}" if notes else ""))
