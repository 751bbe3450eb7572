"""Glob: files whose path matches a pattern, newest first, .gitignore honoured (via ripgrep)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from adapters.tools.support.newest_files import newest_listed
from adapters.tools.support.search_tool import PathFilter, SearchTool
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from domain.messages.content import JSONObject
from domain.permissions import path_patterns
from domain.tools.calls import ToolOutcome

MAX_RESULTS = 100
MIN_WALKER_THREADS = 4
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
        prefilter, exact = name_prefilter(patterns)
        matcher = None if exact else path_patterns.relative_matcher(patterns).fullmatch
        hidden = self.hidden_below(root.given, root.real)
        rg_args = ["--files", *walker_threads(), *prefilter, "."]
        newest = newest_listed(rg_args, root.real, MAX_RESULTS, _kept(matcher, hidden))
        total = newest.total
        if total == 0:
            return ToolOutcome(content="No files found.", summary=f"No files match {pattern}")
        lines = newest.paths(root.given)
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


def _kept(
    matcher: Callable[[str], object] | None, hidden: PathFilter | None
) -> Callable[[str], bool] | None:
    """Which listed paths Glob shows: those the pattern matches that no deny rule hides (None:
    every one, rg's file type having already selected exactly the matches)."""
    if matcher is None and hidden is None:
        return None

    def keep(rel: str) -> bool:
        return (matcher is None or matcher(rel) is not None) and (hidden is None or not hidden(rel))

    return keep


def walker_threads() -> list[str]:
    """rg's thread count for a listing: at least 4. rg's default is one per core, but here this
    process stats each match while rg walks, and on a machine with fewer cores more walker
    threads keep rg ahead of it (2 cores, 100,000 files: 136 ms with 2 threads, 110 with 4)."""
    # sched_getaffinity (the cores this process may use) is Linux-only.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    return [] if cores >= MIN_WALKER_THREADS else ["--threads", str(MIN_WALKER_THREADS)]


def name_prefilter(patterns: list[str]) -> tuple[list[str], bool]:
    """rg arguments that keep only files whose name could match, when every pattern ends in a
    name made of literals and ``*`` (``**/*.py``), and whether they select exactly the matches
    (every pattern is such a name alone or under ``**/``). A file type, unlike ``--glob``, does
    not override .gitignore. rg matches a name byte by byte, so a ``?`` (one character, which
    may be several bytes) or a class could wrongly leave a name out: those get no prefilter,
    nor does a name with a colon, which rg would read as part of the type definition."""
    names = [p.rstrip("/").rsplit("/", 1)[-1] for p in patterns]
    if any("*" not in name or "**" in name or any(c in name for c in "?[]\\:") for name in names):
        return [], False
    added = [arg for name in names for arg in ("--type-add", f"hexclawglob:{name}")]
    exact = all(p in (name, f"**/{name}") for p, name in zip(patterns, names, strict=True))
    return [*added, "--type", "hexclawglob"], exact


def expand_braces(pattern: str) -> list[str]:
    """``*.{ts,tsx}`` as ``*.ts`` and ``*.tsx`` (innermost braces first, as shells do)."""
    found = _BRACES.search(pattern)
    if found is None:
        return [pattern]
    head, tail = pattern[: found.start()], pattern[found.end() :]
    return [x for option in found.group(1).split(",") for x in expand_braces(head + option + tail)]
