"""Where the conversation is durably kept as it happens: the session log."""

from __future__ import annotations

from typing import Protocol

from domain.messages.content import JSONObject


class SessionRecorder(Protocol):
    def append(self, entry: JSONObject) -> None:
        """Durably append one entry (a message or an event) to the session log."""
        ...


class CompactionHooks(Protocol):
    """Hooks around a compaction (PreCompact before it, SessionStart ``compact`` after)."""

    def on_compact(self, trigger: str, instructions: str) -> None: ...

    def after_compact(self) -> None: ...
