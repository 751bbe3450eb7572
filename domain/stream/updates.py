"""Live updates the reducer emits while a message grows, for rendering as it streams."""

from __future__ import annotations

import attrs

from domain.messages.content import ContentBlock, Message, Usage
from domain.repr_base import Record


@attrs.frozen(repr=False)
class MessageStarted(Record):
    message_id: str
    model: str


@attrs.frozen(repr=False)
class TextDelta(Record):
    index: int
    text: str


@attrs.frozen(repr=False)
class ThinkingDelta(Record):
    index: int
    thinking: str


@attrs.frozen(repr=False)
class ToolUseStarted(Record):
    index: int
    tool_use_id: str
    name: str


@attrs.frozen(repr=False)
class BlockFinished(Record):
    index: int
    block: ContentBlock


@attrs.frozen(repr=False)
class MessageDeltaReceived(Record):
    stop_reason: str | None
    usage: Usage


@attrs.frozen(repr=False)
class MessageFinished(Record):
    message: Message


StreamUpdate = (
    MessageStarted
    | TextDelta
    | ThinkingDelta
    | ToolUseStarted
    | BlockFinished
    | MessageDeltaReceived
    | MessageFinished
)
