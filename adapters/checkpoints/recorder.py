"""Recording checkpoints: a turn starts one, and every file-changing tool call is wrapped.

Before a call the workspace is scanned and the baseline brought up to date (so the content of
every listed file is stored before the call can change it); after the call a second scan says
what changed, and each change is journalled with its prior content and the state it was left in.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from adapters.checkpoints.blob_store import BlobStore
from adapters.checkpoints.workspace_files import read_file, state_of
from adapters.checkpoints.workspace_scan import WorkspaceScanner
from domain.checkpoints.journal import (
    BeforeImage,
    RecordedChange,
    Turn,
    change_entry,
    evicted_entry,
    read_turns,
    skipped_entry,
    turn_entry,
)
from domain.checkpoints.limits import turns_to_evict
from domain.checkpoints.snapshot import FileStat, compare
from domain.messages.content import JSONObject
from domain.ports import Clock
from domain.tools.calls import ToolAccess, ToolCall, ToolOutcome
from domain.tools.ports import ToolRunner

JOURNAL = "journal.jsonl"
# The built-in tools that change files; anything a Bash call starts is covered by its scan.
FILE_CHANGING_TOOLS = frozenset({"Bash", "Write", "Edit", "MultiEdit", "NotebookEdit"})


def history_folder(home: Path, session_id: str) -> Path:
    return home / "file-history" / session_id


class CheckpointRecorder:
    def __init__(
        self,
        workspace: Path,
        folder: Path,
        clock: Clock,
        max_bytes: int,
        max_file_bytes: int,
        notice: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.workspace = workspace
        self.folder = folder
        self.clock = clock
        self.max_bytes = max_bytes
        self.max_file_bytes = max_file_bytes
        self.notice = notice
        self.blobs = BlobStore(folder / "blobs")
        self.scanner = WorkspaceScanner(workspace)
        # path -> (state when stored, its blob); None for a file too large to keep.
        self._baseline: dict[str, tuple[FileStat, str | None]] | None = None
        self._turn = max((t.number for t in self.turns()), default=0)

    def use_session(self, folder: Path) -> None:
        """Record into another session's history (``/clear``, ``/resume``); the baseline, a
        copy of the same workspace, carries over."""
        self.folder = folder
        self.blobs = BlobStore(folder / "blobs")
        self._turn = max((t.number for t in self.turns()), default=0)
        if self._baseline is not None:
            # Its blobs live in the old store: keep the states, read contents anew.
            self._baseline = None

    # The journal

    def _append(self, entry: JSONObject) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        fd = os.open(self.folder / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def turns(self) -> list[Turn]:
        return load_turns(self.folder)

    def begin_turn(self, prompt: str, messages: int) -> int:
        """A new checkpoint: the turn about to run, and how long the conversation was."""
        self._turn += 1
        self._append(turn_entry(self._turn, self.clock.now(), prompt, messages))
        return self._turn

    # The baseline

    def _refresh_baseline(self) -> dict[str, FileStat]:
        """Scan, and store the content of every file whose state is new since the last scan."""
        states = self.scanner.scan()
        baseline = self._baseline if self._baseline is not None else {}
        for path, state in states.items():
            known = baseline.get(path)
            if known is not None and known[0] == state:
                continue
            baseline[path] = (state, self._keep(path, state))
        for path in [p for p in baseline if p not in states]:
            del baseline[path]
        self._baseline = baseline
        return states

    def _keep(self, path: str, state: FileStat) -> str | None:
        if state.size > self.max_file_bytes:
            return None
        data = read_file(self.workspace, path, self.max_file_bytes)
        if data is None or len(data) > self.max_file_bytes:
            return None
        return self.blobs.put(data)

    # Around a tool call

    def around(self, tool: str, run: Callable[[], ToolOutcome]) -> ToolOutcome:
        if self._turn == 0:
            self.begin_turn("", 0)
        before = self._refresh_baseline()
        prior = dict(self._baseline or {})
        outcome = run()
        after = self.scanner.scan()
        for change in compare(before, after):
            kept = prior.get(change.path)
            if change.kind != "created" and (kept is None or kept[1] is None):
                reason = f"larger than checkpointMaxFileBytes ({self.max_file_bytes:,} bytes)"
                self._append(skipped_entry(self._turn, change.path, reason))
                self.notice(f"Checkpoint: {change.path} is not kept ({reason})")
                continue
            image = (
                BeforeImage(None)
                if kept is None or change.kind == "created"
                else BeforeImage(kept[1], kept[0].mode)
            )
            self._append(
                change_entry(
                    RecordedChange(
                        turn=self._turn,
                        path=change.path,
                        tool=tool,
                        before=image,
                        after=after.get(change.path),
                    )
                )
            )
        self._bound()
        return outcome

    def record_restore(self, path: str, before: BeforeImage, after: FileStat | None) -> None:
        self._append(change_entry(RecordedChange(self._turn, path, "rewind", before, after)))

    def keep_current(self, path: str) -> BeforeImage:
        """The present content of ``path`` (for a rewind's own checkpoint)."""
        state = state_of(self.workspace, path)
        if state is None:
            return BeforeImage(None)
        return BeforeImage(self._keep(path, state), state.mode)

    def _bound(self) -> None:
        if self.blobs.total <= self.max_bytes:
            return
        sizes = self.blobs.sizes()
        baseline_blobs = {b for _, b in (self._baseline or {}).values() if b is not None}
        turns = self.turns()
        gone = turns_to_evict(turns, sizes, baseline_blobs, self.max_bytes)
        if not gone:
            return
        self._append(evicted_entry(gone))
        live = [t for t in turns if t.number not in gone and not t.evicted]
        needed = baseline_blobs | {
            c.before.blob for t in live for c in t.changes if c.before.blob is not None
        }
        self.blobs.remove(set(sizes) - needed)
        self.notice(
            f"Checkpoints of turns {gone[0]}-{gone[-1]} removed: the store reached "
            f"checkpointMaxBytes ({self.max_bytes:,} bytes)"
        )


def load_turns(folder: Path) -> list[Turn]:
    try:
        raw = (folder / JOURNAL).read_bytes()
    except OSError:
        return []
    entries: list[JSONObject] = []
    for line in raw.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return read_turns(entries)


class CheckpointingTools:
    """A ``ToolRunner`` that records what each file-changing call does to the workspace."""

    def __init__(self, tools: ToolRunner, recorder: CheckpointRecorder) -> None:
        self.tools = tools
        self.recorder = recorder

    def definitions(self) -> list[JSONObject]:
        return self.tools.definitions()

    def access_of(self, call: ToolCall) -> ToolAccess:
        return self.tools.access_of(call)

    def run(self, call: ToolCall) -> ToolOutcome:
        if call.name not in FILE_CHANGING_TOOLS:
            return self.tools.run(call)
        return self.recorder.around(call.name, lambda: self.tools.run(call))
