"""MCP's JSON-RPC 2.0 messages, one JSON object a line: their shapes, what a received line is,
the protocol version handshake and the pagination of list requests.

The rules follow the official Python SDK's client (1.30), so a server sees the same client
whichever transport carries it: the client offers the newest protocol version it speaks and
accepts the server's answer only if it speaks that one too; a reply's id given as a string of
digits matches the request of that number; a line that is not a JSON-RPC 2.0 message is
counted and skipped, never an end of the session.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from domain.mcp.errors import McpProtocolError
from domain.repr_base import Record

JSON = dict[str, Any]
RequestId = int | str

LATEST_PROTOCOL_VERSION = "2025-11-25"
SUPPORTED_PROTOCOL_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", LATEST_PROTOCOL_VERSION)

# JSON-RPC's codes, and the two the SDK adds (a transport that closed, a request timed out).
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
CONNECTION_CLOSED = -32000
REQUEST_TIMEOUT = 408
# hexclaw's own, never sent: one request's answer was lost on the way (its stream over
# streamable HTTP broke, or ended without it) while the server's session may well live on.
# Unlike CONNECTION_CLOSED it fails that request only; the server stays connected.
ANSWER_LOST = -32099

# A list request's pages followed at most: a server that keeps sending cursors is cut off.
MAX_PAGES = 100


@attrs.frozen(repr=False)
class Response(Record):
    """A reply to one of our requests: its ``result``, or its ``error`` (code, message)."""

    id: RequestId
    result: JSON | None = None
    error_code: int = 0
    error_message: str = ""

    @property
    def failed(self) -> bool:
        return self.result is None


@attrs.frozen(repr=False)
class Request(Record):
    """A request the server sends us (``ping``, ``elicitation/create``...): it wants a reply."""

    id: RequestId
    method: str
    params: JSON


@attrs.frozen(repr=False)
class Notification(Record):
    method: str
    params: JSON


@attrs.frozen(repr=False)
class Malformed(Record):
    """A line that is no JSON-RPC 2.0 message; ``why`` says what is wrong with it."""

    why: str


Incoming = Response | Request | Notification | Malformed


def classify(line: str | bytes) -> Incoming:
    """What one received line is."""
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return Malformed("not JSON")
    if not isinstance(message, dict):
        return Malformed("not a JSON object")
    if message.get("jsonrpc") != "2.0":
        return Malformed('no "jsonrpc": "2.0"')
    params = message.get("params", {})
    if params is None:
        params = {}
    if "method" in message:
        method = message["method"]
        if not isinstance(method, str) or not isinstance(params, dict):
            return Malformed("a method that is not a string, or params that are not an object")
        if "id" not in message:
            return Notification(method, params)
        if not _is_id(message["id"]):
            return Malformed("a request id that is neither a string nor an integer")
        return Request(message["id"], method, params)
    if not _is_id(message.get("id")):
        return Malformed("a reply without an id")
    reply_id = _normalised(message["id"])
    if "result" in message and "error" not in message:
        result = message["result"]
        if not isinstance(result, dict):
            return Malformed("a result that is not an object")
        return Response(reply_id, result)
    if "error" in message and "result" not in message:
        error = message["error"]
        if not isinstance(error, dict):
            return Malformed("an error that is not an object")
        code, text = error.get("code"), error.get("message")
        if not isinstance(code, int) or isinstance(code, bool) or not isinstance(text, str):
            return Malformed("an error without an integer code and a message")
        return Response(reply_id, None, code, text)
    return Malformed("neither a request, a notification nor a reply")


def _is_id(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _normalised(reply_id: RequestId) -> RequestId:
    """Our ids are integers; a server that echoes one as a string still matches it."""
    if isinstance(reply_id, str):
        try:
            return int(reply_id)
        except ValueError:
            return reply_id
    return reply_id


def request(request_id: RequestId, method: str, params: Mapping[str, Any] | None = None) -> JSON:
    message: JSON = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        message["params"] = dict(params)
    return message


def notification(method: str, params: Mapping[str, Any] | None = None) -> JSON:
    message: JSON = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = dict(params)
    return message


def reply(request_id: RequestId, result: Mapping[str, Any]) -> JSON:
    return {"jsonrpc": "2.0", "id": request_id, "result": dict(result)}


def error_reply(request_id: RequestId, code: int, message: str) -> JSON:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def encoded(message: Mapping[str, Any]) -> bytes:
    """One line on the wire: compact JSON (non-ASCII kept as UTF-8), then a newline."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def with_progress_token(params: Mapping[str, Any], token: RequestId) -> JSON:
    """``params`` asking the server to report progress under ``token`` (the SDK uses the
    request's own id)."""
    meta = dict(params.get("_meta") or {})
    meta["progressToken"] = token
    return {**params, "_meta": meta}


