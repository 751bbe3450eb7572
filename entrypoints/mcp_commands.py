"""``hexclaw mcp add|add-json|list|get|remove|login|logout``: MCP servers as ``claude mcp``
manages them.

``add`` and ``remove`` write ``$CLAUDE_CONFIG_HOME/.claude.json`` (user: ``mcpServers``,
local: ``projects[<folder>].mcpServers``; local is the default, as in Claude Code) or the
project's ``.mcp.json``. ``list`` connects to each server and prints one line per server;
a project server not approved yet is listed as such and not started. ``login`` runs a remote
server's OAuth (printing the URL and opening ``BROWSER``), ``logout`` forgets its tokens.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from adapters.files.trust_store import load_ledger
from adapters.mcp.config_files import (
    configured_servers,
    scope_block,
    scope_file,
    scope_servers,
    update_json,
)
from domain.display.terminal_safety import printable
from domain.mcp.approval import USER_KEYS, check_project_servers, user_choices
from domain.mcp.config import Scope, ServerConfig, entry_of, expanded, parse_entry
from domain.mcp.errors import McpError, McpUsageError
from domain.secret_names import looks_secret
from entrypoints.config import Config, load_config, number_env

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def run_mcp(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    ctx = load_config(args.settings)
    if args.action in ("add", "add-json", "get", "remove", "login", "logout") and not args.name:
        raise McpUsageError(f"mcp {args.action} needs a server NAME")
    if args.action == "add":
        return _add(ctx, args, out)
    if args.action == "add-json":
        return _add_json(ctx, args, out)
    if args.action == "remove":
        return _remove(ctx, args, out)
    servers = configured_servers(
        ctx.workspace, ctx.home, ctx.settings, args.mcp_configs, args.strict_mcp_config, []
    )
    if args.action == "get":
        return _get(ctx, servers, args.name, out)
    if args.action in ("login", "logout"):
        return _login(ctx, servers, args.name, args.action == "logout", out)
    return _list(ctx, servers, out)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise McpUsageError(
            f"invalid server name {name!r}: use letters, digits, hyphens and underscores"
        )


def _pairs(values: Sequence[str], separator: str, what: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition(separator)
        if not sep or not key.strip():
            raise McpUsageError(f"{what} {value!r} must look like KEY{separator}VALUE")
        found[key.strip()] = rest.strip() if separator == ":" else rest
    return found


def _add(ctx: Config, args: argparse.Namespace, out: TextIO) -> int:
    _check_name(args.name)
    transport = args.transport or "stdio"
    if not args.target:
        what = "a URL" if transport != "stdio" else "a command (after --)"
        raise McpUsageError(f"mcp add {args.name} needs {what}")
    if transport == "stdio":
        entry: dict[str, Any] = {
            "type": "stdio",
            "command": args.target[0],
            "args": args.target[1:],
            "env": _pairs(args.env, "=", "-e"),
        }
    else:
        if len(args.target) != 1:
            raise McpUsageError(f"an {transport} server takes one URL, not a command")
        entry = {"type": transport, "url": args.target[0]}
        if args.header:
            entry["headers"] = _pairs(args.header, ":", "-H")
    return _write(ctx, args.name, entry, args.scope or "local", out)


def _add_json(ctx: Config, args: argparse.Namespace, out: TextIO) -> int:
    _check_name(args.name)
    if len(args.target) != 1:
        raise McpUsageError("mcp add-json takes NAME and one JSON object")
    try:
        entry = json.loads(args.target[0])
    except ValueError as exc:
        raise McpUsageError(f"mcp add-json: not valid JSON ({exc})") from None
    return _write(ctx, args.name, entry, args.scope or "local", out)


def _write(ctx: Config, name: str, entry: object, scope: Scope, out: TextIO) -> int:
    server = parse_entry(name, entry, scope, "the command line")  # checks the entry first
    path = scope_file(scope, ctx.workspace, ctx.home)

    def change(document: dict[str, Any]) -> None:
        scope_block(document, scope, ctx.workspace)[name] = entry_of(server) | _extra(entry)

    update_json(path, change, new_mode=0o644 if scope == "project" else 0o600)
    out.write(f"Added {server.transport} MCP server {name} to {scope} config ({path})\n")
    return 0


def _extra(entry: object) -> dict[str, Any]:
    """Keys of an add-json entry hexclaw does not model, kept as given."""
    if not isinstance(entry, dict):
        return {}
    return {k: v for k, v in entry.items() if k not in ("type", "command", "args", "env", "url")}


def _remove(ctx: Config, args: argparse.Namespace, out: TextIO) -> int:
    found = [
        s
        for s in scope_servers(ctx.workspace, ctx.home, ctx.settings, [])
        if s.name == args.name and s.source != ctx.settings.source_of("mcpServers")
    ]
    scopes = [args.scope] if args.scope else sorted({s.scope for s in found})
    if args.scope is None and len(scopes) > 1:
        raise McpUsageError(
            f"{args.name} is defined in several scopes ({', '.join(scopes)}): choose with --scope"
        )
    if not any(s.scope in scopes for s in found):
        where = f" in {args.scope} config" if args.scope else ""
        raise McpUsageError(f"no MCP server named {args.name}{where}")
    scope: Scope = scopes[0]
    path = scope_file(scope, ctx.workspace, ctx.home)
    update_json(path, lambda document: scope_block(document, scope, ctx.workspace).pop(args.name))
    out.write(f"Removed MCP server {args.name} from {scope} config ({path})\n")
    return 0


def _get(ctx: Config, servers: list[ServerConfig], name: str, out: TextIO) -> int:
    server = next((s for s in servers if s.name == name), None)
    if server is None:
        raise McpUsageError(f"no MCP server named {name}")
    lines = [
        f"{name}:",
        f"  Scope: {server.scope} ({server.source})",
        f"  Type: {server.transport}",
    ]
    if server.transport == "stdio":
        lines.append(f"  Command: {server.command}")
        lines.append(f"  Args: {' '.join(server.args)}")
        lines += [f"  Env: {k}={_shown(k, v)}" for k, v in server.env]
    else:
        lines.append(f"  URL: {server.url}")
        lines += [f"  Header: {k}: {_shown(k, v)}" for k, v in server.headers]
    if server.scope == "project":
        lines.append(f"  Approval: {_project_standing(ctx, server)}")
    out.write("".join(printable(line) + "\n" for line in lines))
    return 0


def _shown(key: str, value: str) -> str:
    return "(hidden)" if looks_secret(key) or key.lower() == "authorization" else value


def _project_standing(ctx: Config, server: ServerConfig) -> str:
    choices = user_choices(*(ctx.settings.get(key) for key in USER_KEYS))
    check = check_project_servers([server], str(ctx.workspace), choices, load_ledger(ctx.home, []))[
        0
    ]
    if check.standing == "start":
        return "approved"
    if check.standing == "disabled":
        return "disabled (disabledMcpjsonServers)"
    return "changed since approved" if check.check.verdict == "changed" else "not approved"


def _login(ctx: Config, servers: list[ServerConfig], name: str, logout: bool, out: TextIO) -> int:
    server = next((s for s in servers if s.name == name), None)
    if server is None:
        raise McpUsageError(f"no MCP server named {name}")
    if server.transport == "stdio":
        raise McpUsageError(f"{name} is a stdio server: only remote servers log in")
    done, missing = expanded(server, ctx.environ)
    if missing:
        raise McpUsageError(f"{name}: {', '.join(missing)} not set")
    from adapters.mcp.oauth import LoginWindow, provider_for, remove_login

    if logout:
        removed = remove_login(ctx.home, done)
        out.write(f"Logged out of {name}.\n" if removed else f"Not logged in to {name}.\n")
        return 0
    from adapters.auth.browser import SystemBrowser
    from adapters.mcp.hub import McpHub

    def say(text: str) -> None:
        out.write(printable(text) + "\n")
        out.flush()

    window = LoginWindow(say, SystemBrowser().open)
    hub = McpHub([done], str(ctx.workspace), ctx.environ, timeout=window.timeout)
    hub.auth = lambda config, answers: provider_for(config, ctx.home, window, answers)
    try:
        hub.start()
    finally:
        hub.close()
    state = hub.states[name]
    if state.status != "connected":
        raise McpError(f"login to {name} failed: {state.error}")
    out.write(f"Logged in to {name} ({len(state.tools)} tools).\n")
    return 0


def _list(ctx: Config, servers: list[ServerConfig], out: TextIO) -> int:
    if not servers:
        out.write("No MCP servers configured. Add one with `hexclaw mcp add`.\n")
        return 0
    startable: list[ServerConfig] = []
    lines: dict[str, str] = {}
    for server in servers:
        if server.scope == "project" and (standing := _project_standing(ctx, server)) != "approved":
            lines[server.name] = (
                f"{standing} (approve in the REPL or `hexclaw trust approve .mcp.json`)"
            )
            continue
        done, missing = expanded(server, ctx.environ)
        if missing:
            lines[server.name] = f"failed: {', '.join(missing)} not set"
            continue
        startable.append(done)
    counts: dict[str, int] = {}
    if startable:
        from adapters.mcp.hub import McpHub

        hub = McpHub(
            startable,
            str(ctx.workspace),
            ctx.environ,
            timeout=number_env(ctx, "MCP_TIMEOUT", 30_000) / 1000,
        )
        from entrypoints.mcp_setup import use_stored_logins

        use_stored_logins(hub, ctx)
        try:
            hub.start()
        finally:
            hub.close()
        for state in hub.states.values():
            counts[state.name] = len(state.tools)
            lines[state.name] = (
                "connected" if state.status == "connected" else f"{state.status}: {state.error}"
            )
    for server in servers:
        tools = f"{counts[server.name]} tools" if server.name in counts else "-"
        line = f"{server.name}  {server.transport}  {lines[server.name]}  {tools}  {server.target}"
        out.write(printable(" ".join(line.split())) + "\n")
    return 0
