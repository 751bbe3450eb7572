"""Short unified diffs of a file change, for the user and the session log."""

from __future__ import annotations

import difflib

import attrs

from domain.repr_base import Record

MAX_DIFF_LINES = 120


@attrs.frozen(repr=False)
class Change(Record):
    diff: str
    added: int
    removed: int

    @property
    def counts(self) -> str:
        return f"+{self.added} -{self.removed}"


def describe_change(label: str, old: str, new: str, max_lines: int = MAX_DIFF_LINES) -> Change:
    lines = list(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{label}",
            tofile=f"b/{label}",
            n=3,
        )
    )
    added = sum(1 for line in lines[2:] if line.startswith("+"))
    removed = sum(1 for line in lines[2:] if line.startswith("-"))
    shown = [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    ]
    if len(shown) > max_lines:
        cut = len(shown) - max_lines
        shown = [*shown[:max_lines], f"... ({cut} more diff lines)\n"]
    return Change("".join(shown), added, removed)
