"""Glob: files whose path matches a pattern, newest first, .gitignore honoured (via ripgrep)."""

from __future__ import annotations

import heapq
import os
import re

from adapters.tools.ripgrep import collect_ripgrep
from adapters.tools.search_tool import SearchTool
from adapters.tools.tool_errors import ToolError
from adapters.tools.tool_input import ToolInput
from domain import path_patterns
from domain.messages import JSONObject
from domain.tool_calls import ToolOutcome

MAX_RESULTS = 100
_BRACES = re.compile(r"\{([^{}]*)\}")

SCHEMA: JSONObject = {
    "type": "object",
    "properties": {"pattern": {"type": "string"}, "path": {"type": "string"}},
    "required": ["pattern"],
    "additionalProperties": False,
}
DESCRIPTION = f"""Find files by name pattern, e.g. "**/*.py", "src/**/*.{{ts,tsx}}", "*.md".
- A pattern without a slash matches names at any depth; one with a slash is relative to path.
- path: the directory to search (default: the workspace root).
- Files ignored by .gitignore are left out. Returns absolute paths, most recently modified \
first, at most {MAX_RESULTS}.
- Use Grep to search file contents."""


class GlobTool(SearchTool):
    name = "Glob"
    description = DESCRIPTION
    schema = SCHEMA

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        pattern = args.string("pattern")
        root = self.directory(args.optional_string("path"))
        if os.path.isabs(pattern):
            rel = path_patterns.relative_to(pattern, root.given)
            if rel is None:
                raise ToolError(f"the pattern {pattern} is not inside the search path {root.given}")
            pattern = rel
        patterns = expand_braces(pattern)
        matcher = path_patterns.relative_matcher(patterns).fullmatch
        listing = collect_ripgrep(["--files", *name_prefilter(patterns), "."], root.real)
        # rg prints normalised paths relative to the root ("./a/b"); only matches are stat'ed.
        matched = [line[2:] for line in listing if matcher(line[2:])]
        hidden = self.hidden_below(root.given, root.real)
        if hidden is not None:
            matched = [rel for rel in matched if not hidden(rel)]
        newest: list[tuple[int, str]] = []
        total = 0
        for rel in matched:
            path = os.path.join(root.given, rel)
            try:
                mtime = os.stat(path).st_mtime_ns
            except OSError:
                continue
            total += 1
            item = (mtime, path)
            if len(newest) < MAX_RESULTS:
                heapq.heappush(newest, item)
            else:
                heapq.heappushpop(newest, item)
        if not newest:
            return ToolOutcome(content="No files found.", summary=f"No files match {pattern}")
        lines = [path for _, path in sorted(newest, reverse=True)]
        if total > len(lines):
            lines.append(
                f"[Showing the {len(lines)} most recently modified of {total} files; "
                "narrow the pattern or path to see the rest.]"
            )
        return ToolOutcome(
            content="\n".join(lines),
            summary=f"Found {total} files matching {pattern}",
            structured={"numFiles": total, "truncated": total > MAX_RESULTS},
        )


def name_prefilter(patterns: list[str]) -> list[str]:
    """rg arguments that keep only files whose name could match, when every pattern ends in a
    wildcard name (``**/*.py``). A file type, unlike ``--glob``, does not override .gitignore."""
    names = [p.rstrip("/").rsplit("/", 1)[-1] for p in patterns]
    if any("**" in name or not any(c in name for c in "*?[") for name in names):
        return []
    added = [arg for name in names for arg in ("--type-add", f"hexclawglob:{name}")]
    return [*added, "--type", "hexclawglob"]


def expand_braces(pattern: str) -> list[str]:
    """``*.{ts,tsx}`` as ``*.ts`` and ``*.tsx`` (innermost braces first, as shells do)."""
    found = _BRACES.search(pattern)
    if found is None:
        return [pattern]
    head, tail = pattern[: found.start()], pattern[found.end() :]
    return [x for option in found.group(1).split(",") for x in expand_braces(head + option + tail)]
