"""Running compaction with the loop's collaborators: the summary call, then the swap.

``run_compaction`` asks the model (through the loop's ``ModelClient``, with the same system
prompt and tools so the cached prefix is reused) for a structured summary, replaces the
conversation's messages with the summary and the kept tail, and appends a ``compaction``
entry to the session log. The messages it replaces were logged as they happened, so the
session file keeps the full history. Nothing changes unless the summary arrived.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import attrs

from domain.conversation.compaction_plan import (
    DEFAULT_AUTO_COMPACT_THRESHOLD,
    DEFAULT_TAIL_SHARE,
    SUMMARY_MAX_TOKENS,
    compacted_messages,
    compaction_due,
    compaction_entry,
    estimate_context_tokens,
    estimate_tokens_of,
    plan_compaction,
    summary_request_messages,
)
from domain.conversation.ports import CompactionHooks, SessionRecorder
from domain.conversation.transcript import Conversation
from domain.errors import HexclawError
from domain.messages.api_errors import ApiError
from domain.messages.content import JSONObject, Usage
from domain.messages.request import MessageRequest
from domain.messages.wire import usage_to_wire
from domain.model_catalog import context_window
from domain.repr_base import Record
from domain.stream.errors import StreamFailure
from domain.stream.ports import ModelClient
from domain.stream.updates import StreamUpdate

Trigger = Literal["auto", "manual"]


class CompactionFailed(HexclawError):
    """The conversation could not be compacted; it is left exactly as it was."""


@attrs.frozen(repr=False)
class CompactionOutcome(Record):
    summary: str
    summarized_messages: int
    kept_messages: int
    context_tokens: int
    usage: Usage
    cut_off: bool = False
    """The summary hit the output limit, so its end may be missing."""


@attrs.frozen(repr=False)
class CompactionScope(Record):
    """What a compaction works with: the conversation and the collaborators of the call that
    would come next (the same client, model, system prompt and tools, so the cached prefix is
    reused), and where notices go."""

    client: ModelClient
    conversation: Conversation
    model: str
    max_tokens: int
    system: Sequence[JSONObject]
    tools: Sequence[JSONObject]
    recorder: SessionRecorder | None
    notice: Callable[[str], None]
    hooks: CompactionHooks | None = None


def run_compaction(
    client: ModelClient,
    conversation: Conversation,
    model: str,
    max_tokens: int,
    system: Sequence[JSONObject] = (),
    tools: Sequence[JSONObject] = (),
    recorder: SessionRecorder | None = None,
    focus: str | None = None,
    trigger: Trigger = "manual",
    keep_tokens: int = 0,
) -> CompactionOutcome:
    context_tokens = estimate_context_tokens(conversation, system, tools)
    plan = plan_compaction(conversation.messages, keep_tokens)
    if plan is None or not plan.summarized:
        raise CompactionFailed("there is nothing to compact yet")
    request = MessageRequest(
        model=model,
        max_tokens=min(max_tokens, SUMMARY_MAX_TOKENS),
        messages=summary_request_messages(plan.summarized, focus),
        system=list(system),
        tools=list(tools),
        cache_last_message=True,
        side_call=True,
    )
    try:
        message = client.stream_message(request, _discard)
    except (ApiError, StreamFailure) as exc:
        raise CompactionFailed(f"the summary request failed: {exc}") from exc
    summary = message.text.strip()
    if not summary:
        raise CompactionFailed("the model answered without a summary")
    conversation.messages[:] = compacted_messages(summary, plan.kept)
    conversation.usage = conversation.usage + message.usage
    # The new conversation has not been measured; until the next call, estimate it.
    conversation.last_call_usage = None
    if recorder is not None:
        recorder.append(
            compaction_entry(
                summary, plan, trigger, focus, context_tokens, usage_to_wire(message.usage)
            )
        )
    return CompactionOutcome(
        summary=summary,
        summarized_messages=len(plan.summarized),
        kept_messages=len(plan.kept),
        context_tokens=context_tokens,
        usage=message.usage,
        cut_off=message.stop_reason == "max_tokens",
    )


def _discard(_: StreamUpdate) -> None:
    """The summary is not an answer to show as it streams."""


class Compactor:
    """The loop's compaction collaborator: automatic before a call, or on ``/compact``.

    ``usages`` lists what each compaction call cost, for ``/cost``.
    """

    def __init__(
        self,
        threshold: float = DEFAULT_AUTO_COMPACT_THRESHOLD,
        tail_share: float = DEFAULT_TAIL_SHARE,
        automatic: bool = True,
    ) -> None:
        self.threshold = threshold
        self.tail_share = tail_share
        self.automatic = automatic
        self.usages: list[Usage] = []
        # After an automatic compaction, wait for the API to measure the result before
        # judging again: a heuristic over the threshold must not compact in a loop.
        self._waiting_for_measure = False

    def before_call(self, scope: CompactionScope) -> None:
        """Called before every model call; may replace the conversation with a summary.

        Never raises for a failed compaction (it says so through ``scope.notice`` and lets the
        call go on); a ``KeyboardInterrupt`` passes through with the conversation unchanged.
        """
        conversation = scope.conversation
        if conversation.last_call_usage is not None:
            self._waiting_for_measure = False
        if not self.automatic or self._waiting_for_measure:
            return
        tokens = estimate_context_tokens(conversation, scope.system, scope.tools)
        if not compaction_due(tokens, scope.model, self.threshold):
            return
        window = context_window(scope.model)
        scope.notice(
            f"The context is {100 * tokens // window}% full ({tokens:,} of {window:,} tokens); "
            f"compacting the conversation (automatic at {round(100 * self.threshold)}%)."
        )
        try:
            outcome = self.compact(scope, trigger="auto")
        except CompactionFailed as exc:
            scope.notice(
                f"Automatic compaction failed: {exc}. Continuing with the full conversation."
            )
            self._waiting_for_measure = True
            return
        self._waiting_for_measure = True
        scope.notice(describe_outcome(outcome))

    def compact(
        self, scope: CompactionScope, focus: str | None = None, trigger: Trigger = "manual"
    ) -> CompactionOutcome:
        """Compact the conversation now (``/compact [focus]``); raises CompactionFailed."""
        messages = scope.conversation.messages
        tail_budget = int(self.tail_share * context_window(scope.model))
        # At least half of the conversation goes into the summary, or compacting is pointless.
        keep_tokens = min(tail_budget, estimate_tokens_of(messages) // 2)
        if scope.hooks is not None:
            scope.hooks.on_compact(trigger, focus or "")
        outcome = run_compaction(
            scope.client,
            scope.conversation,
            scope.model,
            scope.max_tokens,
            system=scope.system,
            tools=scope.tools,
            recorder=scope.recorder,
            focus=focus,
            trigger=trigger,
            keep_tokens=keep_tokens,
        )
        self.usages.append(outcome.usage)
        if scope.hooks is not None:
            scope.hooks.after_compact()
        return outcome


def describe_outcome(outcome: CompactionOutcome) -> str:
    kept = (
        f"the {outcome.kept_messages} most recent kept as they were"
        if outcome.kept_messages
        else "nothing else kept"
    )
    text = f"Compacted: {outcome.summarized_messages} earlier messages are now a summary; {kept}."
    if outcome.cut_off:
        text += " The summary hit the output limit and may be incomplete."
    return text
