from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
DROOP = SHARED / "conformance" / "droop"
SCOTLAND = SHARED / "data" / "scotland"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not here")
    return SHARED
