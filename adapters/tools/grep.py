"""Grep: search file contents with ripgrep (regular expressions, .gitignore honoured)."""

from __future__ import annotations

import os
import re

from adapters.tools.glob import expand_braces
from adapters.tools.support.newest_files import newest_listed
from adapters.tools.support.ripgrep import run_ripgrep
from adapters.tools.support.search_tool import PathFilter, SearchTool
from adapters.tools.support.tool_errors import ToolError
from adapters.tools.support.tool_input import ToolInput
from adapters.tools.support.truncation import truncate_middle
from domain.messages.content import JSONObject
from domain.tools.calls import ToolOutcome

OUTPUT_MODES = ("content", "files_with_matches", "count")
MAX_FILES = 100
MAX_OUTPUT_CHARS = 30_000
MAX_COLUMNS = 500
_TYPE_NAME = "hexclawglob"
_LINE_NUMBER = re.compile(r"([0-9]+)([:-])")

SCHEMA: JSONObject = {
    "type": "object",
    "properties": {
        "pattern": {"type": "string"},
        "path": {"type": "string"},
        "glob": {"type": "string"},
        "type": {"type": "string"},
        "output_mode": {"type": "string", "enum": list(OUTPUT_MODES)},
        "-i": {"type": "boolean"},
        "-n": {"type": "boolean"},
        "-A": {"type": "number"},
        "-B": {"type": "number"},
        "-C": {"type": "number"},
        "head_limit": {"type": "number"},
        "multiline": {"type": "boolean"},
    },
    "required": ["pattern"],
    "additionalProperties": False,
}
DESCRIPTION = f"""Search file contents with a regular expression (ripgrep syntax; escape literal \
braces and parentheses, e.g. "interface\\\\{{\\\\}}").
- path: a file or directory (default: the workspace root). Files ignored by .gitignore are skipped.
- glob filters files ("*.py", "*.{{ts,tsx}}", "src/**/*.rs"); type uses ripgrep's file types \
("py", "js", "rust"), faster than glob for standard languages.
- output_mode: "files_with_matches" (default: paths, most recently modified first), \
"content" (matching lines; -n line numbers, on by default; -A/-B/-C context lines), \
"count" (matches per file).
- -i ignores case; multiline lets a pattern span lines (. matches newlines).
- head_limit keeps the first N lines or entries. Output is capped at {MAX_OUTPUT_CHARS:,} \
characters.
- Use this instead of grep or rg in Bash."""


