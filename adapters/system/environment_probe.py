"""What the system prompt says about the machine: platform, OS, local time offset, git state.

Git runs as a subprocess under one overall deadline, so a slow or hung repository (a network
filesystem, a huge untracked tree) delays startup by at most ``timeout`` seconds; whatever did
not finish is named in the snapshot's note instead.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

from adapters.system.git import GitFailed, GitRunner, inside_dot_git_tree
from domain.context.environment_info import EnvironmentInfo, GitSnapshot

DEFAULT_TIMEOUT = 3.0
# The prompt shows fewer than this; the rest only counts toward the total.
MAX_CHANGE_LINES = 200
RECENT_COMMITS = 5


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
        run = GitRunner(working_directory, self._timeout, self._git).run
        try:
            inside = run("rev-parse", "--is-inside-work-tree").strip() == "true"
        except FileNotFoundError:
            return None
        except GitFailed as exc:
            if not inside_dot_git_tree(working_directory):
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
                for line in run(
                    "status",
                    "--porcelain=v1",
                    "--untracked-files=normal",
                    # A submodule's own config would run inside it.
                    "--ignore-submodules=dirty",
                ).splitlines()
                if line.strip()
            ]
            commits = run("log", f"-n{RECENT_COMMITS}", "--format=%h %s", check=False).splitlines()
        except (GitFailed, FileNotFoundError) as exc:
            notes.append(str(exc) or "git failed")
        return GitSnapshot(
            branch=branch,
            head=head,
            changes=tuple(changes[:MAX_CHANGE_LINES]),
            changed_count=len(changes),
            recent_commits=tuple(c for c in commits if c.strip()),
            note="; ".join(notes) or None,
        )
