"""docs/reliability.md names, for each case, the tests that show it: those tests must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support import ROOT

DOC = ROOT / "docs" / "reliability.md"
_REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_every_test_the_table_names_exists() -> None:
    references = _REFERENCE.findall(DOC.read_text())
    assert len(references) > 60
    missing = [
        f"{file}::{name}"
        for file, name in references
        if not (ROOT / file).is_file() or name not in _test_names(ROOT / file)
    ]
    assert missing == []


def test_every_case_row_names_at_least_one_test() -> None:
    rows = [
        line
        for line in DOC.read_text().splitlines()
        if line.startswith("| ") and not line.startswith(("| Case", "| Target", "|---"))
    ]
    assert len(rows) >= 40
    assert [row for row in rows if not _REFERENCE.search(row.rsplit("|", 2)[-2])] == []
