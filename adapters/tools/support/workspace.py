"""The workspace boundary: resolving tool paths (symlinks included) and saying what is inside.

Relative paths start at the workspace root and ``~`` is the home directory. A path is inside
when its fully resolved form is under the root or an additional directory, so ``../`` and a
symlink that leaves the workspace both count as outside.

Rule a reader must not break: a read or write goes to the path resolved when permission was
asked. ``access`` remembers that resolution; ``write_target`` refuses the write if the path
resolves elsewhere by the time it runs (a file swapped for a symlink in between), and
``read_target`` hands back the checked resolution, which ``open_for_reading`` opens without
following any symlink, so a folder swapped later fails the open instead of leaving the
workspace.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import attrs

from adapters.files.confined_open import PathChanged, open_checked
from adapters.tools.support.tool_errors import ToolError, ToolInputError
from domain.repr_base import Record
from domain.tools.calls import AccessKind, ToolAccess


@attrs.frozen(repr=False)
class ResolvedPath(Record):
    given: str
    real: str
    inside: bool

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.given,) if self.given == self.real else (self.given, self.real)


class Workspace:
    def __init__(self, root: Path, extra_roots: Sequence[Path] = ()) -> None:
        self.root = Path(os.path.realpath(root))
        self.roots = (str(self.root), *(os.path.realpath(self.root / p) for p in extra_roots))
        self._write_targets: dict[str, str] = {}
        self._read_targets: dict[str, ResolvedPath] = {}
        # The resolution each checked call was judged on, by the identity of its input: the
        # calls of a batch are all checked before any runs, several of them on the same path.
        self._checked_reads: dict[int, ResolvedPath] = {}
        self._checked_lock = threading.Lock()

    def resolve(self, raw: str) -> ResolvedPath:
        if "\0" in raw:
            # The OS cannot take such a path; it is the model's mistake, not hexclaw's.
            raise ToolInputError(f"the path {raw!r} contains a NUL byte")
        expanded = os.path.expanduser(raw)
        joined = expanded if os.path.isabs(expanded) else os.path.join(self.root, expanded)
        given = os.path.normpath(joined)
        real = os.path.realpath(joined)
        return ResolvedPath(given=given, real=real, inside=self.contains(real))

    def contains(self, real: str) -> bool:
        return any(
            real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self.roots
        )

    def access(
        self, tool: str, kind: AccessKind, raw: str | None, call_input: object = None
    ) -> ToolAccess:
        """What a call touches; a read is remembered as resolved now, for ``read_target``
        (by ``call_input``'s identity when given, else by path)."""
        if not raw:
            return ToolAccess(tool=tool, kind=kind)
        resolved = self.resolve(raw)
        if kind == "write":
            self._write_targets[resolved.given] = resolved.real
        elif kind == "read" and call_input is not None:
            with self._checked_lock:
                self._checked_reads[id(call_input)] = resolved
        elif kind == "read":
            self._read_targets[resolved.given] = resolved
        return ToolAccess(
            tool=tool, kind=kind, paths=resolved.paths, outside_workspace=not resolved.inside
        )

    def write_target(self, raw: str) -> ResolvedPath:
        resolved = self.resolve(raw)
        checked = self._write_targets.pop(resolved.given, None)
        if checked is not None and checked != resolved.real:
            raise ToolError(
                f"{resolved.given} now resolves to {resolved.real}, not to {checked} as when "
                "permission was given (it was replaced by a symlink?); nothing was written"
            )
        return resolved

    def read_target(self, raw: str, call_input: object = None) -> ResolvedPath:
        """The path as resolved when permission was checked (resolved now if it never was)."""
        if call_input is not None:
            with self._checked_lock:
                checked = self._checked_reads.pop(id(call_input), None)
            if checked is not None:
                return checked
        given = self.resolve(raw).given
        return self._read_targets.pop(given, None) or self.resolve(raw)

    def display(self, path: str) -> str:
        """A path as the user would write it: relative inside the workspace, else absolute."""
        try:
            rel = os.path.relpath(path, self.root)
        except ValueError:
            return path
        return path if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


def open_for_reading(resolved: ResolvedPath) -> int:
    """A descriptor of the checked file, reached without following a symlink anywhere."""
    try:
        return open_checked(resolved.real, os.O_RDONLY | os.O_NONBLOCK)
    except PathChanged as exc:
        raise ToolError(str(exc)) from None
