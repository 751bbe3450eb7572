"""Fuzzing the SSE framer and the stream reducer: any bytes, any events, cut anywhere."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.messages.content import Message
from domain.stream.errors import IncompleteStream, StreamError, StreamProtocolError
from domain.stream.reducer import StreamReducer, reduce_chunks
from domain.stream.sse import SSEFramer
from tests.fakes.sse_script import encode_event, text_message_events, tool_use_events
from tests.fuzz.limits import fuzz_settings, within_memory
from tests.unit.sse_reference import read_event_stream, stream_facts
from tests.unit.test_stream_properties import cut, cut_points, framing_bytes

pytestmark = pytest.mark.fuzz

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["text", "tool_use", "text_delta", "input_json_delta", "[DONE]", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
EVENT_NAMES = [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
    "message",
]
FIELDS = ["type", "index", "message", "content_block", "delta", "usage", "error", "text"]
VALID = [
    *text_message_events("héllo wörld, a few deltas"),
    *tool_use_events([("toolu_1", "Read", {"file_path": "a.py"})]),
]


def frame(chunks: list[bytes]) -> list[Any]:
    framer = SSEFramer()
    events = [event for chunk in chunks for event in framer.feed(chunk)]
    return events + framer.close()


def reduce(chunks: list[bytes]) -> Message:
    reducer = StreamReducer()
    try:
        return reduce_chunks(chunks, reducer=reducer)
    finally:
        reducer.partial()  # whatever state the stream left, a snapshot must still be possible


@st.composite
def mutated_events(draw: st.DrawFn) -> bytes:
    """Mostly the events of real answers, with fields replaced, dropped or added at random."""
    events: list[tuple[str | None, dict[str, Any] | str]] = []
    for valid_name, payload in draw(st.lists(st.sampled_from(VALID), max_size=14)):
        name = valid_name
        changed: dict[str, Any] | str = json.loads(json.dumps(payload))
        choice = draw(st.integers(0, 5))
        if choice == 0 and isinstance(changed, dict):
            changed[draw(st.sampled_from(FIELDS))] = draw(json_values)
        elif choice == 1 and isinstance(changed, dict) and changed:
            changed.pop(draw(st.sampled_from(sorted(changed))))
        elif choice == 2:
            changed = draw(st.text(max_size=20))  # not JSON at all
        elif choice == 3:
            name = draw(st.sampled_from(EVENT_NAMES))
        events.append((draw(st.sampled_from([name, None])), changed))
    return b"".join(encode_event(name, payload) for name, payload in events)


@fuzz_settings
@given(st.one_of(framing_bytes, st.binary(max_size=2000)), cut_points)
def test_the_framer_takes_any_bytes_in_bounded_time_and_memory(
    data: bytes, points: list[int]
) -> None:
    events = within_memory(lambda: frame(cut(data, points)), len(data))
    # Nothing is too long by default, so the outcome is the events the stream's rules give.
    assert events == read_event_stream(data).events


@fuzz_settings
@given(st.one_of(mutated_events(), framing_bytes), cut_points)
def test_the_reducer_raises_only_typed_errors_in_bounded_time_and_memory(
    data: bytes, points: list[int]
) -> None:
    stream = b"event: message_start\n" + data
    outcome = within_memory(lambda: reduce(cut(stream, points)), len(data))
    if isinstance(outcome, Message):
        # A message comes out only of a stream that started and stopped, and it is that one.
        facts = stream_facts(read_event_stream(stream).events)
        assert facts.complete
        assert outcome.id == facts.message_id
    else:
        assert isinstance(outcome, StreamError | IncompleteStream | StreamProtocolError)


@fuzz_settings
@given(st.integers(1, 3), st.integers(1, 200_000))
def test_deep_nesting_in_an_event_is_a_typed_error(depth_kind: int, depth: int) -> None:
    opener, closer = [("[", "]"), ('{"a":', "}"), ('{"type":"message_start","message":', "}")][
        depth_kind - 1
    ]
    data = f"event: message_start\ndata: {opener * depth}{closer * depth}\n\n".encode()
    outcome = within_memory(lambda: reduce([data]), len(data))
    # Too deep to decode is a malformed event; decodable, it still starts no finished message.
    assert isinstance(outcome, StreamProtocolError | IncompleteStream)
