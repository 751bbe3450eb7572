"""Writing a file without following a symlink and without leaving it half-written.

A new file is created with ``O_CREAT | O_EXCL | O_NOFOLLOW``; an existing one is replaced
by renaming a fully written sibling over it, which replaces a symlink rather than writing
through it, and keeps the old permission bits.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile

from adapters.tools.support.tool_errors import ToolError


def write_file(path: str, data: bytes) -> os.stat_result:
    """Write ``data`` to ``path`` (already resolved) and return the new file's stat."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        current = os.lstat(path)
    except FileNotFoundError:
        return _create(path, data)
    if stat.S_ISLNK(current.st_mode):
        raise ToolError(f"{path} became a symlink after it was checked; it was not followed")
    if not stat.S_ISREG(current.st_mode):
        raise ToolError(f"{path} is not a regular file")
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".hexclaw-", suffix=".tmp")
    try:
        _write_all(fd, data)
        os.fchmod(fd, stat.S_IMODE(current.st_mode))
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        _unlink_quietly(tmp)
        raise
    return os.stat(path, follow_symlinks=False)


def _create(path: str, data: bytes) -> os.stat_result:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o666)
    try:
        _write_all(fd, data)
        return os.fstat(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
