"""Which paths changed since the last look, from Linux's inotify, so a scan around a tool call
stats only those instead of every file of a large repository.

inotify events are queued by the kernel inside the very system call that changes a file, so
when a tool call returns, every change it made (and anything it started made) is queued. When
the queue overflows, or inotify is not available, the watcher says so and the caller falls
back to a full scan.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import struct
import sys
from collections.abc import Iterable
from pathlib import Path

IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
WATCHED = (
    IN_MODIFY
    | IN_ATTRIB
    | IN_CLOSE_WRITE
    | IN_MOVED_FROM
    | IN_MOVED_TO
    | IN_CREATE
    | IN_DELETE
    | IN_DELETE_SELF
    | IN_MOVE_SELF
)
STRUCTURAL = IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
EVENT = struct.Struct("iIII")
READ_SIZE = 1 << 16


class Changes:
    """What the queue said: the paths touched, and whether files or folders came or went."""

    def __init__(self, paths: set[str], structural: bool) -> None:
        self.paths = paths
        self.structural = structural


class ChangeWatch:
    """Watches every folder of a workspace. ``None`` from ``drain`` means: look at everything."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self._fd = -1
        self._folders: dict[int, str] = {}
        self._watched: set[str] = set()
        if not sys.platform.startswith("linux"):
            return
        # The process's own symbols, libc's among them: ``ctypes.util.find_library`` would
        # run ``ldconfig -p`` (a process, several milliseconds) at every start to name libc.
        self._libc = ctypes.CDLL(None, use_errno=True)
        if not hasattr(self._libc, "inotify_init1"):
            return
        fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd >= 0:
            self._fd = fd

    @property
    def available(self) -> bool:
        return self._fd >= 0

    def watch(self, folders: Iterable[str]) -> bool:
        """Watch these workspace-relative folders too; False when one could not be watched
        (the watch limit), so changes there would go unseen."""
        if not self.available:
            return False
        for folder in folders:
            if folder in self._watched:
                continue
            path = os.fsencode(self.workspace / folder if folder else self.workspace)
            wd = self._libc.inotify_add_watch(self._fd, path, WATCHED | IN_ONLYDIR | IN_DONT_FOLLOW)
            if wd < 0:
                return False
            self._folders[wd] = folder
            self._watched.add(folder)
        return True

    def drain(self) -> Changes | None:
        if not self.available:
            return None
        paths: set[str] = set()
        structural = False
        while True:
            try:
                data = os.read(self._fd, READ_SIZE)
            except BlockingIOError:
                break
            offset = 0
            while offset + EVENT.size <= len(data):
                wd, mask, _cookie, length = EVENT.unpack_from(data, offset)
                name = data[offset + EVENT.size : offset + EVENT.size + length].rstrip(b"\0")
                offset += EVENT.size + length
                if mask & IN_Q_OVERFLOW:
                    return None
                folder = self._folders.get(wd)
                if mask & IN_IGNORED:
                    # The folder went away (or moved): its watch is gone with it.
                    gone = self._folders.pop(wd, None)
                    if gone is not None:
                        self._watched.discard(gone)
                    structural = True
                    continue
                if folder is None:
                    continue
                if mask & STRUCTURAL:
                    structural = True
                if name:
                    text = os.fsdecode(name)
                    paths.add(f"{folder}/{text}" if folder else text)
        return Changes(paths, structural)

    def close(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1
