"""What changed in an item since the user approved it."""

from __future__ import annotations

import difflib


def content_difference(previous: str, current: str, label: str) -> str:
    """A unified diff, approved content first; empty when the texts are equal."""
    lines = difflib.unified_diff(
        previous.splitlines(keepends=True),
        current.splitlines(keepends=True),
        fromfile=f"{label} (approved)",
        tofile=f"{label} (now)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
