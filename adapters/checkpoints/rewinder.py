"""Previewing and applying a rewind of the workspace's files.

Every file is reached without following a symlink below the workspace (``workspace_files``):
a path with a symlinked folder on its way is left alone and reported, and the others are
still restored.
"""

from __future__ import annotations

import difflib

import attrs

from adapters.checkpoints.recorder import CheckpointRecorder
from adapters.checkpoints.workspace_files import delete_file, read_file, state_of, write_file
from adapters.files.confined_open import LinkOnTheWay
from domain.checkpoints.journal import Turn
from domain.checkpoints.restore import (
    NotAFileAnyMore,
    NotRestored,
    Restored,
    RestorePlan,
    checked,
    plan_restore,
)
from domain.checkpoints.snapshot import FileStat
from domain.repr_base import Record


@attrs.frozen(repr=False)
class FileSummary(Record):
    path: str
    added: int
    removed: int
    created: bool
    deleted: bool


class Rewinder:
    def __init__(self, recorder: CheckpointRecorder) -> None:
        self.recorder = recorder
        self.workspace = recorder.workspace

    def plan(self, target: int) -> RestorePlan:
        turns = self.recorder.turns()
        paths = {c.path for t in turns if t.number >= target for c in t.changes}
        current: dict[str, FileStat | None] = {p: state_of(self.workspace, p) for p in paths}
        return plan_restore(turns, target, current)

    def restore(self, target: int, force: bool = False) -> Restored:
        """Put every file back as it was when ``target`` started; the rewind is a turn of its
        own (so it can be undone). Raises ``ChangedOutside`` for files changed by someone
        else, unless ``force``. A file that cannot be put back (a symlinked folder on its way)
        is left as it is and named in the result."""
        plan = checked(self.plan(target), force)
        self.recorder.begin_turn(f"(rewind to turn {target})", plan.messages)
        left: list[NotRestored] = []
        for step in plan.steps:
            before = self.recorder.keep_current(step.path)
            try:
                if step.action == "delete":
                    delete_file(self.workspace, step.path)
                else:
                    assert step.before.blob is not None
                    data = self.recorder.blobs.get(step.before.blob)
                    write_file(self.workspace, step.path, data, step.before.mode)
            except (LinkOnTheWay, NotAFileAnyMore) as exc:
                left.append(NotRestored(step.path, step.action, exc.reason))
                continue
            except OSError as exc:
                left.append(NotRestored(step.path, step.action, exc.strerror or str(exc)))
                continue
            self.recorder.record_restore(step.path, before, state_of(self.workspace, step.path))
        return Restored(plan, tuple(left))

    def summaries(self, turn: Turn, turns: list[Turn]) -> list[FileSummary]:
        """Each file a turn changed, with lines added and removed by the end of that turn."""
        found: list[FileSummary] = []
        for path in turn.files():
            first = next(c for c in turn.changes if c.path == path)
            later = next(
                (c for t in turns if t.number > turn.number for c in t.changes if c.path == path),
                None,
            )
            old = self._content(first.before.blob)
            if later is not None:
                new = self._content(later.before.blob)
                exists_after = later.before.blob is not None
            else:
                current = read_file(self.workspace, path, self.recorder.max_file_bytes)
                exists_after = current is not None
                new = current or b""
            old_lines = old.decode("utf-8", "replace").splitlines()
            new_lines = new.decode("utf-8", "replace").splitlines()
            added = removed = 0
            for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=0):
                if line.startswith("+") and not line.startswith("+++"):
                    added += 1
                elif line.startswith("-") and not line.startswith("---"):
                    removed += 1
            found.append(
                FileSummary(path, added, removed, first.before.blob is None, not exists_after)
            )
        return found

    def _content(self, blob: str | None) -> bytes:
        if blob is None:
            return b""
        try:
            return self.recorder.blobs.get(blob)
        except OSError:
            return b""
