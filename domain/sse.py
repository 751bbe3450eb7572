"""An incremental Server-Sent Events framer (WHATWG "event stream interpretation").

Bytes go in, complete events come out. The output never depends on where the
byte stream was cut: UTF-8 is decoded incrementally (a split multi-byte character
waits for its last byte) and a CR at the end of one chunk followed by LF at the
start of the next is one line end.

The framer sits on the hot path of every streamed token, so ``feed`` handles the
lines inline rather than through a method per line.
"""

from __future__ import annotations

import codecs
import re

import attrs

from domain.errors import HexclawError

_LINE_END = re.compile(r"\r\n|\r|\n")
DEFAULT_MAX_EVENT_CHARS = 64 * 1024 * 1024


class SSEFramingError(HexclawError):
    """The byte stream cannot be framed (a line or an event grew beyond the size limit)."""


# Not frozen: a frozen attrs __init__ costs about three times as much, once per event.
@attrs.define(slots=True)
class ServerSentEvent:
    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None


class SSEFramer:
    """Feed it bytes with ``feed``; call ``close`` at end of stream.

    Invalid UTF-8 becomes U+FFFD as the spec says, so no byte sequence makes it raise
    anything but ``SSEFramingError`` (and that only past ``max_event_chars``).
    """

    __slots__ = (
        "_at_start",
        "_data",
        "_data_chars",
        "_decode",
        "_event",
        "_last_id",
        "_max_event_chars",
        "_pending",
        "_pending_chars",
        "_skip_lf",
        "retry",
    )

    def __init__(self, max_event_chars: int = DEFAULT_MAX_EVENT_CHARS) -> None:
        self._decode = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
        # The start of a line that has not ended yet, in pieces so that a long line
        # arriving in many small chunks is joined once, not once per chunk.
        self._pending: list[str] = []
        self._pending_chars = 0
        self._skip_lf = False
        self._at_start = True
        self._data: list[str] = []
        self._data_chars = 0
        self._event = ""
        self._last_id = ""
        self._max_event_chars = max_event_chars
        self.retry: int | None = None

    @property
    def last_event_id(self) -> str:
        return self._last_id

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        return self._feed_text(self._decode(chunk))

    def close(self) -> list[ServerSentEvent]:
        """End of stream: a pending event that no blank line closed is discarded (per spec)."""
        events = self._feed_text(self._decode(b"", True))
        self._pending = []
        self._pending_chars = 0
        self._data = []
        self._data_chars = 0
        self._event = ""
        self._skip_lf = False
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
        has_cr = "\r" in text
        if not has_cr and "\n" not in text:
            self._pending.append(text)
            self._pending_chars += len(text)
            if self._pending_chars > self._max_event_chars:
                raise SSEFramingError(f"an SSE line exceeds {self._max_event_chars} characters")
            return []
        if self._pending:
            self._pending.append(text)
            text = "".join(self._pending)
            self._pending = []
        if has_cr:
            lines = _LINE_END.split(text)
            # The CR already ended its line; an LF at the start of the next chunk belongs to it.
            self._skip_lf = text[-1] == "\r"
        else:
            lines = text.split("\n")
        rest = lines.pop()
        self._pending_chars = len(rest)
        if rest:
            self._pending.append(rest)
            if self._pending_chars > self._max_event_chars:
                raise SSEFramingError(f"an SSE line exceeds {self._max_event_chars} characters")
        return self._process_lines(lines)

    def _process_lines(self, lines: list[str]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        data = self._data
        name = self._event
        for line in lines:
            if not line:
                if data:
                    events.append(
                        ServerSentEvent(
                            "\n".join(data), name or "message", self._last_id, self.retry
                        )
                    )
                    data = []
                    self._data_chars = 0
                name = ""
                continue
            if line[0] == ":":
                continue
            field, _, value = line.partition(":")
            if value and value[0] == " ":
                value = value[1:]
            if field == "data":
                data.append(value)
                self._data_chars += len(value) + 1
                if self._data_chars > self._max_event_chars:
                    self._data, self._event = data, name
                    raise SSEFramingError(
                        f"an SSE event exceeds {self._max_event_chars} characters"
                    )
            elif field == "event":
                name = value
            elif field == "id":
                if "\x00" not in value:
                    self._last_id = value
            elif field == "retry" and value.isascii() and value.isdigit():
                self.retry = int(value)
        self._data, self._event = data, name
        return events
