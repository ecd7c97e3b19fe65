"""Shared fixtures: the 266 real 2010 PLP ballots (../shared/data/labour)."""

from __future__ import annotations

import csv

import pytest

from hustings.counting import Ballots

DM, EM, EB, AB, DA = (
    "David Miliband", "Ed Miliband", "Ed Balls", "Andy Burnham", "Diane Abbott",
)
PLP_CANDIDATES = (DA, EB, AB, DM, EM)  # the order of the file's metadata


@pytest.fixture(scope="session")
def plp_path(shared):
    return shared / "data" / "labour" / "labour-2010-plp-ballots.csv"


@pytest.fixture(scope="session")
def plp_rows(plp_path):
    with open(plp_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 266
    return rows


@pytest.fixture(scope="session")
def plp_ballots(plp_rows):
    return Ballots.from_rankings(
        PLP_CANDIDATES, [[r[f"pref{i}"] or None for i in range(1, 6)] for r in plp_rows])
