"""Mutants of the module-level tables, which mutmut leaves alone (it mutates function bodies).

A table is a module-level assignment to an upper-case name whose value holds a literal set,
frozenset, tuple, list or dict. Each mutant drops one entry of one such literal (nested ones
too), which is how a table usually breaks: a word, an option or a pattern forgotten.
"""

from __future__ import annotations

import ast
import re

import attrs

_TABLE_NAME = re.compile(r"_?[A-Z][A-Z0-9_]*")


@attrs.frozen
class TableMutant:
    table: str
    entry: str
    """The entry's source text, as written."""
    line: int
    source: str
    """The whole module with the entry dropped."""


def _offsets(source: str) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _entries(node: ast.expr) -> list[tuple[ast.expr, ast.expr]]:
    """Each entry of a literal collection as (first node, last node)."""
    if isinstance(node, ast.Dict):
        return [(k, v) for k, v in zip(node.keys, node.values, strict=True) if k is not None]
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return [(e, e) for e in node.elts if not isinstance(e, ast.Starred)]
    return []


def _tables(tree: ast.Module) -> list[tuple[str, ast.expr]]:
    found: list[tuple[str, ast.expr]] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name) and _TABLE_NAME.fullmatch(target.id):
            found.append((target.id, value))
    return found


def table_mutants(source: str) -> list[TableMutant]:
    tree = ast.parse(source)
    starts = _offsets(source)

    def at(line: int, column: int) -> int:
        # ast columns count UTF-8 bytes.
        text = source[starts[line - 1] : starts[line]]
        return starts[line - 1] + len(text.encode()[:column].decode())

    mutants: list[TableMutant] = []
    for name, value in _tables(tree):
        for node in ast.walk(value):
            if not isinstance(node, ast.expr):
                continue
            entries = _entries(node)
            for index, (first, last) in enumerate(entries):
                begin = at(first.lineno, first.col_offset)
                end = at(last.end_lineno or last.lineno, last.end_col_offset or 0)
                # Drop the entry with the separator after it (or before it, for the last).
                if index + 1 < len(entries):
                    following = entries[index + 1][0]
                    cut_end = at(following.lineno, following.col_offset)
                    cut_begin = begin
                elif index > 0:
                    previous = entries[index - 1][1]
                    cut_begin = at(previous.end_lineno or 0, previous.end_col_offset or 0)
                    cut_end = end
                else:
                    cut_begin, cut_end = begin, end
                    trailing = re.match(r"\s*,", source[end:])
                    if trailing is not None:  # ("x",) becomes ()
                        cut_end = end + trailing.end()
                mutated = source[:cut_begin] + source[cut_end:]
                try:
                    ast.parse(mutated)
                except SyntaxError:
                    continue
                mutants.append(TableMutant(name, source[begin:end], first.lineno, mutated))
    return mutants
