"""Running git in the user's folder: one runner, with a deadline, for every caller.

No index refresh lock is taken (other git processes may be working in this tree), git never
prompts for credentials, its output is plain and untranslated, and it runs no program the
repository's own config names (``safe_environment``; the rules are in
``domain/trust/git_programs.py``): every git call hexclaw makes goes through it.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from domain.errors import HexclawError
from domain.trust.git_programs import (
    FILTER_LISTING,
    FILTERLESS_COMMANDS,
    FIXED_SETTINGS,
    git_environment,
    repository_filters,
    settings_for,
)


class GitFailed(HexclawError):
    """git could not answer: not installed, too slow, or it failed (the message says which)."""


class GitRunner:
    """``git`` in ``cwd``; every call shares one deadline, ``timeout`` seconds from creation."""

    def __init__(self, cwd: Path, timeout: float, git: str = "git") -> None:
        self.git = git
        self.cwd = cwd
        self.deadline = time.monotonic() + timeout
        self._base = {
            **os.environ,
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
        }
        self._filtered: dict[str, str] | None = None

    def env_for(self, command: str) -> dict[str, str]:
        """The fixed settings for a command that reads no file through a filter; for the
        others, the repository's filters emptied too (read once, on the first such call)."""
        if command in FILTERLESS_COMMANDS:
            return git_environment(self._base, FIXED_SETTINGS)
        if self._filtered is None:
            remaining = max(0.1, self.deadline - time.monotonic())
            self._filtered = safe_environment(self.cwd, self._base, self.git, remaining)
        return self._filtered

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
                env=self.env_for(args[0]),
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


def safe_environment(
    cwd: Path | str, environment: Mapping[str, str], git: str = "git", timeout: float = 10.0
) -> dict[str, str]:
    """``environment`` with the settings that keep git, run in ``cwd``, from running the
    programs the repository's config names: the fixed ones, and its own filter commands
    emptied. Reading the config runs nothing. A git too old for ``--show-scope`` (before
    2.26) has every filter it lists emptied.

    Raises ``GitFailed`` when the config cannot be read in time: git is not run blind."""
    listed = _config_listing(cwd, git_environment(environment, FIXED_SETTINGS), git, timeout)
    return git_environment(environment, settings_for(listed))


def _config_listing(cwd: Path | str, env: dict[str, str], git: str, timeout: float) -> list[str]:
    listing = _run_quietly([git, *FILTER_LISTING], cwd, env, timeout)
    if listing is None:
        return []
    if listing.returncode == 0:
        return repository_filters(listing.stdout.decode("utf-8", "replace"))
    if listing.returncode == 1:  # nothing matched
        return []
    names = [git, "config", "-z", "--name-only", "--get-regexp", FILTER_LISTING[-1]]
    fallback = _run_quietly(names, cwd, env, timeout)
    if fallback is None or fallback.returncode != 0:
        return []
    return [key for key in fallback.stdout.decode("utf-8", "replace").split("\0") if key]


def _run_quietly(
    command: list[str], cwd: Path | str, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[bytes] | None:
    """None when git cannot start (the call that follows says so)."""
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except OSError:
        return None
    except subprocess.TimeoutExpired:
        raise GitFailed("git config did not finish in time") from None
