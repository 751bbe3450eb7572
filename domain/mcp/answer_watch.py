"""Watching a streamable HTTP POST's event stream for the answer to the request it carried.

The SDK reads a POST's ``text/event-stream`` answer and, when the stream breaks or ends
before the request's answer with no event id to resume from, simply stops: the call then waits
for its timeout (forever without one). ``AnswerWatch`` is fed the stream's bytes as they come
and passes on whole events only, so that when the stream fails hexclaw can end it with one
event of its own, the request's JSON-RPC error, which the SDK reads like the server's answer.

An event with an id makes the stream resumable: the SDK then reconnects with
``Last-Event-ID`` itself and the answer can still come, so such a stream is left to it
(``last_event_id`` says where it resumes from).
"""

from __future__ import annotations

import json

from domain.mcp.protocol import JSON

_BLANK = (b"\n", b"\r\n", b"\r")


def as_event(message: JSON) -> bytes:
    """One ``message`` event carrying ``message``."""
    return b"event: message\r\ndata: " + json.dumps(message).encode() + b"\r\n\r\n"


class AnswerWatch:
    """``feed(chunk)`` returns the whole events the chunk completes (the rest waits for the
    next chunk); ``answered`` once an event carried the request's result or error;
    ``last_event_id`` the id of the last event that carried one (None: not resumable);
    ``resumes_from``, for a stream that resumes another, the id it resumed from."""

    def __init__(self, request_id: object, resumes_from: str | None = None) -> None:
        self.request_id = request_id
        self.answered = False
        self.last_event_id = resumes_from
        self._partial = b""
        self._event: list[bytes] = []

    def feed(self, chunk: bytes) -> bytes:
        lines = (self._partial + chunk).splitlines(keepends=True)
        # A line is whole once its end arrived; a last "\r" may still be half of "\r\n".
        self._partial = lines.pop() if lines and not lines[-1].endswith(b"\n") else b""
        whole = bytearray()
        for line in lines:
            self._event.append(line)
            if line in _BLANK:
                whole += b"".join(self._event)
                self._read(self._event)
                self._event = []
        return bytes(whole)

    def ending(self, answer: JSON) -> bytes:
        """What to pass on when the stream stops here (broken, or ended): ``answer`` (the
        request's error) as an event, unless the request's answer came or the SDK can resume
        the stream (then nothing)."""
        if self.answered or self.resumable:
            return b""
        self.answered = True
        return as_event(answer)

    @property
    def resumable(self) -> bool:
        return self.last_event_id is not None

    def _read(self, lines: list[bytes]) -> None:
        kind, data = "message", []
        for raw in lines:
            line = raw.rstrip(b"\r\n").decode("utf-8", "replace")
            if not line or line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "id" and value:
                self.last_event_id = value
            elif field == "event":
                kind = value
            elif field == "data":
                data.append(value)
        if kind != "message" or not data:
            return
        try:
            message = json.loads("\n".join(data))
        except ValueError:
            return
        if (
            isinstance(message, dict)
            and message.get("id") == self.request_id
            and ("result" in message or "error" in message)
        ):
            self.answered = True
