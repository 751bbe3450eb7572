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
