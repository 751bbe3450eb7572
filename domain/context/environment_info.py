"""What hexclaw knows about where it runs, gathered once at startup by an adapter."""

from __future__ import annotations

import attrs

from domain.repr_base import Record


@attrs.frozen(repr=False)
class GitSnapshot(Record):
    """The repository's state when the session started; it is not refreshed afterwards."""

    branch: str | None
    """The current branch, or None when HEAD is detached (then ``head`` names the commit)."""
    head: str | None = None
    changes: tuple[str, ...] = ()
    """``git status --porcelain`` lines, possibly only the first of ``changed_count``."""
    changed_count: int = 0
    recent_commits: tuple[str, ...] = ()
    note: str | None = None
    """Why part of the snapshot is missing (a git command timed out or failed)."""


@attrs.frozen(repr=False)
class EnvironmentInfo(Record):
    working_directory: str
    platform: str
    os_version: str
    utc_offset_seconds: int = 0
    git: GitSnapshot | None = None
    """None when the working directory is not inside a git work tree."""

    @property
    def is_git_repo(self) -> bool:
        return self.git is not None
