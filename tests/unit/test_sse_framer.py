"""The SSE framer against the WHATWG event-stream rules."""

from __future__ import annotations

import pytest

from domain.stream.sse import ServerSentEvent, SSEFramer, SSEFramingError


def frame(*chunks: bytes) -> list[ServerSentEvent]:
    """Frames by both of the framer's paths (regex scan, line split): they must agree."""
    results = []
    for long_line_chars in (0, 10**9):
        framer = SSEFramer(long_line_chars=long_line_chars)
        events: list[ServerSentEvent] = []
        for chunk in chunks:
            events += framer.feed(chunk)
        events += framer.close()
        results.append(events)
    assert results[0] == results[1]
    return results[0]


def bytewise(body: bytes) -> list[ServerSentEvent]:
    return frame(*(body[i : i + 1] for i in range(len(body))))


def test_an_event_is_dispatched_on_a_blank_line() -> None:
    assert frame(b"event: ping\ndata: {}\n\n") == [ServerSentEvent(data="{}", event="ping")]


def test_nothing_is_dispatched_before_the_blank_line() -> None:
    framer = SSEFramer()
    assert framer.feed(b"event: ping\ndata: {}\n") == []
    assert framer.feed(b"\n") == [ServerSentEvent(data="{}", event="ping")]


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_all_three_line_ends(eol: str) -> None:
    body = f"event: a{eol}data: 1{eol}{eol}data: 2{eol}{eol}".encode()
    expected = [ServerSentEvent("1", "a"), ServerSentEvent("2")]
    assert frame(body) == expected
    assert bytewise(body) == expected


def test_mixed_line_ends_in_one_stream() -> None:
    body = b"data: a\r\n\ndata: b\n\r\ndata: c\r\rdata: d\n\n"
    assert [e.data for e in frame(body)] == ["a", "b", "c", "d"]


def test_cr_at_chunk_end_and_lf_at_next_start_are_one_line_end() -> None:
    events = frame(b"data: x\r", b"\ndata: y\r", b"\n\r", b"\n")
    assert events == [ServerSentEvent("x\ny")]


def test_cr_then_an_empty_chunk_then_lf_is_still_one_line_end() -> None:
    assert frame(b"data: x\r", b"", b"\ndata: y\r\n\r\n") == [ServerSentEvent("x\ny")]


def test_line_ends_around_split_multibyte_characters() -> None:
    # CR ends "data: é"; the next line is a field named "é" (ignored); CRLF CRLF dispatches.
    events = frame(b"data: \xc3\xa9\r", b"\xc3", b"\xa9\r\n\r\n")
    assert events == [ServerSentEvent("é")]


