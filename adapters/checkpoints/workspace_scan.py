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


def _git_listing(workspace: Path) -> list[str] | None:
    if not any((d / ".git").exists() for d in (workspace, *workspace.parents)):
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


def scan(workspace: Path) -> dict[str, FileStat]:
    """Every listed regular file, relative to ``workspace``, with its state."""
    listing = _git_listing(workspace)
    if listing is None:
        listing = _walk(workspace)
    states: dict[str, FileStat] = {}
    root = os.open(workspace, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for path in listing:
            try:
                info = os.lstat(path, dir_fd=root)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                states[path] = FileStat(
                    size=info.st_size,
                    mtime_ns=info.st_mtime_ns,
                    inode=info.st_ino,
                    mode=stat.S_IMODE(info.st_mode),
                )
    finally:
        os.close(root)
    return states


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
