"""Listing the workspace's files with their state, fast enough to run around every Bash call.

In a git repository the list is git's own (tracked files, and untracked ones that are not
ignored), so ``.gitignore``d build output and dependencies are never snapshotted; elsewhere a
walk that skips ``.git``. Only regular files count: a symbolic link is not followed, neither
as a file nor as a folder on a file's way (``.git/index`` still lists ``d/f`` when a command
replaced the folder ``d`` by a link), so nothing outside the workspace is ever recorded.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterable
from pathlib import Path

from adapters.checkpoints.change_watch import ChangeWatch
from adapters.checkpoints.workspace_files import file_stat
from adapters.files.confined_open import open_subfolder
from domain.checkpoints.snapshot import FileStat
from domain.trust.git_programs import FIXED_SETTINGS, git_environment

GIT_TIMEOUT = 10.0
# ls-files runs no filter; the fsmonitor and hooks a sandboxed command could have configured
# are switched off (domain/trust/git_programs.py).
_GIT_ENV = git_environment({**os.environ, "GIT_OPTIONAL_LOCKS": "0"}, FIXED_SETTINGS)


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
            env=_GIT_ENV,
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
    """Scans one workspace again and again, as cheaply as it can while missing nothing.

    With inotify (Linux) every folder is watched: a scan stats only the paths the kernel says
    were touched since the last one, and asks git for the list again only when files or
    folders came or went. Without it (or after the event queue overflowed), the list is asked
    for again when a folder's own modification time changed (creating, deleting or renaming a
    file changes its folder's) and every listed file is stat'ed.
    """

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self._listing: list[str] = []
        self._folders: dict[str, int] = {}
        self._states: dict[str, FileStat] | None = None
        self._watch = ChangeWatch(workspace)

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

    def _relist(self, root: int) -> None:
        # Folders (and their watches) before the list: a change made while git lists is seen
        # by the next scan.
        self._folders = _folder_times(self.workspace, root, _in_git(self.workspace))
        if not self._watch.watch(self._folders):
            self._watch.close()  # a folder it cannot watch: full scans from now on
        listing = _git_listing(self.workspace)
        self._listing = listing if listing is not None else _walk(self.workspace)

    def scan(self) -> dict[str, FileStat]:
        """Every listed regular file, relative to the workspace, with its state."""
        root = os.open(self.workspace, os.O_RDONLY | os.O_DIRECTORY)
        try:
            states = self._states
            changes = self._watch.drain() if states is not None else None
            if states is None or changes is None:
                if states is None or not self._watch.available:
                    if self._folders_changed(root):
                        self._relist(root)
                else:
                    self._relist(root)
                self._states = _states(root, self._listing)
                return dict(self._states)
            candidates = changes.paths
            if changes.structural:
                before = set(self._listing)
                self._relist(root)
                after = set(self._listing)
                candidates = candidates | (after ^ before)
            listed = set(self._listing) if changes.structural else None
            for path in candidates:
                if listed is not None and path not in listed:
                    states.pop(path, None)
                    continue
                if listed is None and path not in states:
                    continue  # not a listed file (ignored, or a folder)
                states.pop(path, None)
                states.update(_states(root, [path]))
            return dict(states)
        finally:
            os.close(root)


def _states(root: int, paths: Iterable[str]) -> dict[str, FileStat]:
    states: dict[str, FileStat] = {}
    chain = _FolderChain(root)
    try:
        for path in paths:
            folder_path, _, name = path.rpartition("/")
            folder = chain.open(folder_path)
            if folder is None:
                continue
            try:
                info = os.stat(name, dir_fd=folder, follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                states[path] = file_stat(info)
    finally:
        chain.close()
    return states


class _FolderChain:
    """Descriptors of the folders from the root down to the last one asked for, each opened
    without following a symlink: a listing groups a folder's files, so a scan opens each
    folder about once, and holds no more descriptors than the tree is deep."""

    def __init__(self, root: int) -> None:
        self.root = root
        self._names: list[str] = []
        self._fds: list[int] = []

    def open(self, folder: str) -> int | None:
        names = folder.split("/") if folder else []
        if any(name in ("", ".", "..") for name in names):
            return None
        common = 0
        while common < min(len(names), len(self._names)) and names[common] == self._names[common]:
            common += 1
        self._drop(common)
        for name in names[common:]:
            try:
                fd = open_subfolder(self._fds[-1] if self._fds else self.root, name)
            except OSError:
                return None
            self._names.append(name)
            self._fds.append(fd)
        return self._fds[-1] if self._fds else self.root

    def _drop(self, keep: int) -> None:
        while len(self._fds) > keep:
            os.close(self._fds.pop())
            self._names.pop()

    def close(self) -> None:
        self._drop(0)


def _ignored_folders(workspace: Path) -> set[str]:
    """Folders git ignores whole (build output, dependencies): never walked for their times."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
            cwd=workspace,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env=_GIT_ENV,
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
