"""cattrs conversion between the content model and the API's JSON wire format."""

from __future__ import annotations

from typing import Any

import attrs
import cattrs

from domain.messages.content import (
    ContentBlock,
    ConversationMessage,
    Message,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    UnknownBlock,
    Usage,
)

JSON = dict[str, Any]

_BLOCK_CLASSES: dict[str, type[Any]] = {
    "text": TextBlock,
    "tool_use": ToolUseBlock,
    "server_tool_use": ServerToolUseBlock,
    "thinking": ThinkingBlock,
    "redacted_thinking": RedactedThinkingBlock,
    "tool_result": ToolResultBlock,
}
_USAGE_FIELDS = frozenset(
    a.name for a in attrs.fields(Usage) if a.name not in ("extra", "web_search_requests")
)
_SERVER_TOOL_USE = "server_tool_use"
# What each block field must be for the block to be understood (see domain/messages/content.py).
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "text": str,
    "id": str,
    "name": str,
    "thinking": str,
    "signature": str,
    "data": str,
    "tool_use_id": str,
    "input": dict,
    "content": (str, list),
    "is_error": bool,
    "citations": (list, type(None)),
}

converter = cattrs.Converter(omit_if_default=False)


def _unstructure_block(block: ContentBlock) -> JSON:
    if isinstance(block, UnknownBlock):
        return dict(block.raw)
    out: JSON = {"type": block.type}
    for field in attrs.fields(type(block)):
        if field.name == "type" or field.metadata.get("wire") is False:
            continue
        value = getattr(block, field.name)
        if field.name == "citations" and value is None:
            continue
        out[field.name] = value
    return out


def _structure_block(raw: Any, _: Any = None) -> ContentBlock:
    if not isinstance(raw, dict):
        return UnknownBlock(raw={"type": "invalid", "value": raw})
    cls = _BLOCK_CLASSES.get(str(raw.get("type")))
    if cls is None:
        return UnknownBlock(raw=dict(raw))
    known = {f.name for f in attrs.fields(cls)} - {"type"}
    fields = {k: v for k, v in raw.items() if k in known}
    if any(not isinstance(v, _FIELD_TYPES.get(k, object)) for k, v in fields.items()):
        # An id that is a list, text that is a number: kept whole, never half-understood.
        return UnknownBlock(raw=dict(raw))
    try:
        block: ContentBlock = cls(**fields)
    except TypeError:
        return UnknownBlock(raw=dict(raw))
    return block


def usage_from_wire(raw: Any) -> Usage:
    if not isinstance(raw, dict):
        return Usage()
    known = {k: v for k, v in raw.items() if k in _USAGE_FIELDS and type(v) is int and v >= 0}
    extra = {k: v for k, v in raw.items() if k not in _USAGE_FIELDS}
    server_tools = raw.get(_SERVER_TOOL_USE)
    searches = server_tools.get("web_search_requests") if isinstance(server_tools, dict) else 0
    if type(searches) is not int or searches < 0:
        searches = 0
    return Usage(**known, web_search_requests=searches, extra=extra)


def usage_to_wire(usage: Usage) -> JSON:
    out: JSON = dict(usage.extra)
    out.update(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_creation_input_tokens=usage.cache_creation_input_tokens,
        cache_read_input_tokens=usage.cache_read_input_tokens,
    )
    if usage.web_search_requests:
        server_tools = out.get(_SERVER_TOOL_USE)
        kept = server_tools if isinstance(server_tools, dict) else {}
        out[_SERVER_TOOL_USE] = {**kept, "web_search_requests": usage.web_search_requests}
    return out


def block_to_wire(block: ContentBlock) -> JSON:
    return _unstructure_block(block)


def block_from_wire(raw: Any) -> ContentBlock:
    return _structure_block(raw)


def message_to_wire(message: Message) -> JSON:
    return {
        "id": message.id,
        "type": "message",
        "role": message.role,
        "model": message.model,
        "content": [block_to_wire(b) for b in message.content],
        "stop_reason": message.stop_reason,
        "stop_sequence": message.stop_sequence,
        "usage": usage_to_wire(message.usage),
    }


def message_from_wire(raw: JSON) -> Message:
    return Message(
        id=str(raw.get("id") or ""),
        model=str(raw.get("model") or ""),
        role="assistant",
        content=[block_from_wire(b) for b in _list_of(raw.get("content"))],
        stop_reason=raw.get("stop_reason"),
        stop_sequence=raw.get("stop_sequence"),
        usage=usage_from_wire(raw.get("usage")),
    )


def _list_of(value: Any) -> list[Any]:
    # Content that is not a list (a number, an object) holds no block that could be sent back.
    return value if isinstance(value, list) else []


def conversation_message_to_wire(message: ConversationMessage) -> JSON:
    return {"role": message.role, "content": [block_to_wire(b) for b in message.content]}


def conversation_message_from_wire(raw: JSON) -> ConversationMessage:
    content = raw.get("content")
    blocks: list[ContentBlock]
    if isinstance(content, str):
        blocks = [TextBlock(text=content)]
    else:
        blocks = [block_from_wire(b) for b in _list_of(content)]
    if raw.get("role") == "assistant":
        return ConversationMessage(role="assistant", content=blocks)
    return ConversationMessage(role="user", content=blocks)


converter.register_unstructure_hook(Usage, usage_to_wire)
converter.register_structure_hook(Usage, lambda raw, _: usage_from_wire(raw))
converter.register_unstructure_hook(Message, message_to_wire)
converter.register_structure_hook(Message, lambda raw, _: message_from_wire(raw))
converter.register_unstructure_hook(ConversationMessage, conversation_message_to_wire)
converter.register_structure_hook(
    ConversationMessage, lambda raw, _: conversation_message_from_wire(raw)
)
for _cls in (*_BLOCK_CLASSES.values(), UnknownBlock):
    converter.register_unstructure_hook(_cls, _unstructure_block)
    converter.register_structure_hook(_cls, _structure_block)
