"""One item a repository brings that needs the user's approval, and the digest pinning it."""

from __future__ import annotations

import hashlib
from typing import Literal

import attrs

from domain.repr_base import Record

# hook: a project settings file's hooks; command: a project slash command with !`cmd` lines;
# mcp_server: a server of a project .mcp.json; skill: a project skill's folder (its scripts);
# agent: a project agent file that sets permissionMode.
TrustKind = Literal["hook", "command", "mcp_server", "skill", "agent"]
TRUST_KINDS: tuple[TrustKind, ...] = ("hook", "command", "mcp_server", "skill", "agent")


@attrs.frozen(repr=False)
class TrustItem(Record):
    """``item_id`` names the item inside its workspace: a path relative to the workspace,
    optionally with ``#name`` for one entry of a file (``.mcp.json#github``).

    ``content`` is exactly what would run or what decides it (the hooks' JSON, a command file's
    bytes); ``summary`` is the text shown when asking (defaults to the content)."""

    kind: TrustKind
    workspace: str
    item_id: str
    content: bytes = attrs.field(repr=False)
    summary: str = attrs.field(default="", repr=False)

    @property
    def digest(self) -> str:
        return content_digest(self.kind, self.workspace, self.item_id, self.content)

    @property
    def text(self) -> str:
        """The content as text for showing and for a later difference."""
        return self.content.decode("utf-8", errors="replace")

    @property
    def shown(self) -> str:
        return self.summary or self.text

    @property
    def path(self) -> str:
        """The item's file, relative to the workspace."""
        return self.item_id.split("#", 1)[0]


def content_digest(kind: str, workspace: str, item_id: str, content: bytes) -> str:
    """sha256 over length-prefixed fields, so no two (kind, workspace, id, content) tuples
    can produce the same byte stream by moving a separator."""
    digest = hashlib.sha256()
    for field in (kind.encode(), workspace.encode(), item_id.encode(), content):
        digest.update(len(field).to_bytes(8, "big"))
        digest.update(field)
    return "sha256:" + digest.hexdigest()
