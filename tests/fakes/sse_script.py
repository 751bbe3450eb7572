"""Builders for Anthropic SSE byte streams, so tests and fakes speak the exact wire format."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

EventSpec = tuple[str, dict[str, Any]]


def encode_event(
    name: str | None, payload: dict[str, Any] | str, eol: str = "\n", space: bool = True
) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    sep = ": " if space else ":"
    lines = [] if name is None else [f"event{sep}{name}"]
    lines.append(f"data{sep}{data}")
    return (eol.join(lines) + eol + eol).encode()


def encode_events(
    events: Iterable[EventSpec], eol: str = "\n", event_lines: bool = True, space: bool = True
) -> bytes:
    return b"".join(
        encode_event(name if event_lines else None, payload, eol, space) for name, payload in events
    )


def message_start(
    message_id: str = "msg_01",
    model: str = "claude-sonnet-4-5",
    usage: dict[str, Any] | None = None,
) -> EventSpec:
    return (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": usage if usage is not None else {"input_tokens": 12, "output_tokens": 1},
            },
        },
    )


def block_start(index: int, block: dict[str, Any]) -> EventSpec:
    return (
        "content_block_start",
        {"type": "content_block_start", "index": index, "content_block": block},
    )


def delta(index: int, payload: dict[str, Any]) -> EventSpec:
    return (
        "content_block_delta",
        {"type": "content_block_delta", "index": index, "delta": payload},
    )


def text_delta(index: int, text: str) -> EventSpec:
    return delta(index, {"type": "text_delta", "text": text})


def json_delta(index: int, fragment: str) -> EventSpec:
    return delta(index, {"type": "input_json_delta", "partial_json": fragment})


def thinking_delta(index: int, thinking: str) -> EventSpec:
    return delta(index, {"type": "thinking_delta", "thinking": thinking})


def signature_delta(index: int, signature: str) -> EventSpec:
    return delta(index, {"type": "signature_delta", "signature": signature})


def citations_delta(index: int, citation: dict[str, Any]) -> EventSpec:
    return delta(index, {"type": "citations_delta", "citation": citation})


def block_stop(index: int) -> EventSpec:
    return ("content_block_stop", {"type": "content_block_stop", "index": index})


def message_delta(
    stop_reason: str | None = "end_turn", usage: dict[str, Any] | None = None
) -> EventSpec:
    return (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": usage if usage is not None else {"output_tokens": 7},
        },
    )


def message_stop() -> EventSpec:
    return ("message_stop", {"type": "message_stop"})


def ping() -> EventSpec:
    return ("ping", {"type": "ping"})


def error_event(error_type: str = "overloaded_error", message: str = "Overloaded") -> EventSpec:
    return ("error", {"type": "error", "error": {"type": error_type, "message": message}})


def text_message_events(
    *texts: str, stop_reason: str = "end_turn", message_id: str = "msg_01"
) -> list[EventSpec]:
    """One text block per argument; each text is sent as deltas of up to 8 characters."""
    events: list[EventSpec] = [message_start(message_id)]
    for index, text in enumerate(texts):
        events.append(block_start(index, {"type": "text", "text": ""}))
        events.extend(text_delta(index, text[i : i + 8]) for i in range(0, len(text), 8))
        events.append(block_stop(index))
    events.extend([message_delta(stop_reason), message_stop()])
    return events


def tool_use_events(
    calls: list[tuple[str, str, dict[str, Any]]],
    preface: str = "",
    fragment: int = 5,
    message_id: str = "msg_tool",
) -> list[EventSpec]:
    """An assistant message with optional preface text and the given (id, name, input) calls."""
    events: list[EventSpec] = [message_start(message_id)]
    index = 0
    if preface:
        events += [
            block_start(0, {"type": "text", "text": ""}),
            text_delta(0, preface),
            block_stop(0),
        ]
        index = 1
    for tool_id, name, tool_input in calls:
        raw = json.dumps(tool_input)
        events.append(
            block_start(index, {"type": "tool_use", "id": tool_id, "name": name, "input": {}})
        )
        events.append(json_delta(index, ""))
        events.extend(
            json_delta(index, raw[i : i + fragment]) for i in range(0, len(raw), fragment)
        )
        events.append(block_stop(index))
        index += 1
    events += [message_delta("tool_use"), message_stop()]
    return events


def thinking_events(
    thinking: str, signature: str, answer: str, message_id: str = "msg_think"
) -> list[EventSpec]:
    """A thinking block (streamed, then signed) followed by a text answer."""
    return [
        message_start(message_id),
        block_start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        *(thinking_delta(0, thinking[i : i + 8]) for i in range(0, len(thinking), 8)),
        signature_delta(0, signature),
        block_stop(0),
        block_start(1, {"type": "text", "text": ""}),
        text_delta(1, answer),
        block_stop(1),
        message_delta("end_turn"),
        message_stop(),
    ]
