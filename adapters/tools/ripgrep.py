"""Running ripgrep: the ``rg`` that the ``ripgrep`` package installs next to Python (else the
one on PATH), with its output handed over line by line so any amount stays bounded."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache

from adapters.tools.process_group import ProcessResult, run_streaming
from adapters.tools.tool_errors import ToolError

# Every search honours .gitignore even outside a git repository, sees dotfiles, skips .git.
COMMON_ARGS = ("--no-require-git", "--hidden", "--glob", "!.git", "--color", "never")
SEARCH_TIMEOUT = 60.0


@lru_cache(maxsize=1)
def ripgrep_path() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "rg")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("rg")
    if found is None:
        raise ToolError("ripgrep (rg) is not installed; install the `ripgrep` package")
    return found


def collect_ripgrep(args: Sequence[str], cwd: str) -> list[str]:
    """Run ``rg`` with ``args`` and return all its output lines (for listings such as Glob's,
    where splitting once is much cheaper than a call per line)."""
    chunks: list[bytes] = []

    def feed(data: bytes) -> bool:
        chunks.append(data)
        return True

    result = run_streaming(
        [ripgrep_path(), *COMMON_ARGS, *args], cwd, feed, SEARCH_TIMEOUT, merge_stderr=False
    )
    lines = b"".join(chunks).decode("utf-8", "replace").splitlines()
    if result.timed_out:
        raise ToolError(f"the search took longer than {SEARCH_TIMEOUT:g} s; narrow the path")
    if result.returncode == 2 and not lines:
        raise ToolError(f"ripgrep failed: {result.stderr or 'no detail'}")
    return lines


def run_ripgrep(args: Sequence[str], cwd: str, on_line: Callable[[str], bool]) -> ProcessResult:
    """Run ``rg`` with ``args``; ``on_line`` gets each output line and returns False to stop."""
    pending = bytearray()
    seen = 0

    def feed(data: bytes) -> bool:
        nonlocal seen
        pending.extend(data)
        *lines, rest = pending.split(b"\n")
        pending[:] = rest
        seen += len(lines)
        return all(on_line(line.decode("utf-8", "replace")) for line in lines)

    result = run_streaming(
        [ripgrep_path(), *COMMON_ARGS, *args],
        cwd,
        feed,
        SEARCH_TIMEOUT,
        merge_stderr=False,
    )
    if pending and not result.stopped_early:
        seen += 1
        on_line(pending.decode("utf-8", "replace"))
    if result.timed_out:
        raise ToolError(f"the search took longer than {SEARCH_TIMEOUT:g} s; narrow the path")
    # Exit 2 with output means some files could not be read; without output, a real error.
    if result.returncode == 2 and seen == 0:
        raise ToolError(f"ripgrep failed: {result.stderr or 'no detail'}")
    return result
