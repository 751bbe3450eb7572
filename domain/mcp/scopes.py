"""Which servers a run has: Claude Code's scopes merged by name.

A name defined in several places takes the entry of the highest: ``--mcp-config`` (flag) >
local (``projects[<path>].mcpServers`` of ``.claude.json``) > project (``.mcp.json``) > user
(``mcpServers`` of ``.claude.json``). ``--strict-mcp-config`` keeps only the flag's servers.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.mcp.config import Scope, ServerConfig

PRECEDENCE: tuple[Scope, ...] = ("user", "project", "local", "flag")
SCOPE_FILES = {
    "user": "~/.claude.json (mcpServers)",
    "local": "~/.claude.json (projects[<folder>].mcpServers)",
    "project": ".mcp.json",
    "flag": "--mcp-config",
}


def merge_scopes(servers: Iterable[ServerConfig], strict: bool = False) -> list[ServerConfig]:
    """One server per name, the highest scope's; in the order first named, lowest first."""
    chosen: dict[str, ServerConfig] = {}
    for server in sorted(servers, key=lambda s: PRECEDENCE.index(s.scope)):
        if strict and server.scope != "flag":
            continue
        chosen[server.name] = server
    return list(chosen.values())
