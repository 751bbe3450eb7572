"""The checkpoint journal: one JSON object per line, read back into turns.

Entries:
- ``{"type": "turn", "turn": N, "at": epoch, "prompt": text, "messages": K}``: turn N starts;
  the conversation held K messages before its prompt.
- ``{"type": "change", "turn": N, "path": p, "tool": name, "before": {"blob": h | null,
  "mode": m | null}, "after": {"size", "mtime_ns", "inode", "mode"} | null}``: a change made in
  turn N, with the content the file had before it (``blob`` null: it did not exist) and the
  state hexclaw left it in (null: hexclaw deleted it).
- ``{"type": "skipped", "turn": N, "path": p, "reason": text}``: a change not recorded.
- ``{"type": "evicted", "turns": [N...]}``: old turns dropped to keep the store bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from domain.checkpoints.snapshot import FileStat
from domain.messages.content import JSONObject
from domain.repr_base import Record


@attrs.frozen(repr=False)
class BeforeImage(Record):
    blob: str | None
    """The content's hash in the blob store; None when the file did not exist."""
    mode: int | None = None


@attrs.frozen(repr=False)
class RecordedChange(Record):
    turn: int
    path: str
    tool: str
    before: BeforeImage
    after: FileStat | None


@attrs.define(repr=False)
class Turn(Record):
    number: int
    at: float
    prompt: str
    messages: int
    changes: list[RecordedChange] = attrs.field(factory=list)
    skipped: list[tuple[str, str]] = attrs.field(factory=list)
    evicted: bool = False

    def files(self) -> list[str]:
        return sorted({c.path for c in self.changes})


def turn_entry(number: int, at: float, prompt: str, messages: int) -> JSONObject:
    return {"type": "turn", "turn": number, "at": at, "prompt": prompt, "messages": messages}


def change_entry(change: RecordedChange) -> JSONObject:
    after = None if change.after is None else change.after._asdict()
    return {
        "type": "change",
        "turn": change.turn,
        "path": change.path,
        "tool": change.tool,
        "before": {"blob": change.before.blob, "mode": change.before.mode},
        "after": after,
    }


def skipped_entry(turn: int, path: str, reason: str) -> JSONObject:
    return {"type": "skipped", "turn": turn, "path": path, "reason": reason}


def evicted_entry(turns: Sequence[int]) -> JSONObject:
    return {"type": "evicted", "turns": list(turns)}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _stat(value: object) -> FileStat | None:
    if not isinstance(value, dict):
        return None
    fields = [_int(value.get(k)) for k in ("size", "mtime_ns", "inode", "mode")]
    if any(f is None for f in fields):
        return None
    size, mtime, inode, mode = (f for f in fields if f is not None)
    return FileStat(size=size, mtime_ns=mtime, inode=inode, mode=mode)


def read_turns(entries: Iterable[JSONObject]) -> list[Turn]:
    """The turns of a journal in order; entries that do not parse are passed over (a torn
    last line, a newer format), never an error."""
    turns: dict[int, Turn] = {}
    for entry in entries:
        kind = entry.get("type")
        number = _int(entry.get("turn"))
        if kind == "turn" and number is not None:
            at = entry.get("at")
            prompt = entry.get("prompt")
            turns[number] = Turn(
                number=number,
                at=float(at) if isinstance(at, int | float) else 0.0,
                prompt=prompt if isinstance(prompt, str) else "",
                messages=_int(entry.get("messages")) or 0,
            )
        elif kind == "change" and number in turns and isinstance(entry.get("path"), str):
            before = entry.get("before")
            blob = before.get("blob") if isinstance(before, dict) else None
            mode = _int(before.get("mode")) if isinstance(before, dict) else None
            tool = entry.get("tool")
            turns[number].changes.append(
                RecordedChange(
                    turn=number,
                    path=str(entry["path"]),
                    tool=tool if isinstance(tool, str) else "",
                    before=BeforeImage(blob if isinstance(blob, str) else None, mode),
                    after=_stat(entry.get("after")),
                )
            )
        elif kind == "skipped" and number in turns:
            turns[number].skipped.append((str(entry.get("path")), str(entry.get("reason"))))
        elif kind == "evicted" and isinstance(entry.get("turns"), list):
            for gone in entry["turns"]:
                if isinstance(gone, int) and gone in turns:
                    turns[gone].evicted = True
    return [turns[n] for n in sorted(turns)]
