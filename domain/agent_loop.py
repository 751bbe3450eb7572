"""The agent loop: one user turn from prompt to final answer, tools and permissions included.

Rules a reader must not break:
- every ``tool_use`` in an appended assistant message is answered by exactly one
  ``tool_result`` in the next user message, whatever happens (denial, error, interruption);
- an interruption leaves a conversation the API accepts, so the next turn just continues;
- a failed or interrupted call is never re-sent automatically.
"""

from __future__ import annotations

from typing import Literal

import attrs

from domain.api_errors import ApiError
from domain.messages import (
    ContentBlock,
    ConversationMessage,
    Message,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from domain.model_request import MessageRequest
from domain.ports import (
    ModelClient,
    PermissionDecider,
    PermissionPrompt,
    SessionRecorder,
    ToolRunner,
    TurnObserver,
)
from domain.stream_errors import StreamFailure
from domain.stream_updates import BlockFinished, MessageStarted, StreamUpdate, TextDelta
from domain.tool_calls import ToolCall, ToolOutcome
from domain.turn_state import TurnEvent, TurnState, next_state
from domain.wire import conversation_message_to_wire, message_to_wire

DEFAULT_MAX_TURNS = 50
INTERRUPTED_RESULT = "The user interrupted this tool call before it finished; it may not have run."

Subtype = Literal["success", "error_max_turns", "error_during_execution", "interrupted"]


@attrs.define
class LoopSettings:
    model: str
    max_tokens: int
    max_turns: int = DEFAULT_MAX_TURNS
    system: list[dict[str, object]] = attrs.field(factory=list)


@attrs.define
class PermissionDenial:
    tool_name: str
    tool_use_id: str
    tool_input: dict[str, object]
    reason: str


@attrs.define
class TurnResult:
    subtype: Subtype
    final_text: str
    stop_reason: str | None
    model_calls: int
    usage: Usage
    permission_denials: list[PermissionDenial]
    error: Exception | None = None

    @property
    def is_error(self) -> bool:
        return self.subtype != "success"


@attrs.define
class Conversation:
    """The messages sent to the API, and the usage they have cost so far."""

    messages: list[ConversationMessage] = attrs.field(factory=list)
    usage: Usage = attrs.field(factory=Usage)
    last_call_usage: Usage | None = None

    def add_user_content(self, content: list[ContentBlock]) -> ConversationMessage:
        """A user message; merged into a trailing user message so roles keep alternating."""
        if self.messages and self.messages[-1].role == "user":
            self.messages[-1].content.extend(content)
            return self.messages[-1]
        message = ConversationMessage(role="user", content=list(content))
        self.messages.append(message)
        return message

    def add_assistant(self, content: list[ContentBlock]) -> ConversationMessage:
        message = ConversationMessage(role="assistant", content=list(content))
        self.messages.append(message)
        return message


class _PartialTracker:
    """Keeps what has streamed so far, so an interruption can save it as it was."""

    def __init__(self) -> None:
        self.finished: dict[int, ContentBlock] = {}
        self.open_text: dict[int, list[str]] = {}

    def track(self, update: StreamUpdate) -> None:
        if isinstance(update, TextDelta):
            self.open_text.setdefault(update.index, []).append(update.text)
        elif isinstance(update, BlockFinished):
            self.finished[update.index] = update.block
            self.open_text.pop(update.index, None)
        elif isinstance(update, MessageStarted):
            self.finished.clear()
            self.open_text.clear()

    def content(self) -> list[ContentBlock]:
        blocks: dict[int, ContentBlock] = dict(self.finished)
        for index, parts in self.open_text.items():
            blocks[index] = TextBlock(text="".join(parts))
        return [blocks[i] for i in sorted(blocks)]


def _sendable(content: list[ContentBlock]) -> list[ContentBlock]:
    """Blocks of a cut-off message that the API will accept back."""
    kept: list[ContentBlock] = []
    for block in content:
        if isinstance(block, TextBlock) and not block.text:
            continue
        if isinstance(block, ThinkingBlock) and not block.signature:
            continue
        kept.append(block)
    return kept


class AgentLoop:
    def __init__(
        self,
        client: ModelClient,
        tools: ToolRunner,
        permissions: PermissionDecider,
        prompt: PermissionPrompt | None,
        observer: TurnObserver,
        settings: LoopSettings,
        conversation: Conversation | None = None,
        recorder: SessionRecorder | None = None,
    ) -> None:
        self.client = client
        self.tools = tools
        self.permissions = permissions
        self.prompt = prompt
        self.observer = observer
        self.settings = settings
        self.conversation = conversation or Conversation()
        self.recorder = recorder
        self.state = TurnState.AWAITING_INPUT

    def _go(self, event: TurnEvent) -> None:
        self.state = next_state(self.state, event)
        self.observer.on_state(self.state)

    def _record(self, message: ConversationMessage, **extra: object) -> None:
        if self.recorder is not None:
            entry: dict[str, object] = {
                "type": "message",
                "message": conversation_message_to_wire(message),
            }
            entry.update(extra)
            self.recorder.append(entry)

    def run_turn(self, content: list[ContentBlock]) -> TurnResult:
        if self.state is not TurnState.AWAITING_INPUT:
            self._go(TurnEvent.NEXT_INPUT)
        self.conversation.add_user_content(content)
        self._record(ConversationMessage(role="user", content=list(content)))
        turn_usage = Usage()
        denials: list[PermissionDenial] = []
        calls = 0
        final_text = ""
        stop_reason: str | None = None
        self._go(TurnEvent.SEND)
        tracker = _PartialTracker()
        try:
            while True:
                if calls >= self.settings.max_turns:
                    self._go(TurnEvent.MAX_TURNS)
                    self.observer.on_notice(
                        f"Stopped after {calls} model calls "
                        f"(--max-turns {self.settings.max_turns})."
                    )
                    return TurnResult(
                        "error_max_turns", final_text, stop_reason, calls, turn_usage, denials
                    )
                tracker = _PartialTracker()
                message = self._call_model(tracker)
                calls += 1
                turn_usage = turn_usage + message.usage
                self.conversation.usage = self.conversation.usage + message.usage
                self.conversation.last_call_usage = message.usage
                stop_reason = message.stop_reason
                if message.text:
                    final_text = message.text
                assistant = self.conversation.add_assistant(
                    _sendable(message.content) or [TextBlock(text="(empty)")]
                )
                self._record(assistant, raw=message_to_wire(message))
                self.observer.on_assistant_message(message)
                tool_uses = [b for b in assistant.content if isinstance(b, ToolUseBlock)]
                if stop_reason == "pause_turn" and not tool_uses:
                    self._go(TurnEvent.PAUSED)
                    continue
                if not tool_uses:
                    self._notice_for(stop_reason)
                    self._go(TurnEvent.MESSAGE_DONE)
                    return TurnResult(
                        "success", final_text, stop_reason, calls, turn_usage, denials
                    )
                self._go(TurnEvent.MESSAGE_WITH_TOOLS)
                runnable = stop_reason in ("tool_use", "pause_turn")
                if not runnable:
                    self._notice_for(stop_reason)
                self._answer_tools(tool_uses, runnable, denials)
                if not runnable:
                    self._go(TurnEvent.MAX_TURNS)
                    return TurnResult(
                        "success", final_text, stop_reason, calls, turn_usage, denials
                    )
                self._go(TurnEvent.TOOLS_DONE)
        except KeyboardInterrupt:
            self._repair_after_interrupt(tracker)
            self._go(TurnEvent.INTERRUPT)
            return TurnResult("interrupted", final_text, stop_reason, calls, turn_usage, denials)
        except (ApiError, StreamFailure) as exc:
            if isinstance(exc, StreamFailure) and exc.partial is not None:
                kept: list[ContentBlock] = [
                    b for b in _sendable(exc.partial.content) if not isinstance(b, ToolUseBlock)
                ]
                if kept:
                    assistant = self.conversation.add_assistant(kept)
                    self._record(assistant, incomplete=True)
            self._go(TurnEvent.ERROR)
            return TurnResult(
                "error_during_execution", final_text, stop_reason, calls, turn_usage, denials, exc
            )

    def _call_model(self, tracker: _PartialTracker) -> Message:
        request = MessageRequest(
            model=self.settings.model,
            max_tokens=self.settings.max_tokens,
            messages=self.conversation.messages,
            system=list(self.settings.system),
            tools=self.tools.definitions(),
        )

        def forward(update: StreamUpdate) -> None:
            tracker.track(update)
            self.observer.on_update(update)

        return self.client.stream_message(request, forward)

    def _notice_for(self, stop_reason: str | None) -> None:
        notices = {
            "max_tokens": "The answer hit the output limit (max_tokens). Say 'continue' to go on.",
            "refusal": "The model declined to answer this request.",
            "model_context_window_exceeded": "The conversation no longer fits the model's context; "
            "run /compact or /clear.",
        }
        if stop_reason in notices:
            self.observer.on_notice(notices[stop_reason])

    def _answer_tools(
        self, tool_uses: list[ToolUseBlock], runnable: bool, denials: list[PermissionDenial]
    ) -> None:
        results: list[ContentBlock] = []
        outcomes: list[ToolOutcome] = []
        pending = list(tool_uses)
        try:
            while pending:
                block = pending[0]
                outcome = self._run_one(block, runnable, denials)
                results.append(_result_block(block.id, outcome))
                outcomes.append(outcome)
                pending.pop(0)
        except KeyboardInterrupt:
            for block in pending:
                outcome = ToolOutcome(
                    content=INTERRUPTED_RESULT, is_error=True, summary="interrupted"
                )
                results.append(_result_block(block.id, outcome))
                outcomes.append(outcome)
            self._append_results(results, outcomes)
            raise
        self._append_results(results, outcomes)

    def _append_results(self, results: list[ContentBlock], outcomes: list[ToolOutcome]) -> None:
        message = self.conversation.add_user_content(results)
        self._record(ConversationMessage(role="user", content=results))
        self.observer.on_tool_results(message, outcomes)

    def _run_one(
        self, block: ToolUseBlock, runnable: bool, denials: list[PermissionDenial]
    ) -> ToolOutcome:
        call = ToolCall(id=block.id, name=block.name, input=block.input)
        if not runnable:
            return ToolOutcome(
                content="Not run: the message was cut off before this call was complete.",
                is_error=True,
                summary="not run",
            )
        if block.input_error is not None:
            return ToolOutcome(
                content=f"Not run: {block.input_error}. Send the call again with valid JSON input.",
                is_error=True,
                summary="invalid input",
            )
        access = self.tools.access_of(call)
        decision = self.permissions.decide(access)
        verdict, reason = decision.verdict, decision.reason
        if verdict == "ask":
            if self.prompt is None:
                verdict = "deny"
                reason = reason or "this tool needs permission and none can be asked in print mode"
            else:
                self._go(TurnEvent.NEEDS_PERMISSION)
                answer = self.prompt.ask(call, access, reason)
                self._go(TurnEvent.ANSWERED)
                if answer.verdict == "allow_session":
                    self.permissions.allow_for_session(access)
                verdict = "deny" if answer.verdict == "deny" else "allow"
                reason = answer.reason or "the user denied this call"
        if verdict == "deny":
            denials.append(PermissionDenial(block.name, block.id, dict(block.input), reason))
            outcome = ToolOutcome(
                content=f"Permission denied: {reason}. Do not retry this call as is; "
                "ask the user or take another approach.",
                is_error=True,
                summary="denied",
            )
            self.observer.on_tool_end(call, outcome)
            return outcome
        self.observer.on_tool_start(call)
        outcome = self.tools.run(call)
        self.observer.on_tool_end(call, outcome)
        return outcome

    def _repair_after_interrupt(self, tracker: _PartialTracker) -> None:
        """Make the conversation valid again after Ctrl-C, whatever state it was in."""
        if self.state is TurnState.STREAMING:
            kept = _sendable(tracker.content())
            if kept:
                assistant = self.conversation.add_assistant(kept)
                self._record(assistant, interrupted=True)
                unanswered = [b for b in kept if isinstance(b, ToolUseBlock)]
                if unanswered:
                    outcome = ToolOutcome(content=INTERRUPTED_RESULT, is_error=True)
                    self._append_results(
                        [_result_block(b.id, outcome) for b in unanswered],
                        [outcome] * len(unanswered),
                    )


def _result_block(tool_use_id: str, outcome: ToolOutcome) -> ToolResultBlock:
    return ToolResultBlock(
        tool_use_id=tool_use_id, content=outcome.content, is_error=outcome.is_error
    )
