"""The most recently modified of many paths, kept while a search lists them: Glob and Grep's
files_with_matches both answer newest first and show at most a fixed number of paths."""

from __future__ import annotations

import heapq
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from adapters.tools.tool_errors import ToolError


class NewestFiles:
    """The ``limit`` most recently modified of the paths added (relative to ``directory``, an
    open descriptor, which spares the kernel the walk down to it on every stat), and how many
    could be stat'ed: a path that vanished since rg listed it is not counted."""

    def __init__(self, limit: int, directory: int) -> None:
        self.limit = limit
        self.directory = directory
        self.total = 0
        self._heap: list[tuple[int, str]] = []

    def add(self, paths: Iterable[str]) -> None:
        heap, limit, directory, stat = self._heap, self.limit, self.directory, os.stat
        for rel in paths:
            try:
                mtime = stat(rel, dir_fd=directory).st_mtime_ns
            except OSError:
                continue
            self.total += 1
            if len(heap) < limit:
                heapq.heappush(heap, (mtime, rel))
            elif mtime > heap[0][0]:
                heapq.heappushpop(heap, (mtime, rel))

    def paths(self, root: str) -> list[str]:
        """Newest first, as absolute paths: a relative one is taken under ``root`` (the
        directory as the caller named it)."""
        prefix = root if root.endswith("/") else root + "/"
        newest = sorted(self._heap, reverse=True)
        return [rel if rel.startswith("/") else prefix + rel for _, rel in newest]


@contextmanager
def open_directory(path: str) -> Iterator[int]:
    try:
        directory = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise ToolError(f"cannot open the directory {path}: {error.strerror}") from None
    try:
        yield directory
    finally:
        os.close(directory)
