"""The most recently modified of many paths, kept while a search lists them: Glob and Grep's
files_with_matches both answer newest first and show at most a fixed number of paths."""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from adapters.tools.support.ripgrep import stream_ripgrep


class NewestFiles:
    """The ``limit`` most recently modified of the paths added, and how many could be stat'ed
    (a path that vanished since rg listed it is not counted). Ties go to the later path, so the
    answer does not depend on the order rg's threads print in.

    A relative path is taken under ``root``: through ``directory``, a descriptor of it, when
    one could be opened (which spares the kernel the walk down to it on every stat), else
    spelled out."""

    def __init__(self, limit: int, root: str, directory: int | None) -> None:
        self.limit = limit
        self.total = 0
        self._prefix = root if root.endswith("/") else root + "/"
        self._directory = directory
        self._heap: list[tuple[int, str]] = []

    def add(self, paths: Iterable[str]) -> None:
        heap, limit, directory, stat = self._heap, self.limit, self._directory, os.stat
        prefix = "" if directory is not None else self._prefix
        for rel in paths:
            try:
                mtime = stat(rel if rel.startswith("/") else prefix + rel, dir_fd=directory)
            except OSError:
                continue
            self.total += 1
            item = (mtime.st_mtime_ns, rel)
            if len(heap) < limit:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heappushpop(heap, item)

    def paths(self, shown_root: str | None = None) -> list[str]:
        """Newest first, as absolute paths; a relative one under ``shown_root`` (the directory
        as the caller named it, which may differ from the resolved ``root``)."""
        base = self._prefix if shown_root is None else shown_root
        prefix = base if base.endswith("/") else base + "/"
        newest = sorted(self._heap, reverse=True)
        return [rel if rel.startswith("/") else prefix + rel for _, rel in newest]


def newest_listed(
    rg_args: Sequence[str], cwd: str, limit: int, keep: Callable[[str], bool] | None = None
) -> NewestFiles:
    """The ``limit`` newest of the paths ``rg`` lists when run in ``cwd`` (those ``keep``
    accepts). Each is stat'ed as rg prints it, so the stat calls overlap rg's walk."""
    with _open_directory(cwd) as directory:
        newest = NewestFiles(limit, cwd, directory)

        def take(lines: list[str]) -> bool:
            # rg prints "./a/b" under a directory searched, and a file's own path when one is.
            found = (line[2:] if line.startswith("./") else line for line in lines if line)
            newest.add(found if keep is None else filter(keep, found))
            return True

        stream_ripgrep(rg_args, cwd, take)
    return newest


@contextmanager
def _open_directory(path: str) -> Iterator[int | None]:
    """A descriptor of the directory, or None when it cannot be opened for reading (a folder
    one may search through but not list)."""
    try:
        directory = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield None
        return
    try:
        yield directory
    finally:
        os.close(directory)
