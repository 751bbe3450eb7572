"""Wiring MCP servers into a run: which may start, starting them, their tools in the registry.

Called from ``bootstrap.build_run`` (the composition root) only when tools are offered; the
hub (``adapters/mcp/hub.py``) is imported only when at least one server will start, and the
SDK only when one of them is remote (http, sse): a run without MCP servers, or with stdio
servers only, loads nothing of it.
"""

from __future__ import annotations

import atexit
import subprocess
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from adapters.mcp.config_files import configured_servers, flag_servers
from domain.mcp.config import ServerConfig, expanded
from entrypoints import say
from entrypoints.config import Config, RunOptions, number_env

if TYPE_CHECKING:
    from adapters.cassettes.recorder import RecordingTransport
    from adapters.cassettes.replay import ReplayTransport
    from adapters.http import httpx
    from adapters.mcp.hub import McpHub
    from adapters.mcp.stdio_process import ProcessGroups
    from adapters.tools.registry import Tool, ToolRegistry
    from domain.permissions.policy import PermissionPolicy
    from domain.trust.ledger import TrustCheck

Approve = Callable[["list[TrustCheck]"], "list[TrustCheck]"]


class EarlyServers:
    """Print mode's stdio servers started before hexclaw's heavy imports (``prestart``),
    waiting for ``start_hub`` to adopt them."""

    groups: ProcessGroups | None = None
    started: list[tuple[ServerConfig, subprocess.Popen[bytes] | OSError]] = []  # noqa: RUF012

    @classmethod
    def adopt(cls, server: ServerConfig) -> subprocess.Popen[bytes] | OSError | None:
        for n, (config, process) in enumerate(cls.started):
            if config == server:
                del cls.started[n]
                return process
        return None


def prestart(ctx: Config, options: RunOptions) -> None:
    """``-p`` with tools offered: start the stdio servers this run will start now, before the
    modules the run needs are imported, so a server's own start (0.3 s for a node server, more
    for a Python one) overlaps hexclaw's. It is the decision ``build_mcp`` makes later
    (``servers_to_start``, where print mode approves nothing); that later call reports the
    warnings and raises the errors, so here they are dropped."""
    from adapters.mcp.stdio_process import ProcessGroups, start_stdio
    from domain.errors import HexclawError

    before = len(ctx.warnings)
    try:
        servers = servers_to_start(ctx, options, lambda checks: [])
    except HexclawError:
        return
    finally:
        del ctx.warnings[before:]
    stdio = [server for server in servers if server.transport == "stdio"]
    if not stdio:
        return
    groups = ProcessGroups()
    atexit.register(groups.stop_all)
    EarlyServers.groups = groups
    EarlyServers.started = [
        (server, start_stdio(server, str(ctx.workspace), ctx.environ, groups)) for server in stdio
    ]


def check_flags(options: RunOptions) -> None:
    if options.mcp_configs:
        flag_servers(options.mcp_configs)


def servers_to_start(ctx: Config, options: RunOptions, approve: Approve) -> list[ServerConfig]:
    """The configured servers that may start, variables expanded; each one left out is a
    warning line (a project server not approved, a variable not set)."""
    warnings: list[str] = []
    servers = configured_servers(
        ctx.workspace,
        ctx.home,
        ctx.settings,
        options.mcp_configs,
        options.strict_mcp_config,
        warnings,
    )
    if any(server.scope == "project" for server in servers):
        from adapters.files.trust_store import load_ledger
        from domain.mcp.approval import USER_KEYS, check_project_servers, user_choices

        choices = user_choices(*(ctx.settings.get(key) for key in USER_KEYS))
        checks = check_project_servers(
            servers, str(ctx.workspace), choices, load_ledger(ctx.home, warnings)
        )
        approved = {id(c) for c in approve([c.check for c in checks if c.standing == "ask"])}
        refused = {
            c.server.name
            for c in checks
            if c.standing == "disabled" or (c.standing == "ask" and id(c.check) not in approved)
        }
        servers = [server for server in servers if server.name not in refused]
    ready: list[ServerConfig] = []
    for server in servers:
        done, missing = expanded(server, ctx.environ)
        if missing:
            warnings.append(
                f"MCP server {server.name!r} ({server.source}) not started: "
                f"environment variable{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} not set"
            )
            continue
        ready.append(done)
    ctx.warnings.extend(warnings)
    return ready