class GrepTool(SearchTool):
    name = "Grep"
    description = DESCRIPTION
    schema = SCHEMA

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        args = ToolInput(self.name, tool_input)
        pattern = args.string("pattern")
        mode = args.optional_string("output_mode") or "files_with_matches"
        if mode not in OUTPUT_MODES:
            raise ToolError(f"Grep: output_mode must be one of {', '.join(OUTPUT_MODES)}")
        head_limit = args.optional_int("head_limit", 0) or None
        target = self.workspace.resolve(args.optional_string("path") or ".")
        if not os.path.exists(target.real):
            raise ToolError(f"{self.workspace.display(target.given)} does not exist")
        is_dir = os.path.isdir(target.real)
        # Inside the directory with ".", so path globs match as written; paths are made
        # absolute again on the way out.
        cwd = target.real if is_dir else str(self.workspace.root)
        given = target.given if is_dir else cwd
        hidden = self.hidden_below(given, cwd)
        rg_args = [*_filters(args), f"--max-columns={MAX_COLUMNS}", "--max-columns-preview"]
        if args.optional_bool("-i"):
            rg_args.append("--ignore-case")
        if args.optional_bool("multiline"):
            rg_args += ["--multiline", "--multiline-dotall"]
        if mode == "files_with_matches":
            rg_args.append("--files-with-matches")
        elif mode == "count":
            rg_args += ["--count", "--with-filename", "--null"]
        else:
            # Line numbers tell a match from a context line once --null has replaced the
            # separator after the path; they are dropped again when -n is off.
            rg_args += ["--no-heading", "--with-filename", "--null", "--line-number"]
            for flag in ("-A", "-B", "-C"):
                value = args.optional_int(flag, 0)
                if value is not None:
                    rg_args += [flag, str(value)]
        rg_args += ["--regexp", pattern, "--", target.real if not is_dir else "."]
        if mode == "files_with_matches":
            return self._files(rg_args, cwd, head_limit, pattern, hidden)
        numbers = args.optional_bool("-n", default=True)
        return self._lines(rg_args, cwd, head_limit, pattern, mode, hidden, numbers)

    def _files(
        self,
        rg_args: list[str],
        cwd: str,
        head_limit: int | None,
        pattern: str,
        hidden: PathFilter | None,
    ) -> ToolOutcome:
        keep = None if hidden is None else lambda rel: not hidden(rel)
        newest = newest_listed(rg_args, cwd, min(head_limit or MAX_FILES, MAX_FILES), keep)
        total = newest.total
        if total == 0:
            return ToolOutcome(content="No matches found.", summary=f"No files contain {pattern}")
        lines = newest.paths()
        if total > len(lines):
            lines.append(f"[{total} files match; showing the {len(lines)} most recently modified.]")
        return ToolOutcome(
            content="\n".join(lines),
            summary=f"{total} files contain {pattern}",
            structured={"mode": "files_with_matches", "numFiles": total},
        )

    def _lines(
        self,
        rg_args: list[str],
        cwd: str,
        head_limit: int | None,
        pattern: str,
        mode: str,
        hidden: PathFilter | None,
        numbers: bool,
    ) -> ToolOutcome:
        kept: list[str] = []
        size = 0
        total = 0

        def take(line: str) -> bool:
            nonlocal size, total
            path, nul, rest = line.partition("\0")
            if not line or (nul and hidden is not None and hidden(path)):
                return True
            if not nul and (not kept or kept[-1] == "--"):
                return True  # a context separator left over from a hidden file
            total += 1
            if head_limit is not None and total > head_limit:
                return False
            if size <= MAX_OUTPUT_CHARS * 2:
                shown = _shown_line(cwd, path, rest, numbers) if nul else line
                kept.append(shown)
                size += len(shown) + 1
            return True

        result = run_ripgrep(rg_args, cwd, take)
        while kept and kept[-1] == "--":
            kept.pop()
        if not kept:
            return ToolOutcome(content="No matches found.", summary=f"No matches for {pattern}")
        text = truncate_middle("\n".join(kept), MAX_OUTPUT_CHARS)
        if result.stopped_early:
            text += f"\n[Stopped at head_limit={head_limit}; more lines match.]"
        elif size > MAX_OUTPUT_CHARS * 2:
            text += f"\n[{total} lines in all; narrow the search to see the rest.]"
        return ToolOutcome(
            content=text,
            summary=f"{len(kept)} {'lines' if mode == 'content' else 'files'} for {pattern}",
            structured={"mode": mode, "numLines": len(kept)},
        )


def _shown_line(cwd: str, path: str, rest: str, numbers: bool) -> str:
    """``path:12:text`` (``path-12-text`` for context), absolute, without the number if -n
    is off; ``path:3`` in count mode."""
    shown = cwd + path[1:] if path.startswith("./") else path
    number = _LINE_NUMBER.match(rest)
    if number is None:
        return f"{shown}:{rest}"
    if numbers:
        return f"{shown}{number.group(2)}{rest}"
    return f"{shown}{number.group(2)}{rest[number.end() :]}"


def _filters(args: ToolInput) -> list[str]:
    out: list[str] = []
    glob = args.optional_string("glob")
    if glob:
        patterns = expand_braces(glob)
        if any("/" in p for p in patterns):
            # Path globs go to --glob, which can re-include a .gitignored file it names.
            out += [arg for p in patterns for arg in ("--glob", p)]
        else:
            # Name globs go through a file type, which leaves .gitignore in force.
            out += [arg for p in patterns for arg in ("--type-add", f"{_TYPE_NAME}:{p}")]
            out += ["--type", _TYPE_NAME]
    file_type = args.optional_string("type")
    if file_type:
        out += ["--type", file_type]
    return out
