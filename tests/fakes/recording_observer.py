"""A ``TurnObserver`` that records what a turn showed, and can press Ctrl-C on cue.

``interrupt_on_update`` raises ``KeyboardInterrupt`` at the first stream update it matches;
``interrupt_at`` raises it at the N-th callback of any kind (1-based), so a test can walk an
interruption through every point of a turn; ``interrupt_on_tool_start`` raises it just before
the call with that id would run (between two tool calls).
"""

from __future__ import annotations

from collections.abc import Callable

from domain.loop.turn_state import TurnState
from domain.messages.content import ConversationMessage, Message
from domain.stream.updates import StreamUpdate
from domain.tools.calls import ToolCall, ToolOutcome


class RecordingObserver:
    def __init__(
        self,
        interrupt_on_update: Callable[[StreamUpdate], bool] | None = None,
        interrupt_at: int | None = None,
        interrupt_on_tool_start: str | None = None,
    ) -> None:
        self.states: list[TurnState] = []
        self.updates: list[StreamUpdate] = []
        self.messages: list[Message] = []
        self.tool_events: list[tuple[str, str]] = []
        self.result_messages: list[tuple[ConversationMessage, list[ToolOutcome]]] = []
        self.notices: list[str] = []
        self.permissions: list[tuple[str, str, str, str]] = []
        self.interrupt_on_update = interrupt_on_update
        self.interrupt_at = interrupt_at
        self.interrupt_on_tool_start = interrupt_on_tool_start
        self.callbacks = 0
        self.interrupted_in: str | None = None

    def _tick(self, where: str) -> None:
        self.callbacks += 1
        if self.callbacks == self.interrupt_at:
            self.interrupted_in = where
            raise KeyboardInterrupt

    def on_state(self, state: TurnState) -> None:
        self.states.append(state)
        self._tick(f"on_state({state.value})")

    def on_update(self, update: StreamUpdate) -> None:
        self.updates.append(update)
        if self.interrupt_on_update is not None and self.interrupt_on_update(update):
            self.interrupt_on_update = None
            self.interrupted_in = f"on_update({type(update).__name__})"
            raise KeyboardInterrupt
        self._tick(f"on_update({type(update).__name__})")

    def on_assistant_message(self, message: Message) -> None:
        self.messages.append(message)
        self._tick("on_assistant_message")

    def on_tool_start(self, call: ToolCall) -> None:
        self.tool_events.append(("start", call.id))
        if call.id == self.interrupt_on_tool_start:
            self.interrupted_in = f"on_tool_start({call.id})"
            raise KeyboardInterrupt
        self._tick(f"on_tool_start({call.id})")

    def on_tool_end(self, call: ToolCall, outcome: ToolOutcome) -> None:
        self.tool_events.append(("end", call.id))
        self._tick(f"on_tool_end({call.id})")

    def on_tool_results(self, message: ConversationMessage, outcomes: list[ToolOutcome]) -> None:
        self.result_messages.append((message, outcomes))
        self._tick("on_tool_results")

    def on_notice(self, text: str) -> None:
        self.notices.append(text)
        self._tick("on_notice")

    def on_permission(self, call: ToolCall, verdict: str, reason: str, decided_by: str) -> None:
        # Not a tick: the interruption walks keep their numbering.
        self.permissions.append((call.id, verdict, reason, decided_by))
