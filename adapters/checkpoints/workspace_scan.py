"""Listing the workspace's files with their state, fast enough to run around every Bash call.

In a git repository the list is git's own (tracked files, and untracked ones that are not
ignored), so ``.gitignore``d build output and dependencies are never snapshotted; elsewhere a
walk that skips ``.git``. Only regular files count: a symbolic link is not followed.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from domain.checkpoints.snapshot import FileStat

GIT_TIMEOUT = 10.0


def _in_git(workspace: Path) -> bool:
    return any((d / ".git").exists() for d in (workspace, *workspace.parents))


def _git_listing(workspace: Path) -> list[str] | None:
    if not _in_git(workspace):
        return None
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=workspace,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return [os.fsdecode(p) for p in done.stdout.split(b"\0") if p]


def _walk(workspace: Path) -> list[str]:
    found: list[str] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        try:
            entries = list(os.scandir(workspace / relative if relative else workspace))
        except OSError:
            continue
        for entry in entries:
            path = f"{relative}/{entry.name}" if relative else entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name != ".git":
                    pending.append(path)
            else:
                found.append(path)
    return found


class WorkspaceScanner:
    """Scans one workspace again and again. The list of files is asked of git (or walked) only
    when a folder's own modification time changed since the last scan: creating, deleting or
    renaming a file changes its folder's, so an unchanged set of folders means an unchanged
    list, and each scan is then only an ``lstat`` per file."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self._listing: list[str] = []
        self._folders: dict[str, int] = {}

    def _folders_changed(self, root: int) -> bool:
        if not self._folders:
            return True
        for folder, mtime in self._folders.items():
            try:
                if os.stat(folder or ".", dir_fd=root, follow_symlinks=False).st_mtime_ns != mtime:
                    return True
            except OSError:
                return True
        return False

    def scan(self) -> dict[str, FileStat]:
        """Every listed regular file, relative to the workspace, with its state."""
        root = os.open(self.workspace, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if self._folders_changed(root):
                # Folder times before the list: a change made while git lists is seen next time.
                self._folders = _folder_times(self.workspace, root, _in_git(self.workspace))
                listing = _git_listing(self.workspace)
                self._listing = listing if listing is not None else _walk(self.workspace)
            states: dict[str, FileStat] = {}
            for path in self._listing:
                try:
                    info = os.lstat(path, dir_fd=root)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    states[path] = FileStat(
                        info.st_size, info.st_mtime_ns, info.st_ino, info.st_mode & 0o7777
                    )
            return states
        finally:
            os.close(root)


def _ignored_folders(workspace: Path) -> set[str]:
    """Folders git ignores whole (build output, dependencies): never walked for their times."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
            cwd=workspace,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {os.fsdecode(p).rstrip("/") for p in done.stdout.split(b"\0") if p.endswith(b"/")}


def _folder_times(workspace: Path, root: int, in_git: bool) -> dict[str, int]:
    """The modification time of the workspace and of every folder in it (but ``.git`` and
    what git ignores whole): a file created, deleted or renamed anywhere changes one of them."""
    skip = _ignored_folders(workspace) if in_git else set()
    times: dict[str, int] = {}
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            times[folder] = os.stat(folder or ".", dir_fd=root, follow_symlinks=False).st_mtime_ns
            entries = list(os.scandir(workspace / folder if folder else workspace))
        except OSError:
            continue
        for entry in entries:
            path = f"{folder}/{entry.name}" if folder else entry.name
            if entry.is_dir(follow_symlinks=False) and entry.name != ".git" and path not in skip:
                pending.append(path)
    return times


def scan(workspace: Path) -> dict[str, FileStat]:
    """One scan of ``workspace`` (see ``WorkspaceScanner``)."""
    return WorkspaceScanner(workspace).scan()


def state_of(workspace: Path, path: str) -> FileStat | None:
    try:
        info = os.lstat(workspace / path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return FileStat(
        size=info.st_size,
        mtime_ns=info.st_mtime_ns,
        inode=info.st_ino,
        mode=stat.S_IMODE(info.st_mode),
    )
