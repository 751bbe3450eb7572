"""A plain reading of the WHATWG event-stream rules, line by line, as an oracle for the framer.

It is slow and simple on purpose: the framer has two fast paths (a regex scan and a line
split) and incremental decoding; this reads the whole stream at once, so any event the framer
drops, invents or changes shows as a difference.
"""

from __future__ import annotations

import json
import re
from typing import Any

import attrs

from domain.stream.sse import ServerSentEvent

_LINE_END = re.compile(r"\r\n|\r|\n")
_DIGITS = re.compile(r"[0-9]+")


@attrs.frozen
class Reading:
    events: list[ServerSentEvent]
    longest_line: int
    """The most characters on one line (finished or not), line end excluded."""
    most_data_chars: int
    """The most characters one event's data lines hold, a character per line end included."""


def read_event_stream(data: bytes) -> Reading:
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _LINE_END.split(text)
    unfinished = lines.pop()  # the stream's end is not a line end: never read (per spec)
    events: list[ServerSentEvent] = []
    data_lines: list[str] = []
    name, last_id, retry = "", "", None
    data_chars = most_data_chars = 0
    for line in lines:
        if not line:
            if data_lines:
                events.append(
                    ServerSentEvent("\n".join(data_lines), name or "message", last_id, retry)
                )
            data_lines, name, data_chars = [], "", 0
            continue
        if line.startswith(":"):
            continue
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "data":
            data_lines.append(value)
            data_chars += len(value) + 1
            most_data_chars = max(most_data_chars, data_chars)
        elif field == "event":
            name = value
        elif field == "id" and "\x00" not in value:
            last_id = value
        elif field == "retry" and _DIGITS.fullmatch(value):
            retry = int(value)
    longest = max((len(line) for line in [*lines, unfinished]), default=0)
    return Reading(events, longest, most_data_chars)


@attrs.frozen
class StreamFacts:
    """What the events say a reducer must conclude, read without the reducer."""

    complete: bool
    """A message started and then stopped (``message_stop``, or a ``stop_reason``)."""
    message_id: str
    started: bool


def stream_facts(events: list[ServerSentEvent]) -> StreamFacts:
    """Which events a reducer reads (up to ``message_stop`` or ``[DONE]``) and what they say."""
    started = stopped = has_reason = False
    message_id = ""
    for event in events:
        if event.data == "[DONE]":
            break
        try:
            payload: Any = json.loads(event.data)
        except (ValueError, RecursionError):
            continue
        if not isinstance(payload, dict):
            continue
        kind = payload.get("type")
        if not isinstance(kind, str):
            kind = event.event
        if kind == "message_start":
            started = True
            raw = payload.get("message")
            raw = raw if isinstance(raw, dict) else {}
            message_id = str(raw.get("id") or "")
            has_reason = has_reason or isinstance(raw.get("stop_reason"), str)
        elif kind == "content_block_start":
            started = True
        elif kind == "message_delta":
            delta = payload.get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("stop_reason"), str):
                has_reason = True
        elif kind == "message_stop":
            stopped = True
            break
    return StreamFacts(started and (stopped or has_reason), message_id, started)
