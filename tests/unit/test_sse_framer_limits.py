"""The framer's size limit counted exactly, on both of its paths, and a framer that starts
afresh after ``close``: behaviours a mutation run found no test pinning down."""

from __future__ import annotations

import pytest

from domain.stream.sse import ServerSentEvent, SSEFramer, SSEFramingError

PATHS = [0, 10**9]  # always split lines, always scan


def frame(data: bytes, limit: int, path: int) -> list[ServerSentEvent]:
    framer = SSEFramer(max_event_chars=limit, long_line_chars=path)
    return framer.feed(data) + framer.close()


@pytest.mark.parametrize("path", PATHS)
def test_an_event_of_exactly_the_limit_passes_and_one_more_character_fails(path: int) -> None:
    # Each data line counts its characters and one for its line end.
    assert [e.data for e in frame(b"data: 123456789\n\n", 10, path)] == ["123456789"]
    with pytest.raises(SSEFramingError, match=r"^an SSE event exceeds 10 characters$"):
        frame(b"data: 1234567890\n\n", 10, path)
    assert [e.data for e in frame(b"data: 1234\ndata: 1234\n\n", 10, path)] == ["1234\n1234"]
    with pytest.raises(SSEFramingError):
        frame(b"data: 1234\ndata: 12345\n\n", 10, path)
    # Bare "data" lines add a line end each: they once grew an event past any limit.
    assert [e.data for e in frame(b"data\n" * 10 + b"\n", 10, path)] == ["\n" * 9]
    with pytest.raises(SSEFramingError):
        frame(b"data\n" * 11 + b"\n", 10, path)


@pytest.mark.parametrize("path", PATHS)
def test_the_count_starts_again_for_each_event(path: int) -> None:
    events = frame(b"data: 123456789\n\ndata: 123456789\n\n", 10, path)
    assert [e.data for e in events] == ["123456789", "123456789"]


def test_an_unfinished_line_of_exactly_the_limit_passes() -> None:
    framer = SSEFramer(max_event_chars=10)
    assert framer.feed(b"x" * 10) == []
    with pytest.raises(SSEFramingError, match=r"^an SSE line exceeds 10 characters$"):
        framer.feed(b"y")


def test_a_framer_starts_afresh_after_close() -> None:
    framer = SSEFramer(max_event_chars=10)
    assert framer.feed(b"event: x\ndata: 1") == []
    assert framer.close() == []
    assert framer.feed(b"data: 1234") == []
    assert framer.feed(b"56789\n\n") == [ServerSentEvent("123456789")]
    framer.close()
    assert framer.feed(b"x" * 10) == []


@pytest.mark.parametrize("path", PATHS)
def test_every_event_carries_the_last_retry_and_id(path: int) -> None:
    events = frame(b"retry: 5\nid: 7\ndata: a\n\ndata: b\n\n", 100, path)
    assert events == [
        ServerSentEvent("a", "message", "7", 5),
        ServerSentEvent("b", "message", "7", 5),
    ]
