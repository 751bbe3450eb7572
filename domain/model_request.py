"""A Messages API request and its wire form."""

from __future__ import annotations

from typing import Any

import attrs

from domain.messages import ConversationMessage, JSONObject
from domain.wire import conversation_message_to_wire


@attrs.define
class MessageRequest:
    model: str
    max_tokens: int
    messages: list[ConversationMessage]
    system: list[JSONObject] = attrs.field(factory=list)
    tools: list[JSONObject] = attrs.field(factory=list)
    thinking: JSONObject | None = None
    metadata: JSONObject | None = None
    temperature: float | None = None

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": [conversation_message_to_wire(m) for m in self.messages],
            "stream": True,
        }
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
        return body
