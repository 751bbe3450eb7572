"""The stream-json lines around the loop's own messages, in Claude Code's shapes, plus what
hexclaw adds (``schema_version`` in the init line, a ``permission`` system line per decision).

Every line type has a JSON Schema in ``docs/headless/``; a change to a shape here bumps
``SCHEMA_VERSION`` (and the schemas), so a program can tell which shapes it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.headless.errors import BudgetExceeded
from domain.messages.content import JSONObject

SCHEMA_VERSION = 1
# Claude Code's result subtype for an answer that never matched --json-schema.
STRUCTURED_FAILED = "error_max_structured_output_retries"


def init_line(
    *,
    session_id: str,
    cwd: str,
    model: str,
    tools: Sequence[str],
    permission_mode: str,
    line_uuid: str,
    version: str,
    mcp_servers: Sequence[JSONObject] = (),
) -> JSONObject:
    return {
        "type": "system",
        "subtype": "init",
        "session_id": session_id,
        "cwd": cwd,
        "model": model,
        "tools": list(tools),
        "permissionMode": permission_mode,
        # Each server as {"name", "status"}; none until hexclaw runs MCP servers.
        "mcp_servers": list(mcp_servers),
        "slash_commands": [],
        "output_style": "default",
        "uuid": line_uuid,
        "hexclaw_version": version,
        "schema_version": SCHEMA_VERSION,
    }


def stream_event_line(
    event: JSONObject, session_id: str, line_uuid: str, parent_tool_use_id: str | None = None
) -> JSONObject:
    """A raw stream event; a subagent's carries the id of the Agent call it answers."""
    return {
        "type": "stream_event",
        "event": event,
        "session_id": session_id,
        "parent_tool_use_id": parent_tool_use_id,
        "uuid": line_uuid,
    }


def replayed_user_line(raw: JSONObject, session_id: str, line_uuid: str) -> JSONObject:
    """A user message as the client sent it, echoed (``--replay-user-messages``)."""
    given = raw.get("uuid")
    return {
        "type": "user",
        "message": raw.get("message"),
        "session_id": session_id,
        "parent_tool_use_id": raw.get("parent_tool_use_id"),
        "uuid": given if isinstance(given, str) and given else line_uuid,
        "isReplay": True,
    }


def permission_line(
    *,
    tool_use_id: str,
    tool_name: str,
    decision: str,
    reason: str,
    decided_by: str,
    session_id: str,
    line_uuid: str,
) -> JSONObject:
    return {
        "type": "system",
        "subtype": "permission",
        "tool_use_id": tool_use_id,
        "tool_name": tool_name,
        "decision": decision,
        "reason": reason,
        "decided_by": decided_by,
        "session_id": session_id,
        "uuid": line_uuid,
    }


def result_subtype(subtype: str, error: Any) -> str:
    """The result line's subtype: the loop's, or Claude Code's name for a budget stop."""
    if isinstance(error, BudgetExceeded):
        return "error_max_budget_usd"
    return subtype
