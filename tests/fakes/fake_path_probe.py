"""A ``PathProbe`` over a set of paths held in memory: folders end with ``/``; ``links`` map a
path to what it resolves to."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable

from domain.sandbox.ports import PathKind


class MemoryProbe:
    def __init__(self, paths: Iterable[str], links: dict[str, str] | None = None) -> None:
        self.dirs = {p.rstrip("/") for p in paths if p.endswith("/")}
        self.files = {p for p in paths if not p.endswith("/")}
        for path in [*self.dirs, *self.files]:
            parent = posixpath.dirname(path)
            while parent not in ("/", ""):
                self.dirs.add(parent)
                parent = posixpath.dirname(parent)
        self.dirs.add("/")
        self.links = links or {}

    def kind(self, path: str) -> PathKind:
        real = self.resolve(path)
        return "dir" if real in self.dirs else "file" if real in self.files else "missing"

    def resolve(self, path: str) -> str:
        path = posixpath.normpath(path)
        for link, target in self.links.items():
            if path == link or path.startswith(link + "/"):
                return target + path[len(link) :]
        return path

    def matching(self, base: str, hidden: Callable[[str], bool]) -> list[str]:
        under = sorted(p for p in self.files | self.dirs if p.startswith(base.rstrip("/") + "/"))
        found: list[str] = []
        for path in under:
            if any(path.startswith(f + "/") for f in found):
                continue
            if hidden(path):
                found.append(path)
        return found
