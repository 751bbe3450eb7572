"""``hexclaw trust list|approve PATH|revoke [PATH]``: the user's content-pinned approvals."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from adapters.files.settings_files import config_home, load_settings
from adapters.files.trust_store import TrustStore, approve_now, workspace_key
from domain.errors import HexclawError
from domain.trust.items import TrustItem
from domain.trust.ledger import Approval, TrustLedger
from domain.trust.notices import KIND_NAMES

# Each area that brings items needing approval adds its collector here:
# (workspace, config home) -> the project's items as they are now.
Collector = Callable[[Path, Path], list[TrustItem]]


class TrustUsageError(HexclawError):
    exit_code = 2


def project_trust_items(workspace: Path, home: Path) -> list[TrustItem]:
    items: list[TrustItem] = []
    for collect in collectors():
        items.extend(collect(workspace, home))
    return items


def collectors() -> list[Collector]:
    return [_hook_items, _command_items, _skill_items, _agent_items, _mcp_items]


def _mcp_items(workspace: Path, home: Path) -> list[TrustItem]:
    from adapters.mcp.config_files import scope_servers
    from domain.mcp.approval import trust_item

    servers = scope_servers(workspace, home, None, [])
    return [trust_item(s, str(workspace)) for s in servers if s.scope == "project"]


def _skill_items(workspace: Path, home: Path) -> list[TrustItem]:
    from adapters.skills.skill_files import project_skill_items

    return project_skill_items(workspace)


def _command_items(workspace: Path, home: Path) -> list[TrustItem]:
    from adapters.commands.command_files import command_trust_item, load_commands

    commands = load_commands(workspace, home, [])
    found = (command_trust_item(c, workspace) for c in commands.values())
    return [item for item in found if item is not None]


def _hook_items(workspace: Path, home: Path) -> list[TrustItem]:
    from adapters.hooks.loading import hook_trust_item
    from domain.hooks.config import parse_hooks
    from domain.settings.layer_trust import TRUSTED_SCOPES

    settings = load_settings(workspace, home)
    items = []
    for layer in settings.hook_layers:
        if layer.scope in TRUSTED_SCOPES or layer.hooks is None:
            continue
        commands = parse_hooks(layer.hooks, layer.source, [], project=True)
        if commands:
            items.append(hook_trust_item(layer, str(workspace), commands))
    return items


def _agent_items(workspace: Path, home: Path) -> list[TrustItem]:
    from adapters.agents.agent_files import agent_trust_item
    from domain.agents.definitions import parse_agent

    # Parsed directly: loading checks trust, which would drop the permissionMode to pin.

    items = []
    folder = workspace / ".claude" / "agents"
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        parsed = parse_agent(text, str(path), "project", path.stem)
        if not isinstance(parsed, str):
            item = agent_trust_item(parsed, workspace)
            if item is not None:
                items.append(item)
    return items


def run_trust(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    home = config_home()
    store = TrustStore.in_home(home)
    if args.action == "list":
        return _list(store, out)
    if args.action == "approve":
        if not args.path:
            raise TrustUsageError("trust approve needs a PATH: a project folder or a file in it")
        return _approve(Path(args.path), home, out)
    return _revoke(store, Path(args.path or "."), out)


def _list(store: TrustStore, out: TextIO) -> int:
    approvals = store.load().approvals
    if not approvals:
        out.write(f"No approvals in {store.path}.\n")
        return 0
    for approval in sorted(approvals, key=lambda a: (a.workspace, a.item_id, a.kind)):
        out.write(
            f"{approval.workspace}  {approval.item_id}  "
            f"({KIND_NAMES[approval.kind]}, approved {approval.approved_at or '?'})\n"
        )
    return 0


def _approve(path: Path, home: Path, out: TextIO) -> int:
    workspace, relative = _locate(path)
    items = [
        item
        for item in project_trust_items(workspace, home)
        if relative is None or item.path == relative or item.path.startswith(relative + "/")
    ]
    if not items:
        raise TrustUsageError(f"{path}: nothing there needs approval")
    approve_now(home, items)
    for item in items:
        out.write(f"approved {KIND_NAMES[item.kind]} {item.item_id} in {workspace}\n")
    return 0


def _revoke(store: TrustStore, path: Path, out: TextIO) -> int:
    workspace, relative = _locate(path)
    removed: list[Approval] = []

    def change(ledger: TrustLedger) -> TrustLedger:
        after, gone = ledger.revoke(str(workspace), relative)
        removed.extend(gone)
        return after

    store.update(change)
    if not removed:
        out.write(f"No approvals for {path}.\n")
    for approval in removed:
        out.write(f"revoked {KIND_NAMES[approval.kind]} {approval.item_id} in {workspace}\n")
    return 0


def _locate(path: Path) -> tuple[Path, str | None]:
    """The workspace PATH belongs to, and PATH relative to it (None: the whole workspace).

    Anything inside a ``.claude`` folder belongs to the folder holding that ``.claude``;
    another folder is a workspace itself; another file (``.mcp.json``) belongs to its folder."""
    if not path.exists():
        raise TrustUsageError(f"{path}: no such file or folder")
    real = Path(workspace_key(path))
    parts = real.parts
    if ".claude" in parts:
        index = len(parts) - 1 - parts[::-1].index(".claude")
        workspace = Path(*parts[:index])
    elif real.is_dir():
        return real, None
    else:
        workspace = real.parent
    return workspace, os.path.relpath(real, workspace)
