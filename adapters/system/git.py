"""Running git in the user's folder: one runner, with a deadline, for every caller.

No index refresh lock is taken (other git processes may be working in this tree), git never
prompts for credentials, and its output is plain and untranslated.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from domain.errors import HexclawError


class GitFailed(HexclawError):
    """git could not answer: not installed, too slow, or it failed (the message says which)."""


class GitRunner:
    """``git`` in ``cwd``; every call shares one deadline, ``timeout`` seconds from creation."""

    def __init__(self, cwd: Path, timeout: float, git: str = "git") -> None:
        self.git = git
        self.cwd = cwd
        self.deadline = time.monotonic() + timeout
        self.env = {
            **os.environ,
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
        }

    def run(self, *args: str, check: bool = True) -> str:
        """git's standard output; ``check=False`` answers "" for a failed command.

        Raises ``FileNotFoundError`` when git is not installed, ``GitFailed`` otherwise.
        """
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise GitFailed(f"git {args[0]} was skipped: git is slow here")
        try:
            done = subprocess.run(
                [self.git, "--no-pager", "-c", "color.ui=never", *args],
                cwd=self.cwd,
                env=self.env,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=remaining,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitFailed(f"git {args[0]} did not finish in time") from None
        if done.returncode != 0:
            if not check:
                return ""
            first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            raise GitFailed(f"git {args[0]} failed: {first[0] if first else done.returncode}")
        return done.stdout.decode("utf-8", "replace")

    def succeeds(self, *args: str) -> bool:
        try:
            self.run(*args)
        except GitFailed:
            return False
        return True


def inside_dot_git_tree(directory: Path) -> bool:
    """A ``.git`` in the folder or above: git should have answered, so a failure is news."""
    return any((d / ".git").exists() for d in (directory, *directory.parents))
