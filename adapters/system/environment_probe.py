"""What the system prompt says about the machine: platform, OS, local time offset, git state.

Git runs as a subprocess under one overall deadline, so a slow or hung repository (a network
filesystem, a huge untracked tree) delays startup by at most ``timeout`` seconds; whatever did
not finish is named in the snapshot's note instead.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from domain.context.environment_info import EnvironmentInfo, GitSnapshot

DEFAULT_TIMEOUT = 3.0
# The prompt shows fewer than this; the rest only counts toward the total.
MAX_CHANGE_LINES = 200
RECENT_COMMITS = 5


class _GitFailed(Exception):
    pass


class EnvironmentProbe:
    def __init__(self, git: str = "git", timeout: float = DEFAULT_TIMEOUT) -> None:
        self._git = git
        self._timeout = timeout

    def probe(self, working_directory: Path) -> EnvironmentInfo:
        return EnvironmentInfo(
            working_directory=str(working_directory),
            platform=sys.platform,
            os_version=f"{platform.system()} {platform.release()}".strip(),
            utc_offset_seconds=time.localtime().tm_gmtoff,
            git=self.git_snapshot(working_directory),
        )

    def git_snapshot(self, working_directory: Path) -> GitSnapshot | None:
        """None when the directory is not in a git work tree (or git is not installed)."""
        run = _GitRunner(self._git, working_directory, time.monotonic() + self._timeout)
        try:
            inside = run("rev-parse", "--is-inside-work-tree").strip() == "true"
        except FileNotFoundError:
            return None
        except _GitFailed as exc:
            if not _has_dot_git(working_directory):
                return None
            return GitSnapshot(branch=None, note=str(exc))
        if not inside:
            return None
        notes: list[str] = []
        branch: str | None = None
        head: str | None = None
        changes: list[str] = []
        commits: list[str] = []
        try:
            branch = run("branch", "--show-current").strip() or None
            if branch is None:
                head = run("rev-parse", "--short", "HEAD").strip() or None
            changes = [
                line
                for line in run("status", "--porcelain=v1", "--untracked-files=normal").splitlines()
                if line.strip()
            ]
            commits = run("log", f"-n{RECENT_COMMITS}", "--format=%h %s", check=False).splitlines()
        except (_GitFailed, FileNotFoundError) as exc:
            notes.append(str(exc) or "git failed")
        return GitSnapshot(
            branch=branch,
            head=head,
            changes=tuple(changes[:MAX_CHANGE_LINES]),
            changed_count=len(changes),
            recent_commits=tuple(c for c in commits if c.strip()),
            note="; ".join(notes) or None,
        )


class _GitRunner:
    def __init__(self, git: str, cwd: Path, deadline: float) -> None:
        self.git = git
        self.cwd = cwd
        self.deadline = deadline
        # No index refresh lock (other git processes may be working in this tree),
        # no credential prompt, and plain untranslated output.
        self.env = {
            **os.environ,
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
        }

    def __call__(self, *args: str, check: bool = True) -> str:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _GitFailed(f"git {args[0]} was skipped: git is slow here")
        try:
            done = subprocess.run(
                [self.git, "--no-pager", *args],
                cwd=self.cwd,
                env=self.env,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=remaining,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise _GitFailed(f"git {args[0]} did not finish in time") from None
        if done.returncode != 0:
            if not check:
                return ""
            first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            raise _GitFailed(f"git {args[0]} failed: {first[0] if first else done.returncode}")
        return done.stdout.decode("utf-8", "replace")


def _has_dot_git(directory: Path) -> bool:
    return any((d / ".git").exists() for d in (directory, *directory.parents))