def test_leading_bom_is_stripped_once() -> None:
    assert frame(b"\xef\xbb\xbfdata: x\n\n") == [ServerSentEvent("x")]
    assert bytewise(b"\xef\xbb\xbfdata: x\n\n") == [ServerSentEvent("x")]
    # A second BOM is part of the field name, which is then unknown and ignored.
    assert frame(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n") == []


def test_bom_later_in_the_stream_is_not_stripped() -> None:
    assert frame(b"data: a\n\n\xef\xbb\xbfdata: b\n\n") == [ServerSentEvent("a")]


def test_comments_are_ignored() -> None:
    body = b": keep-alive\n\n: OPENROUTER PROCESSING\ndata: x\n: inside\n\n"
    assert frame(body) == [ServerSentEvent("x")]


@pytest.mark.parametrize(
    ("line", "value"),
    [
        (b"data:x", "x"),
        (b"data: x", "x"),
        (b"data:  x", " x"),
        (b"data:\tx", "\tx"),
        (b"data: a:b: c", "a:b: c"),
        (b"data:", ""),
    ],
)
def test_one_leading_space_is_removed_from_the_value(line: bytes, value: str) -> None:
    assert frame(line + b"\n\n") == [ServerSentEvent(value)]


def test_several_data_lines_are_joined_with_newlines() -> None:
    assert frame(b"data: a\ndata:\ndata: c\n\n") == [ServerSentEvent("a\n\nc")]


def test_a_line_without_colon_is_a_field_with_an_empty_value() -> None:
    assert frame(b"data\ndata\n\n") == [ServerSentEvent("\n")]


def test_empty_data_buffer_dispatches_nothing_and_resets_the_event_name() -> None:
    assert frame(b"event: orphan\n\ndata: x\n\n") == [ServerSentEvent("x", "message")]
    assert frame(b"retry: 100\n\n") == []


def test_event_name_defaults_to_message_and_resets_after_dispatch() -> None:
    events = frame(b"event: first\ndata: 1\n\ndata: 2\n\n")
    assert [(e.event, e.data) for e in events] == [("first", "1"), ("message", "2")]


def test_id_persists_across_events_and_ignores_values_with_nul() -> None:
    events = frame(b"id: 7\ndata: a\n\ndata: b\n\nid: x\x00y\ndata: c\n\nid\ndata: d\n\n")
    assert [e.id for e in events] == ["7", "7", "7", ""]


def test_retry_accepts_ascii_digits_only() -> None:
    framer = SSEFramer()
    framer.feed(b"retry: 1500\n\n")
    assert framer.retry == 1500
    for bad in (b"retry: +5\n", b"retry:  7\n", b"retry: 1_000\n", b"retry: \xd9\xa3\n"):
        framer.feed(bad)
        assert framer.retry == 1500
    assert framer.feed(b"retry: 20\ndata: x\n\n") == [ServerSentEvent("x", retry=20)]


def test_unknown_fields_are_ignored() -> None:
    assert frame(b"foo: bar\ndata: x\nEvent: no\n\n") == [ServerSentEvent("x")]


def test_pending_event_at_end_of_stream_is_discarded() -> None:
    assert frame(b"data: complete\n\ndata: never closed\n") == [ServerSentEvent("complete")]
    assert frame(b"data: no line end at all") == []


def test_multibyte_characters_split_anywhere_decode_whole() -> None:
    text = "Grüße 北京 😀"
    body = f"data: {text}\n\n".encode()
    assert bytewise(body) == [ServerSentEvent(text)]


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert frame(b"data: a\xffb\n\n") == [ServerSentEvent("a\ufffdb")]
    # A character cut short by end of stream never reaches an event.
    assert frame(b"data: x\n\n", b"\xe2\x82") == [ServerSentEvent("x")]


def test_a_long_line_arriving_in_many_chunks_is_joined_once() -> None:
    payload = "y" * 50_000
    body = f"data: {payload}\n\n".encode()
    chunks = [body[i : i + 7] for i in range(0, len(body), 7)]
    assert frame(*chunks) == [ServerSentEvent(payload)]


def test_line_beyond_the_limit_is_a_typed_error() -> None:
    framer = SSEFramer(max_event_chars=100)
    framer.feed(b"data: " + b"x" * 60)
    with pytest.raises(SSEFramingError, match="exceeds 100"):
        framer.feed(b"x" * 60)


def test_event_beyond_the_limit_is_a_typed_error() -> None:
    framer = SSEFramer(max_event_chars=100)
    with pytest.raises(SSEFramingError, match="event exceeds"):
        framer.feed(b"data: " + b"x" * 60 + b"\ndata: " + b"x" * 60 + b"\n")


def test_last_event_id_is_exposed() -> None:
    framer = SSEFramer()
    framer.feed(b"id: abc\n")
    assert framer.last_event_id == "abc"


def test_event_finished_by_a_common_triple_after_earlier_data_lines() -> None:
    body = b"data: a\nevent: x\ndata: b\n\ndata: c\nevent:\ndata:  d\n\nevent: y\ndata: e\n\n"
    assert frame(body) == [
        ServerSentEvent("a\nb", "x"),
        ServerSentEvent("c\n d", "message"),
        ServerSentEvent("e", "y"),
    ]


def test_data_only_event_keeps_an_event_name_set_by_an_earlier_line() -> None:
    body = b"event: named\nid: 3\ndata: v\n\nevent: gone\nevent:\ndata: w\n\n"
    assert frame(body) == [ServerSentEvent("v", "named", "3"), ServerSentEvent("w", "message", "3")]


def test_fields_that_only_look_like_data_or_event() -> None:
    body = b"eventful: x\ndatum: y\n:data: z\ndata: real\n\n"
    assert frame(body) == [ServerSentEvent("real")]
