"""What wraps a subagent's loop: a client and tools that stop on Ctrl-C, an observer that
reports to the parent's view, a prompt that names the agent, and its hooks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import attrs

from adapters.tools.support.question_broker import QuestionBroker
from adapters.tools.support.stop_signal import check_stop
from domain.hooks.ports import LoopHooks, PromptGate, ToolGate
from domain.loop.turn_state import TurnState
from domain.messages.content import ContentBlock, ConversationMessage, JSONObject, Message
from domain.messages.request import MessageRequest
from domain.permissions.ports import PermissionPrompt
from domain.stream.ports import ModelClient, UpdateSink
from domain.stream.updates import StreamUpdate
from domain.subagents.ports import SubagentView
from domain.tools.calls import (
    Decision,
    PermissionAnswer,
    ToolAccess,
    ToolCall,
    ToolOutcome,
)
from domain.tools.ports import ToolRunner


class StoppableClient:
    """A subagent's model client: Ctrl-C (its batch's stop signal) ends the stream at the
    next event, as a ``KeyboardInterrupt`` the subagent's loop settles."""

    def __init__(self, inner: ModelClient) -> None:
        self.inner = inner

    def stream_message(self, request: MessageRequest, on_update: UpdateSink) -> Message:
        check_stop()

        def forward(update: StreamUpdate) -> None:
            check_stop()
            on_update(update)

        return self.inner.stream_message(request, forward)


class StoppableTools:
    """A subagent's tools: no new call starts once its batch was told to stop."""

    def __init__(self, inner: ToolRunner) -> None:
        self.inner = inner

    def definitions(self) -> list[JSONObject]:
        return self.inner.definitions()

    def access_of(self, call: ToolCall) -> ToolAccess:
        return self.inner.access_of(call)

    def run(self, call: ToolCall) -> ToolOutcome:
        check_stop()
        return self.inner.run(call)


class NullView:
    """For a parent observer that shows nothing of subagents (tests, plain observers)."""

    def subagent_started(self, parent_id: str, agent_type: str, description: str) -> None:
        return None

    def subagent_message(self, parent_id: str, message: Message) -> None:
        return None

    def subagent_results(
        self, parent_id: str, message: ConversationMessage, outcomes: list[ToolOutcome]
    ) -> None:
        return None

    def subagent_tool(self, parent_id: str, call: ToolCall, outcome: ToolOutcome | None) -> None:
        return None

    def subagent_question(self, asking: bool) -> None:
        return None

    def subagent_finished(self, parent_id: str, outcome: ToolOutcome) -> None:
        return None


class SubagentObserver:
    """The subagent loop's ``TurnObserver``: its messages and calls go to the parent's view
    under the Agent call's id. It is a ``SubagentView`` too, so a nested subagent's reach the
    same view (under its own Agent call's id)."""

    def __init__(
        self, view: SubagentView, parent_id: str, notice: Callable[[str], None], label: str
    ) -> None:
        self.view = view
        self.parent_id = parent_id
        self.notice = notice
        self.label = label
        self.tool_uses = 0
        self._lock = threading.Lock()

    # TurnObserver.

    def on_state(self, state: TurnState) -> None:
        return None

    def on_update(self, update: StreamUpdate) -> None:
        return None

    def on_assistant_message(self, message: Message) -> None:
        self.view.subagent_message(self.parent_id, message)

    def on_tool_start(self, call: ToolCall) -> None:
        with self._lock:
            self.tool_uses += 1
        self.view.subagent_tool(self.parent_id, call, None)

    def on_tool_end(self, call: ToolCall, outcome: ToolOutcome) -> None:
        self.view.subagent_tool(self.parent_id, call, outcome)

    def on_tool_results(self, message: ConversationMessage, outcomes: list[ToolOutcome]) -> None:
        self.view.subagent_results(self.parent_id, message, outcomes)

    def on_notice(self, text: str) -> None:
        self.notice(f"{self.label}: {text}")

    def on_permission(self, call: ToolCall, verdict: str, reason: str, decided_by: str) -> None:
        return None

    # SubagentView, for nested subagents.

    def subagent_started(self, parent_id: str, agent_type: str, description: str) -> None:
        self.view.subagent_started(parent_id, agent_type, description)

    def subagent_message(self, parent_id: str, message: Message) -> None:
        self.view.subagent_message(parent_id, message)

    def subagent_results(
        self, parent_id: str, message: ConversationMessage, outcomes: list[ToolOutcome]
    ) -> None:
        self.view.subagent_results(parent_id, message, outcomes)

    def subagent_tool(self, parent_id: str, call: ToolCall, outcome: ToolOutcome | None) -> None:
        self.view.subagent_tool(parent_id, call, outcome)

    def subagent_question(self, asking: bool) -> None:
        self.view.subagent_question(asking)

    def subagent_finished(self, parent_id: str, outcome: ToolOutcome) -> None:
        self.view.subagent_finished(parent_id, outcome)


