"""MCP HTTP exchanges in a cassette: what a replayed request must match, and how a recorded
answer is fitted to this run's request.

A remote MCP session is not the same bytes twice: the SDK numbers its JSON-RPC requests as it
sends them (and uses that number as the progress token), the server hands out a new
``mcp-session-id`` (a legacy SSE server a new ``session_id`` query), and several servers, plus
each server's standing GET stream, run at once. So MCP exchanges are not played in cassette
order like the Messages API's: a request takes the first unplayed recording *of its server*
with the same key, which is

- the HTTP method and the URL path (never the host, so a replay needs no server at that
  address), with the query minus the session id;
- each JSON-RPC message of the body without ``id``, ``jsonrpc``, ``params._meta`` (the
  progress token) and ``initialize``'s ``clientInfo`` (hexclaw's version): its method and
  params, or the result a client sends back.

Headers are never compared (credentials, session ids, versions). A recorded answer gets this
run's ids back: a response to recorded request id N carries the live id, a progress
notification for recorded token T the live token.

On a standing SSE stream (the legacy transport's ``GET /sse``, where every answer arrives; the
streamable transport's optional GET) a replay cannot send everything at once: an answer would
arrive before its request. ``standing_plan`` groups the recorded messages: each response,
with the messages that came just before it (progress, logs), is released when the request it
answers is replayed; what does not precede a response (the ``endpoint`` event, notifications
of a stream that carries no responses) is sent when the stream opens.
"""

from __future__ import annotations

import json
import re
from typing import Any

import attrs

from domain.cassettes.cassette import CassetteRequest
from domain.repr_base import Record

SESSION_QUERY_KEYS = frozenset({"session_id", "sessionId"})
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_SHOWN = 80

IdKey = str
"""A JSON-RPC id (or progress token) as JSON text, so ``1`` and ``"1"`` stay apart."""


def exchange_key(request: CassetteRequest) -> str:
    """What a replayed request must share with the recording it takes."""
    path, _, query = request.target.partition("?")
    kept = "&".join(
        pair
        for pair in query.split("&")
        if pair and pair.partition("=")[0] not in SESSION_QUERY_KEYS
    )
    messages = jsonrpc_messages(request.body)
    if messages is None:
        content: Any = request.body.decode("utf-8", "replace")
    else:
        content = [_without_volatile(m) for m in messages]
    return json.dumps([request.method, path, kept, content], sort_keys=True, ensure_ascii=False)


def describe(request: CassetteRequest) -> str:
    """A request in one line: ``POST /mcp tools/call {"name": "echo", ...}``."""
    path = request.target.partition("?")[0]
    messages = jsonrpc_messages(request.body)
    if not messages:
        return f"{request.method} {path}"
    parts = []
    for message in messages:
        method = message.get("method")
        if isinstance(method, str):
            params = message.get("params")
            shown = _without_meta(params) if isinstance(params, dict) else params
            parts.append(method if not shown else f"{method} {_show(shown)}")
        else:
            parts.append("a reply to the server")
    return f"{request.method} {path} {'; '.join(parts)}"


def jsonrpc_messages(body: bytes) -> list[dict[str, Any]] | None:
    """The JSON-RPC messages of a body (one, or a batch); None when it is not JSON-RPC."""
    if not body.strip():
        return None
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    return items


@attrs.frozen(repr=False)
class IdMap(Record):
    """Recorded JSON-RPC ids and progress tokens, and this run's in their place."""

    ids: dict[IdKey, Any] = attrs.field(factory=dict)
    tokens: dict[IdKey, Any] = attrs.field(factory=dict)

    @property
    def recorded_ids(self) -> list[IdKey]:
        return list(self.ids)


def id_map(recorded: CassetteRequest, live: CassetteRequest) -> IdMap:
    """The ids of two requests with the same key, message by message."""
    ids: dict[IdKey, Any] = {}
    tokens: dict[IdKey, Any] = {}
    pairs = zip(
        jsonrpc_messages(recorded.body) or [], jsonrpc_messages(live.body) or [], strict=False
    )
    for old, new in pairs:
        if "id" in old and "id" in new and "method" in old:
            ids[_key(old["id"])] = new["id"]
        old_token, new_token = _progress_token(old), _progress_token(new)
        if old_token is not None and new_token is not None:
            tokens[_key(old_token)] = new_token
    return IdMap(ids, tokens)


