"""File states from a scan of the workspace, and the changes between two scans."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

import attrs

from domain.repr_base import Record

ChangeKind = Literal["created", "deleted", "modified"]


class FileStat(NamedTuple):
    """What a scan records of a file: enough to see that it changed without reading it.
    A named tuple: a scan makes one per file, thousands around every Bash call."""

    size: int
    mtime_ns: int
    inode: int
    mode: int


Snapshot = Mapping[str, FileStat]
"""Workspace-relative path (``/``-separated) to its state; absent paths are not there."""


@attrs.frozen(repr=False)
class Change(Record):
    kind: ChangeKind
    path: str
    renamed_from: str | None = None
    """For a created file whose inode and size match a deleted one: the rename's source."""


def compare(before: Snapshot, after: Snapshot) -> list[Change]:
    """What happened between two scans, sorted by path: created, deleted and modified files
    (a rename is a deletion plus a creation, the creation naming its source)."""
    deleted = [p for p in before if p not in after]
    by_identity = {(before[p].inode, before[p].size): p for p in deleted}
    changes: list[Change] = [Change("deleted", p) for p in deleted]
    for path, stat in after.items():
        old = before.get(path)
        if old is None:
            changes.append(Change("created", path, by_identity.get((stat.inode, stat.size))))
        elif old != stat:
            changes.append(Change("modified", path))
    return sorted(changes, key=lambda c: (c.path, c.kind))
