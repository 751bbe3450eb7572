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

``folder_below`` walks the same way from a root the user chose (the workspace, for the
checkpoints): the root itself is opened as it is, and may be or lie under a symlink; below it a
symlink is never followed, whatever put it there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

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


class LinkOnTheWay(HexclawError):
    """A component of a path below a root is a symbolic link or not a folder: not followed."""

    def __init__(self, path: str, component: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.component = component
        self.reason = reason


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
            try:
                fd = _step(fd, name, create)
            except OSError as exc:
                raise _changed_or(exc, real) from None
        yield fd, parts[-1]
    finally:
        os.close(fd)


@contextlib.contextmanager
def folder_below(root: Path, relative: str, create: bool = False) -> Iterator[tuple[int, str]]:
    """A descriptor of the folder holding ``relative`` (``/``-separated, below ``root``) and the
    last name. ``root`` is opened as it is; no component below it is followed if it is a
    symlink (``LinkOnTheWay`` names it), and ``create`` makes the missing ones real folders.
    A missing folder without ``create`` raises ``FileNotFoundError``."""
    parts = relative.split("/")
    if relative.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise LinkOnTheWay(relative, relative, "not a path below the workspace; not followed")
    fd = os.open(root, _DIR_FLAGS & ~os.O_NOFOLLOW)
    try:
        for index, name in enumerate(parts[:-1]):
            try:
                fd = _step(fd, name, create)
            except FileNotFoundError:
                raise
            except OSError as exc:
                component = "/".join(parts[: index + 1])
                raise _link_on_the_way(exc, fd, name, relative, component) from None
        yield fd, parts[-1]
    finally:
        os.close(fd)


def _step(fd: int, name: str, create: bool) -> int:
    """The folder ``name`` in ``fd``, opened without following a symlink; ``fd`` is closed
    once the child is open (and left open on failure, for the caller to close)."""
    try:
        child = open_subfolder(fd, name)
    except FileNotFoundError:
        if not create:
            raise
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o777, dir_fd=fd)
        child = open_subfolder(fd, name)
    os.close(fd)
    return child


def open_subfolder(fd: int, name: str) -> int:
    """The folder ``name`` in the folder ``fd``; an ``OSError`` if it is a symlink."""
    return os.open(name, _DIR_FLAGS, dir_fd=fd)


def _link_on_the_way(exc: OSError, fd: int, name: str, path: str, component: str) -> Exception:
    # Linux says ENOTDIR for a symlink opened with O_DIRECTORY | O_NOFOLLOW, as for a file:
    # lstat tells them apart (and anything else, EACCES say, stays what it was).
    try:
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except OSError:
        return exc
    if stat.S_ISLNK(info.st_mode):
        return LinkOnTheWay(
            path, component, f"the folder {component} on its way is a symbolic link"
        )
    if not stat.S_ISDIR(info.st_mode):
        return LinkOnTheWay(path, component, f"{component} on its way is not a folder")
    return exc


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
