"""What the sandbox's pure rules need to know about the filesystem, as a port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

PathKind = Literal["dir", "file", "missing"]


class PathProbe(Protocol):
    def kind(self, path: str) -> PathKind:
        """What is at ``path`` once symlinks are followed (a socket or device is a file)."""
        ...

    def resolve(self, path: str) -> str:
        """The absolute path with every symlink resolved (as ``realpath``)."""
        ...

    def matching(self, base: str, hidden: Callable[[str], bool]) -> list[str]:
        """Every path under ``base`` for which ``hidden`` is true (a folder that matches is
        returned and not entered). Raises ``SandboxError`` past a bounded number of entries."""
        ...
