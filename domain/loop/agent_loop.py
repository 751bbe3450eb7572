"""The agent loop: one user turn from prompt to final answer, tools and permissions included.

Rules a reader must not break:
- every ``tool_use`` in an appended assistant message is answered by exactly one
  ``tool_result`` in the next user message, whatever happens (denial, error, interruption);
- an interruption (``KeyboardInterrupt``, at any point) leaves a conversation the API accepts:
  what had streamed is kept as it was and the next turn just continues;
- a failed or interrupted call is never re-sent automatically, and a cut-off message's calls
  are never run;
- a turn whose first request the API refuses outright (a non-retryable 4xx: too long, a bad
  attachment) leaves no trace in the conversation: its user content is taken back out (and
  the log says so), or every later turn would carry it and be refused the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import attrs

from domain.auth.errors import AuthError
from domain.conversation.compaction_run import CompactionScope, Compactor
from domain.conversation.ports import SessionRecorder
from domain.conversation.transcript import Conversation, sendable_blocks
from domain.hooks.ports import LoopHooks
from domain.loop.background import BackgroundReport, BackgroundWork, notification_text
from domain.loop.ports import TurnObserver
from domain.loop.tool_batches import plan_batches
from domain.loop.turn_state import TurnEvent, TurnState, next_state
from domain.messages.api_errors import ApiError, ApiStatusError
from domain.messages.content import (
    ContentBlock,
    ConversationMessage,
    Message,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from domain.messages.request import MessageRequest
from domain.permissions.ports import PermissionDecider, PermissionPrompt
from domain.repr_base import Record
from domain.sessions.log import (
    message_entry,
    permission_entry,
    retracted_entry,
    turn_end_entry,
)
from domain.stream.errors import StreamFailure
from domain.stream.partial_message import PartialMessage
from domain.stream.ports import ModelClient
from domain.stream.updates import StreamUpdate
from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall, ToolOutcome
from domain.tools.ports import (
    BatchInterrupted,
    InterruptedWithOutcome,
    ToolRunner,
    ToolScheduler,
)

__all__ = [
    "DEFAULT_MAX_TURNS",
    "AgentLoop",
    "Conversation",
    "LoopSettings",
    "PermissionDenial",
    "TurnResult",
]

DEFAULT_MAX_TURNS = 50
INTERRUPTED_RESULT = (
    "The user interrupted this tool call while it was running; it may have partly run. "
    "Check its effects before relying on them."
)
NOT_STARTED_RESULT = "Not run: the user interrupted the turn before this tool call started."
CUT_OFF_RESULT = "Not run: the message was cut off before this call could be run."
# Stop reasons after which calls in the message are not run: the message is cut or declined.
_NOT_RUNNABLE = frozenset({"max_tokens", "refusal", "model_context_window_exceeded"})
NOTICES = {
    "max_tokens": "The answer hit the output limit (max_tokens) and is cut off; "
    "say 'continue' to have it go on.",
    "refusal": "The model declined this request (stop_reason: refusal).",
    "model_context_window_exceeded": "The conversation no longer fits the model's context "
    "window; start a new session or shorten the conversation.",
}

Subtype = Literal["success", "error_max_turns", "error_during_execution", "interrupted"]


@attrs.define(repr=False)
class LoopSettings(Record):
    model: str
    max_tokens: int
    max_turns: int = DEFAULT_MAX_TURNS
    system: list[dict[str, object]] = attrs.field(factory=list)


@attrs.define(repr=False)
class PermissionDenial(Record):
    tool_name: str
    tool_use_id: str
    tool_input: dict[str, object]
    reason: str


@attrs.define(repr=False)
class TurnResult(Record):
    subtype: Subtype
    final_text: str
    stop_reason: str | None
    model_calls: int
    usage: Usage
    permission_denials: list[PermissionDenial]
    error: Exception | None = None
    call_usages: list[Usage] = attrs.field(factory=list)
    # What subagents spent in this turn, by model; already counted in ``usage``.
    subagent_usages: list[tuple[str, Usage]] = attrs.field(factory=list)
    # The API refused the turn's first request, and the turn's user content is no longer in
    # the conversation: the user has to send it again (changed) for it to count.
    retracted: bool = False

    @property
    def is_error(self) -> bool:
        return self.subtype != "success"


@attrs.define(repr=False)
class _Turn(Record):
    """What one user turn has gathered so far."""

    usage: Usage = attrs.field(factory=Usage)
    call_usages: list[Usage] = attrs.field(factory=list)
    subagent_usages: list[tuple[str, Usage]] = attrs.field(factory=list)
    denials: list[PermissionDenial] = attrs.field(factory=list)
    final_text: str = ""
    stop_reason: str | None = None
    # Set while a message streams and until it is in the conversation.
    streaming: PartialMessage | None = None
    tool_running: bool = False
    retracted: bool = False
    # A hook's ``continue: false``: the turn ends after the current tool results.
    hook_stop: str | None = None
    stop_continuations: int = 0

    def result(self, subtype: Subtype, error: Exception | None = None) -> TurnResult:
        return TurnResult(
            subtype=subtype,
            final_text=self.final_text,
            stop_reason=self.stop_reason,
            model_calls=len(self.call_usages),
            usage=self.usage,
            permission_denials=self.denials,
            error=error,
            call_usages=self.call_usages,
            subagent_usages=self.subagent_usages,
            retracted=self.retracted,
        )


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
        session_id: str = "",
        compactor: Compactor | None = None,
        hooks: LoopHooks | None = None,
        scheduler: ToolScheduler | None = None,
        background: BackgroundWork | None = None,
    ) -> None:
        self.client = client
        self.tools = tools
        self.permissions = permissions
        self.prompt = prompt
        self.observer = observer
        self.settings = settings
        self.conversation = conversation or Conversation()
        self.recorder = recorder
        self.session_id = session_id
        self.compactor = compactor
        self.hooks = hooks
        # None: every call runs alone, in order.
        self.scheduler = scheduler
        # Work tool calls left running (background subagents); None: there is none.
        self.background = background
        self.state = TurnState.AWAITING_INPUT

    def compaction_scope(self) -> CompactionScope:
        """What a compaction of this loop's conversation works with, now."""
        return CompactionScope(
            client=self.client,
            conversation=self.conversation,
            model=self.settings.model,
            max_tokens=self.settings.max_tokens,
            system=self.settings.system,
            tools=self.tools.definitions(),
            recorder=self.recorder,
            notice=self.observer.on_notice,
            hooks=self.hooks,
        )

    def run_turn(self, content: Sequence[ContentBlock]) -> TurnResult:
        """One user turn; returns how it ended. Only a bug below the loop raises."""
        turn = _Turn()
        try:
            if self.state.terminal:
                self._go(TurnEvent.NEXT_INPUT)
            if self.hooks is not None:
                gate = self.hooks.on_prompt(content)
                if gate.blocked:
                    self.observer.on_notice(f"The prompt was not sent: {gate.reason}")
                    return turn.result("success")
                content = gate.content
            self.conversation.add_user_content(content)
            self._record(message_entry(ConversationMessage(role="user", content=list(content))))
            self._go(TurnEvent.SEND)
            result = self._converse(turn)
        except KeyboardInterrupt:
            if self.background is not None:
                self.background.stop_all()
            self._settle(turn, NOT_STARTED_RESULT, interrupted=True)
            if not self.state.terminal:
                self._go(TurnEvent.INTERRUPT)
            result = turn.result("interrupted")
        except (ApiError, StreamFailure, AuthError) as exc:
            if not self._retract(turn, exc, content):
                failed = exc.partial if isinstance(exc, StreamFailure) else None
                self._settle(turn, CUT_OFF_RESULT, failed=failed)
            if not self.state.terminal:
                self._go(TurnEvent.ERROR)
            result = turn.result("error_during_execution", exc)
        except BaseException as exc:
            # A bug below the loop: still leave a conversation the API accepts, then surface it.
            self._settle(turn, _internal_error_result(exc))
            if not self.state.terminal:
                self._go(TurnEvent.ERROR)
            raise
        self._record(turn_end_entry(result.subtype, result.model_calls, result.usage))
        return result

    def _retract(self, turn: _Turn, exc: Exception, content: Sequence[ContentBlock]) -> bool:
        """After a refusal of the turn's first request before any output, take the turn's
        user content back out; True when that was the case and it is done."""
        # No usable credentials is a refusal before anything was sent (the REPL before /login).
        refused = isinstance(exc, AuthError) or (
            isinstance(exc, ApiStatusError) and 400 <= exc.status < 500 and not exc.retryable
        )
        streamed = turn.streaming is not None and bool(turn.streaming.content())
        if not refused or turn.call_usages or streamed:
            return False
        if not self.conversation.retract_user_content(content):
            return False
        turn.streaming = None
        turn.retracted = True
        self._record(retracted_entry(len(sendable_blocks(content))))
        return True

    def _converse(self, turn: _Turn) -> TurnResult:
        while True:
            if len(turn.call_usages) >= self.settings.max_turns:
                self._go(TurnEvent.MAX_TURNS)
                self.observer.on_notice(
                    f"Stopped after {len(turn.call_usages)} model calls "
                    f"(--max-turns {self.settings.max_turns})."
                )
                return turn.result("error_max_turns")
            self._deliver_reports(turn, self.background.take() if self.background else [])
            if self.compactor is not None:
                self.compactor.before_call(self.compaction_scope())
            message = self._call_model(turn)
            content = self._append_answer(turn, message)
            tool_uses = [b for b in content if isinstance(b, ToolUseBlock)]
            if message.stop_reason == "pause_turn" and not tool_uses:
                # The API paused a long server-side turn; sending the conversation back resumes
                # it, and the continuation joins the paused message.
                self._go(TurnEvent.PAUSED)
                continue
            if not tool_uses:
                if self._background_reported(turn):
                    continue
                if self._stop_hook_continues(turn):
                    continue
                self._notify(message.stop_reason)
                self._go(TurnEvent.MESSAGE_DONE)
                return turn.result("success")
            self._go(TurnEvent.MESSAGE_WITH_TOOLS)
            if message.stop_reason in _NOT_RUNNABLE:
                self._notify(message.stop_reason)
                self._answer_all(tool_uses, CUT_OFF_RESULT)
                self._go(TurnEvent.TOOLS_NOT_RUN)
                return turn.result("success")
            self._run_tools(turn, tool_uses)
            if turn.hook_stop is not None:
                self.observer.on_notice(f"A hook stopped the turn: {turn.hook_stop}")
                self._go(TurnEvent.TOOLS_NOT_RUN)
                return turn.result("success")
            self._go(TurnEvent.TOOLS_DONE)

    def _background_reported(self, turn: _Turn) -> bool:
        """At the end of an answer, while background work runs or has reported: wait for its
        next report and go on with it, so no report is lost when the turn ends (work that
        ended while the model was answering is no longer running, but its report waits)."""
        if self.background is None:
            return False
        reports = self.background.wait()
        if not reports:
            return False
        self._deliver_reports(turn, reports)
        self._go(TurnEvent.REPORTS_ARRIVED)
        return True

    def _deliver_reports(self, turn: _Turn, reports: list[BackgroundReport]) -> None:
        if not reports:
            return
        for report in reports:
            for model, usage in report.usages:
                turn.usage = turn.usage + usage
                turn.subagent_usages.append((model, usage))
        blocks = [TextBlock(text=notification_text(report)) for report in reports]
        self.conversation.add_user_content(blocks)
        self._record(message_entry(ConversationMessage(role="user", content=list(blocks))))

    def _stop_hook_continues(self, turn: _Turn) -> bool:
        """Stop hooks may send the model back to work, with their reason as the next input."""
        if self.hooks is None:
            return False
        reason = self.hooks.on_stop(turn.final_text, turn.stop_continuations)
        if reason is None:
            return False
        turn.stop_continuations += 1
        feedback = [TextBlock(text=f"Stop hook feedback:\n{reason}")]
        self.conversation.add_user_content(feedback)
        self._record(message_entry(ConversationMessage(role="user", content=list(feedback))))
        self._go(TurnEvent.HOOK_CONTINUES)
        return True

    def _call_model(self, turn: _Turn) -> Message:
        request = MessageRequest(
            model=self.settings.model,
            max_tokens=self.settings.max_tokens,
            messages=self.conversation.messages,
            system=list(self.settings.system),
            tools=self.tools.definitions(),
        )
        partial = PartialMessage()
        turn.streaming = partial

        def forward(update: StreamUpdate) -> None:
            partial.track(update)
            self.observer.on_update(update)

        return self.client.stream_message(request, forward)

    def _append_answer(self, turn: _Turn, message: Message) -> list[ContentBlock]:
        """Put a finished message in the conversation and the log; returns what was kept."""
        content = sendable_blocks(message.content)
        if content:
            self.conversation.add_assistant(content)
        # An empty answer cannot be sent back; the next user content then merges with the last.
        turn.streaming = None
        self._count_usage(turn, message.usage)
        turn.stop_reason = message.stop_reason
        if message.text:
            turn.final_text = message.text
        if content:
            self._record(
                message_entry(
                    ConversationMessage(role="assistant", content=content),
                    model=message.model,
                    message_id=message.id,
                    stop_reason=message.stop_reason,
                    usage=message.usage,
                )
            )
        self.observer.on_assistant_message(message)
        return content

    def _count_usage(self, turn: _Turn, usage: Usage) -> None:
        turn.usage = turn.usage + usage
        turn.call_usages.append(usage)
        self.conversation.usage = self.conversation.usage + usage
        self.conversation.last_call_usage = usage

    def _notify(self, stop_reason: str | None) -> None:
        if stop_reason in NOTICES:
            self.observer.on_notice(NOTICES[stop_reason])

    def _run_tools(self, turn: _Turn, tool_uses: list[ToolUseBlock]) -> None:
        """Run the calls in order; if that is cut short, answer the rest and re-raise."""
        results: list[ToolResultBlock] = []
        outcomes: list[ToolOutcome] = []
        try:
            for batch in plan_batches(tool_uses, self._concurrency_safe):
                turn.tool_running = False
                if len(batch) == 1:
                    done = [self._run_one(turn, batch[0])]
                else:
                    done = self._run_batch(turn, batch, results, outcomes)
                results.extend(_result_block(b.id, o) for b, o in zip(batch, done, strict=True))
                outcomes.extend(done)
        except BaseException as exc:
            interrupted = isinstance(exc, KeyboardInterrupt)
            for position, block in enumerate(tool_uses[len(results) :]):
                running = position == 0 and turn.tool_running
                if not interrupted:
                    text = _internal_error_result(exc)
                elif running and isinstance(exc, InterruptedWithOutcome):
                    self._count_subagents(turn, exc.outcome)
                    results.append(_result_block(block.id, exc.outcome))
                    outcomes.append(exc.outcome)
                    continue
                elif running:
                    text = INTERRUPTED_RESULT
                else:
                    text = NOT_STARTED_RESULT
                outcome = ToolOutcome(content=text, is_error=True, summary="interrupted")
                results.append(_result_block(block.id, outcome))
                outcomes.append(outcome)
            self._add_results(results, outcomes)
            raise
        self._add_results(results, outcomes)

    def _concurrency_safe(self, block: ToolUseBlock) -> bool:
        if self.scheduler is None:
            return False
        return self.scheduler.concurrency_safe(ToolCall(block.id, block.name, block.input))

    def _run_batch(
        self,
        turn: _Turn,
        batch: list[ToolUseBlock],
        results: list[ToolResultBlock],
        outcomes: list[ToolOutcome],
    ) -> list[ToolOutcome]:
        """Permissions one call at a time, then the allowed calls concurrently, then their
        outcomes in the calls' order. On Ctrl-C each call of the batch is answered here (what
        finished keeps its outcome) before the interruption goes on."""
        assert self.scheduler is not None
        prepared = [self._prepare(turn, block) for block in batch]
        allowed = [p for p in prepared if isinstance(p, ToolCall)]
        for call in allowed:
            self.observer.on_tool_start(call)
        turn.tool_running = True
        try:
            ran = self.scheduler.run_all([_job(self.tools, call) for call in allowed])
        except BatchInterrupted as stopped:
            finished = iter(stopped.finished)
            for block, item in zip(batch, prepared, strict=True):
                answer = item if isinstance(item, ToolOutcome) else next(finished)
                if answer is None:
                    answer = ToolOutcome(
                        content=INTERRUPTED_RESULT, is_error=True, summary="interrupted"
                    )
                self._count_subagents(turn, answer)
                results.append(_result_block(block.id, answer))
                outcomes.append(answer)
            turn.tool_running = False
            raise
        turn.tool_running = False
        outcomes_by_call = iter(ran)
        return [
            item
            if isinstance(item, ToolOutcome)
            else self._finish(turn, item, next(outcomes_by_call))
            for item in prepared
        ]

    def _run_one(self, turn: _Turn, block: ToolUseBlock) -> ToolOutcome:
        prepared = self._prepare(turn, block)
        if isinstance(prepared, ToolOutcome):
            return prepared
        call = prepared
        self.observer.on_tool_start(call)
        turn.tool_running = True
        outcome = _job(self.tools, call)()
        turn.tool_running = False
        return self._finish(turn, call, outcome)

    def _count_subagents(self, turn: _Turn, outcome: ToolOutcome) -> None:
        for model, usage in outcome.subagent_usages:
            turn.usage = turn.usage + usage
            turn.subagent_usages.append((model, usage))

    def _finish(self, turn: _Turn, call: ToolCall, outcome: ToolOutcome) -> ToolOutcome:
        self._count_subagents(turn, outcome)
        if self.hooks is not None:
            outcome, stop = self.hooks.after_tool(call, outcome)
            turn.hook_stop = turn.hook_stop or stop
        self.observer.on_tool_end(call, outcome)
        return outcome

    def _prepare(self, turn: _Turn, block: ToolUseBlock) -> ToolCall | ToolOutcome:
        """The call to run (its permission granted, its input as hooks or the answer left
        it), or the outcome that answers it without running."""
        call = ToolCall(id=block.id, name=block.name, input=block.input)
        if block.input_error is not None:
            return ToolOutcome(
                content=f"Not run: {block.input_error}. Send the call again with valid JSON input.",
                is_error=True,
                summary="invalid input",
            )
        access = self._access(call)
        if access.invalid is not None:
            outcome = ToolOutcome(
                content=f"Error: {access.invalid}", is_error=True, summary="invalid input"
            )
            self.observer.on_tool_end(call, outcome)
            return outcome
        if self.hooks is not None:
            gate = self.hooks.before_tool(call, self._decide)
            if gate.call is not call:
                call, access = gate.call, self._access(gate.call)
            if gate.stop_reason is not None:
                turn.hook_stop = gate.stop_reason
            if gate.blocked_content is not None:
                reason = gate.blocked_content
                self._decided(call, "deny", reason, "hook")
                turn.denials.append(PermissionDenial(call.name, call.id, dict(call.input), reason))
                outcome = ToolOutcome(content=reason, is_error=True, summary="blocked by a hook")
                self.observer.on_tool_end(call, outcome)
                return outcome
            verdict, reason, call = self._permission(call, access, gate.decision)
        else:
            verdict, reason, call = self._permission(call, access, self.permissions.decide(access))
        if verdict == "deny":
            turn.denials.append(PermissionDenial(block.name, block.id, dict(block.input), reason))
            outcome = ToolOutcome(
                content=f"Permission denied: {reason}. Do not retry this call as is; "
                "ask the user or take another approach.",
                is_error=True,
                summary="denied",
            )
            self.observer.on_tool_end(call, outcome)
            return outcome
        return call

    def _access(self, call: ToolCall) -> ToolAccess:
        """What the call touches; a call whose reach cannot be worked out is marked invalid
        and never runs."""
        try:
            return self.tools.access_of(call)
        except Exception as exc:  # what a call touches must be known before it may run
            return ToolAccess(call.name, "none", invalid=f"{type(exc).__name__}: {exc}")

    def _decide(self, call: ToolCall) -> Decision:
        access = self._access(call)
        if access.invalid is not None:
            return Decision("deny", access.invalid, hook_may_allow=False)
        return self.permissions.decide(access)

    def _permission(
        self, call: ToolCall, access: ToolAccess, decision: Decision
    ) -> tuple[Literal["allow", "deny"], str, ToolCall]:
        """The verdict on a call, why, and the call to run (an answer may change its input);
        each decision goes to the log and the observer, so a reader can see why it ran."""
        if decision.verdict != "ask":
            reason = decision.reason or (
                "allowed by the permission rules"
                if decision.verdict == "allow"
                else "not allowed by the permission rules"
            )
            return self._decided(call, decision.verdict, reason, "rules")
        if self.hooks is not None:
            hook_answer = self.hooks.on_permission_request(call, decision)
            if hook_answer is not None:
                return self._answered(call, access, hook_answer, "hook")
        if self.prompt is None:
            why = f" ({decision.reason})" if decision.reason else ""
            return self._decided(
                call,
                "deny",
                f"{call.name} needs the user's permission{why}, and print mode cannot ask",
                "print mode",
            )
        self._go(TurnEvent.NEEDS_PERMISSION)
        try:
            answer = self.prompt.ask(call, access, decision)
        except Exception as exc:  # a prompt that cannot ask (stdin closed) denies, not crashes
            answer = PermissionAnswer("deny", f"hexclaw could not ask for permission ({exc})")
        self._go(TurnEvent.ANSWERED)
        return self._answered(call, access, answer, "user")

    def _answered(
        self, call: ToolCall, access: ToolAccess, answer: PermissionAnswer, decided_by: str
    ) -> tuple[Literal["allow", "deny"], str, ToolCall]:
        """Carry out an answer to a permission question, the user's or a PermissionRequest
        hook's: an allow that changes the call's input has the new input judged by the deny
        rules again, so no answer can turn a call into one the rules refuse."""
        who = "a PermissionRequest hook" if decided_by == "hook" else "the user"
        if answer.verdict == "deny":
            return self._decided(
                call, "deny", answer.reason or f"{who} denied this call", decided_by
            )
        if answer.updated_input is not None and answer.updated_input != call.input:
            call = ToolCall(id=call.id, name=call.name, input=answer.updated_input)
            access = self._access(call)
            again = self._decide(call)
            if again.verdict == "deny":
                return self._decided(call, "deny", again.reason, "rules")
        if answer.verdict == "allow_session":
            self.permissions.allow_for_session(access)
        return self._decided(call, "allow", answer.reason or f"{who} allowed this call", decided_by)

    def _decided(
        self, call: ToolCall, verdict: Literal["allow", "deny"], reason: str, decided_by: str
    ) -> tuple[Literal["allow", "deny"], str, ToolCall]:
        self._record(permission_entry(call.id, call.name, verdict, reason, decided_by))
        self.observer.on_permission(call, verdict, reason, decided_by)
        return verdict, reason, call

    def _answer_all(self, tool_uses: list[ToolUseBlock], text: str) -> None:
        outcomes = [ToolOutcome(content=text, is_error=True, summary="not run") for _ in tool_uses]
        self._add_results(
            [_result_block(b.id, o) for b, o in zip(tool_uses, outcomes, strict=True)], outcomes
        )

    def _add_results(self, results: list[ToolResultBlock], outcomes: list[ToolOutcome]) -> None:
        message = self.conversation.add_tool_results(results)
        self._record(message_entry(ConversationMessage(role="user", content=list(results))))
        self.observer.on_tool_results(message, outcomes)

    def _settle(
        self,
        turn: _Turn,
        unanswered_result: str,
        interrupted: bool = False,
        failed: Message | None = None,
    ) -> None:
        """After an interruption or a failure: keep what streamed, answer every open call."""
        partial, turn.streaming = turn.streaming, None
        kept: list[ContentBlock] = []
        if failed is not None:
            # A call whose input was cut mid-way cannot be sent back; finished ones can.
            kept = [
                b
                for b in sendable_blocks(failed.content)
                if not (isinstance(b, ToolUseBlock) and b.input_error is not None)
            ]
            self._count_usage(turn, failed.usage)
        elif partial is not None:
            kept = sendable_blocks(partial.content())
            self._count_usage(turn, partial.usage)
        if kept:
            self.conversation.add_assistant(kept)
            text = "".join(b.text for b in kept if isinstance(b, TextBlock))
            if text:
                turn.final_text = text
            self._record(
                message_entry(
                    ConversationMessage(role="assistant", content=kept),
                    usage=failed.usage if failed is not None else None,
                    incomplete=not interrupted,
                    interrupted=interrupted,
                )
            )
        unanswered = self.conversation.unanswered_tool_uses()
        if unanswered:
            self._answer_all(unanswered, unanswered_result)

    def _go(self, event: TurnEvent) -> None:
        self.state = next_state(self.state, event)
        self.observer.on_state(self.state)

    def _record(self, entry: dict[str, object]) -> None:
        if self.recorder is not None:
            self.recorder.append(entry)


def _internal_error_result(exc: BaseException) -> str:
    return f"Not run: hexclaw hit an internal error ({type(exc).__name__}) and stopped the turn."


def _job(tools: ToolRunner, call: ToolCall) -> Callable[[], ToolOutcome]:
    def run() -> ToolOutcome:
        try:
            return tools.run(call)
        except Exception as exc:  # the port promises outcomes, not exceptions; still answer
            return ToolOutcome(
                content=f"The tool failed inside hexclaw: {type(exc).__name__}: {exc}",
                is_error=True,
                summary="tool crashed",
            )

    return run


def _result_block(tool_use_id: str, outcome: ToolOutcome) -> ToolResultBlock:
    return ToolResultBlock(
        tool_use_id=tool_use_id, content=outcome.content, is_error=outcome.is_error
    )
