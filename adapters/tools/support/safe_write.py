"""Writing a file without following a symlink and without leaving it half-written.

The folder is reached by walking the resolved path without following symlinks
(``adapters.files.confined_open``), so a folder swapped for a symlink after the permission
check makes the write fail instead of landing elsewhere. A new file is created in that folder
with ``O_CREAT | O_EXCL | O_NOFOLLOW``; an existing one is replaced by renaming a fully
written sibling over it, within the same folder descriptor, which replaces a symlink rather
than writing through it, and keeps the old permission bits.
"""

from __future__ import annotations

import contextlib
import os
import stat

from adapters.files.confined_open import PathChanged, parent_folder
from adapters.tools.support.tool_errors import ToolError

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def write_file(path: str, data: bytes) -> os.stat_result:
    """Write ``data`` to ``path`` (already resolved) and return the new file's stat."""
    try:
        with parent_folder(path, create=True) as (folder, name):
            return _write_in(folder, name, path, data)
    except PathChanged as exc:
        raise ToolError(str(exc)) from None


def _write_in(folder: int, name: str, path: str, data: bytes) -> os.stat_result:
    try:
        current = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return _create(folder, name, data)
    if stat.S_ISLNK(current.st_mode):
        raise ToolError(f"{path} became a symlink after it was checked; it was not followed")
    if not stat.S_ISREG(current.st_mode):
        raise ToolError(f"{path} is not a regular file")
    tmp, fd = _temporary(folder)
    try:
        _write_all(fd, data)
        os.fchmod(fd, stat.S_IMODE(current.st_mode))
        os.close(fd)
        fd = -1
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=folder)
        raise
    return os.stat(name, dir_fd=folder, follow_symlinks=False)


def _create(folder: int, name: str, data: bytes) -> os.stat_result:
    fd = os.open(name, _CREATE, 0o666, dir_fd=folder)
    try:
        _write_all(fd, data)
        return os.fstat(fd)
    finally:
        os.close(fd)


def _temporary(folder: int) -> tuple[str, int]:
    for _ in range(100):
        name = f".hexclaw-{os.urandom(6).hex()}.tmp"
        try:
            return name, os.open(name, _CREATE, 0o600, dir_fd=folder)
        except FileExistsError:
            continue
    raise ToolError("could not create a temporary file next to the target")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)
