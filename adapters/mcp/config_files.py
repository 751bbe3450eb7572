"""Where MCP servers are configured, read and written as Claude Code does.

- user scope: ``mcpServers`` of ``$CLAUDE_CONFIG_HOME/.claude.json`` (and of the user's own
  settings or ``--settings``: a project's settings cannot set it);
- local scope: ``projects[<workspace>].mcpServers`` of the same file;
- project scope: ``mcpServers`` of ``.mcp.json`` at the workspace root;
- ``--mcp-config FILE_OR_JSON`` (repeatable): a file, or the JSON itself.

Writes (``hexclaw mcp add/remove``) replace the file atomically (a temporary file in the same
folder, fsynced, renamed), keep every other key, and never touch a file that is not valid
JSON: that is one line telling the user to fix it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from domain.mcp.config import Scope, ServerConfig, parse_config_text, parse_entry
from domain.mcp.errors import McpConfigError
from domain.mcp.scopes import merge_scopes
from domain.settings.merge import Settings

CLAUDE_JSON = ".claude.json"
MCP_JSON = ".mcp.json"
# Far above any real configuration; a project's file is read no further.
MAX_CONFIG_BYTES = 4 << 20


def claude_json(home: Path) -> Path:
    return home / CLAUDE_JSON


def read_json(path: Path) -> dict[str, Any] | None:
    """The file's object; None when it does not exist. Anything unusable is an error."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise McpConfigError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise McpConfigError(f"{path}: larger than {MAX_CONFIG_BYTES >> 20} MiB")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise McpConfigError(f"{path}: not valid JSON ({exc}); it was left unchanged") from None
    if not isinstance(value, dict):
        raise McpConfigError(f"{path}: not a JSON object; it was left unchanged")
    return value


def _servers_of(
    block: object, scope: Scope, source: str, warnings: list[str]
) -> list[ServerConfig]:
    """A file's servers; a bad entry is skipped with a warning, the others still count."""
    if block is None:
        return []
    if not isinstance(block, dict):
        warnings.append(f"{source}: mcpServers is not an object (ignored)")
        return []
    servers: list[ServerConfig] = []
    for name, raw in block.items():
        try:
            servers.append(parse_entry(str(name), raw, scope, source))
        except McpConfigError as exc:
            warnings.append(f"{exc} (skipped)")
    return servers


def flag_servers(values: Sequence[str]) -> list[ServerConfig]:
    """``--mcp-config`` values: a path to a JSON file, or JSON text. A bad one is an error."""
    servers: list[ServerConfig] = []
    for value in values:
        text = value.strip()
        if text.startswith("{"):
            source = "--mcp-config"
            block = parse_config_text(text, source)
        else:
            path = Path(value).expanduser()
            if not path.is_file():
                raise McpConfigError(f"--mcp-config {value}: no such file (nor JSON text)")
            source = str(path)
            block = parse_config_text(path.read_text(encoding="utf-8", errors="replace"), source)
        if not isinstance(block, dict):
            raise McpConfigError(f"{source}: mcpServers must be a JSON object of servers")
        servers.extend(parse_entry(str(n), raw, "flag", source) for n, raw in block.items())
    return servers


def scope_servers(
    workspace: Path, home: Path, settings: Settings | None, warnings: list[str]
) -> list[ServerConfig]:
    """The user, local and project servers (not merged); unreadable files are warnings."""
    servers: list[ServerConfig] = []
    path = claude_json(home)
    try:
        document = read_json(path) or {}
    except McpConfigError as exc:
        warnings.append(f"{exc}: its MCP servers are not used")
        document = {}
    servers += _servers_of(document.get("mcpServers"), "user", str(path), warnings)
    if settings is not None and settings.get("mcpServers") is not None:
        source = settings.source_of("mcpServers") or "settings"
        servers += _servers_of(settings.get("mcpServers"), "user", source, warnings)
    projects = document.get("projects")
    project = projects.get(str(workspace)) if isinstance(projects, dict) else None
    if isinstance(project, dict):
        servers += _servers_of(
            project.get("mcpServers"), "local", f"{path} (projects[{workspace}])", warnings
        )
    mcp_json = workspace / MCP_JSON
    try:
        shared = read_json(mcp_json) or {}
    except McpConfigError as exc:
        warnings.append(f"{exc}: its MCP servers are not used")
        shared = {}
    servers += _servers_of(shared.get("mcpServers"), "project", MCP_JSON, warnings)
    return servers


def configured_servers(
    workspace: Path,
    home: Path,
    settings: Settings | None,
    mcp_configs: Sequence[str],
    strict: bool,
    warnings: list[str],
) -> list[ServerConfig]:
    """The run's servers, one per name, by precedence (``domain/mcp/scopes.py``)."""
    flagged = flag_servers(mcp_configs)
    if strict:
        return merge_scopes(flagged, strict=True)
    return merge_scopes([*scope_servers(workspace, home, settings, warnings), *flagged])


def scope_file(scope: Scope, workspace: Path, home: Path) -> Path:
    return workspace / MCP_JSON if scope == "project" else claude_json(home)


def scope_block(document: dict[str, Any], scope: Scope, workspace: Path) -> dict[str, Any]:
    """The ``mcpServers`` object of a scope inside its file's document, created if missing."""
    holder = document
    if scope == "local":
        projects = document.setdefault("projects", {})
        if not isinstance(projects, dict):
            raise McpConfigError("projects in .claude.json is not an object")
        holder = projects.setdefault(str(workspace), {})
        if not isinstance(holder, dict):
            raise McpConfigError(f"projects[{workspace}] in .claude.json is not an object")
    block = holder.setdefault("mcpServers", {})
    if not isinstance(block, dict):
        raise McpConfigError("mcpServers is not an object")
    return block


def update_json(
    path: Path, change: Callable[[dict[str, Any]], None], new_mode: int = 0o600
) -> None:
    """Read, change and atomically replace ``path`` (created 0600 when new)."""
    import tempfile  # here: a run only reads these files

    document = read_json(path) or {}
    change(document)
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Never wider than new_mode: .claude.json can hold headers and env values.
        mode = path.stat().st_mode & new_mode if path.exists() else new_mode
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise McpConfigError(f"{directory}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise McpConfigError(f"{path}: cannot write ({exc.strerror})") from None
