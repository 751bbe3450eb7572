"""Previewing and applying a rewind of the workspace's files."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import attrs

from adapters.checkpoints.recorder import CheckpointRecorder
from adapters.checkpoints.workspace_scan import state_of
from domain.checkpoints.journal import Turn
from domain.checkpoints.restore import RestorePlan, checked, plan_restore
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

    def restore(self, target: int, force: bool = False) -> RestorePlan:
        """Put every file back as it was when ``target`` started; the rewind is a turn of its
        own (so it can be undone). Raises ``ChangedOutside`` for files changed by someone
        else, unless ``force``."""
        plan = checked(self.plan(target), force)
        self.recorder.begin_turn(f"(rewind to turn {target})", plan.messages)
        for step in plan.steps:
            before = self.recorder.keep_current(step.path)
            target_path = self.workspace / step.path
            if step.action == "delete":
                target_path.unlink(missing_ok=True)
            else:
                assert step.before.blob is not None
                _write_atomically(
                    target_path, self.recorder.blobs.get(step.before.blob), step.before.mode
                )
            self.recorder.record_restore(step.path, before, state_of(self.workspace, step.path))
        return plan

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
                current = self.workspace / path
                exists_after = current.is_file()
                new = current.read_bytes() if exists_after else b""
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


def _write_atomically(path: Path, data: bytes, mode: int | None) -> None:
    if path.is_symlink() or path.is_dir():
        raise IsADirectoryError(f"{path} is not a file any more; not replaced")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.hexclaw-rewind.{os.getpid()}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode if mode is not None else 0o644)
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
