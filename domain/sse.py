"""An incremental Server-Sent Events framer (WHATWG "event stream interpretation").

Bytes go in, complete events come out. The output never depends on where the
byte stream was cut: UTF-8 is decoded incrementally and a CR at the end of one
chunk followed by LF at the start of the next is one line end.
"""

from __future__ import annotations

import codecs
import re

import attrs

from domain.errors import HexclawError

_LINE_END = re.compile(r"\r\n|\r|\n")
DEFAULT_MAX_EVENT_CHARS = 64 * 1024 * 1024


class SSEFramingError(HexclawError):
    """The byte stream cannot be framed (an event grew beyond the size limit)."""


@attrs.frozen
class ServerSentEvent:
    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None


class SSEFramer:
    """Feed it bytes with ``feed``; call ``close`` at end of stream."""

    __slots__ = (
        "_at_start",
        "_data",
        "_data_chars",
        "_decoder",
        "_event",
        "_last_id",
        "_max_event_chars",
        "_pending",
        "_skip_lf",
        "retry",
    )

    def __init__(self, max_event_chars: int = DEFAULT_MAX_EVENT_CHARS) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._skip_lf = False
        self._at_start = True
        self._data: list[str] = []
        self._data_chars = 0
        self._event = ""
        self._last_id = ""
        self._max_event_chars = max_event_chars
        self.retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        return self._feed_text(self._decoder.decode(chunk))

    def close(self) -> list[ServerSentEvent]:
        """End of stream: a pending event that no blank line closed is discarded (per spec)."""
        events = self._feed_text(self._decoder.decode(b"", final=True))
        self._pending = ""
        self._data = []
        self._data_chars = 0
        self._event = ""
        return events

    def _feed_text(self, text: str) -> list[ServerSentEvent]:
        if not text:
            return []
        if self._at_start:
            self._at_start = False
            if text[0] == "\ufeff":
                text = text[1:]
                if not text:
                    return []
        if self._skip_lf:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
                if not text:
                    return []
        buffer = self._pending + text if self._pending else text
        lines = _LINE_END.split(buffer)
        self._pending = lines.pop()
        if buffer[-1] == "\r":
            # The CR already ended its line; an LF at the start of the next chunk belongs to it.
            self._skip_lf = True
        if len(self._pending) > self._max_event_chars:
            raise SSEFramingError(f"an SSE line exceeds {self._max_event_chars} characters")
        events: list[ServerSentEvent] = []
        for line in lines:
            event = self._process_line(line)
            if event is not None:
                events.append(event)
        return events

    def _process_line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        field, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if field == "data":
            self._data.append(value)
            self._data_chars += len(value) + 1
            if self._data_chars > self._max_event_chars:
                raise SSEFramingError(f"an SSE event exceeds {self._max_event_chars} characters")
        elif field == "event":
            self._event = value
        elif field == "id":
            if "\x00" not in value:
                self._last_id = value
        elif field == "retry" and value.isascii() and value.isdigit():
            self.retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = ServerSentEvent(
            data="\n".join(self._data),
            event=self._event or "message",
            id=self._last_id,
            retry=self.retry,
        )
        self._data = []
        self._data_chars = 0
        self._event = ""
        return event
