"""``HookDispatcher``: the loop's ``LoopHooks`` port, built from the pure hook rules.

It builds each event's input (Claude Code's field names), has ``HookProcesses`` run the
matching commands, and turns their combined effect into what the loop acts on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from domain.hooks.config import HookSet
from domain.hooks.events import HookEvent
from domain.hooks.outcome import HookEffect, combine, read_run
from domain.hooks.ports import HookProcesses, HookReporter, PromptGate, ToolGate
from domain.messages.content import ContentBlock, JSONObject, TextBlock
from domain.tools.calls import Decision, PermissionAnswer, ToolCall, ToolOutcome

MAX_STOP_CONTINUATIONS = 3
HOOK_ASKS = "a PreToolUse hook asks for the user's approval"


class HookDispatcher:
    def __init__(
        self,
        hooks: HookSet,
        processes: HookProcesses,
        reporter: HookReporter,
        cwd: str,
        permission_mode: Callable[[], str],
        session_id: str = "",
        transcript_path: str = "",
        stop_event: HookEvent = "Stop",
    ) -> None:
        self.hooks = hooks
        self.processes = processes
        self.reporter = reporter
        self.cwd = cwd
        self.permission_mode = permission_mode
        self.session_id = session_id
        self.transcript_path = transcript_path
        self.stop_event: HookEvent = stop_event
        # SessionStart context waits for the first prompt, where the model will see it.
        self._pending_context: list[str] = []

    def for_subagent(self, cwd: str | None = None) -> HookDispatcher:
        """The same hooks for a subagent's loop, whose end fires SubagentStop instead of Stop;
        with ``cwd`` (a worktree subagent's worktree), run from there and saying so in the
        input's ``cwd``."""
        return HookDispatcher(
            self.hooks,
            self.processes if cwd is None else self.processes.in_folder(cwd),
            self.reporter,
            self.cwd if cwd is None else cwd,
            self.permission_mode,
            self.session_id,
            self.transcript_path,
            "SubagentStop",
        )

    def fire(
        self, event: HookEvent, fields: dict[str, Any], match: str | None = None
    ) -> HookEffect:
        commands = self.hooks.matching(event, match)
        if not commands:
            return HookEffect()
        payload: dict[str, Any] = {
            "session_id": self.session_id,
            "transcript_path": self.transcript_path,
            "cwd": self.cwd,
            "hook_event_name": event,
            **fields,
        }
        runs = self.processes.run_all(commands, payload)
        for run in runs:
            self.reporter.hook_ran(run)
        effect = combine([read_run(event, run) for run in runs])
        for text in effect.shown:
            self.reporter.hook_output(text)
        for message in effect.messages:
            self.reporter.hook_message(message)
        if effect.stop and effect.stop_reason:
            self.reporter.hook_message(effect.stop_reason)
        return effect

    # Session-level events, fired by the entry points.

    def session_start(self, source: str) -> None:
        effect = self.fire("SessionStart", {"source": source}, source)
        self._pending_context.extend(effect.context)

    def session_end(self, reason: str) -> None:
        self.fire("SessionEnd", {"reason": reason}, reason)

    def notification(self, message: str, notification_type: str) -> None:
        self.fire(
            "Notification",
            {"message": message, "notification_type": notification_type},
            notification_type,
        )

    def on_compact(self, trigger: str, instructions: str) -> None:
        self.fire("PreCompact", {"trigger": trigger, "custom_instructions": instructions}, trigger)

    def after_compact(self) -> None:
        self.session_start("compact")

    # The loop's points (``LoopHooks``).

    def on_prompt(self, content: Sequence[ContentBlock]) -> PromptGate:
        prompt = "\n".join(b.text for b in content if isinstance(b, TextBlock))
        effect = self.fire(
            "UserPromptSubmit", {"prompt": prompt, "permission_mode": self.permission_mode()}
        )
        if effect.blocked or effect.stop:
            reason = effect.reason or effect.stop_reason or "a UserPromptSubmit hook blocked it"
            return PromptGate(tuple(content), blocked=True, reason=reason)
        added = [
            _reminder(f"SessionStart hook additional context: {c}") for c in self._pending_context
        ]
        added += [_reminder(f"UserPromptSubmit hook success: {c}") for c in effect.context]
        self._pending_context.clear()
        return PromptGate((*content, *added))

    def before_tool(self, call: ToolCall, decide: Callable[[ToolCall], Decision]) -> ToolGate:
        """Deny rules first (``decide`` of the unchanged call), then the hooks, then the rules
        and mode for the call the hooks leave (its input may be rewritten)."""
        decision = decide(call)
        if decision.verdict == "deny":
            return ToolGate(decision, call)
        effect = self.fire("PreToolUse", self._tool_fields(call), call.name)
        if effect.stop:
            reason = effect.stop_reason or "a PreToolUse hook stopped the turn"
            return ToolGate(decision, call, f"Not run: {reason}", stop_reason=reason)
        if effect.blocked:
            return ToolGate(decision, call, f"PreToolUse:{call.name} hook error: {effect.reason}")
        if effect.permission == "deny":
            text = f"PreToolUse:{call.name} hook error: {effect.permission_reason}"
            return ToolGate(decision, call, text)
        if effect.updated_input is not None:
            call = ToolCall(call.id, call.name, effect.updated_input)
            decision = decide(call)  # the rewritten call answers to the rules again
            if decision.verdict == "deny":
                return ToolGate(decision, call)
        if effect.permission == "ask":
            why = (
                f"{HOOK_ASKS}: {effect.permission_reason}"
                if effect.permission_reason
                else HOOK_ASKS
            )
            return ToolGate(
                Decision(
                    "ask", why, session_allow=False, every_time="a hook asks", hook_may_allow=False
                ),
                call,
            )
        if effect.permission == "allow" and decision.verdict == "ask" and decision.hook_may_allow:
            return ToolGate(Decision("allow"), call)
        return ToolGate(decision, call)

    def on_permission_request(self, call: ToolCall, decision: Decision) -> PermissionAnswer | None:
        if not self.hooks.has("PermissionRequest"):
            return None
        effect = self.fire("PermissionRequest", self._tool_fields(call), call.name)
        if effect.permission == "deny":
            return PermissionAnswer("deny", effect.permission_reason or "a hook denied it")
        if effect.permission == "allow" and decision.hook_may_allow:
            return PermissionAnswer("allow_once", updated_input=effect.updated_input)
        return None

    def after_tool(self, call: ToolCall, outcome: ToolOutcome) -> tuple[ToolOutcome, str | None]:
        fields = self._tool_fields(call)
        fields["tool_response"] = _tool_response(outcome)
        effect = self.fire("PostToolUse", fields, call.name)
        notes: list[str] = []
        if effect.blocked:
            notes.append(f"PostToolUse:{call.name} hook error: {effect.reason}")
        notes += [f"PostToolUse:{call.name} hook additional context: {c}" for c in effect.context]
        if notes:
            outcome = attrs.evolve(outcome, content=_with_notes(outcome.content, notes))
        stop = (
            (effect.stop_reason or "a PostToolUse hook stopped the turn") if effect.stop else None
        )
        return outcome, stop

    def on_stop(self, last_text: str, continuations: int) -> str | None:
        if not self.hooks.has(self.stop_event):
            return None
        if continuations >= MAX_STOP_CONTINUATIONS:
            self.reporter.hook_message(
                f"{self.stop_event} hooks asked to continue {continuations} times; "
                "the turn ends here"
            )
            return None
        effect = self.fire(
            self.stop_event,
            {
                "stop_hook_active": continuations > 0,
                "last_assistant_message": last_text,
                "permission_mode": self.permission_mode(),
            },
        )
        if effect.stop or not effect.blocked:
            return None
        return effect.reason or f"a {self.stop_event} hook asked to continue"

    def _tool_fields(self, call: ToolCall) -> dict[str, Any]:
        return {
            "tool_name": call.name,
            "tool_input": call.input,
            "tool_use_id": call.id,
            "permission_mode": self.permission_mode(),
        }


def _reminder(text: str) -> TextBlock:
    return TextBlock(text=f"<system-reminder>\n{text}\n</system-reminder>")


def _tool_response(outcome: ToolOutcome) -> JSONObject:
    if outcome.structured is not None:
        return outcome.structured
    content = outcome.content
    text = content if isinstance(content, str) else json.dumps(content)
    return {"content": text, "is_error": outcome.is_error}


def _with_notes(content: str | list[JSONObject], notes: list[str]) -> str | list[JSONObject]:
    text = "\n".join(notes)
    if isinstance(content, str):
        return f"{content}\n\n{text}" if content else text
    return [*content, {"type": "text", "text": text}]
