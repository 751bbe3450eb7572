"""The tools the model sees for MCP servers: one per server tool, and two for resources.

Each implements the tool protocol of ``adapters/tools/registry.py``. A server tool's access
kind is ``mcp`` (asked about unless a rule allows it; in plan mode only a ``readOnlyHint``
tool runs); the resource tools read what a connected server offers, so they are ``mcp``
read-only calls named after the server they read.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.mcp.hub import McpCallError, McpHub, ToolInfo
from adapters.tools.support.tool_errors import ToolError
from domain.mcp.naming import tool_name
from domain.mcp.results import DEFAULT_MAX_OUTPUT_TOKENS, capped, result_blocks
from domain.messages.content import JSONObject
from domain.tools.calls import ToolAccess, ToolOutcome

Progress = Callable[[str], None]


class McpTool:
    def __init__(
        self,
        hub: McpHub,
        info: ToolInfo,
        max_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS,
        progress: Progress | None = None,
    ) -> None:
        self.hub = hub
        self.info = info
        self.name = tool_name(info.server, info.name)
        self.max_tokens = max_tokens
        self.progress = progress

    def definition(self) -> JSONObject:
        schema = dict(self.info.input_schema) or {"type": "object", "properties": {}}
        schema.setdefault("type", "object")
        description = self.info.description or f"{self.info.name} from the MCP server"
        return {
            "name": self.name,
            "description": f"{description} (MCP server {self.info.server})"[:10_000],
            "input_schema": schema,
        }

    @property
    def concurrency_safe(self) -> bool:
        # A tool the server marks read-only runs beside the other read-only calls of a message.
        return self.info.read_only

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        return ToolAccess(tool=self.name, kind="mcp", read_only=self.info.read_only)

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        try:
            result = self.hub.call_tool(self.info.server, self.info.name, tool_input, self.progress)
        except McpCallError as exc:
            raise ToolError(f"{self.name}: {exc}") from None
        blocks = result_blocks(result.content, result.structured, self.max_tokens)
        summary = "error" if result.is_error else _summary(blocks)
        return ToolOutcome(content=blocks, is_error=result.is_error, summary=summary)


def _summary(blocks: list[JSONObject]) -> str:
    text = next((str(b.get("text", "")) for b in blocks if b.get("type") == "text"), "")
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:80] or f"{len(blocks)} block(s)"


class ListMcpResourcesTool:
    name = "ListMcpResourcesTool"

    def __init__(self, hub: McpHub) -> None:
        self.hub = hub

    def definition(self) -> JSONObject:
        return {
            "name": self.name,
            "description": (
                "Lists the resources the connected MCP servers offer (uri, name, mimeType and "
                "the server). Give server to list only that server's."
            ),
            "input_schema": {
                "type": "object",
                "properties": {
                    "server": {"type": "string", "description": "Only this server's resources"}
                },
                "additionalProperties": False,
            },
        }

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        return ToolAccess(tool=self.name, kind="mcp", read_only=True)

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        server = tool_input.get("server")
        if server is not None and not isinstance(server, str):
            raise ToolError("server must be a string")
        try:
            found = self.hub.list_resources(server or None)
        except McpCallError as exc:
            raise ToolError(str(exc)) from None
        import json

        text = json.dumps(found, indent=2, ensure_ascii=False) if found else "No resources found."
        return ToolOutcome(
            content=capped([{"type": "text", "text": text}], DEFAULT_MAX_OUTPUT_TOKENS),
            summary=f"{len(found)} resource(s)",
        )


class ReadMcpResourceTool:
    name = "ReadMcpResourceTool"

    def __init__(self, hub: McpHub, max_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS) -> None:
        self.hub = hub
        self.max_tokens = max_tokens

    def definition(self) -> JSONObject:
        return {
            "name": self.name,
            "description": "Reads one resource of a connected MCP server, by server and URI.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "server": {"type": "string", "description": "The MCP server's name"},
                    "uri": {"type": "string", "description": "The resource's URI"},
                },
                "required": ["server", "uri"],
                "additionalProperties": False,
            },
        }

    def access_of(self, tool_input: JSONObject) -> ToolAccess:
        return ToolAccess(tool=self.name, kind="mcp", read_only=True)

    def run(self, tool_input: JSONObject) -> ToolOutcome:
        server, uri = tool_input.get("server"), tool_input.get("uri")
        if not isinstance(server, str) or not isinstance(uri, str):
            raise ToolError("server and uri must be strings")
        try:
            contents = self.hub.read_resource(server, uri)
        except McpCallError as exc:
            raise ToolError(str(exc)) from None
        items = [{"type": "resource", "resource": c} for c in contents]
        blocks = result_blocks(items, None, self.max_tokens)
        return ToolOutcome(content=blocks, summary=f"{uri} ({len(contents)} part(s))")
