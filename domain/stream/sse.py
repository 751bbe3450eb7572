"""An incremental Server-Sent Events framer (WHATWG "event stream interpretation").

Bytes go in, complete events come out. The output never depends on where the
byte stream was cut: UTF-8 is decoded incrementally (a split multi-byte character
waits for its last byte) and a CR at the end of one chunk followed by LF at the
start of the next is one line end.

The framer sits on the hot path of every streamed token. Streams of many short
events (text deltas) are scanned with one regular expression that takes the common
``event:``/``data:``/blank triple in a single step; streams of long lines (large
tool inputs) are split on line ends, which scans long lines faster. Both paths
apply the same rules.
"""

from __future__ import annotations

import codecs
import re

import attrs

from domain.errors import HexclawError
from domain.repr_base import Record

DEFAULT_MAX_EVENT_CHARS = 64 * 1024 * 1024
# One step of the scan over complete lines: a whole "event: X / data: Y / blank" event, a
# whole "data: Y / blank" event, or any single line.
_SCAN = re.compile(r"event: ?([^\n]*)\ndata: ?([^\n]*)\n\n|data: ?([^\n]*)\n\n|([^\n]*)\n")
# Above this many characters per line on average, splitting beats the regex scan.
_LONG_LINES = 512
_SAMPLE_CHARS = 4096


class SSEFramingError(HexclawError):
    """The byte stream cannot be framed (a line or an event grew beyond the size limit)."""


# Not frozen: a frozen attrs __init__ costs about three times as much, once per event.
@attrs.define(slots=True, repr=False)
class ServerSentEvent(Record):
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
        "_long_line_chars",
        "_max_event_chars",
        "_pending",
        "_pending_chars",
        "_skip_lf",
        "retry",
    )

    def __init__(
        self, max_event_chars: int = DEFAULT_MAX_EVENT_CHARS, long_line_chars: int = _LONG_LINES
    ) -> None:
        """``long_line_chars`` only tunes speed (split above it, scan below); tests vary it."""
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
        self._long_line_chars = long_line_chars
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
        if "\r" in text:
            # The CR already ended its line; an LF at the start of the next chunk belongs to it.
            self._skip_lf = text[-1] == "\r"
            # Values cannot contain CR or LF, so all three line ends can become LF.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\n" not in text:
            self._pending.append(text)
            self._pending_chars += len(text)
            self._check_line_length()
            return []
        if self._pending:
            self._pending.append(text)
            text = "".join(self._pending)
        # Judge the line lengths from a bounded sample: counting the whole text costs too much.
        sample = min(len(text), _SAMPLE_CHARS)
        if text.count("\n", 0, sample) * self._long_line_chars < sample:
            lines = text.split("\n")
            self._set_pending(lines.pop())
            return self._lines(lines, [])
        end = text.rfind("\n") + 1
        self._set_pending(text[end:])
        return self._scan(text, end)

    def _set_pending(self, rest: str) -> None:
        """Keep the unfinished last line for the next chunk."""
        self._pending = [rest] if rest else []
        self._pending_chars = len(rest)
        self._check_line_length()

    def _check_line_length(self) -> None:
        if self._pending_chars > self._max_event_chars:
            raise SSEFramingError(f"an SSE line exceeds {self._max_event_chars} characters")

    def _scan(self, text: str, end: int) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for match in _SCAN.finditer(text, 0, end):
            name, value, data_only, line = match.groups()
            if line is not None:
                self._lines((line,), events)
            elif self._data:
                # The event began in earlier lines: finish it by the general rules.
                if value is None:
                    self._lines((f"data: {data_only}", ""), events)
                else:
                    self._lines((f"event: {name}", f"data: {value}", ""), events)
            else:
                if value is None:
                    name, value = self._event, data_only
                if len(value) >= self._max_event_chars:
                    raise SSEFramingError(
                        f"an SSE event exceeds {self._max_event_chars} characters"
                    )
                events.append(ServerSentEvent(value, name or "message", self._last_id, self.retry))
                self._event = ""
        return events

    def _lines(
        self, lines: list[str] | tuple[str, ...], events: list[ServerSentEvent]
    ) -> list[ServerSentEvent]:
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
            if line.startswith("data:"):
                # The most common line, and the longest: slice it once.
                value = line[6:] if line.startswith(" ", 5) else line[5:]
                data.append(value)
                self._data_chars += len(value) + 1
                if self._data_chars > self._max_event_chars:
                    self._data, self._event = data, name
                    raise SSEFramingError(
                        f"an SSE event exceeds {self._max_event_chars} characters"
                    )
                continue
            if line[0] == ":":
                continue
            field, _, value = line.partition(":")
            if value and value[0] == " ":
                value = value[1:]
            if field == "data":  # "data" alone: an empty data line
                data.append(value)
                self._data_chars += 1
                if self._data_chars > self._max_event_chars:  # each adds a line end
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
