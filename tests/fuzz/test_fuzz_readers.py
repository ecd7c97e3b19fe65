"""Every reader and loader, fed 2,000 mutated files each, raises only its documented errors.

Seeded and deterministic (see ``mutate.py`` for why a seeded mutator rather than
Hypothesis): case ``i`` of a target is the same bytes on every run, so a failure names
``(target, case)`` and ``targets.case(...)`` rebuilds the file. The longer run is
``benchmarks/fuzz_readers.py``.
"""

from __future__ import annotations

import pytest
from targets import BY_NAME, SHARED, TARGETS, run_cases

CASES = 2000

# Crashes in code other engineers own, found by this suite and left for the merge: each is
# (exception, module, function) of the innermost Hustings frame. A case that hits one makes
# the test xfail (strict=False) naming it; any other undocumented exception fails the test.
KNOWN: dict[str, set[tuple[str, str, str]]] = {}  # none left: every crash found is fixed


@pytest.mark.parametrize("name", [t.name for t in TARGETS])
def test_only_documented_errors(name: str, tmp_path) -> None:
    target = BY_NAME[name]
    if target.needs_shared and not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    crashes, refused = run_cases(target, tmp_path, 0, CASES)
    known = KNOWN.get(name, set())
    new = [c for c in crashes if c.signature not in known]
    assert not new, "\n".join(f"{c} at {c.signature}" for c in new[:10])
    # The mutations must both break files and leave some readable: a fuzzer whose every
    # case is refused at the first check (or none is) is testing nothing deep.
    assert 0 < refused < CASES
    if crashes:
        pytest.xfail(f"{len(crashes)} known crashes for the merge: "
                     + "; ".join(sorted({f"{c.signature}: case {c.case}" for c in crashes})[:5]))


def test_cases_are_deterministic() -> None:
    from targets import case

    t = BY_NAME["csv"]
    seeds = t.seeds()
    assert [case(t, seeds, i) for i in range(50)] == [case(t, seeds, i) for i in range(50)]
    assert case(t, seeds, 1) != case(t, seeds, 2)
