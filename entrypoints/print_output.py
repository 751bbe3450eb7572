"""The -p output formats: ``text`` streams the answer, ``json`` prints one result object,
``stream-json`` prints one JSON object per line in Claude Code's shapes.

With ``--verbose``, text mode also writes each tool call and what came of it to stderr, so
stdout stays the answer alone. Text meant for a person loses its control characters
(``domain.display.terminal_safety``): always on stderr, and on stdout when it is a terminal; piped
stdout keeps the model's text exactly.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any, TextIO

from adapters.subagents.current import current_agent_call
from domain.cost import estimate_cost
from domain.display.terminal_safety import printable
from domain.display.tool_display import outcome_summary, tool_label
from domain.headless.output_lines import (
    STRUCTURED_FAILED,
    init_line,
    permission_line,
    replayed_user_line,
    result_subtype,
    stream_event_line,
)
from domain.loop.agent_loop import TurnResult
from domain.loop.turn_state import TurnState
from domain.messages.content import ConversationMessage, Message, Usage
from domain.messages.wire import conversation_message_to_wire, message_to_wire, usage_to_wire
from domain.stream.updates import StreamUpdate, TextDelta
from domain.tools.calls import ToolCall, ToolOutcome
from domain.version import VERSION


class PrintObserver:
    def __init__(
        self,
        output_format: str,
        out: TextIO,
        err: TextIO,
        session_id: str,
        verbose: bool = False,
        workspace: str = "",
    ) -> None:
        self.format = output_format
        self.out = out
        self.err = err
        self.session_id = session_id
        self.workspace = workspace
        self._verbose = verbose and output_format == "text"
        self._shown: Callable[[str], str] = printable if _is_terminal(out) else str
        self._at_line_start = True
        self._announced: set[str] = set()
        self._agent_types: dict[str, str] = {}
        # The main conversation's call named last on stderr (--verbose).
        self._last_call: str | None = None
        self._lock = threading.Lock()
        # The stream-json session writes its control lines here too: one line at a time.
        self.emit: Callable[[dict[str, Any]], None] = self._write_line
        # --json-schema: the validated answer, for the result line.
        self.structured_output: Any = None
        self.structured_failure: str | None = None

    def _write_line(self, obj: dict[str, Any]) -> None:
        text = json.dumps(obj, ensure_ascii=False) + "\n"
        with self._lock:
            self.out.write(text)
            self.out.flush()

    def _line(self, obj: dict[str, Any]) -> None:
        self.emit(obj)

    def start(
        self,
        model: str,
        cwd: str,
        tools: list[str],
        permission_mode: str,
        mcp_servers: list[dict[str, str]] | None = None,
    ) -> None:
        if self.format == "stream-json":
            self._line(
                init_line(
                    session_id=self.session_id,
                    cwd=cwd,
                    model=model,
                    tools=tools,
                    permission_mode=permission_mode,
                    line_uuid=str(uuid.uuid4()),
                    version=VERSION,
                    mcp_servers=mcp_servers or [],
                )
            )

    def replay_user(self, raw: dict[str, Any]) -> None:
        self._line(replayed_user_line(raw, self.session_id, str(uuid.uuid4())))

    def on_raw_event(self, event: dict[str, Any]) -> None:
        if self.format == "stream-json":
            parent = current_agent_call()
            self._line(stream_event_line(event, self.session_id, str(uuid.uuid4()), parent))

    def on_permission(self, call: ToolCall, verdict: str, reason: str, decided_by: str) -> None:
        if self.format == "stream-json":
            self._line(
                permission_line(
                    tool_use_id=call.id,
                    tool_name=call.name,
                    decision=verdict,
                    reason=reason,
                    decided_by=decided_by,
                    session_id=self.session_id,
                    line_uuid=str(uuid.uuid4()),
                )
            )

    def on_state(self, state: TurnState) -> None:
        return None

    def on_update(self, update: StreamUpdate) -> None:
        if self.format == "text" and isinstance(update, TextDelta):
            text = self._shown(update.text)
            if text:
                self.out.write(text)
                self.out.flush()
                self._at_line_start = text.endswith("\n")

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
        if self._verbose:
            self._announce(call)

    def on_tool_end(self, call: ToolCall, outcome: ToolOutcome) -> None:
        if outcome.warning:
            self._err_line(f"hexclaw: warning: {outcome.warning}")
        if self._verbose:
            # A denied call never started: it is named here, with why it did not run.
            self._announce(call)
            if self._last_call != call.id:
                # Calls of one batch were all named before they ran: name this one again.
                self._err_line(f"● {tool_label(call, self.workspace)}")
            self._err_line(f"  ⎿  {outcome_summary(outcome)}")
            self._last_call = call.id

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
        self._err_line(f"hexclaw: {text}")

    # SubagentView (domain/subagents/ports.py): a subagent's messages carry the id of the
    # Agent call they answer, as Claude Code's do. Called from worker threads: each line is
    # written whole under the lock.

    def subagent_started(self, parent_id: str, agent_type: str, description: str) -> None:
        self._agent_types[parent_id] = agent_type
        self._last_call = None
        if self._verbose:
            self._err_line(f"  ⎿  {agent_type} subagent started: {description}")

    def subagent_message(self, parent_id: str, message: Message) -> None:
        if self.format == "stream-json":
            self._line(
                {
                    "type": "assistant",
                    "message": message_to_wire(message),
                    "session_id": self.session_id,
                    "parent_tool_use_id": parent_id,
                    "uuid": str(uuid.uuid4()),
                }
            )

    def subagent_results(
        self, parent_id: str, message: ConversationMessage, outcomes: list[ToolOutcome]
    ) -> None:
        if self.format == "stream-json":
            self._line(
                {
                    "type": "user",
                    "message": conversation_message_to_wire(message),
                    "session_id": self.session_id,
                    "parent_tool_use_id": parent_id,
                    "uuid": str(uuid.uuid4()),
                }
            )

    def subagent_tool(self, parent_id: str, call: ToolCall, outcome: ToolOutcome | None) -> None:
        if not self._verbose:
            return
        who = self._agent_types.get(parent_id, "subagent")
        self._last_call = None
        if call.id not in self._announced:
            # A denied call never started: it is named with why it did not run.
            self._announced.add(call.id)
            self._err_line(f"  ⎿  [{who}] ● {tool_label(call, self.workspace)}")
        if outcome is not None:
            # Named again: a subagent's calls may run side by side too.
            label = tool_label(call, self.workspace)
            self._err_line(f"  ⎿  [{who}]   {label}: {outcome_summary(outcome)}")

    def subagent_question(self, asking: bool) -> None:
        return None

    def subagent_finished(self, parent_id: str, outcome: ToolOutcome) -> None:
        if self._verbose:
            who = self._agent_types.get(parent_id, "subagent")
            self._err_line(f"  ⎿  {who} subagent finished: {outcome_summary(outcome)}")

    def _announce(self, call: ToolCall) -> None:
        if call.id not in self._announced:
            self._announced.add(call.id)
            self._err_line(f"● {tool_label(call, self.workspace)}")
            self._last_call = call.id

    def _err_line(self, text: str) -> None:
        # One line each, so a reader of stderr can tell a notice from a tool line.
        self.err.write(printable(text).replace("\n", " ") + "\n")
        self.err.flush()

    def finish(self, result: TurnResult, model: str, duration_ms: int, api_ms: int) -> None:
        if self.format == "text":
            if not self._at_line_start:
                self.out.write("\n")
            self.out.flush()
            return
        cost = turn_cost(model, result)
        subtype, is_error = result_subtype(result.subtype, result.error), result.is_error
        if self.structured_failure is not None and not is_error:
            subtype, is_error = STRUCTURED_FAILED, True
        obj: dict[str, Any] = {
            "type": "result",
            "subtype": subtype,
            "is_error": is_error,
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
            "uuid": str(uuid.uuid4()),
        }
        if self.structured_output is not None:
            obj["structured_output"] = self.structured_output
        if cost is None:
            obj["cost_note"] = f"no price is known for {model}; tokens are exact"
        if result.error is not None:
            obj["error"] = str(result.error)
        elif is_error and self.structured_failure is not None:
            obj["error"] = self.structured_failure
        self._line(obj)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream is not a terminal
        return False


def turn_cost(model: str, result: TurnResult) -> float | None:
    """The turn's cost: its own calls at its model's price, each subagent's at its own."""
    own = Usage()
    for usage in result.call_usages:
        own = own + usage
    parts = [estimate_cost(model, own)]
    parts += [estimate_cost(m, u) for m, u in result.subagent_usages]
    return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
