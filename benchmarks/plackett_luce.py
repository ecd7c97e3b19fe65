"""Synthetic ranked ballots for the counting benchmarks: truncated Plackett–Luce rankings.

Plackett–Luce: each voter ranks the candidates by drawing them one at a time without
replacement, each remaining candidate chosen with probability proportional to its support
weight. Drawing it row by row in Python is far too slow for 10M ballots, so we use the
Gumbel trick: ``argsort(-(log w + Gumbel noise))`` along each row is exactly a
Plackett–Luce ranking (the Gumbel-max property applied repeatedly), and it vectorises.
We draw it in its equivalent "exponential race" form, ``argsort(E / w)`` with
``E ~ Exp(1)`` (a Gumbel variable is ``-log E``, and ``-log`` reverses the order), because
NumPy's float32 exponential sampler is about 5x faster than its Gumbel sampler.

Truncation: real preferential ballots are short — many voters rank one or two candidates
and few rank all thirteen — so each ballot keeps only its first ``k`` preferences, with
``k`` drawn from ``LENGTH_SHARES``; the rest of the row is ``BLANK``.

Everything is drawn from ``np.random.default_rng(seed)`` in fixed-size chunks, in order,
so a (size, seed) pair always gives the same ballots, whether they are built in memory
(:func:`generate`) or written as CSV (:func:`write_csv`).

Usage (from the repository root)::

    .venv/bin/python benchmarks/plackett_luce.py 1000000 --seed 1 -o benchmarks/data/pl.csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from hustings.counting import BLANK, Ballots
from hustings.counting.ballots import RANK_DTYPE

# Thirteen fictional candidates (no commas or quotes: the CSV is written unquoted).
CANDIDATES: tuple[str, ...] = (
    "Ada Ashworth", "Ben Bramley", "Cora Castell", "Dev Dunmore", "Esme Ellery",
    "Finn Fairley", "Gita Gorman", "Hal Hartigan", "Iris Ingram", "Jude Jarrow",
    "Kit Kendrick", "Lena Lowther", "Milo Marchant",
)
# Support weights: two front-runners, a middle pack and a long tail, so an IRV count runs
# through many elimination rounds before anyone has a majority.
WEIGHTS: tuple[float, ...] = (30, 26, 14, 9, 6, 4.5, 3, 2.2, 1.6, 1.2, 0.9, 0.6, 0.4)
# Share of ballots that rank exactly 1, 2, ..., 13 candidates (normalised below). Roughly
# the shape seen in Scottish STV and US RCV cast-vote records: most ballots are short.
LENGTH_SHARES: tuple[float, ...] = (
    0.27, 0.19, 0.14, 0.10, 0.07, 0.05, 0.04, 0.03, 0.025, 0.02, 0.015, 0.015, 0.035,
)
CHUNK_ROWS = 1 << 20  # fixed: changing it changes which ballots a seed gives


def iter_chunks(
    n: int,
    *,
    seed: int = 0,
    weights: Sequence[float] = WEIGHTS,
    length_shares: Sequence[float] | None = LENGTH_SHARES,
) -> Iterator[np.ndarray]:
    """Yield the ``ranks`` of ``n`` ballots as int16 arrays of at most ``CHUNK_ROWS`` rows.

    Column ``j`` holds the candidate index at preference ``j + 1``, or ``BLANK`` past the
    ballot's length. ``length_shares=None`` means every ballot ranks every candidate.
    """
    if n < 0:
        raise ValueError(f"number of ballots must be >= 0, got {n}")
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or len(w) < 1 or not np.all(w > 0):
        raise ValueError("weights must be a non-empty sequence of positive numbers")
    m = len(w)
    if length_shares is not None:
        p = np.asarray(length_shares, dtype=np.float64)
        if len(p) != m or np.any(p < 0) or p.sum() <= 0:
            raise ValueError(f"length_shares must be {m} non-negative numbers")
        p = p / p.sum()
    rng = np.random.default_rng(seed)
    # float32 keys are plenty (an exact tie between two keys has probability ~1e-7 and
    # only swaps those two candidates) and halve the memory traffic of the sort.
    inv_w = (1.0 / w).astype(np.float32)
    cols = np.arange(m, dtype=np.int8)
    for start in range(0, n, CHUNK_ROWS):
        rows = min(CHUNK_ROWS, n - start)
        # Each candidate "arrives" at time E/w; arrival order is the Plackett–Luce ranking.
        keys = rng.standard_exponential(size=(rows, m), dtype=np.float32)
        keys *= inv_w
        ranks = np.argsort(keys, axis=1).astype(RANK_DTYPE)
        if length_shares is not None:
            lengths = rng.choice(m, size=rows, p=p).astype(np.int8) + 1
            ranks[cols[None, :] >= lengths[:, None]] = BLANK
        yield ranks


def _check(n: int, weights: Sequence[float], candidates: Sequence[str]) -> None:
    if n < 0:
        raise ValueError(f"number of ballots must be >= 0, got {n}")
    if len(candidates) != len(weights):
        raise ValueError(f"{len(candidates)} candidates but {len(weights)} weights")


def generate(
    n: int,
    *,
    seed: int = 0,
    weights: Sequence[float] = WEIGHTS,
    candidates: Sequence[str] = CANDIDATES,
    length_shares: Sequence[float] | None = LENGTH_SHARES,
) -> Ballots:
    """``n`` truncated Plackett–Luce ballots (weight 1, one section), built in memory."""
    _check(n, weights, candidates)
    ranks = np.empty((n, len(weights)), dtype=RANK_DTYPE)
    at = 0
    for chunk in iter_chunks(n, seed=seed, weights=weights, length_shares=length_shares):
        ranks[at : at + len(chunk)] = chunk
        at += len(chunk)
    return Ballots(
        tuple(candidates),
        ranks,
        np.ones(n, dtype=np.int64),
        np.zeros(n, dtype=np.int16),
    )


def write_csv(
    path: str | Path,
    n: int,
    *,
    seed: int = 0,
    weights: Sequence[float] = WEIGHTS,
    candidates: Sequence[str] = CANDIDATES,
    length_shares: Sequence[float] | None = LENGTH_SHARES,
) -> Path:
    """Write the same ballots as :func:`generate` as CSV: header ``pref1..prefN``, cells
    are candidate names, a blank cell is an unranked preference. Written chunk by chunk
    with pyarrow's CSV writer, so 10M rows take seconds and little memory."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    _check(n, weights, candidates)
    for name in candidates:
        if any(ch in name for ch in ',"\r\n') or not name:
            raise ValueError(f"candidate name {name!r} would need CSV quoting")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = pa.array(list(candidates), type=pa.string())
    header = [f"pref{j + 1}" for j in range(len(weights))]
    schema = pa.schema([(h, pa.string()) for h in header])
    # Nulls are written as empty cells; no quoting is safe because names were checked.
    # The header is written by hand because pyarrow would quote it.
    options = pacsv.WriteOptions(quoting_style="none", include_header=False)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as out, pacsv.CSVWriter(out, schema, write_options=options) as writer:
        out.write((",".join(header) + "\n").encode())
        for ranks in iter_chunks(n, seed=seed, weights=weights, length_shares=length_shares):
            columns = []
            for j in range(ranks.shape[1]):
                col = ranks[:, j]
                # take() with a null index gives a null string: a blank cell.
                idx = pa.array(col, mask=col < 0, type=pa.int16())
                columns.append(pc.take(names, idx))
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))
    tmp.replace(path)  # never leave a half-written file under the final name
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ballots", type=int, help="number of ballots")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, required=True, help="CSV file to write")
    args = parser.parse_args(argv)
    write_csv(args.output, args.ballots, seed=args.seed)
    print(f"wrote {args.ballots} ballots to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
