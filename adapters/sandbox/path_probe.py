"""The sandbox's ``PathProbe`` on the real filesystem."""

from __future__ import annotations

import os
from collections.abc import Callable

from domain.sandbox.errors import SandboxError
from domain.sandbox.ports import PathKind

# A deny rule with a pattern (``Read(*.pem)``) is expanded by listing the folder it starts
# from; past this many entries the listing stops, and Bash with it, rather than run with a
# secret left visible.
MAX_ENTRIES = 100_000


class FilesystemProbe:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries

    def kind(self, path: str) -> PathKind:
        try:
            return "dir" if os.path.isdir(path) else "file" if os.path.lexists(path) else "missing"
        except (OSError, ValueError):
            return "missing"

    def resolve(self, path: str) -> str:
        return os.path.realpath(path)

    def matching(self, base: str, hidden: Callable[[str], bool]) -> list[str]:
        found: list[str] = []
        seen = 0
        for folder, dirs, files in os.walk(base):
            seen += len(dirs) + len(files)
            if seen > self.max_entries:
                raise SandboxError(
                    f"a deny rule's pattern would need more than {self.max_entries:,} entries "
                    f"of {base} listed to hide what it covers; name the paths without "
                    "wildcards (Read(./secrets/**))"
                )
            for name in files:
                path = os.path.join(folder, name)
                if hidden(path):
                    found.append(path)
            for name in list(dirs):
                path = os.path.join(folder, name)
                if hidden(path):
                    found.append(path)
                    dirs.remove(name)
        return found
