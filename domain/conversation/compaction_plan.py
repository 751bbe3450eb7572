"""Compaction, the pure part: how full the context is, when to compact, what to summarize.

Rules a reader must not break:
- the context size comes from the API's reported prompt tokens of the last call
  (``Conversation.last_call_usage``) plus that call's output; the character heuristic
  only counts what the API has not seen yet (everything, before the first call; the
  tool results added since the last call, after it);
- the kept tail never holds a ``tool_result`` whose ``tool_use`` was summarized away,
  so the compacted conversation is one the API accepts;
- the messages handed over are never changed in place: the plan holds copies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from domain.conversation.transcript import Conversation
from domain.messages.content import (
    ContentBlock,
    ConversationMessage,
    JSONObject,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from domain.messages.wire import conversation_message_to_wire
from domain.model_catalog import context_window
from domain.repr_base import Record
from domain.settings.merge import Settings

DEFAULT_AUTO_COMPACT_THRESHOLD = 0.85
# The share of the context window the kept tail may take; the rest goes into the summary.
DEFAULT_TAIL_SHARE = 0.10
SUMMARY_MAX_TOKENS = 8_192
# A rough average for English text and code; used only for text the API has not measured.
CHARS_PER_TOKEN = 4
COMPACTION = "compaction"

SUMMARY_INSTRUCTIONS = """\
Summarize the conversation so far so that the work can continue from your summary alone: \
the messages above will be replaced by it. Do not call any tools; answer with the summary \
only, in exactly these sections:

## Goals
What the user asked for and is trying to achieve, in their terms, including constraints \
and preferences they stated.

## Decisions
What was decided or learned along the way, and why; approaches tried that failed.

## Files touched
Every file read, created or changed, with what matters about each (exact paths).

## Open work
What is left to do, the next step, and any error or question still open.

Keep exact names, paths, commands, identifiers and error messages where they matter. \
Be complete but brief."""

SUMMARY_PREAMBLE = (
    "This session continues an earlier conversation that was compacted to free context. "
    "Here is the summary of everything before this point:"
)
TAIL_NOTE = "(The messages that follow are the most recent part of the conversation, unchanged.)"


@attrs.frozen(repr=False)
class CompactionPlan(Record):
    summarized: tuple[ConversationMessage, ...]
    kept: tuple[ConversationMessage, ...]


def estimate_tokens_of(messages: Sequence[ConversationMessage]) -> int:
    """The character heuristic, message by message (so a sum over parts equals the whole)."""
    return sum(_estimate_one(m) for m in messages)


def _estimate_one(message: ConversationMessage) -> int:
    chars = len(json.dumps(conversation_message_to_wire(message)))
    return -(-chars // CHARS_PER_TOKEN)


def _estimate_json(values: Sequence[Mapping[str, Any]]) -> int:
    chars = sum(len(json.dumps(v)) for v in values)
    return -(-chars // CHARS_PER_TOKEN)


def estimate_context_tokens(
    conversation: Conversation,
    system: Sequence[Mapping[str, Any]] = (),
    tools: Sequence[Mapping[str, Any]] = (),
) -> int:
    """How many tokens the next request's prompt will take, as well as can be known."""
    last = conversation.last_call_usage
    if last is None:
        return (
            estimate_tokens_of(conversation.messages)
            + _estimate_json(system)
            + _estimate_json(tools)
        )
    # The last call's prompt plus its answer is everything up to the last assistant message;
    # what came after it (tool results, a new prompt) the API has not counted yet.
    unmeasured = conversation.messages[_after_last_assistant(conversation.messages) :]
    return last.prompt_tokens + last.output_tokens + estimate_tokens_of(unmeasured)


def _after_last_assistant(messages: Sequence[ConversationMessage]) -> int:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "assistant":
            return index + 1
    return 0


def auto_compact_threshold(settings: Settings) -> float:
    """The share of the context window at which compaction starts (``autoCompactThreshold``)."""
    value = settings.get("autoCompactThreshold")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1:
        return float(value)
    return DEFAULT_AUTO_COMPACT_THRESHOLD


def compaction_due(tokens: int, model: str, threshold: float) -> bool:
    return tokens >= threshold * context_window(model)


