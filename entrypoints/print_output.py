"""The -p output formats: ``text`` streams the answer, ``json`` prints one result object,
``stream-json`` prints one JSON object per line in Claude Code's shapes."""

from __future__ import annotations

import json
import uuid
from typing import Any, TextIO

from domain.agent_loop import TurnResult
from domain.messages import ConversationMessage, Message
from domain.pricing import estimate_cost
from domain.stream_updates import StreamUpdate, TextDelta
from domain.tool_calls import ToolCall, ToolOutcome
from domain.turn_state import TurnState
from domain.wire import conversation_message_to_wire, message_to_wire, usage_to_wire


class PrintObserver:
    def __init__(self, output_format: str, out: TextIO, err: TextIO, session_id: str) -> None:
        self.format = output_format
        self.out = out
        self.err = err
        self.session_id = session_id
        self._at_line_start = True

    def _line(self, obj: dict[str, Any]) -> None:
        self.out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.out.flush()

    def start(self, model: str, cwd: str, tools: list[str], permission_mode: str) -> None:
        if self.format == "stream-json":
            self._line(
                {
                    "type": "system",
                    "subtype": "init",
                    "session_id": self.session_id,
                    "cwd": cwd,
                    "model": model,
                    "tools": tools,
                    "permissionMode": permission_mode,
                    "mcp_servers": [],
                    "slash_commands": [],
                }
            )

    def on_state(self, state: TurnState) -> None:
        return None

    def on_update(self, update: StreamUpdate) -> None:
        if self.format == "text" and isinstance(update, TextDelta) and update.text:
            self.out.write(update.text)
            self.out.flush()
            self._at_line_start = update.text.endswith("\n")

    def on_assistant_message(self, message: Message) -> None:
        if self.format == "text" and not self._at_line_start:
            self.out.write("\n")
            self._at_line_start = True
        if self.format == "stream-json":
            self._line(
                {
                    "type": "assistant",
                    "message": message_to_wire(message),
                    "session_id": self.session_id,
                    "parent_tool_use_id": None,
                    "uuid": str(uuid.uuid4()),
                }
            )

    def on_tool_start(self, call: ToolCall) -> None:
        return None

    def on_tool_end(self, call: ToolCall, outcome: ToolOutcome) -> None:
        return None

    def on_tool_results(self, message: ConversationMessage, outcomes: list[ToolOutcome]) -> None:
        if self.format == "stream-json":
            structured = [o.structured for o in outcomes if o.structured is not None]
            self._line(
                {
                    "type": "user",
                    "message": conversation_message_to_wire(message),
                    "session_id": self.session_id,
                    "parent_tool_use_id": None,
                    "uuid": str(uuid.uuid4()),
                    "tool_use_result": structured[0] if len(structured) == 1 else structured,
                }
            )

    def on_notice(self, text: str) -> None:
        self.err.write(f"hexclaw: {text}\n")
        self.err.flush()

    def finish(self, result: TurnResult, model: str, duration_ms: int, api_ms: int) -> None:
        if self.format == "text":
            if not self._at_line_start:
                self.out.write("\n")
            self.out.flush()
            return
        cost = estimate_cost(model, result.usage)
        obj: dict[str, Any] = {
            "type": "result",
            "subtype": result.subtype,
            "is_error": result.is_error,
            "result": result.final_text,
            "num_turns": result.model_calls,
            "duration_ms": duration_ms,
            "duration_api_ms": api_ms,
            "total_cost_usd": cost,
            "usage": usage_to_wire(result.usage),
            "session_id": self.session_id,
            "stop_reason": result.stop_reason,
            "permission_denials": [
                {"tool_name": d.tool_name, "tool_use_id": d.tool_use_id, "tool_input": d.tool_input}
                for d in result.permission_denials
            ],
        }
        if cost is None:
            obj["cost_note"] = f"no price is known for {model}; tokens are exact"
        if result.error is not None:
            obj["error"] = str(result.error)
        self._line(obj)
