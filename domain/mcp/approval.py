"""Which project (``.mcp.json``) servers may start.

Only the user's own settings (``settings.json`` in the config home, ``--settings``) are asked:
``disabledMcpjsonServers`` names servers that never start, ``enableAllProjectMcpServers``
and ``enabledMcpjsonServers`` approve without a question. Otherwise the trust ledger decides,
pinned to the exact entry: the digest covers the server's JSON entry as written, so a changed
command, argument, variable or URL is a new question.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

import attrs

from domain.mcp.config import ServerConfig
from domain.repr_base import Record
from domain.trust.items import TrustItem
from domain.trust.ledger import TrustCheck, TrustLedger

MCP_JSON = ".mcp.json"
USER_KEYS = ("enableAllProjectMcpServers", "enabledMcpjsonServers", "disabledMcpjsonServers")


@attrs.frozen(repr=False)
class UserChoices(Record):
    """What the user's own settings say about project servers."""

    enable_all: bool = False
    enabled: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()


def user_choices(enable_all: object, enabled: object, disabled: object) -> UserChoices:
    def names(value: object) -> tuple[str, ...]:
        if isinstance(value, list):
            return tuple(v for v in value if isinstance(v, str))
        return ()

    return UserChoices(enable_all is True, names(enabled), names(disabled))


def trust_item(server: ServerConfig, workspace: str) -> TrustItem:
    content = json.dumps(dict(server.entry), sort_keys=True, indent=2).encode()
    return TrustItem(
        kind="mcp_server",
        workspace=workspace,
        item_id=f"{MCP_JSON}#{server.name}",
        content=content,
    )


Standing = Literal["start", "disabled", "ask"]


@attrs.frozen(repr=False)
class ProjectServerCheck(Record):
    server: ServerConfig
    standing: Standing
    check: TrustCheck
    """The ledger's verdict (for ``ask``: unapproved or changed)."""


def check_project_servers(
    servers: Sequence[ServerConfig], workspace: str, choices: UserChoices, ledger: TrustLedger
) -> list[ProjectServerCheck]:
    """The standing of each project server; other scopes are the user's own and always start."""
    checks: list[ProjectServerCheck] = []
    for server in servers:
        if server.scope != "project":
            continue
        check = ledger.check(trust_item(server, workspace))
        if server.name in choices.disabled:
            standing: Standing = "disabled"
        elif choices.enable_all or server.name in choices.enabled or check.verdict == "approved":
            standing = "start"
        else:
            standing = "ask"
        checks.append(ProjectServerCheck(server, standing, check))
    return checks
