"""Opening exactly the path that was checked, however the folders change meanwhile.

A permission check resolves a path (symlinks followed) and judges the result; a local process
may then swap a folder on the way for a symlink, and a plain ``open`` of the path would follow
it out of the workspace. Here the checked, fully resolved path is walked from ``/`` one
component at a time, each opened relative to its parent's descriptor with ``O_NOFOLLOW``: a
resolved path has no symlink in it, so finding one means it changed, and the open fails
instead of following it. What is opened is then the file that was checked (a hard link is the
one way around it, and making one needs write access to the target already).

Writes use the same walk: the new file or its temporary sibling is created relative to the
parent folder's descriptor, and renamed over the target within it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator

from domain.errors import HexclawError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class PathChanged(HexclawError):
    """A folder or file on a checked path was replaced (by a symlink) after the check."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} changed after it was checked (a folder or the file was replaced by a "
            "symlink?); it was not opened"
        )
        self.path = path


def _parts(real: str) -> list[str]:
    if not os.path.isabs(real) or (os.path.normpath(real) != real and real != "/"):
        raise ValueError(f"not a resolved absolute path: {real!r}")
    return [part for part in real.split("/") if part]


@contextlib.contextmanager
def parent_folder(real: str, create: bool = False) -> Iterator[tuple[int, str]]:
    """A descriptor of the folder holding ``real`` (walked without following symlinks) and the
    last name; ``create`` makes missing folders on the way, as ``mkdir -p`` would."""
    parts = _parts(real)
    if not parts:
        raise PathChanged(real)
    fd = os.open("/", _DIR_FLAGS)
    try:
        for name in parts[:-1]:
            fd = _step(fd, name, real, create)
        yield fd, parts[-1]
    finally:
        os.close(fd)


def _step(fd: int, name: str, real: str, create: bool) -> int:
    try:
        child = os.open(name, _DIR_FLAGS, dir_fd=fd)
    except FileNotFoundError:
        if not create:
            raise
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o777, dir_fd=fd)
        try:
            child = os.open(name, _DIR_FLAGS, dir_fd=fd)
        except OSError as exc:
            raise _changed_or(exc, real) from None
    except OSError as exc:
        raise _changed_or(exc, real) from None
    os.close(fd)
    return child


def _changed_or(exc: OSError, real: str) -> Exception:
    # ELOOP: a symlink where the walk expected none; ENOTDIR: a folder became something else.
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
        return PathChanged(real)
    return exc


def open_checked(real: str, flags: int = os.O_RDONLY, mode: int = 0o666) -> int:
    """A descriptor of the file at the resolved path ``real``, opened without following any
    symlink on the way or at the end."""
    with parent_folder(real) as (folder, name):
        try:
            return os.open(name, flags | os.O_NOFOLLOW | _CLOEXEC, mode, dir_fd=folder)
        except OSError as exc:
            raise _changed_or(exc, real) from None


def lstat_checked(real: str) -> os.stat_result:
    """``lstat`` of the resolved path, reached without following symlinks."""
    with parent_folder(real) as (folder, name):
        return os.stat(name, dir_fd=folder, follow_symlinks=False)


def is_regular(info: os.stat_result) -> bool:
    return stat.S_ISREG(info.st_mode)
