"""Read-before-write tracking: a file may be changed only as the model last saw it.

Each Read, Write and Edit remembers the file's modification time and size (by resolved
path); a later Write or Edit of an existing file is refused if the file was never read in
this session, or if either value has changed since (another program, or the user, edited it).
"""

from __future__ import annotations

import os

import attrs

from adapters.tools.support.tool_errors import ToolError
from domain.repr_base import Record


@attrs.frozen(repr=False)
class FileStamp(Record):
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, stat: os.stat_result) -> FileStamp:
        return cls(stat.st_mtime_ns, stat.st_size)


class FileStateTracker:
    def __init__(self) -> None:
        self._seen: dict[str, FileStamp] = {}

    def remember(self, real_path: str, stat: os.stat_result) -> None:
        self._seen[real_path] = FileStamp.of(stat)

    def check_unchanged(self, real_path: str, stat: os.stat_result, shown_as: str) -> None:
        seen = self._seen.get(real_path)
        if seen is None:
            raise ToolError(
                f"{shown_as} has not been read in this session; Read it first, so the change "
                "is based on its current content"
            )
        now = FileStamp.of(stat)
        if now != seen:
            raise ToolError(
                f"{shown_as} has changed on disk since it was last read (size {seen.size} -> "
                f"{now.size} bytes, or a newer modification time); Read it again before "
                "changing it"
            )
