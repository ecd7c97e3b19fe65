"""The counting core imports only the standard library, NumPy and itself (ARCHITECTURE.md,
invariant 1). ``lint-imports`` forbids the shell and the project's other dependencies; this
test is the allow-list: every import statement in ``src/hustings/counting`` is read."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import hustings.counting

CORE = Path(hustings.counting.__file__).parent


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    return roots


def test_the_core_imports_only_the_standard_library_numpy_and_itself() -> None:
    files = sorted(CORE.glob("*.py"))
    assert len(files) > 20
    bad = {
        f"{path.name}: {module}"
        for path in files
        for module in imported_roots(path)
        if module.split(".")[0] not in sys.stdlib_module_names | {"numpy", "__future__"}
        and not (module == "hustings.counting" or module.startswith("hustings.counting."))
    }
    assert not bad, sorted(bad)


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import django\nfrom hustings.formats import csv\nimport fractions\n")
    assert imported_roots(module) == {"django", "hustings.formats", "fractions"}
