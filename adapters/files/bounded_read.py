"""Reading a file that came with a project: a regular file only, and a bounded amount of it.

Opened without blocking (a FIFO would otherwise wait for a writer forever) and without
becoming the controlling terminal; the type is checked on the opened descriptor, so a path
swapped between a check and the open cannot slip a device in.
"""

from __future__ import annotations

import os
import stat
from typing import NamedTuple

from domain.errors import HexclawError

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


class NotARegularFile(HexclawError):
    """The path names a device, a FIFO, a socket or a directory, not a file."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f"{path}: is {kind}, not a regular file")
        self.path = path
        self.kind = kind


class BoundedRead(NamedTuple):
    data: bytes
    cut: bool
    """The file holds more than the limit; ``data`` is its first ``limit`` bytes."""


def read_bounded(
    path: str | os.PathLike[str], limit: int, *, streams_too: bool = False
) -> BoundedRead:
    """At most ``limit`` bytes of the regular file at ``path``. OSError as ``open`` raises it
    (FileNotFoundError...); NotARegularFile for anything but a regular file, or, with
    ``streams_too`` (what the user names on the command line, ``--settings <(…)``), for a
    directory only."""
    # A stream the user named waits for its writer, as any program reading it would.
    fd = os.open(path, _FLAGS & ~os.O_NONBLOCK if streams_too else _FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode) and (stat.S_ISDIR(mode) or not streams_too):
            raise NotARegularFile(os.fspath(path), _kind(mode))
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return BoundedRead(data[:limit], len(data) > limit)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"
