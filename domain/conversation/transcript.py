"""The conversation sent to the API, and the rules that keep it one the API accepts.

Rules a reader must not break (the API rejects a request otherwise):
- roles alternate, starting with ``user``; two messages of the same role in a row are merged;
- every ``tool_use`` in an assistant message is answered by exactly one ``tool_result`` at the
  start of the next user message, and no ``tool_result`` answers a call that is not there;
- no message is empty, and no block is one the API refuses back (an empty text block, a
  thinking block without its signature).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from domain.messages.content import (
    ContentBlock,
    ConversationMessage,
    Role,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from domain.repr_base import Record

SESSION_ENDED_RESULT = (
    "The session ended before this tool call finished (hexclaw was stopped); "
    "it may or may not have run."
)


@attrs.define(repr=False)
class Conversation(Record):
    """The messages sent to the API, and the usage they have cost so far in this session."""

    messages: list[ConversationMessage] = attrs.field(factory=list)
    usage: Usage = attrs.field(factory=Usage)
    last_call_usage: Usage | None = None

    def add_user_content(self, content: Iterable[ContentBlock]) -> ConversationMessage:
        """A user message; merged into a trailing user message so roles keep alternating."""
        return self._add("user", content)

    def add_assistant(self, content: Iterable[ContentBlock]) -> ConversationMessage:
        """An assistant message; a continuation (after ``pause_turn``) joins the one before."""
        return self._add("assistant", content)

    def _add(self, role: Role, content: Iterable[ContentBlock]) -> ConversationMessage:
        blocks = list(content)
        if self.messages and self.messages[-1].role == role:
            self.messages[-1].content.extend(blocks)
            return self.messages[-1]
        message = ConversationMessage(role=role, content=blocks)
        self.messages.append(message)
        return message

    def retract_user_content(self, content: Sequence[ContentBlock]) -> bool:
        """Take ``content``, the newest user content, back out of the conversation.

        For a turn the API refused outright: left in, it would be sent again with every later
        turn and refused again. True when it was there at the end and is gone; False (nothing
        changed) when the conversation no longer ends with it, e.g. a compaction summarized it.
        """
        blocks = list(content)
        if not blocks or not self.messages or self.messages[-1].role != "user":
            return False
        last = self.messages[-1]
        if len(last.content) < len(blocks) or last.content[-len(blocks) :] != blocks:
            return False
        del last.content[-len(blocks) :]
        if not last.content:
            self.messages.pop()
        return True

    def unanswered_tool_uses(self) -> list[ToolUseBlock]:
        """Calls in the newest assistant message that no ``tool_result`` answers yet."""
        index = _last_assistant_index(self.messages)
        if index is None:
            return []
        answered: set[str] = set()
        if index + 1 < len(self.messages):
            answered = {
                b.tool_use_id
                for b in self.messages[index + 1].content
                if isinstance(b, ToolResultBlock)
            }
        return [
            b
            for b in self.messages[index].content
            if isinstance(b, ToolUseBlock) and b.id not in answered
        ]

    def add_tool_results(self, results: Sequence[ToolResultBlock]) -> ConversationMessage:
        """Answers to the newest assistant message's calls, placed before any other user content.

        The API wants the results first in the user message, so they go after the results
        already there and before text the user typed since.
        """
        if not self.messages or self.messages[-1].role == "assistant":
            return self.add_user_content(results)
        message = self.messages[-1]
        at = 0
        while at < len(message.content) and isinstance(message.content[at], ToolResultBlock):
            at += 1
        message.content[at:at] = list(results)
        return message


def sendable_blocks(content: Iterable[ContentBlock]) -> list[ContentBlock]:
    """The blocks of a (possibly cut-off) message that the API will accept back."""
    kept: list[ContentBlock] = []
    for block in content:
        if isinstance(block, TextBlock) and not block.text:
            continue
        if isinstance(block, ThinkingBlock) and not block.signature:
            continue
        kept.append(block)
    return kept


def repaired(
    messages: Sequence[ConversationMessage], missing_result: str = SESSION_ENDED_RESULT
) -> list[ConversationMessage]:
    """A copy of ``messages`` that keeps every rule above, changing as little as possible.

    For a conversation read back from a session log after a crash: a call that was never
    answered gets an error result saying so; results that answer nothing are dropped.
    """
    joined = merged(messages)
    while joined and joined[0].role == "assistant":
        joined.pop(0)
    paired: list[ConversationMessage] = []
    for message in joined:
        if message.role == "assistant":
            paired.append(message)
            continue
        previous = paired[-1] if paired else None
        expected = _tool_use_ids(previous) if previous is not None else []
        if expected or any(isinstance(b, ToolResultBlock) for b in message.content):
            message.content = _paired_content(message.content, expected, missing_result)
        paired.append(message)
    if paired and paired[-1].role == "assistant":
        pending = _tool_use_ids(paired[-1])
        if pending:
            paired.append(
                ConversationMessage(
                    role="user", content=_paired_content([], pending, missing_result)
                )
            )
    if all(m.content for m in paired):
        return paired
    # Dropping orphan results emptied a user message; merge again so roles still alternate.
    result = merged(paired)
    while result and result[0].role == "assistant":
        result.pop(0)
    return result


def merged(messages: Iterable[ConversationMessage]) -> list[ConversationMessage]:
    """Copies with same-role neighbours joined and blocks the API refuses back dropped."""
    out: list[ConversationMessage] = []
    for message in messages:
        content = sendable_blocks(message.content)
        if not content:
            continue
        if out and out[-1].role == message.role:
            out[-1].content.extend(content)
        else:
            out.append(ConversationMessage(role=message.role, content=content))
    return out


def _paired_content(
    content: Sequence[ContentBlock], expected: list[str], missing_result: str
) -> list[ContentBlock]:
    found: dict[str, ToolResultBlock] = {}
    others: list[ContentBlock] = []
    for block in content:
        if isinstance(block, ToolResultBlock):
            if block.tool_use_id in expected and block.tool_use_id not in found:
                found[block.tool_use_id] = block
        else:
            others.append(block)
    results: list[ContentBlock] = [
        found.get(tool_use_id)
        or ToolResultBlock(tool_use_id=tool_use_id, content=missing_result, is_error=True)
        for tool_use_id in expected
    ]
    return results + others


def _tool_use_ids(message: ConversationMessage) -> list[str]:
    if message.role != "assistant":
        return []
    # A repeated id would need two results for one call, which the API refuses; keep one.
    return list(dict.fromkeys(b.id for b in message.content if isinstance(b, ToolUseBlock)))


def _last_assistant_index(messages: Sequence[ConversationMessage]) -> int | None:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "assistant":
            return index
    return None
