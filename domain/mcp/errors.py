"""The MCP area's errors; each becomes one line at the entry point."""

from __future__ import annotations

from domain.errors import HexclawError


class McpError(HexclawError):
    """Anything about MCP servers the user must fix."""

    exit_code = 1


class McpConfigError(McpError):
    """A server entry, an ``--mcp-config`` value or a config file that cannot be used."""

    exit_code = 2


class McpUsageError(McpError):
    """``hexclaw mcp ...`` called the wrong way (an unknown server, a missing command)."""

    exit_code = 2


class McpProtocolError(McpError):
    """A server's message that breaks MCP (an unsupported version, a result of the wrong
    shape): the request it answered fails."""


class McpRequestError(McpError):
    """A server answered a request with a JSON-RPC error, or could not answer it."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class McpConnectionClosed(McpRequestError):
    """The server's side of the session is gone (its process exited, its stream closed)."""


class PermissionToolMissing(McpError):
    """``--permission-prompt-tool mcp__server__tool`` names no tool of a connected server."""

    def __init__(self, name: str, servers: str) -> None:
        super().__init__(
            f"--permission-prompt-tool {name}: no such MCP tool"
            + (f" (connected servers: {servers})" if servers else " (no MCP server is connected)")
        )
