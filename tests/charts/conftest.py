"""The 2010 PLP ballots fixtures, shared with tests/analysis."""

# re-exported so pytest finds them here (F401: used as fixtures, not by name)
from tests.analysis.conftest import plp_ballots, plp_path, plp_rows  # noqa: F401
