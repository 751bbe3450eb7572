"""A server entry as Claude Code writes it, and ``${VAR}`` / ``${VAR:-default}`` expansion.

``{"type": "stdio", "command", "args", "env"}`` (``type`` optional: a ``command`` means
stdio), ``{"type": "http", "url", "headers"}`` (streamable HTTP; a ``url`` without a type
means http) and ``{"type": "sse", "url", "headers"}`` (the legacy transport). Expansion
applies to the command, args, env values, url and header values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from domain.mcp.errors import McpConfigError
from domain.mcp.oauth_rules import metadata_url_problem

Transport = Literal["stdio", "http", "sse"]
TRANSPORTS: tuple[Transport, ...] = ("stdio", "http", "sse")
Scope = Literal["local", "project", "user", "flag"]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# Claude Code's aliases for the streamable HTTP transport.
_HTTP_ALIASES = ("http", "streamable-http", "streamableHttp")


_NO_ENTRY: Mapping[str, Any] = MappingProxyType({})


class ServerConfig(NamedTuple):
    name: str
    transport: Transport
    scope: Scope
    source: str
    """The file (or ``--mcp-config``) the entry came from, for messages."""
    command: str = ""
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    url: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    oauth_client_id: str = ""
    """A client id registered beforehand (``"oauth": {"clientId": ...}``); without one the
    authorization server's dynamic registration is used."""
    oauth_callback_port: int = 0
    """The loopback port of the login's redirect (``"oauth": {"callbackPort": ...}``)."""
    oauth_metadata_url: str = ""
    """The https URL of hexclaw's client ID metadata document (``"oauth":
    {"clientMetadataUrl": ...}``): the client id where the authorization server supports them."""
    entry: Mapping[str, Any] = _NO_ENTRY
    """The entry as written (before expansion): what a project approval is pinned to."""

    @property
    def target(self) -> str:
        """The command line or URL, for ``mcp list`` and ``mcp get``."""
        if self.transport == "stdio":
            return " ".join([self.command, *self.args])
        return self.url


def parse_entry(name: str, raw: object, scope: Scope, source: str) -> ServerConfig:
    where = f"{source}: MCP server {name!r}"
    if not isinstance(raw, dict):
        raise McpConfigError(f"{where} must be a JSON object")
    kind = raw.get("type")
    if kind is None:
        kind = "stdio" if "command" in raw else "http" if "url" in raw else None
    if kind in _HTTP_ALIASES:
        kind = "http"
    if kind not in TRANSPORTS:
        raise McpConfigError(
            f"{where} has no usable type: give a command (stdio), or a url with "
            '"type": "http" or "sse"'
        )
    if kind == "stdio":
        command = raw.get("command")
        if not isinstance(command, str) or not command.strip():
            raise McpConfigError(f"{where}: command must be a non-empty string")
        args = raw.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise McpConfigError(f"{where}: args must be a list of strings")
        env = _string_map(raw.get("env", {}), f"{where}: env")
        return ServerConfig(
            name, "stdio", scope, source, command=command, args=tuple(args), env=env, entry=raw
        )
    url = raw.get("url")
    if not isinstance(url, str) or not url.strip():
        raise McpConfigError(f"{where}: url must be a non-empty string")
    headers = _string_map(raw.get("headers", {}), f"{where}: headers")
    client_id, port, metadata_url = _oauth(raw.get("oauth"), where)
    return ServerConfig(
        name,
        kind,
        scope,
        source,
        url=url,
        headers=headers,
        oauth_client_id=client_id,
        oauth_callback_port=port,
        oauth_metadata_url=metadata_url,
        entry=raw,
    )


def _oauth(value: object, where: str) -> tuple[str, int, str]:
    if value is None:
        return "", 0, ""
    if not isinstance(value, dict):
        raise McpConfigError(
            f"{where}: oauth must be an object (clientId, callbackPort, clientMetadataUrl)"
        )
    client_id = value.get("clientId", "")
    port = value.get("callbackPort", 0)
    if not isinstance(client_id, str):
        raise McpConfigError(f"{where}: oauth.clientId must be a string")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise McpConfigError(f"{where}: oauth.callbackPort must be a port number")
    metadata_url = value.get("clientMetadataUrl", "")
    if not isinstance(metadata_url, str):
        raise McpConfigError(f"{where}: oauth.clientMetadataUrl must be a string")
    if metadata_url and (problem := metadata_url_problem(metadata_url)) is not None:
        raise McpConfigError(f"{where}: oauth.clientMetadataUrl {problem}")
    return client_id, port, metadata_url


def parse_servers(block: object, scope: Scope, source: str) -> list[ServerConfig]:
    """The servers of one ``mcpServers`` object; a bad entry is an error naming it."""
    if block is None:
        return []
    if not isinstance(block, dict):
        raise McpConfigError(f"{source}: mcpServers must be a JSON object of servers")
    return [parse_entry(str(name), raw, scope, source) for name, raw in block.items()]


def parse_config_text(text: str, source: str) -> object:
    """The ``mcpServers`` block of a ``.mcp.json``-shaped text (``--mcp-config``)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise McpConfigError(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise McpConfigError(f"{source}: expected a JSON object with mcpServers")
    return data.get("mcpServers", {})


def _string_map(value: object, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise McpConfigError(f"{where} must be an object of strings")
    return tuple(value.items())


def expand(text: str, environ: Mapping[str, str], missing: list[str]) -> str:
    """``${VAR}`` from ``environ`` (an unset one is added to ``missing``), ``${VAR:-default}``
    the default when VAR is unset or empty, as the shell does."""

    def replace(found: re.Match[str]) -> str:
        name, default = found.group(1), found.group(2)
        value = environ.get(name)
        if value:
            return value
        if default is not None:
            return default
        if value is None and name not in missing:
            missing.append(name)
        return value or ""

    return _VAR.sub(replace, text)


def expanded(server: ServerConfig, environ: Mapping[str, str]) -> tuple[ServerConfig, list[str]]:
    """The server with its variables expanded, and the variables that were not set."""
    missing: list[str] = []

    def pairs(values: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((key, expand(value, environ, missing)) for key, value in values)

    result = server._replace(
        command=expand(server.command, environ, missing),
        args=tuple(expand(a, environ, missing) for a in server.args),
        env=pairs(server.env),
        url=expand(server.url, environ, missing),
        headers=pairs(server.headers),
    )
    return result, missing


def entry_of(server: ServerConfig) -> dict[str, Any]:
    """The JSON entry ``mcp add`` writes for a server."""
    if server.transport == "stdio":
        entry: dict[str, Any] = {"type": "stdio", "command": server.command, "args": [*server.args]}
        entry["env"] = dict(server.env)
        return entry
    return {"type": server.transport, "url": server.url, "headers": dict(server.headers)}
