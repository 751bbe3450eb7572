"""Live updates the reducer emits while a message grows, for rendering as it streams."""

from __future__ import annotations

import attrs

from domain.messages import ContentBlock, Message, Usage


@attrs.frozen
class MessageStarted:
    message_id: str
    model: str


@attrs.frozen
class TextDelta:
    index: int
    text: str


@attrs.frozen
class ThinkingDelta:
    index: int
    thinking: str


@attrs.frozen
class ToolUseStarted:
    index: int
    tool_use_id: str
    name: str


@attrs.frozen
class BlockFinished:
    index: int
    block: ContentBlock


@attrs.frozen
class MessageDeltaReceived:
    stop_reason: str | None
    usage: Usage


@attrs.frozen
class MessageFinished:
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
