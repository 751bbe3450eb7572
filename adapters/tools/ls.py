"""LS: a directory's tree (not following symlinks), with ignore globs and a size cap."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable

from adapters.tools.support.search_tool import SearchTool
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.tools.calls import ToolOutcome

MAX_ENTRIES = 1000
NOT_EXPANDED = frozenset({".git", "node_modules", "__pycache__", ".venv", ".mypy_cache"})

SCHEMA: JSONObject = {
    "type": "object",
    "properties": {
        "path": {"type": "string"},
        "ignore": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["path"],
    "additionalProperties": False,
}
DESCRIPTION = f"""List a directory as a tree (directories end with /).
- path: absolute, or relative to the workspace root.
- ignore: glob patterns of names or relative paths to leave out.
- Shows at most {MAX_ENTRIES} entries; {", ".join(sorted(NOT_EXPANDED))} are listed but not \
expanded. Prefer Glob and Grep to find files by name or content."""


class LSTool(SearchTool):
    name = "LS"
    description = DESCRIPTION
    schema = SCHEMA

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        resolved = self.directory(args.string("path"), "; use Read for files")
        ignore = args.string_list("ignore")
        shown = self.workspace.display(resolved.given)
        hidden = self.hidden_below(resolved.given, resolved.real)

        def left_out(name: str, rel_path: str) -> bool:
            if any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel_path, p) for p in ignore):
                return True
            return hidden is not None and hidden(rel_path)

        lines = [f"- {resolved.given.rstrip(os.sep)}{os.sep}"]
        count = _walk(resolved.real, "", 1, left_out, lines)
        if count > MAX_ENTRIES:
            lines.append(
                f"[Stopped after {MAX_ENTRIES} entries; list a subdirectory, or use Glob.]"
            )
        return ToolOutcome(
            content="\n".join(lines), summary=f"Listed {shown} ({min(count, MAX_ENTRIES)} entries)"
        )


def _walk(
    directory: str,
    rel: str,
    depth: int,
    left_out: Callable[[str, str], bool],
    lines: list[str],
) -> int:
    """Append the tree under ``directory``; returns the entries seen (may pass the cap by one)."""
    count = 0
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        lines.append(f"{'  ' * depth}- [cannot list: {exc.strerror}]")
        return 0
    for entry in entries:
        rel_path = f"{rel}{entry.name}"
        if left_out(entry.name, rel_path):
            continue
        if len(lines) > MAX_ENTRIES:
            return count + 1
        count += 1
        indent = "  " * depth
        if entry.is_symlink():
            lines.append(f"{indent}- {entry.name} -> {os.readlink(entry.path)}")
        elif entry.is_dir():
            if entry.name in NOT_EXPANDED:
                lines.append(f"{indent}- {entry.name}/ (not expanded)")
                continue
            lines.append(f"{indent}- {entry.name}/")
            count += _walk(entry.path, rel_path + "/", depth + 1, left_out, lines)
        else:
            lines.append(f"{indent}- {entry.name}")
    return count
