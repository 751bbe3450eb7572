"""The lines that tell the user an item was skipped or asks for approval."""

from __future__ import annotations

from domain.trust.items import TrustKind
from domain.trust.ledger import TrustCheck

KIND_NAMES: dict[TrustKind, str] = {
    "hook": "project hooks",
    "command": "project command",
    "mcp_server": "project MCP server",
    "skill": "project skill scripts",
    "agent": "project agent permissionMode",
}


def skipped_line(check: TrustCheck) -> str:
    """The one warning line ``-p`` prints for an item it does not run."""
    item = check.item
    why = "changed since you approved it" if check.verdict == "changed" else "not approved"
    return (
        f"skipped {KIND_NAMES[item.kind]} {item.item_id} ({why}); "
        f"approve it in the REPL or with `hexclaw trust approve {item.path}`"
    )


def approval_prompt(check: TrustCheck) -> str:
    """What the REPL shows before asking: exactly what would run, or what changed."""
    item = check.item
    name = f"{KIND_NAMES[item.kind]} {item.item_id}"
    if check.verdict == "changed":
        return f"{name} changed since you approved it:\n{check.difference}"
    return f"{name} would run:\n{item.shown}"
