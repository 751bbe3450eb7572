"""What a user turn shows as it happens: the terminal and the output formats implement it."""

from __future__ import annotations

from typing import Protocol

from domain.loop.turn_state import TurnState
from domain.messages.content import ConversationMessage, Message
from domain.stream.updates import StreamUpdate
from domain.tools.calls import ToolCall, ToolOutcome


class TurnObserver(Protocol):
    """What a user turn shows as it happens; the terminal and the output formats implement it."""

    def on_state(self, state: TurnState) -> None: ...

    def on_update(self, update: StreamUpdate) -> None: ...

    def on_assistant_message(self, message: Message) -> None: ...

    def on_tool_start(self, call: ToolCall) -> None: ...

    def on_tool_end(self, call: ToolCall, outcome: ToolOutcome) -> None: ...

    def on_tool_results(
        self, message: ConversationMessage, outcomes: list[ToolOutcome]
    ) -> None: ...

    def on_notice(self, text: str) -> None: ...

    def on_permission(self, call: ToolCall, verdict: str, reason: str, decided_by: str) -> None:
        """The permission decision on a call, before it runs (or is refused)."""
        ...
