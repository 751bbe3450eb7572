"""The control protocol of stream-json mode, in Claude Code's shapes.

Both sides send ``control_request`` lines (``request_id`` and ``request.subtype``) and answer
with ``control_response`` lines (``subtype`` ``success`` with a ``response`` object, or
``error`` with an ``error`` string). The client asks hexclaw to ``interrupt``,
``set_permission_mode``, ``set_model``, ``initialize`` or report ``mcp_status``; hexclaw asks
the client ``can_use_tool`` when a call needs permission (``--permission-prompt-tool stdio``)
and reads ``{"behavior": "allow", "updatedInput": {...}}`` or ``{"behavior": "deny",
"message": ..., "interrupt": bool}`` back. With ``--permission-prompt-tool mcp__server__tool``
the same answer comes from an MCP tool instead: it is called with ``{"tool_name", "input",
"tool_use_id"}`` and returns that object as JSON text (Claude Code's contract).
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from domain.headless.input_lines import ControlResponse
from domain.messages.content import JSONObject
from domain.repr_base import Record
from domain.tools.calls import Decision, PermissionAnswer, ToolAccess, ToolCall

# What the client may ask of hexclaw; anything else is answered with an error response.
HANDLED_SUBTYPES = (
    "initialize",
    "interrupt",
    "set_permission_mode",
    "set_model",
    "mcp_status",
)
# --permission-prompt-tool's value that means "ask the client over stdio".
STDIO_PROMPT_TOOL = "stdio"


def control_success(request_id: str, response: JSONObject | None = None) -> JSONObject:
    return {
        "type": "control_response",
        "response": {"subtype": "success", "request_id": request_id, "response": response or {}},
    }


def control_error(request_id: str, message: str) -> JSONObject:
    return {
        "type": "control_response",
        "response": {"subtype": "error", "request_id": request_id, "error": message},
    }


def can_use_tool_request(
    request_id: str, call: ToolCall, access: ToolAccess, decision: Decision
) -> JSONObject:
    request: JSONObject = {
        "subtype": "can_use_tool",
        "tool_name": call.name,
        "input": dict(call.input),
        "tool_use_id": call.id,
        "permission_suggestions": [],
        "decision_reason": decision.reason,
    }
    if access.outside_workspace and access.paths:
        request["blocked_path"] = access.paths[-1]
    return {"type": "control_request", "request_id": request_id, "request": request}


@attrs.frozen(repr=False)
class ClientVerdict(Record):
    """A ``can_use_tool`` answer: the permission answer, and whether to stop the turn too."""

    answer: PermissionAnswer
    interrupt: bool = False


def verdict_from_response(response: ControlResponse) -> ClientVerdict:
    """Read the client's answer; anything but a clear allow is a denial, with its reason."""
    if not response.ok:
        return ClientVerdict(PermissionAnswer("deny", f"the client failed: {response.error}"))
    body = response.response
    behavior = body.get("behavior")
    if behavior == "allow":
        updated = body.get("updatedInput")
        keep = updated if isinstance(updated, dict) else None
        if body.get("updatedPermissions"):
            return ClientVerdict(PermissionAnswer("allow_session", updated_input=keep))
        return ClientVerdict(PermissionAnswer("allow_once", updated_input=keep))
    if behavior == "deny":
        message = _text(body.get("message")) or "the client denied this call"
        return ClientVerdict(
            PermissionAnswer("deny", message), interrupt=body.get("interrupt") is True
        )
    return ClientVerdict(
        PermissionAnswer("deny", f"the client's answer has no behavior allow or deny: {behavior!r}")
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def prompt_tool_input(call: ToolCall) -> JSONObject:
    """What an MCP permission-prompt tool is called with (Claude Code's shape)."""
    return {"tool_name": call.name, "input": dict(call.input), "tool_use_id": call.id}


def verdict_from_prompt_tool(text: str, is_error: bool) -> ClientVerdict:
    """An MCP permission-prompt tool's answer: its text is the JSON a stdio client would send
    as ``response``. A failed call, text that is not a JSON object, or anything but a clear
    allow is a denial, so a broken judge never lets a call through."""
    if is_error:
        return ClientVerdict(
            PermissionAnswer("deny", f"the permission tool failed: {text.strip()[:200]}")
        )
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return ClientVerdict(
            PermissionAnswer("deny", "the permission tool's answer is not a JSON object")
        )
    return verdict_from_response(ControlResponse(request_id="", ok=True, response=body))
