"""Properties of framing and reduction that must hold for every input, checked by hypothesis."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.errors import HexclawError
from domain.messages.content import (
    ContentBlock,
    Message,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from domain.stream import reducer as stream_reducer
from domain.stream.reducer import StreamReducer
from domain.stream.sse import ServerSentEvent, SSEFramer, SSEFramingError
from tests.fakes.sse_script import (
    EventSpec,
    block_start,
    block_stop,
    encode_event,
    json_delta,
    message_delta,
    message_start,
    message_stop,
    ping,
    signature_delta,
    text_delta,
    thinking_delta,
)
from tests.unit.sse_reference import read_event_stream, stream_facts


def cut(data: bytes, points: list[int]) -> list[bytes]:
    edges = sorted({0, len(data), *(p % (len(data) + 1) for p in points)})
    return [data[a:b] for a, b in itertools.pairwise(edges)]


# The framer scans short lines with a regex and splits long ones; these force each path.
ALWAYS_SPLIT, ALWAYS_SCAN = 0, 10**9


def frame_chunks(
    chunks: list[bytes], max_event_chars: int | None = None, long_line_chars: int = 512
) -> list[ServerSentEvent]:
    framer = (
        SSEFramer(long_line_chars=long_line_chars)
        if max_event_chars is None
        else SSEFramer(max_event_chars, long_line_chars)
    )
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += framer.feed(chunk)
    events += framer.close()
    return events


def reduce_chunks(chunks: list[bytes], long_line_chars: int = 512) -> Message:
    return stream_reducer.reduce_chunks(chunks, SSEFramer(long_line_chars=long_line_chars))


# Bytes rich in what framing cares about: line ends, colons, BOM and UTF-8 pieces...
byte_soup = st.lists(
    st.one_of(
        st.binary(max_size=12),
        st.sampled_from(
            [b"\r", b"\n", b"\r\n", b":", b" ", b"data", b"event", b"id", b"retry", b"\xef\xbb\xbf"]
        ),
        st.sampled_from([b"\xc3", b"\xa9", b"\xf0\x9f", b"\x98\x80", b"\xff", b"\x00"]),
    ),
    max_size=40,
).map(b"".join)
# ...and streams made of field lines, so that events actually get dispatched.
field_lines = st.tuples(
    st.sampled_from(["data", "event", "id", "retry", ":", "", "other", "\ufeffdata"]),
    st.sampled_from([":", ": ", ""]),
    st.text(st.sampled_from("ab 1:é😀\x00"), max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
).map(lambda parts: "".join(parts).encode())
blank_lines = st.sampled_from([b"\n", b"\r\n", b"\r"])
line_streams = st.lists(st.one_of(field_lines, blank_lines), max_size=20).map(b"".join)
# ...and whole events of a few data/event/id lines, which is where the framer's two ways of
# reading an event (the common triple at once, or line by line) must meet.
simple_lines = st.tuples(
    st.sampled_from(["data", "event", "id"]),
    st.sampled_from([": ", ":"]),
    st.text(st.sampled_from("ab é"), max_size=3),
).map("".join)
event_blocks = st.lists(
    st.tuples(st.lists(simple_lines, min_size=1, max_size=3), st.sampled_from(["\n", "\r\n"])),
    max_size=6,
).map(lambda blocks: "".join(eol.join([*lines, "", ""]) for lines, eol in blocks).encode())
framing_bytes = st.one_of(byte_soup, line_streams, event_blocks)
cut_points = st.lists(st.integers(min_value=0, max_value=10_000), max_size=12)


@given(framing_bytes, cut_points)
def test_arbitrary_bytes_frame_the_same_however_they_are_chunked(
    data: bytes, points: list[int]
) -> None:
    whole = frame_chunks([data], long_line_chars=ALWAYS_SPLIT)
    assert frame_chunks([data], long_line_chars=ALWAYS_SCAN) == whole
    assert frame_chunks(cut(data, points), long_line_chars=ALWAYS_SCAN) == whole
    assert frame_chunks(cut(data, points), long_line_chars=ALWAYS_SPLIT) == whole
    assert frame_chunks([data[i : i + 1] for i in range(len(data))]) == whole


@given(st.one_of(framing_bytes, st.binary(max_size=300)), cut_points, st.integers(1, 64))
def test_arbitrary_bytes_raise_nothing_but_the_framers_own_error(
    data: bytes, points: list[int], limit: int
) -> None:
    reading = read_event_stream(data)
    for path in (ALWAYS_SPLIT, ALWAYS_SCAN):
        try:
            events = frame_chunks(cut(data, points), max_event_chars=limit, long_line_chars=path)
        except SSEFramingError:
            # Refused only when something really outgrew the limit.
            assert max(reading.longest_line, reading.most_data_chars) > limit
        else:
            assert events == reading.events
        # Nothing is too long by default, and what comes out is what the event-stream rules say.
        assert frame_chunks(cut(data, points), long_line_chars=path) == reading.events


@given(framing_bytes, cut_points)
def test_arbitrary_bytes_through_the_reducer_raise_only_typed_errors(
    data: bytes, points: list[int]
) -> None:
    stream = b"event: message_start\n" + data
    try:
        message = reduce_chunks(cut(stream, points))
    except HexclawError:
        return
    # A message comes out only of a stream that started and stopped, and it is that message.
    facts = stream_facts(read_event_stream(stream).events)
    assert facts.complete
    assert message.id == facts.message_id


# --- valid streams -----------------------------------------------------------------------

unicode_text = st.text(
    st.one_of(
        st.characters(codec="utf-8"),  # no lone surrogates: they cannot be UTF-8
        st.sampled_from(["\r", "\n", "é", "北", "😀", "\\", '"', "\u2028", "\x00"]),
    ),
    max_size=30,
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    unicode_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(unicode_text, inner, max_size=4)
    ),
    max_leaves=12,
)
tool_inputs = st.dictionaries(unicode_text, json_values, max_size=5)


def split_text(text: str, points: list[int]) -> list[str]:
    edges = sorted({0, len(text), *(p % (len(text) + 1) for p in points)})
    return [text[a:b] for a, b in itertools.pairwise(edges)]


@st.composite
def block_plans(draw: st.DrawFn) -> tuple[ContentBlock, list[EventSpec]]:
    """One content block and the events (after block_start) that build it."""
    kind = draw(st.sampled_from(["text", "tool_use", "thinking"]))
    pieces = draw(cut_points)
    if kind == "text":
        text = draw(unicode_text)
        return TextBlock(text), [text_delta(-1, p) for p in split_text(text, pieces)]
    if kind == "thinking":
        thinking = draw(unicode_text)
        signature = draw(st.text("abcXYZ0123456789+/=", min_size=1, max_size=20))
        specs = [thinking_delta(-1, p) for p in split_text(thinking, pieces)]
        return ThinkingBlock(thinking, signature), [*specs, signature_delta(-1, signature)]
    tool_input = draw(tool_inputs)
    raw = json.dumps(tool_input, ensure_ascii=draw(st.booleans()))
    block = ToolUseBlock(id=f"toolu_{draw(st.integers(0, 999))}", name="Edit", input=tool_input)
    return block, [json_delta(-1, p) for p in split_text(raw, pieces)]


def with_index(spec: EventSpec, index: int) -> EventSpec:
    name, payload = spec
    return name, {**payload, "index": index}


def start_of(block: ContentBlock) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": ""}
    if isinstance(block, ThinkingBlock):
        return {"type": "thinking", "thinking": "", "signature": ""}
    assert isinstance(block, ToolUseBlock)
    return {"type": "tool_use", "id": block.id, "name": block.name, "input": {}}


@st.composite
def valid_streams(draw: st.DrawFn) -> tuple[Message, bytes]:
    plans = draw(st.lists(block_plans(), max_size=4))
    output_tokens = draw(st.integers(0, 10_000))
    specs: list[EventSpec] = [message_start("msg_p", usage={"input_tokens": 5})]
    for index, (block, deltas) in enumerate(plans):
        specs.append(block_start(index, start_of(block)))
        specs += [with_index(d, index) for d in deltas]
        specs.append(block_stop(index))
    specs.append(message_delta("end_turn", usage={"output_tokens": output_tokens}))
    if draw(st.booleans()):
        specs.append(message_stop())
    # Pings may come anywhere.
    for _ in range(draw(st.integers(0, 3))):
        specs.insert(draw(st.integers(1, len(specs))), ping())
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    named = draw(st.booleans())
    space = draw(st.booleans())
    parts = [encode_event(name if named else None, p, eol, space) for name, p in specs]
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), f": keep-alive{eol}".encode())
    body = b"".join(parts)
    if draw(st.booleans()):
        body = b"\xef\xbb\xbf" + body
    expected = Message(
        id="msg_p",
        model="claude-sonnet-4-5",
        content=[block for block, _ in plans],
        stop_reason="end_turn",
        usage=Usage(input_tokens=5, output_tokens=output_tokens),
    )
    return expected, body


def tricky_cuts(body: bytes) -> list[int]:
    """Positions between CR and LF and inside multi-byte UTF-8 characters."""
    points = [i + 1 for i in range(len(body) - 1) if body[i : i + 2] == b"\r\n"]
    points += [i + 1 for i, byte in enumerate(body) if byte >= 0xC0]
    return points


@given(valid_streams(), cut_points, st.data())
def test_valid_streams_reduce_to_the_same_message_however_chunked(
    stream: tuple[Message, bytes], points: list[int], data: st.DataObject
) -> None:
    expected, body = stream
    assert reduce_chunks([body], ALWAYS_SPLIT) == expected
    assert reduce_chunks([body], ALWAYS_SCAN) == expected
    special = tricky_cuts(body)
    chosen = data.draw(st.lists(st.sampled_from(special), max_size=8)) if special else []
    assert reduce_chunks(cut(body, [*points, *chosen])) == expected
    assert reduce_chunks(cut(body, [*points, *chosen]), ALWAYS_SPLIT) == expected
    if special:
        assert reduce_chunks(cut(body, special), ALWAYS_SCAN) == expected


@given(tool_inputs, cut_points, st.booleans())
def test_tool_inputs_split_into_arbitrary_fragments_round_trip(
    tool_input: dict[str, Any], points: list[int], ascii_only: bool
) -> None:
    raw = json.dumps(tool_input, ensure_ascii=ascii_only)
    reducer = StreamReducer()
    specs = [
        message_start(),
        block_start(0, {"type": "tool_use", "id": "toolu_p", "name": "Write", "input": {}}),
        json_delta(0, ""),
        *(json_delta(0, piece) for piece in split_text(raw, points)),
        block_stop(0),
        message_delta("tool_use"),
        message_stop(),
    ]
    for name, payload in specs:
        reducer.apply(ServerSentEvent(json.dumps(payload), name))
    [block] = reducer.finish().content
    assert isinstance(block, ToolUseBlock)
    assert block.input_error is None
    assert block.input == tool_input