def request_ids(request: CassetteRequest) -> list[Any]:
    """The ids of the requests in a body (not of notifications or replies)."""
    return [m["id"] for m in jsonrpc_messages(request.body) or [] if "id" in m and "method" in m]


def rewrite_json(body: bytes, mapping: IdMap) -> bytes:
    """A JSON body with recorded ids and tokens replaced; unchanged when none applies."""
    messages = jsonrpc_messages(body)
    if messages is None:
        return body
    changed = [_rewrite_message(m, mapping) for m in messages]
    if changed == messages:
        return body
    value: Any = changed if body.lstrip().startswith(b"[") else changed[0]
    return json.dumps(value, ensure_ascii=False).encode()


def sse_events(body: bytes) -> list[bytes]:
    """An event-stream body cut into events, each with the blank line that ends it (the last
    one may be unfinished)."""
    events: list[bytes] = []
    current = bytearray()
    for match in _LINE.finditer(body):
        line = match.group()
        current += line
        if not line.rstrip(b"\r\n"):
            events.append(bytes(current))
            current.clear()
    if current:
        events.append(bytes(current))
    return events


def event_fields(event: bytes) -> tuple[str, str | None]:
    """An event's name (``message`` by default) and its data (None without a data line)."""
    name = "message"
    data: list[str] = []
    for raw in event.splitlines():
        line = raw.decode("utf-8", "replace")
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    return name, "\n".join(data) if data else None


def rewrite_event(event: bytes, mapping: IdMap) -> bytes:
    """An SSE event whose data is a JSON-RPC message, with recorded ids replaced."""
    name, data = event_fields(event)
    if name != "message" or data is None:
        return event
    new = rewrite_json(data.encode(), mapping)
    if new == data.encode():
        return event
    lines = [
        raw
        for raw in event.splitlines(keepends=True)
        if not raw.startswith(b"data:") and raw.rstrip(b"\r\n")
    ]
    newline = b"\r\n" if b"\r\n" in event else b"\n"
    return b"".join(lines) + b"data: " + new + newline + newline


@attrs.frozen(repr=False)
class StandingPlan(Record):
    """A recorded standing stream, cut into what a replay sends when."""

    opening: tuple[bytes, ...]
    """Sent as soon as the stream opens."""
    by_response: dict[IdKey, tuple[bytes, ...]]
    """Sent when the request whose (recorded) id is the key is replayed."""


def standing_plan(body: bytes) -> StandingPlan:
    opening: list[bytes] = []
    groups: dict[IdKey, tuple[bytes, ...]] = {}
    waiting: list[bytes] = []
    last: IdKey | None = None
    for event in sse_events(body):
        name, data = event_fields(event)
        if data is None:
            continue  # a comment (keep-alive) or an empty event
        if name != "message":
            opening.append(event)
            continue
        waiting.append(event)
        message = (jsonrpc_messages(data.encode()) or [{}])[0]
        if "id" in message and "method" not in message:
            last = _key(message["id"])
            groups[last] = (*groups.get(last, ()), *waiting)
            waiting = []
    if waiting:
        if last is None:
            opening.extend(waiting)
        else:
            groups[last] = (*groups[last], *waiting)
    return StandingPlan(tuple(opening), groups)


def error_reply(request_id: Any, message: str) -> bytes:
    """A JSON-RPC error answering ``request_id``: how a replay refuses an unrecorded request."""
    body = {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32603, "message": message}}
    return json.dumps(body, ensure_ascii=False).encode()


def _rewrite_message(message: dict[str, Any], mapping: IdMap) -> dict[str, Any]:
    new = dict(message)
    if "method" not in message and "id" in message:
        key = _key(message["id"])
        if key in mapping.ids:
            new["id"] = mapping.ids[key]
    params = message.get("params")
    if isinstance(params, dict) and "progressToken" in params:
        key = _key(params["progressToken"])
        if key in mapping.tokens:
            new["params"] = {**params, "progressToken": mapping.tokens[key]}
    return new


def _progress_token(message: dict[str, Any]) -> Any:
    params = message.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    return meta.get("progressToken") if isinstance(meta, dict) else None


def _without_volatile(message: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in message.items() if k not in ("id", "jsonrpc")}
    if isinstance(kept.get("params"), dict):
        params = _without_meta(kept["params"])
        if message.get("method") == "initialize":
            # hexclaw's name and version: a new release replays an older session.
            params.pop("clientInfo", None)
        kept["params"] = params
    return kept


def _without_meta(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != "_meta"}


def _key(value: Any) -> IdKey:
    return json.dumps(value)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 1]}…"
