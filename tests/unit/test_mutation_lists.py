"""The mutation-testing lists stay honest without mutmut installed: every target and test file
exists, and every equivalent mutant still names a line of its module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.mutation.equivalents import (
    DROPPED,
    EQUIVALENTS,
    Equivalent,
    load_equivalents,
    parse_equivalents,
)
from tests.mutation.tables import table_mutants
from tests.mutation.targets import TARGETS

ROOT = Path(__file__).resolve().parents[2]


def function_lines(source: str, place: str) -> list[str] | None:
    """The stripped source lines of ``function`` or ``Class.method``, or None if absent."""
    scope: list[ast.stmt] = ast.parse(source).body
    node: ast.stmt | None = None
    for part in place.split("."):
        node = next(
            (
                n
                for n in scope
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and n.name == part
            ),
            None,
        )
        if node is None:
            return None
        scope = node.body
    assert node is not None
    lines = source.splitlines()[node.lineno - 1 : node.end_lineno]
    return [line.strip() for line in lines]


def still_exists(entry: Equivalent) -> bool:
    source = (ROOT / entry.module).read_text()
    if entry.place.startswith("table "):
        table = entry.place.removeprefix("table ")
        return entry.after == DROPPED and any(
            m.table == table and m.entry == entry.before for m in table_mutants(source)
        )
    lines = function_lines(source, entry.place)
    if lines is None:
        return False
    return all(part in lines for part in entry.before.split(" / ")) and entry.before != entry.after


def test_every_target_module_and_test_file_exists() -> None:
    for target in TARGETS:
        assert (ROOT / target.module).is_file(), target.module
        for test in target.tests:
            assert (ROOT / test).is_file(), test


def test_every_listed_equivalent_mutant_still_exists() -> None:
    modules = {target.module for target in TARGETS}
    gone = [
        entry
        for entry in load_equivalents()
        if entry.module not in modules or not still_exists(entry)
    ]
    assert gone == [], f"{EQUIVALENTS.name} names mutants that no longer exist: drop them"


def test_an_equivalent_whose_line_changed_is_reported_gone() -> None:
    text = (
        "[domain/permissions/shell_split.py] normalize\n"
        '- return " ".join(part for part in re.split(r"[ \\t\\n]+", command) if part)\n'
        '+ return "XX".join(part for part in re.split(r"[ \\t\\n]+", command) if part)\n'
        "why: an example\n"
    )
    [present] = parse_equivalents(text)
    assert still_exists(present)
    [changed] = parse_equivalents(text.replace("if part)\n+", "if part and part)\n+"))
    assert not still_exists(changed)
    [moved] = parse_equivalents(text.replace("] normalize", "] is_assignment"))
    assert not still_exists(moved)
    [table] = parse_equivalents(
        '[domain/permissions/shell_split.py] table _WRITING\n- ">>"\n+ (dropped)\nwhy: x\n'
    )
    assert still_exists(table)
    assert not still_exists(attrs_evolve(table, before='">>>"'))


def attrs_evolve(entry: Equivalent, before: str) -> Equivalent:
    return Equivalent(entry.module, entry.place, before, entry.after, entry.why)


def test_a_malformed_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="entry 1"):
        parse_equivalents("[domain/x.py] f\n- a\nwhy: no mutated line\n")


def test_each_table_entry_is_dropped_once_and_the_rest_kept() -> None:
    source = 'A = frozenset({"x", "y"})\nB = ("p",)\nC = {"k": 1, "l": 2}\nd = ("lower",)\n'
    mutants = {(m.table, m.entry): m.source for m in table_mutants(source)}
    assert set(mutants) == {
        ("A", '"x"'),
        ("A", '"y"'),
        ("B", '"p"'),
        ("C", '"k": 1'),
        ("C", '"l": 2'),
    }
    namespace: dict[str, object] = {}
    exec(mutants[("A", '"y"')], namespace)
    assert namespace["A"] == frozenset({"x"})
    exec(mutants[("B", '"p"')], namespace)
    assert namespace["B"] == ()
    exec(mutants[("C", '"k": 1')], namespace)
    assert namespace["C"] == {"l": 2}
