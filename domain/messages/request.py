"""A Messages API request and its wire form."""

from __future__ import annotations

from typing import Any

import attrs

from domain.messages.content import ConversationMessage, JSONObject
from domain.messages.wire import conversation_message_to_wire
from domain.repr_base import Record


@attrs.define(repr=False)
class MessageRequest(Record):
    model: str
    max_tokens: int
    messages: list[ConversationMessage]
    system: list[JSONObject] = attrs.field(factory=list)
    tools: list[JSONObject] = attrs.field(factory=list)
    thinking: JSONObject | None = None
    metadata: JSONObject | None = None
    temperature: float | None = None
    # The effort level and other output settings (``{"effort": "medium"}``).
    output_config: JSONObject | None = None
    # Beta features this request needs: sent as the ``anthropic-beta`` header, not in the body.
    betas: tuple[str, ...] = ()
    # A call beside the conversation (a compaction summary): it is sent as given, unthinking.
    side_call: bool = False
    # Claude Code marks the newest block so the next call reads the whole prefix from cache.
    cache_last_message: bool = False

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": [conversation_message_to_wire(m) for m in self.messages],
            "stream": True,
        }
        if self.cache_last_message:
            _mark_cache_breakpoint(body["messages"], _breakpoints_in(self.system, self.tools))
        if self.system:
            body["system"] = self.system
        if self.tools:
            body["tools"] = self.tools
        if self.thinking is not None:
            body["thinking"] = self.thinking
        if self.metadata is not None:
            body["metadata"] = self.metadata
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.output_config is not None:
            body["output_config"] = self.output_config
        return body


MAX_CACHE_BREAKPOINTS = 4
# Blocks the API lets carry cache_control (an empty text block may not).
_CACHEABLE = frozenset({"text", "tool_use", "tool_result", "image", "document"})


def _breakpoints_in(*groups: list[JSONObject]) -> int:
    return sum(1 for group in groups for item in group if "cache_control" in item)


def _mark_cache_breakpoint(messages: list[dict[str, Any]], used: int) -> None:
    if not messages or used >= MAX_CACHE_BREAKPOINTS:
        return
    for block in reversed(messages[-1].get("content") or []):
        if block.get("type") in _CACHEABLE and not (
            block.get("type") == "text" and not block.get("text")
        ):
            block["cache_control"] = {"type": "ephemeral"}
            return
