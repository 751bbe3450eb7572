"""Replacing one exact string in a text, as Edit and MultiEdit do, with errors that say why not."""

from __future__ import annotations

from adapters.tools.support.tool_errors import ToolError


def apply_edit(text: str, old: str, new: str, replace_all: bool, shown: str) -> tuple[str, int]:
    """The text with ``old`` replaced by ``new``, and how many places were replaced."""
    if old == new:
        raise ToolError("old_string and new_string are identical; there is nothing to change")
    if not old:
        if text:
            raise ToolError(
                f"old_string is empty but {shown} is not; give the exact text to replace, "
                "or use Write to replace the whole file"
            )
        return new, 1
    count = text.count(old)
    if count == 0:
        raise ToolError(
            f"old_string was not found in {shown}; it must match the file exactly, including "
            "whitespace and indentation, without the line-number prefix that Read shows"
        )
    if count > 1 and not replace_all:
        raise ToolError(
            f"old_string matches {count} places in {shown}; include more surrounding lines so "
            f"it matches exactly one, or set replace_all to true to change all {count}"
        )
    return text.replace(old, new), count