class SubagentPrompt:
    """The parent's question prompt for a subagent's call: the question names the agent and
    is asked on the main thread, one at a time (``QuestionBroker``)."""

    def __init__(
        self, inner: PermissionPrompt, broker: QuestionBroker, label: str, view: SubagentView
    ) -> None:
        self.inner = inner
        self.broker = broker
        self.label = label
        self.view = view

    def ask(self, call: ToolCall, access: ToolAccess, decision: Decision) -> PermissionAnswer:
        why = f": {decision.reason}" if decision.reason else ""
        named = attrs.evolve(decision, reason=f"asked by the {self.label}{why}")

        def question() -> PermissionAnswer:
            self.view.subagent_question(True)
            try:
                return self.inner.ask(call, access, named)
            finally:
                self.view.subagent_question(False)

        return self.broker.ask(question)


class SubagentHooks:
    """The parent's hooks for a subagent: the same PreToolUse, PermissionRequest and
    PostToolUse hooks, SubagentStop when it ends, and no UserPromptSubmit for its prompt
    (the user did not type it)."""

    def __init__(self, inner: LoopHooks) -> None:
        self.inner = inner

    def on_prompt(self, content: Sequence[ContentBlock]) -> PromptGate:
        return PromptGate(tuple(content))

    def before_tool(self, call: ToolCall, decide: Callable[[ToolCall], Decision]) -> ToolGate:
        return self.inner.before_tool(call, decide)

    def on_permission_request(self, call: ToolCall, decision: Decision) -> PermissionAnswer | None:
        return self.inner.on_permission_request(call, decision)

    def after_tool(self, call: ToolCall, outcome: ToolOutcome) -> tuple[ToolOutcome, str | None]:
        return self.inner.after_tool(call, outcome)

    def on_stop(self, last_text: str, continuations: int) -> str | None:
        return self.inner.on_stop(last_text, continuations)

    def on_compact(self, trigger: str, instructions: str) -> None:
        self.inner.on_compact(trigger, instructions)

    def after_compact(self) -> None:
        self.inner.after_compact()


class OneAtATime:
    """Calls of the named tools run one at a time across every subagent that shares this
    wrapper's lock: a checkpoint scans the workspace before and after such a call, and two
    overlapping calls would each record the other's change."""

    def __init__(self, inner: ToolRunner, names: frozenset[str], lock: threading.Lock) -> None:
        self.tools = inner  # named like every wrapper's, so the registry can be found inside
        self.names = names
        self.lock = lock

    def definitions(self) -> list[JSONObject]:
        return self.tools.definitions()

    def access_of(self, call: ToolCall) -> ToolAccess:
        return self.tools.access_of(call)

    def run(self, call: ToolCall) -> ToolOutcome:
        if call.name not in self.names:
            return self.tools.run(call)
        while not self.lock.acquire(timeout=0.1):
            check_stop()  # Ctrl-C while waiting for another subagent's call
        try:
            return self.tools.run(call)
        finally:
            self.lock.release()


def one_at_a_time(
    names: frozenset[str], wrap: Callable[[ToolRunner], ToolRunner]
) -> Callable[[ToolRunner], ToolRunner]:
    """A tools wrapper for subagents: ``wrap`` (checkpoints), with the named tools' calls
    serialized by one lock shared by all of them."""
    lock = threading.Lock()
    return lambda inner: OneAtATime(wrap(inner), names, lock)
