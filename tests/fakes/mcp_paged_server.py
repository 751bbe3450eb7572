"""An MCP server (the SDK's low-level ``Server``) that lists its 25 tools in pages of 10 and
its resources in pages of 2, to show the client follows ``nextCursor``. Speaks on stdio."""

from __future__ import annotations

from typing import Any

import anyio
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

TOOLS = [f"tool_{n:02d}" for n in range(25)]
PAGE = 10
server: Server[Any, Any] = Server("paged")


@server.list_tools()  # type: ignore[untyped-decorator, no-untyped-call]
async def list_tools(request: types.ListToolsRequest) -> types.ListToolsResult:
    cursor = request.params.cursor if request.params else None
    start = int(cursor or 0)
    page = TOOLS[start : start + PAGE]
    following = start + PAGE
    return types.ListToolsResult(
        tools=[
            types.Tool(
                name=name, description=f"{name} of the paged server", inputSchema={"type": "object"}
            )
            for name in page
        ],
        nextCursor=str(following) if following < len(TOOLS) else None,
    )


@server.call_tool()  # type: ignore[untyped-decorator]
async def call_tool(name: str, arguments: dict[str, Any]) -> list[types.TextContent]:
    return [types.TextContent(type="text", text=f"{name} ran")]


async def main() -> None:
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(main)