def start_hub(
    ctx: Config,
    servers: list[ServerConfig],
    cassette: RecordingTransport | ReplayTransport | None = None,
) -> McpHub:
    """Start the servers (in parallel, at most ``MCP_TIMEOUT`` ms); each failure is a line.
    With a ``cassette`` (``--record``/``--replay``) the remote servers' HTTP goes into it or
    comes from it; a replay sends no credentials, so no stored login is used."""
    from adapters.mcp.stdio_process import ProcessGroups, start_stdio

    # The stdio servers start first: their start-up overlaps the hub's import below.
    groups = EarlyServers.groups
    if groups is None:
        groups = ProcessGroups()
        atexit.register(groups.stop_all)
    spawned = {
        s.name: EarlyServers.adopt(s) or start_stdio(s, str(ctx.workspace), ctx.environ, groups)
        for s in servers
        if s.transport == "stdio"
    }
    stop_unadopted()
    from adapters.mcp.hub import McpHub

    tool_timeout = number_env(ctx, "MCP_TOOL_TIMEOUT", 0) / 1000
    hub = McpHub(
        servers,
        str(ctx.workspace),
        ctx.environ,
        timeout=number_env(ctx, "MCP_TIMEOUT", 30_000) / 1000,
        tool_timeout=tool_timeout or None,
        spawned=spawned,
        groups=groups,
    )
    if cassette is not None:
        hub.http_transport = cassette_transports(ctx, cassette)
    if cassette is None or cassette_records(cassette):
        use_stored_logins(hub, ctx)
    # Whatever the exit path, the servers' process groups are stopped.
    atexit.register(hub.close)

    def report() -> None:
        for state in hub.states.values():
            if state.status != "connected":
                ctx.warnings.append(f"MCP server {state.name!r} {state.status}: {state.error}")

    hub.on_started = report
    # The rest of the run is built while the servers start: the first listing of the tools
    # (at the end of build_run, before any warning is printed) waits for them.
    hub.start(wait=False)
    return hub


def cassette_transports(
    ctx: Config, cassette: RecordingTransport | ReplayTransport
) -> Callable[[ServerConfig], httpx.AsyncBaseTransport]:
    """Each remote server's HTTP transport: into the run's cassette, or out of it."""
    from adapters.cassettes.mcp_http import McpRecorder, McpReplay
    from adapters.cassettes.replay import ReplayTransport
    from domain.context.prompt_secrets import secret_values

    if isinstance(cassette, ReplayTransport):
        return McpReplay(
            cassette.recorded, str(ctx.workspace), secret_values(ctx.environ), say.error
        )
    return McpRecorder(cassette)


def cassette_records(cassette: RecordingTransport | ReplayTransport) -> bool:
    from adapters.cassettes.replay import ReplayTransport

    return not isinstance(cassette, ReplayTransport)


def stop_unadopted() -> None:
    """Servers ``prestart`` started that the run does not use (its later decision differed):
    stopped now rather than at exit."""
    left, EarlyServers.started = EarlyServers.started, []
    pids = {process.pid for _server, process in left if not isinstance(process, OSError)}
    if pids:
        from adapters.mcp.stdio_process import stop_groups

        stop_groups(pids)
        if EarlyServers.groups is not None:
            for pid in pids:
                EarlyServers.groups.discard(pid)


def attach_tools(
    ctx: Config,
    hub: McpHub,
    registry: ToolRegistry,
    policy: PermissionPolicy,
    progress: Callable[[str], None] | None,
) -> None:
    """The servers' tools join the registry, asked again at each listing (list_changed); a
    tool a bare deny rule names is not offered."""
    from adapters.mcp.tools import ListMcpResourcesTool, McpTool, ReadMcpResourceTool
    from domain.mcp.results import DEFAULT_MAX_OUTPUT_TOKENS

    max_tokens = int(number_env(ctx, "MAX_MCP_OUTPUT_TOKENS", DEFAULT_MAX_OUTPUT_TOKENS))
    resource_tools: list[Tool] = [ListMcpResourcesTool(hub), ReadMcpResourceTool(hub, max_tokens)]

    def tools() -> list[Tool]:
        found: list[Tool] = [McpTool(hub, info, max_tokens, progress) for info in hub.tools()]
        if any(s.resources for s in hub.states.values() if s.status == "connected"):
            found += resource_tools
        return [tool for tool in found if not policy.tool_disabled(tool.name)]

    registry.add_source(tools)


def ask_elicitations(hub: McpHub, observer: object) -> None:
    """In the REPL, a server's elicitation request is asked as a form (the spinner stopped
    first); elsewhere it is declined."""
    from adapters.terminal.elicit_form import ask_form

    stop = getattr(observer, "stop", None)

    def elicit(server: str, message: str, schema: Mapping[str, Any]) -> dict[str, Any] | None:
        if callable(stop):
            stop()
        return ask_form(server, message, schema)

    hub.elicit = elicit


def use_stored_logins(hub: McpHub, ctx: Config) -> None:
    """Remote servers use their stored OAuth login (refreshed when due); one that needs a
    login is a status naming ``hexclaw mcp login NAME``: a run never opens a browser."""
    if not any(s.config.transport != "stdio" for s in hub.states.values()):
        return
    from adapters.mcp.oauth import provider_for

    hub.auth = lambda server, answers: provider_for(server, ctx.home, None, answers)
