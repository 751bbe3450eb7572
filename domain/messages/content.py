"""The Messages API's content model as attrs classes.

Every block type that hexclaw understands has a class; anything else is kept
whole as ``UnknownBlock`` so it can be sent back to the API unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from domain.repr_base import Record

JSONObject = dict[str, Any]
Role = Literal["user", "assistant"]


@attrs.define(repr=False)
class TextBlock(Record):
    text: str
    citations: list[JSONObject] | None = None
    type: Literal["text"] = "text"


@attrs.define(repr=False)
class ToolUseBlock(Record):
    id: str
    name: str
    input: JSONObject = attrs.field(factory=dict)
    type: Literal["tool_use"] = "tool_use"
    # Set when the streamed input did not parse as a JSON object; such a call is never run.
    input_error: str | None = attrs.field(default=None, metadata={"wire": False})


@attrs.define(repr=False)
class ServerToolUseBlock(Record):
    id: str
    name: str
    input: JSONObject = attrs.field(factory=dict)
    type: Literal["server_tool_use"] = "server_tool_use"


@attrs.define(repr=False)
class ThinkingBlock(Record):
    thinking: str
    signature: str = ""
    type: Literal["thinking"] = "thinking"


@attrs.define(repr=False)
class RedactedThinkingBlock(Record):
    data: str
    type: Literal["redacted_thinking"] = "redacted_thinking"


@attrs.define(repr=False)
class ToolResultBlock(Record):
    tool_use_id: str
    content: str | list[JSONObject]
    is_error: bool = False
    type: Literal["tool_result"] = "tool_result"


@attrs.define(repr=False)
class UnknownBlock(Record):
    """A block type hexclaw does not model (images, server tool results, future types)."""

    raw: JSONObject

    @property
    def type(self) -> str:
        return str(self.raw.get("type", ""))


ContentBlock = (
    TextBlock
    | ToolUseBlock
    | ServerToolUseBlock
    | ThinkingBlock
    | RedactedThinkingBlock
    | ToolResultBlock
    | UnknownBlock
)


@attrs.define(repr=False)
class Usage(Record):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    # ``server_tool_use.web_search_requests``: searches are priced per request, not per token.
    web_search_requests: int = 0
    extra: JSONObject = attrs.field(factory=dict)

    @property
    def prompt_tokens(self) -> int:
        """The whole prompt: uncached input plus cache writes and reads."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens
            + other.cache_creation_input_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens + other.cache_read_input_tokens,
            web_search_requests=self.web_search_requests + other.web_search_requests,
        )


@attrs.define(repr=False)
class Message(Record):
    """An assistant message as the API returns it."""

    id: str = ""
    model: str = ""
    role: Role = "assistant"
    content: list[ContentBlock] = attrs.field(factory=list)
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: Usage = attrs.field(factory=Usage)
    type: Literal["message"] = "message"

    @property
    def text(self) -> str:
        return "".join(b.text for b in self.content if isinstance(b, TextBlock))

    @property
    def tool_uses(self) -> list[ToolUseBlock]:
        return [b for b in self.content if isinstance(b, ToolUseBlock)]


@attrs.define(repr=False)
class ConversationMessage(Record):
    """One turn of the conversation as it is sent back to the API."""

    role: Role
    content: list[ContentBlock]

    @classmethod
    def user_text(cls, text: str) -> ConversationMessage:
        return cls(role="user", content=[TextBlock(text=text)])
