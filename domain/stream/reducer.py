"""Reduce Anthropic stream events to a ``Message``, tolerating proxy quirks.

Rules a reader must not break:
- the event type comes from the JSON ``type``, falling back to the SSE event name;
- ``ping``, unknown events and unknown deltas are skipped; ``data: [DONE]`` ends the stream
  like end of file does (it proves nothing about completeness);
- a message is complete after ``message_stop``, or after a ``message_delta`` with a
  ``stop_reason`` once the stream has ended; a stream that ends inside a content block is
  an ``IncompleteStream`` carrying the partial message;
- usage fields are merged, last non-null value wins, never added across events;
- tool input fragments are concatenated and parsed only when their block stops.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from domain.messages.content import (
    ContentBlock,
    Message,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
)
from domain.messages.wire import block_from_wire, usage_from_wire
from domain.stream.errors import IncompleteStream, StreamError, StreamProtocolError
from domain.stream.sse import ServerSentEvent, SSEFramer
from domain.stream.updates import (
    BlockFinished,
    MessageDeltaReceived,
    MessageFinished,
    MessageStarted,
    StreamUpdate,
    TextDelta,
    ThinkingDelta,
    ToolUseStarted,
)

# Events whose payload must be JSON; anything else that is not JSON is a gateway keep-alive.
_ANTHROPIC_EVENTS = frozenset(
    {
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    }
)
_decode_json = json.JSONDecoder().decode
_PREVIEW_CHARS = 200


class _OpenBlock:
    """A content block that is still receiving deltas."""

    __slots__ = ("block", "citations", "parts", "signature")

    def __init__(self, block: ContentBlock) -> None:
        self.block = block
        self.parts: list[str] = []
        self.signature: str | None = None
        self.citations: list[dict[str, Any]] | None = None

    def snapshot(self) -> ContentBlock:
        block = self.block
        joined = "".join(self.parts)
        if isinstance(block, TextBlock):
            citations = block.citations
            if self.citations is not None:
                citations = [*(citations or []), *self.citations]
            return TextBlock(
                text=block.text + joined,
                citations=list(citations) if citations is not None else None,
            )
        if isinstance(block, ThinkingBlock):
            return ThinkingBlock(
                thinking=block.thinking + joined,
                signature=self.signature if self.signature is not None else block.signature,
            )
        if isinstance(block, ToolUseBlock | ServerToolUseBlock):
            return _finish_tool_input(block, joined)
        return block


def _finish_tool_input(
    block: ToolUseBlock | ServerToolUseBlock, text: str
) -> ToolUseBlock | ServerToolUseBlock:
    if not text.strip():
        # Anthropic's start event carries ``input: {}``; a gateway that sends the whole
        # input there and no deltas still gets its input through.
        parsed: Any = dict(block.input) if isinstance(block.input, dict) else {}
    else:
        try:
            parsed = _decode_json(text)
        except (ValueError, RecursionError) as exc:
            return _with_input_error(block, f"tool input is not valid JSON ({exc})", text)
        if not isinstance(parsed, dict):
            return _with_input_error(block, "tool input is not a JSON object", text)
    if isinstance(block, ToolUseBlock):
        return ToolUseBlock(id=block.id, name=block.name, input=parsed)
    return ServerToolUseBlock(id=block.id, name=block.name, input=parsed)


def _with_input_error(
    block: ToolUseBlock | ServerToolUseBlock, reason: str, text: str
) -> ToolUseBlock | ServerToolUseBlock:
    if isinstance(block, ServerToolUseBlock):
        # The server ran it already; there is nothing for hexclaw to refuse.
        return ServerToolUseBlock(id=block.id, name=block.name, input={})
    preview = text if len(text) <= _PREVIEW_CHARS else text[:_PREVIEW_CHARS] + "..."
    return ToolUseBlock(
        id=block.id, name=block.name, input={}, input_error=f"{reason}; received: {preview}"
    )


class StreamReducer:
    """Feed it events with ``apply``; call ``finish`` at end of stream for the message."""

    def __init__(self) -> None:
        self._started = False
        self._message = Message()
        self._blocks: dict[int, ContentBlock] = {}
        self._open: dict[int, _OpenBlock] = {}
        self._usage: dict[str, Any] = {}
        self._stopped = False  # message_stop arrived: the message is logically complete
        self._ended = False  # message_stop or [DONE]: nothing after it is read
        self._finished: Message | None = None

    @property
    def done(self) -> bool:
        """True once ``message_stop`` or ``[DONE]`` arrived; later bytes need not be read."""
        return self._ended

    @property
    def started(self) -> bool:
        return self._started

    def apply(self, sse: ServerSentEvent) -> list[StreamUpdate]:
        if self._ended:
            return []
        data = sse.data
        if data == "[DONE]":
            self._ended = True
            return []
        try:
            payload = _decode_json(data)
        except (ValueError, RecursionError):
            return self._on_non_json(sse)
        if not isinstance(payload, dict):
            return []
        kind = payload.get("type")
        if not isinstance(kind, str):
            kind = sse.event
        handler = _HANDLERS.get(kind)
        if handler is None:
            return []
        return handler(self, payload)

    def partial(self) -> Message:
        """What has arrived so far, open blocks included as they stand."""
        blocks = dict(self._blocks)
        for index, open_block in self._open.items():
            blocks[index] = open_block.snapshot()
        return self._build(blocks)

    def finish(self) -> Message:
        """The complete message; raises ``IncompleteStream`` when the stream was cut short."""
        if self._finished is not None:
            return self._finished
        if not self._started:
            raise IncompleteStream("the stream ended before the message started", None)
        if self._open:
            raise IncompleteStream(
                "the stream ended in the middle of a content block", self.partial()
            )
        if not self._stopped and self._message.stop_reason is None:
            raise IncompleteStream("the stream ended before the message finished", self.partial())
        self._finished = self._build(self._blocks)
        return self._finished

    def _build(self, blocks: dict[int, ContentBlock]) -> Message:
        m = self._message
        return Message(
            id=m.id,
            model=m.model,
            content=[blocks[i] for i in sorted(blocks)],
            stop_reason=m.stop_reason,
            stop_sequence=m.stop_sequence,
            usage=usage_from_wire(self._usage),
        )

    def _merge_usage(self, raw: Any) -> None:
        if isinstance(raw, dict):
            for key, value in raw.items():
                if value is not None:
                    self._usage[key] = value

    def _on_non_json(self, sse: ServerSentEvent) -> list[StreamUpdate]:
        if sse.event == "error":
            # A gateway's plain-text error is still an error, not a keep-alive.
            raise StreamError(
                "api_error",
                sse.data[:_PREVIEW_CHARS],
                self.partial() if self._started else None,
            )
        if sse.event in _ANTHROPIC_EVENTS:
            raise StreamProtocolError(
                f"malformed JSON in a {sse.event!r} event: {sse.data[:120]!r}", self.partial()
            )
        return []  # a data-only keep-alive from a gateway

    def _on_message_start(self, payload: dict[str, Any]) -> list[StreamUpdate]:
        raw = payload.get("message")
        if not isinstance(raw, dict):
            raw = {}
        self._started = True
        self._message.id = str(raw.get("id") or "")
        self._message.model = str(raw.get("model") or "")
        content = raw.get("content")
        if isinstance(content, list) and not self._blocks and not self._open:
            for index, block in enumerate(content):
                self._blocks[index] = block_from_wire(block)
        stop_reason = raw.get("stop_reason")
        if isinstance(stop_reason, str):
            self._message.stop_reason = stop_reason
        self._merge_usage(raw.get("usage"))
        return [MessageStarted(message_id=self._message.id, model=self._message.model)]

    def _on_block_start(self, payload: dict[str, Any]) -> list[StreamUpdate]:
        index = payload.get("index")
        raw = payload.get("content_block")
        if type(index) is not int or not isinstance(raw, dict):
            raise StreamProtocolError("content_block_start without index or block", self.partial())
        self._started = True
        block = block_from_wire(raw)
        self._open[index] = _OpenBlock(block)
        if isinstance(block, ToolUseBlock):
            return [ToolUseStarted(index=index, tool_use_id=block.id, name=block.name)]
        return []

    def _on_block_delta(self, payload: dict[str, Any]) -> list[StreamUpdate]:
        index = payload.get("index")
        delta = payload.get("delta")
        if type(index) is not int or not isinstance(delta, dict):
            return []
        open_block = self._open.get(index)
        if open_block is None:
            return []
        kind = delta.get("type")
        block = open_block.block
        if kind == "text_delta":
            text = delta.get("text")
            if isinstance(text, str) and isinstance(block, TextBlock):
                open_block.parts.append(text)
                return [TextDelta(index=index, text=text)]
        elif kind == "input_json_delta":
            fragment = delta.get("partial_json")
            if isinstance(fragment, str) and isinstance(block, ToolUseBlock | ServerToolUseBlock):
                open_block.parts.append(fragment)
        elif kind == "thinking_delta":
            thinking = delta.get("thinking")
            if isinstance(thinking, str) and isinstance(block, ThinkingBlock):
                open_block.parts.append(thinking)
                return [ThinkingDelta(index=index, thinking=thinking)]
        elif kind == "signature_delta":
            signature = delta.get("signature")
            if isinstance(signature, str) and isinstance(block, ThinkingBlock):
                open_block.signature = signature
        elif kind == "citations_delta":
            citation = delta.get("citation")
            if isinstance(citation, dict) and isinstance(block, TextBlock):
                if open_block.citations is None:
                    open_block.citations = []
                open_block.citations.append(citation)
        return []

    def _on_block_stop(self, payload: dict[str, Any]) -> list[StreamUpdate]:
        index = payload.get("index")
        if type(index) is not int:
            return []
        open_block = self._open.pop(index, None)
        if open_block is None:
            return []
        block = open_block.snapshot()
        self._blocks[index] = block
        return [BlockFinished(index=index, block=block)]

    def _on_message_delta(self, payload: dict[str, Any]) -> list[StreamUpdate]:
        delta = payload.get("delta")
        if isinstance(delta, dict):
            # Last non-null wins: a proxy that repeats message_delta with a null
            # stop_reason must not erase the real one.
            stop_reason = delta.get("stop_reason")
            if isinstance(stop_reason, str):
                self._message.stop_reason = stop_reason
                stop_sequence = delta.get("stop_sequence")
                self._message.stop_sequence = (
                    stop_sequence if isinstance(stop_sequence, str) else None
                )
            self._merge_usage(delta.get("usage"))
        self._merge_usage(payload.get("usage"))
        return [
            MessageDeltaReceived(
                stop_reason=self._message.stop_reason, usage=usage_from_wire(self._usage)
            )
        ]

    def _on_message_stop(self, _payload: dict[str, Any]) -> list[StreamUpdate]:
        self._stopped = True
        self._ended = True
        if self._open or not self._started:
            return []
        return [MessageFinished(message=self.finish())]

    def _on_error(self, payload: dict[str, Any]) -> list[StreamUpdate]:
        error = payload.get("error")
        if not isinstance(error, dict):
            error = {}
        request_id = payload.get("request_id")
        raise StreamError(
            error_type=str(error.get("type") or "api_error"),
            message=str(error.get("message") or "the server reported an error mid-stream"),
            partial=self.partial() if self._started else None,
            request_id=request_id if isinstance(request_id, str) else None,
        )


_HANDLERS = {
    "message_start": StreamReducer._on_message_start,
    "content_block_start": StreamReducer._on_block_start,
    "content_block_delta": StreamReducer._on_block_delta,
    "content_block_stop": StreamReducer._on_block_stop,
    "message_delta": StreamReducer._on_message_delta,
    "message_stop": StreamReducer._on_message_stop,
    "error": StreamReducer._on_error,
}


def reduce_chunks(
    chunks: Iterable[bytes], framer: SSEFramer | None = None, reducer: StreamReducer | None = None
) -> Message:
    """A whole byte stream, already received, framed and reduced to its message (replays,
    benchmarks, tests); the live client reads the same way but stops at ``message_stop``."""
    framer = framer if framer is not None else SSEFramer()
    reducer = reducer if reducer is not None else StreamReducer()
    for chunk in chunks:
        for event in framer.feed(chunk):
            reducer.apply(event)
    for event in framer.close():
        reducer.apply(event)
    return reducer.finish()
