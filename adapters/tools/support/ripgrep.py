"""Running ripgrep: the ``rg`` that the ``ripgrep`` package installs next to Python (else the
one on PATH), with its output handed over line by line so any amount stays bounded."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache

from adapters.tools.support.process_group import ProcessResult, run_streaming
from adapters.tools.support.tool_errors import ToolError

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


def stream_ripgrep(
    args: Sequence[str], cwd: str, on_lines: Callable[[list[str]], bool]
) -> ProcessResult:
    """Run ``rg`` with ``args``; ``on_lines`` gets the complete output lines of each read (one
    decode and split per read, not per line) and returns False to stop."""
    pending = bytearray()
    seen = 0

    def feed(data: bytes) -> bool:
        nonlocal seen
        pending.extend(data)
        end = pending.rfind(b"\n")
        if end < 0:
            return True
        lines = pending[:end].decode("utf-8", "replace").split("\n")
        del pending[: end + 1]
        seen += len(lines)
        return on_lines(lines)

    result = run_streaming(
        [ripgrep_path(), *COMMON_ARGS, *args], cwd, feed, SEARCH_TIMEOUT, merge_stderr=False
    )
    if pending and not result.stopped_early:
        seen += 1
        on_lines([pending.decode("utf-8", "replace")])
    if result.timed_out:
        raise ToolError(f"the search took longer than {SEARCH_TIMEOUT:g} s; narrow the path")
    # Exit 2 with output means some files could not be read; without output, a real error.
    if result.returncode == 2 and seen == 0:
        raise ToolError(f"ripgrep failed: {result.stderr or 'no detail'}")
    return result


def run_ripgrep(args: Sequence[str], cwd: str, on_line: Callable[[str], bool]) -> ProcessResult:
    """Run ``rg`` with ``args``; ``on_line`` gets each output line and returns False to stop."""
    return stream_ripgrep(args, cwd, lambda lines: all(on_line(line) for line in lines))
