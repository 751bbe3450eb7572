"""What the checkpoint store keeps: size bounds, the folders never snapshotted, eviction."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

from domain.checkpoints.journal import Turn

DEFAULT_MAX_BYTES = 1 << 30
"""``checkpointMaxBytes``: the store of one project, all sessions."""
DEFAULT_MAX_FILE_BYTES = 5 << 20
"""``checkpointMaxFileBytes``: a larger file's changes are named, not kept."""


def refused_workspace(workspace: str, home: str) -> str | None:
    """Why a folder must not be snapshotted (the whole home or the whole machine), or None."""
    normal = posixpath.normpath(workspace)
    if normal == "/":
        return "the workspace is / (the whole machine)"
    if normal == posixpath.normpath(home):
        return "the workspace is your home folder"
    return None


def size_limit(value: object, default: int) -> int:
    """A positive whole number of bytes from settings; anything else is the default."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return default


def turns_to_evict(
    turns: Sequence[Turn], blob_sizes: Mapping[str, int], kept: set[str], max_bytes: int
) -> list[int]:
    """The oldest live turns to drop until the blobs still needed fit in ``max_bytes``.

    ``kept`` are blobs needed whatever happens (the current baseline); the newest turn is never
    dropped, so the last change can always be undone.
    """
    live = [t for t in turns if not t.evicted]

    def needed(remaining: Sequence[Turn]) -> int:
        blobs = set(kept)
        for turn in remaining:
            blobs.update(c.before.blob for c in turn.changes if c.before.blob is not None)
        return sum(blob_sizes.get(b, 0) for b in blobs)

    dropped: list[int] = []
    while len(live) > 1 and needed(live) > max_bytes:
        dropped.append(live.pop(0).number)
    return dropped
