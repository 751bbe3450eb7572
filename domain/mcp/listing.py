"""A server's answers, as plain JSON from either session, checked into hexclaw's records.

Both sessions (the lean stdio one and the SDK's for remote servers) hand in the same JSON, so
these are the one place a result's shape is checked. A result of the wrong shape is a
``McpProtocolError`` naming what is wrong, as the SDK's validation made it: the request fails,
the session goes on. Fields MCP adds later are kept (the JSON passes through) or ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from domain.mcp.errors import McpProtocolError
from domain.repr_base import Record


@attrs.frozen(repr=False)
class ToolInfo(Record):
    server: str
    name: str
    description: str
    input_schema: Mapping[str, Any]
    read_only: bool = False
    output_schema: Mapping[str, Any] | None = None
    """The schema its ``structuredContent`` must match, when the server declares one."""


@attrs.frozen(repr=False)
class PromptInfo(Record):
    server: str
    name: str
    description: str
    arguments: tuple[tuple[str, bool], ...] = ()
    """Each argument's name and whether it is required."""


@attrs.frozen(repr=False)
class CallResult(Record):
    """A tools/call answer as plain JSON: content blocks, structuredContent, isError."""

    content: list[dict[str, Any]]
    structured: object = None
    is_error: bool = False


def tools_of(server: str, result: Mapping[str, Any]) -> list[ToolInfo]:
    """One page of ``tools/list``."""
    tools: list[ToolInfo] = []
    for n, tool in enumerate(_objects(result, "tools", "tools/list")):
        name, schema = tool.get("name"), tool.get("inputSchema")
        if not isinstance(name, str) or not name:
            raise McpProtocolError(f"tools/list: tool {n + 1} has no name")
        if not isinstance(schema, dict):
            raise McpProtocolError(f"tools/list: tool {name!r} has no inputSchema object")
        hints = tool.get("annotations")
        output = tool.get("outputSchema")
        tools.append(
            ToolInfo(
                server=server,
                name=name,
                description=_text(tool.get("description")) or _text(tool.get("title")),
                input_schema=schema,
                read_only=isinstance(hints, dict) and hints.get("readOnlyHint") is True,
                output_schema=output if isinstance(output, dict) else None,
            )
        )
    return tools


def prompts_of(server: str, result: Mapping[str, Any]) -> list[PromptInfo]:
    """One page of ``prompts/list``."""
    prompts: list[PromptInfo] = []
    for n, prompt in enumerate(_objects(result, "prompts", "prompts/list")):
        name = prompt.get("name")
        if not isinstance(name, str) or not name:
            raise McpProtocolError(f"prompts/list: prompt {n + 1} has no name")
        arguments = tuple(
            (str(a["name"]), a.get("required") is True)
            for a in prompt.get("arguments") or []
            if isinstance(a, dict) and isinstance(a.get("name"), str)
        )
        prompts.append(PromptInfo(server, name, _text(prompt.get("description")), arguments))
    return prompts


def resources_of(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One page of ``resources/list``: each resource as the server sent it."""
    return _named_by_uri(result, "resources", "resources/list", "a resource")


def contents_of(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A ``resources/read`` answer's contents (text or blob, each named by its URI)."""
    return _named_by_uri(result, "contents", "resources/read", "a content")


def _named_by_uri(
    result: Mapping[str, Any], key: str, method: str, what: str
) -> list[dict[str, Any]]:
    items = _objects(result, key, method)
    if any(not isinstance(item.get("uri"), str) for item in items):
        raise McpProtocolError(f"{method}: {what} without a uri")
    return items


def messages_of(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A ``prompts/get`` answer's messages."""
    messages = _objects(result, "messages", "prompts/get")
    for message in messages:
        if message.get("role") not in ("user", "assistant"):
            raise McpProtocolError(
                "prompts/get: a message whose role is neither user nor assistant"
            )
    return messages


def call_result_of(result: Mapping[str, Any]) -> CallResult:
    content = _objects(result, "content", "tools/call")
    for block in content:
        if not isinstance(block.get("type"), str):
            raise McpProtocolError("tools/call: a content block without a type")
    structured = result.get("structuredContent")
    if structured is not None and not isinstance(structured, dict):
        raise McpProtocolError("tools/call: structuredContent is not an object")
    return CallResult(content, structured, result.get("isError") is True)


def missing_structure(tool: ToolInfo | None, result: CallResult) -> str | None:
    """Why a successful result cannot stand (a tool with an output schema that sent no
    ``structuredContent``), or None; checking the content against the schema is the
    adapter's (a JSON Schema library)."""
    if tool is None or tool.output_schema is None or result.is_error:
        return None
    if result.structured is None:
        return f"Tool {tool.name} has an output schema but did not return structured content"
    return None


def _objects(result: Mapping[str, Any], key: str, method: str) -> list[dict[str, Any]]:
    items = result.get(key)
    if not isinstance(items, list):
        raise McpProtocolError(f"{method}: the answer has no {key} list")
    if not all(isinstance(item, dict) for item in items):
        raise McpProtocolError(f"{method}: an item of {key} is not an object")
    return list(items)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