def cancelled(request_id: RequestId, reason: str) -> JSON:
    return notification("notifications/cancelled", {"requestId": request_id, "reason": reason})


# The handshake.


def initialize_params(name: str, version: str, elicitation: bool) -> JSON:
    """What the client says about itself: the newest version it speaks, and form elicitation
    when it can ask the user (hexclaw declines URL-mode requests, so it does not offer them)."""
    capabilities: JSON = {"elicitation": {"form": {}}} if elicitation else {}
    return {
        "protocolVersion": LATEST_PROTOCOL_VERSION,
        "capabilities": capabilities,
        "clientInfo": {"name": name, "version": version},
    }


@attrs.frozen(repr=False)
class ServerHello(Record):
    """A server's answer to ``initialize``, checked."""

    protocol_version: str
    capabilities: Mapping[str, Any]
    name: str = ""

    def offers(self, feature: str) -> bool:
        """Whether the server declared ``tools``, ``prompts``, ``resources``..."""
        return isinstance(self.capabilities.get(feature), dict)


def server_hello(result: Mapping[str, Any]) -> ServerHello:
    version = result.get("protocolVersion")
    if not isinstance(version, str):
        raise McpProtocolError("the server's initialize answer has no protocolVersion")
    if version not in SUPPORTED_PROTOCOL_VERSIONS:
        raise McpProtocolError(f"Unsupported protocol version from the server: {version}")
    capabilities = result.get("capabilities")
    if not isinstance(capabilities, dict):
        raise McpProtocolError("the server's initialize answer has no capabilities object")
    info = result.get("serverInfo")
    name = info.get("name") if isinstance(info, dict) else None
    return ServerHello(version, capabilities, name if isinstance(name, str) else "")


# Pagination.


class Pager:
    """The cursors of one paginated listing: ``params()`` for the next request, ``advance``
    with the reply's ``nextCursor``; it stops at the last page, after ``max_pages``, or at a
    cursor already followed (a server going round in circles)."""

    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self.max_pages = max_pages
        self.pages = 0
        self.cursor: str | None = None
        self._seen: set[str] = set()

    def params(self) -> JSON | None:
        return {"cursor": self.cursor} if self.cursor else None

    def advance(self, result: Mapping[str, Any]) -> bool:
        """Whether another page is to be asked for."""
        self.pages += 1
        cursor = result.get("nextCursor")
        if cursor is not None and not isinstance(cursor, str):
            raise McpProtocolError("a nextCursor that is not a string")
        if not cursor or cursor in self._seen or self.pages >= self.max_pages:
            return False
        self._seen.add(cursor)
        self.cursor = cursor
        return True


# What the server may ask of us.


def form_elicitation(params: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    """An ``elicitation/create`` request's message and requested schema, or None when it is
    not a form request hexclaw can ask (URL mode, no schema): it is declined."""
    if params.get("mode", "form") != "form":
        return None
    message, schema = params.get("message"), params.get("requestedSchema")
    if not isinstance(message, str) or not isinstance(schema, dict):
        return None
    return message, schema


def elicitation_answer(content: Mapping[str, Any] | None) -> JSON:
    if content is None:
        return {"action": "decline"}
    return {"action": "accept", "content": dict(content)}


def progress_line(server: str, params: Mapping[str, Any]) -> str | None:
    """A ``notifications/progress`` as the spinner's text, or None when it is not one."""
    progress, total, message = params.get("progress"), params.get("total"), params.get("message")
    if not _number(progress):
        return None
    share = f"{progress:g}/{total:g}" if _number(total) and total else f"{progress:g}"
    return f"{server}: {message if isinstance(message, str) and message else 'working'} ({share})"


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
