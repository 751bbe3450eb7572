"""One line of ``--input-format stream-json``: a user message or a control message.

The shapes are Claude Code's (and its Agent SDK's): ``{"type": "user", "message": {"role":
"user", "content": "..." | [blocks]}}``, ``{"type": "control_request", "request_id": ...,
"request": {"subtype": ...}}`` and ``{"type": "control_response", "response": {"subtype":
"success" | "error", "request_id": ..., ...}}``. A line of another type is skipped with a
reason (a newer client may send what this version does not know); a line that is not JSON,
or a user message whose content cannot be sent to the model, is an error.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from domain.headless.errors import InvalidInputLine
from domain.messages.content import ContentBlock, JSONObject, TextBlock, UnknownBlock
from domain.messages.wire import block_from_wire
from domain.repr_base import Record

# What a user message may carry: text, and attachments the model reads.
USER_BLOCK_TYPES = frozenset({"text", "image", "document"})
# Sent by clients to keep a pipe warm; never an error.
QUIET_TYPES = frozenset({"keep_alive"})


@attrs.frozen(repr=False)
class UserInput(Record):
    content: tuple[ContentBlock, ...]
    # The line as it came, for --replay-user-messages.
    raw: JSONObject


@attrs.frozen(repr=False)
class ControlRequest(Record):
    request_id: str
    subtype: str
    request: JSONObject


@attrs.frozen(repr=False)
class ControlResponse(Record):
    request_id: str
    ok: bool
    response: JSONObject
    error: str = ""


@attrs.frozen(repr=False)
class CancelRequest(Record):
    request_id: str


@attrs.frozen(repr=False)
class Skipped(Record):
    why: str


InputLine = UserInput | ControlRequest | ControlResponse | CancelRequest | Skipped


def parse_input_line(text: str, line_number: int) -> InputLine | None:
    """The message on one line; None for a blank line. Raises ``InvalidInputLine``."""
    if not text.strip():
        return None
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidInputLine(line_number, "not a JSON object (one message per line)") from None
    if not isinstance(raw, dict):
        raise InvalidInputLine(line_number, "not a JSON object (one message per line)")
    kind = raw.get("type")
    if kind == "user":
        return UserInput(content=_user_content(raw.get("message"), line_number), raw=raw)
    if kind == "control_request":
        return _control_request(raw, line_number)
    if kind == "control_response":
        return _control_response(raw, line_number)
    if kind == "control_cancel_request":
        return CancelRequest(request_id=_text(raw.get("request_id")))
    if kind in QUIET_TYPES:
        return Skipped(why="")
    return Skipped(why=f"stdin line {line_number}: skipped a message of type {kind!r}")


def _user_content(message: Any, line_number: int) -> tuple[ContentBlock, ...]:
    if not isinstance(message, dict):
        raise InvalidInputLine(line_number, 'a user message needs "message": {"content": ...}')
    role = message.get("role", "user")
    if role != "user":
        raise InvalidInputLine(line_number, f"the message's role is {role!r}, not 'user'")
    content = message.get("content")
    if isinstance(content, str):
        blocks: list[ContentBlock] = [TextBlock(text=content)]
    elif isinstance(content, list):
        blocks = [_user_block(item, line_number) for item in content]
    else:
        raise InvalidInputLine(line_number, "the message's content must be text or a list")
    if not any(not isinstance(b, TextBlock) or b.text.strip() for b in blocks):
        raise InvalidInputLine(line_number, "the message is empty")
    return tuple(blocks)


def _user_block(item: Any, line_number: int) -> ContentBlock:
    kind = item.get("type") if isinstance(item, dict) else None
    if kind not in USER_BLOCK_TYPES:
        raise InvalidInputLine(
            line_number, f"a user content block of type {kind!r}; use text, image or document"
        )
    block = block_from_wire(item)
    if kind == "text" and not isinstance(block, TextBlock):
        raise InvalidInputLine(line_number, 'a text block needs "text" as a string')
    if kind != "text" and not isinstance(item.get("source"), dict):
        raise InvalidInputLine(line_number, f'an {kind} block needs a "source" object')
    if isinstance(block, UnknownBlock | TextBlock):
        return block
    raise InvalidInputLine(line_number, f"a user content block of type {kind!r}")


def _control_request(raw: JSONObject, line_number: int) -> ControlRequest:
    request = raw.get("request")
    request_id = raw.get("request_id")
    if not isinstance(request, dict) or not isinstance(request.get("subtype"), str):
        raise InvalidInputLine(line_number, 'a control_request needs "request": {"subtype": ...}')
    if not isinstance(request_id, str) or not request_id:
        raise InvalidInputLine(line_number, 'a control_request needs a "request_id" string')
    return ControlRequest(request_id=request_id, subtype=request["subtype"], request=request)


def _control_response(raw: JSONObject, line_number: int) -> ControlResponse:
    response = raw.get("response")
    if not isinstance(response, dict) or not isinstance(response.get("request_id"), str):
        raise InvalidInputLine(
            line_number, 'a control_response needs "response": {"request_id": ...}'
        )
    ok = response.get("subtype") == "success"
    payload = response.get("response")
    return ControlResponse(
        request_id=response["request_id"],
        ok=ok,
        response=payload if isinstance(payload, dict) else {},
        error="" if ok else _text(response.get("error")) or "the client answered with an error",
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
