"""Reading, writing and deleting the workspace's files for checkpoints, never through a symlink.

A command hexclaw ran may replace any folder of the workspace by a symlink to one outside it
(``rm -rf d && ln -s ~/.config d``); a rewind that then put ``d/git/config`` back would write
``~/.config/git/config``. So every path is reached from a descriptor of the workspace one
folder at a time, never following a symlink (``adapters.files.confined_open.folder_below``):
a path with a symlinked folder on its way is not the workspace's file, and is neither read,
written nor deleted. The workspace itself is opened as it is (it may be or lie under a link).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from adapters.files.confined_open import LinkOnTheWay, folder_below
from domain.checkpoints.restore import NotAFileAnyMore
from domain.checkpoints.snapshot import FileStat

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC


def file_stat(info: os.stat_result) -> FileStat:
    return FileStat(info.st_size, info.st_mtime_ns, info.st_ino, stat.S_IMODE(info.st_mode))


def state_of(workspace: Path, path: str) -> FileStat | None:
    """The state of the regular file ``path``; None if it is absent, not a regular file, or
    behind a symlinked folder."""
    try:
        with folder_below(workspace, path) as (folder, name):
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except (OSError, LinkOnTheWay):
        return None
    return file_stat(info) if stat.S_ISREG(info.st_mode) else None


def read_file(workspace: Path, path: str, limit: int) -> bytes | None:
    """Up to ``limit + 1`` bytes of the regular file ``path`` (so a caller sees it is larger);
    None if it is absent, not a regular file (a FIFO is not waited on), or behind a link."""
    try:
        with folder_below(workspace, path) as (folder, name):
            fd = os.open(name, _READ, dir_fd=folder)
    except (OSError, LinkOnTheWay):
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_file(workspace: Path, path: str, data: bytes, mode: int | None) -> None:
    """Put ``data`` at ``path`` with ``mode``, atomically (a sibling renamed over it); missing
    folders are made as real folders. Raises ``LinkOnTheWay`` for a symlinked folder on the
    way, and ``NotAFileAnyMore`` if ``path`` itself became a symlink or a folder."""
    with folder_below(workspace, path, create=True) as (folder, name):
        try:
            current = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            current = None
        if current is not None and not stat.S_ISREG(current.st_mode):
            raise NotAFileAnyMore(path)
        temporary = f".{name}.hexclaw-rewind.{os.getpid()}"
        try:
            fd = os.open(temporary, _CREATE, 0o600, dir_fd=folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fchmod(handle.fileno(), mode if mode is not None else 0o644)
                os.fsync(handle.fileno())
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=folder)


def delete_file(workspace: Path, path: str) -> None:
    """Delete ``path`` if it is there; raises ``LinkOnTheWay`` for a symlinked folder on the
    way (a link at ``path`` itself is deleted, not followed)."""
    try:
        with folder_below(workspace, path) as (folder, name):
            os.unlink(name, dir_fd=folder)
    except FileNotFoundError:
        pass