def safe_split_points(messages: Sequence[ConversationMessage]) -> list[int]:
    """Every ``i`` in 1..len where ``messages[i:]`` answers no call made in ``messages[:i]``."""
    where_called: dict[str, int] = {}
    unsafe: set[int] = set()
    for index, message in enumerate(messages):
        for block in message.content:
            if isinstance(block, ToolUseBlock):
                where_called[block.id] = index
            elif isinstance(block, ToolResultBlock) and block.tool_use_id in where_called:
                # Splitting anywhere after the call and up to the result orphans the result.
                unsafe.update(range(where_called[block.tool_use_id] + 1, index + 1))
    return [i for i in range(1, len(messages) + 1) if i not in unsafe]


def plan_compaction(
    messages: Sequence[ConversationMessage], keep_tokens: int
) -> CompactionPlan | None:
    """Summarize the oldest messages, keep the longest safe tail within ``keep_tokens``.

    None when there is nothing to summarize.
    """
    if not messages:
        return None
    # Token estimates of every suffix, so each split point costs nothing to weigh.
    suffix = [0] * (len(messages) + 1)
    for index in range(len(messages) - 1, -1, -1):
        suffix[index] = suffix[index + 1] + _estimate_one(messages[index])
    split = len(messages)
    for point in safe_split_points(messages):
        if suffix[point] <= keep_tokens:
            split = point
            break
    return CompactionPlan(
        summarized=tuple(_copy(m) for m in messages[:split]),
        kept=tuple(_copy(m) for m in messages[split:]),
    )


def summary_request_messages(
    summarized: Sequence[ConversationMessage], focus: str | None = None
) -> list[ConversationMessage]:
    """The conversation to summarize, with the request for a structured summary at its end."""
    instructions = SUMMARY_INSTRUCTIONS
    if focus and focus.strip():
        instructions += f"\n\nThe user asked the summary to focus on: {focus.strip()}"
    messages = [_copy(m) for m in summarized]
    if messages and messages[-1].role == "user":
        messages[-1].content.append(TextBlock(text=instructions))
    else:
        messages.append(ConversationMessage(role="user", content=[TextBlock(text=instructions)]))
    return messages


def summary_message_text(summary: str) -> str:
    return f"{SUMMARY_PREAMBLE}\n\n{summary.strip()}"


def compacted_messages(
    summary: str, kept: Sequence[ConversationMessage]
) -> list[ConversationMessage]:
    """The conversation after compaction: the summary as a user message, then the tail."""
    tail = [_copy(m) for m in kept]
    opening: list[ContentBlock] = [TextBlock(text=summary_message_text(summary))]
    if tail:
        opening.append(TextBlock(text=TAIL_NOTE))
    if tail and tail[0].role == "user":
        # Roles must alternate; a safe tail's first user message holds no tool results,
        # so the summary can go ahead of what the user wrote.
        first = tail.pop(0)
        opening += first.content
    return [ConversationMessage(role="user", content=opening), *tail]


def compaction_entry(
    summary: str,
    plan: CompactionPlan,
    trigger: str,
    focus: str | None,
    context_tokens: int,
    usage: JSONObject | None = None,
) -> JSONObject:
    """The session-log entry; the messages it replaces stay in the log above it."""
    entry: JSONObject = {
        "type": COMPACTION,
        "trigger": trigger,
        "summary": summary,
        "summarized_messages": len(plan.summarized),
        "kept_messages": len(plan.kept),
        "context_tokens": context_tokens,
    }
    if focus:
        entry["focus"] = focus
    if usage is not None:
        entry["usage"] = usage
    return entry


def replay_compaction(
    messages: Sequence[ConversationMessage], entry: Mapping[str, Any]
) -> list[ConversationMessage]:
    """The conversation after a logged compaction, for resuming a session from its log."""
    kept = entry.get("kept_messages")
    count = kept if isinstance(kept, int) and 0 <= kept <= len(messages) else 0
    tail = messages[len(messages) - count :] if count else []
    return compacted_messages(str(entry.get("summary") or ""), tail)


def _copy(message: ConversationMessage) -> ConversationMessage:
    return ConversationMessage(role=message.role, content=list(message.content))
