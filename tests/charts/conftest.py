"""The 2010 PLP ballots fixtures, shared with tests/analysis."""

from tests.analysis.conftest import plp_ballots, plp_path, plp_rows  # noqa: F401
