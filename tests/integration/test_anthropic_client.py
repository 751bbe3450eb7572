"""The Anthropic client over real HTTP against the scripted server on 127.0.0.1."""

from __future__ import annotations

import email.utils
import itertools
import json
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from adapters.anthropic.client import AnthropicClient, ClientConfig
from adapters.auth.static_headers import StaticAuthHeaders
from domain.errors import HexclawError
from domain.messages.api_errors import ApiConnectionError, ApiStatusError, ApiTimeoutError
from domain.messages.content import (
    ConversationMessage,
    Message,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    UnknownBlock,
)
from domain.messages.request import MessageRequest
from domain.messages.retry_policy import RetryPolicy
from domain.stream.errors import IncompleteStream, StreamError, StreamProtocolError
from domain.stream.updates import (
    BlockFinished,
    MessageStarted,
    StreamUpdate,
    TextDelta,
    ThinkingDelta,
    ToolUseStarted,
)
from domain.version import VERSION
from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import (
    EventSpec,
    block_start,
    block_stop,
    encode_event,
    encode_events,
    error_event,
    json_delta,
    message_delta,
    message_start,
    message_stop,
    ping,
    text_message_events,
    thinking_events,
)


class FixedFraction:
    """A RandomSource whose jitter fraction is fixed, so waits are predictable."""

    def __init__(self, fraction: float = 0.0) -> None:
        self._fraction = fraction

    def token_bytes(self, count: int) -> bytes:
        return bytes(count)

    def fraction(self) -> float:
        return self._fraction


class Recorder:
    def __init__(self) -> None:
        self.updates: list[StreamUpdate] = []

    def __call__(self, update: StreamUpdate) -> None:
        self.updates.append(update)

    @property
    def text(self) -> str:
        return "".join(u.text for u in self.updates if isinstance(u, TextDelta))


@pytest.fixture
def server() -> Iterator[ScriptedAnthropicServer]:
    with ScriptedAnthropicServer(idle_timeout=30) as srv:
        yield srv


def make_client(
    url: str,
    max_retries: int = 2,
    read_timeout: float = 10.0,
    auth: dict[str, str] | None = None,
    base_delay: float = 0.01,
    fraction: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.time,
) -> AnthropicClient:
    config = ClientConfig(
        base_url=url,
        connect_timeout=5.0,
        read_timeout=read_timeout,
        retry=RetryPolicy(max_retries=max_retries, base_delay=base_delay, max_delay=0.05),
    )
    return AnthropicClient(
        config,
        StaticAuthHeaders(auth or {"x-api-key": "sk-test"}),
        FixedFraction(fraction),
        sleep=sleep,
        now=now,
    )


def request(model: str = "claude-sonnet-4-5") -> MessageRequest:
    return MessageRequest(
        model=model, max_tokens=1024, messages=[ConversationMessage.user_text("hi")]
    )


def stream(
    server: ScriptedAnthropicServer, *replies: Reply, **client_kwargs: float
) -> tuple[Message, Recorder]:
    server.add(*replies)
    client = make_client(server.url, **client_kwargs)  # type: ignore[arg-type]
    sink = Recorder()
    try:
        return client.stream_message(request(), sink), sink
    finally:
        client.close()


def stream_fails(
    server: ScriptedAnthropicServer, *replies: Reply, **client_kwargs: float
) -> tuple[BaseException, Recorder]:
    server.add(*replies)
    client = make_client(server.url, **client_kwargs)  # type: ignore[arg-type]
    sink = Recorder()
    try:
        with pytest.raises(HexclawError) as caught:
            client.stream_message(request(), sink)
    finally:
        client.close()
    return caught.value, sink


def before_delta(body: bytes, count: int) -> int:
    """The byte offset just after the first ``count`` content_block_delta events."""
    offset = 0
    for _ in range(count + 1):
        offset = body.index(b"event: content_block_delta", offset + 1)
    return offset


# --- plain content -----------------------------------------------------------------------


def test_plain_text_streams_deltas_and_returns_the_message(
    server: ScriptedAnthropicServer,
) -> None:
    message, sink = stream(server, Reply.sse(text_message_events("Hello, world! How are you?")))
    assert message.text == "Hello, world! How are you?"
    assert message.id == "msg_01"
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens == 12
    assert message.usage.output_tokens == 7
    assert sink.text == "Hello, world! How are you?"
    assert isinstance(sink.updates[0], MessageStarted)
    assert len([u for u in sink.updates if isinstance(u, TextDelta)]) == 4


def test_request_carries_the_documented_headers_and_body(server: ScriptedAnthropicServer) -> None:
    stream(server, Reply.sse(text_message_events("ok")))
    sent = server.requests[0]
    assert sent.path == "/v1/messages"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["x-api-key"] == "sk-test"
    assert "authorization" not in sent.headers
    assert sent.headers["user-agent"] == f"hexclaw/{VERSION}"
    assert sent.body["stream"] is True
    assert sent.body["model"] == "claude-sonnet-4-5"
    assert sent.body["max_tokens"] == 1024
    assert sent.body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]


def test_bearer_token_and_base_url_with_path_and_trailing_slashes(
    server: ScriptedAnthropicServer,
) -> None:
    server.add(Reply.sse(text_message_events("ok")))
    client = make_client(server.url + "/gateway///", auth={"authorization": "Bearer tok-1"})
    try:
        client.stream_message(request(), Recorder())
    finally:
        client.close()
    sent = server.requests[0]
    assert sent.path == "/gateway/v1/messages"
    assert sent.headers["authorization"] == "Bearer tok-1"
    assert "x-api-key" not in sent.headers


def test_several_text_blocks_keep_their_order(server: ScriptedAnthropicServer) -> None:
    message, sink = stream(server, Reply.sse(text_message_events("first", "second", "third")))
    assert [b.text for b in message.content if isinstance(b, TextBlock)] == [
        "first",
        "second",
        "third",
    ]
    finished = [u.index for u in sink.updates if isinstance(u, BlockFinished)]
    assert finished == [0, 1, 2]


def test_tool_input_split_inside_strings_and_escapes(server: ScriptedAnthropicServer) -> None:
    tool_input = {"command": 'echo "a\\b"\n\tcafé 😀', "n": -12.5e3, "ok": True, "none": None}
    raw = json.dumps(tool_input)  # ASCII escapes: \" \\ \n \t \u00e9 \ud83d\ude00
    cuts = [
        raw.index("\\u00e9") + 2,  # inside \u00e9
        raw.index("\\ud83d") + 6,  # between the halves of a surrogate pair
        raw.index('\\"') + 1,  # between a backslash and the quote it escapes
        raw.index("\\n") + 1,  # inside \n
        raw.index("tru") + 2,  # inside a literal
        raw.index("12500") + 2,  # inside a number
    ]
    fragments = [
        raw[a:b] for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), len(raw)], strict=True)
    ]
    events: list[EventSpec] = [
        message_start("msg_tool"),
        block_start(0, {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {}}),
        json_delta(0, ""),
        *(json_delta(0, f) for f in fragments),
        block_stop(0),
        message_delta("tool_use"),
        message_stop(),
    ]
    message, sink = stream(server, Reply.sse(events))
    [block] = message.content
    assert isinstance(block, ToolUseBlock)
    assert block.input == tool_input
    assert block.input_error is None
    assert message.stop_reason == "tool_use"
    assert ToolUseStarted(index=0, tool_use_id="toolu_1", name="Bash") in sink.updates


def test_tool_use_without_deltas_has_empty_input(server: ScriptedAnthropicServer) -> None:
    events = [
        message_start(),
        block_start(0, {"type": "tool_use", "id": "toolu_2", "name": "LS", "input": {}}),
        json_delta(0, ""),
        block_stop(0),
        message_delta("tool_use"),
        message_stop(),
    ]
    message, _ = stream(server, Reply.sse(events))
    assert message.tool_uses[0].input == {}


def test_thinking_with_signature(server: ScriptedAnthropicServer) -> None:
    message, sink = stream(
        server, Reply.sse(thinking_events("Let me think about 2+2.", "sig-abc==", "4"))
    )
    thinking, answer = message.content
    assert thinking == ThinkingBlock(thinking="Let me think about 2+2.", signature="sig-abc==")
    assert answer == TextBlock(text="4")
    streamed = "".join(u.thinking for u in sink.updates if isinstance(u, ThinkingDelta))
    assert streamed == "Let me think about 2+2."


def test_pings_and_unknown_events_are_skipped(server: ScriptedAnthropicServer) -> None:
    events = text_message_events("pong")
    events.insert(1, ping())
    events.insert(3, ("vertex_event", {"type": "vertex_event", "usage": {"x": 1}}))
    events.insert(
        4,
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "future_delta", "x": 1}},
        ),
    )
    events.append(ping())
    message, _ = stream(server, Reply.sse(events))
    assert message.text == "pong"


def test_server_tool_use_and_unknown_blocks_are_kept(server: ScriptedAnthropicServer) -> None:
    result_block = {
        "type": "web_search_tool_result",
        "tool_use_id": "srvtoolu_1",
        "content": [{"type": "web_search_result", "url": "https://example.com"}],
    }
    events = [
        message_start(),
        block_start(
            0, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}
        ),
        json_delta(0, '{"query": "hex'),
        json_delta(0, 'claw"}'),
        block_stop(0),
        block_start(1, result_block),
        block_stop(1),
        block_start(2, {"type": "redacted_thinking", "data": "opaque"}),
        block_stop(2),
        message_delta("end_turn"),
        message_stop(),
    ]
    message, _ = stream(server, Reply.sse(events))
    assert message.content[0] == ServerToolUseBlock(
        id="srvtoolu_1", name="web_search", input={"query": "hexclaw"}
    )
    assert message.content[1] == UnknownBlock(raw=result_block)
    assert message.content[2].type == "redacted_thinking"


# --- framing quirks over the wire --------------------------------------------------------


def test_crlf_line_ends(server: ScriptedAnthropicServer) -> None:
    message, _ = stream(server, Reply.sse(text_message_events("windows\r\nstyle"), eol="\r\n"))
    assert message.text == "windows\r\nstyle"


def test_lone_cr_line_ends_split_between_chunks(server: ScriptedAnthropicServer) -> None:
    body = encode_events(text_message_events("old mac"), eol="\r")
    message, _ = stream(server, Reply.stream_bytes(body, chunk_size=7, delay_between_chunks=0.001))
    assert message.text == "old mac"


def test_data_without_a_space(server: ScriptedAnthropicServer) -> None:
    message, _ = stream(server, Reply.sse(text_message_events("tight"), space=False))
    assert message.text == "tight"


def test_comments_and_keepalives_are_ignored(server: ScriptedAnthropicServer) -> None:
    events = text_message_events("kept")
    parts = [b": OPENROUTER PROCESSING\n\n"]
    for name, payload in events:
        parts += [encode_event(name, payload), b": keep-alive\n\n", b"data: not json\n\n"]
    message, _ = stream(server, Reply.stream_bytes(b"".join(parts)))
    assert message.text == "kept"


def test_missing_event_lines_use_the_json_type(server: ScriptedAnthropicServer) -> None:
    message, _ = stream(server, Reply.sse(text_message_events("nameless"), event_lines=False))
    assert message.text == "nameless"


def test_missing_message_stop_after_a_stop_reason_is_accepted(
    server: ScriptedAnthropicServer,
) -> None:
    events = text_message_events("almost")[:-1]
    message, _ = stream(server, Reply.sse(events))
    assert message.text == "almost"
    assert message.stop_reason == "end_turn"


def test_done_sentinel_ends_the_stream_even_named_data(server: ScriptedAnthropicServer) -> None:
    body = (
        encode_events(text_message_events("openrouter"))
        + b"event: data\ndata: [DONE]\n\n"
        + b"garbage that must never be read\n\n"
    )
    message, _ = stream(server, Reply.stream_bytes(body))
    assert message.text == "openrouter"


def test_done_sentinel_without_a_stop_reason_is_incomplete(
    server: ScriptedAnthropicServer,
) -> None:
    events = text_message_events("cut")[:-2]  # no message_delta, no message_stop
    body = encode_events(events) + b"data: [DONE]\n\n"
    error, _ = stream_fails(server, Reply.stream_bytes(body), max_retries=0)
    assert isinstance(error, IncompleteStream)
    assert error.partial is not None
    assert error.partial.text == "cut"


def test_extra_usage_fields_merge_last_non_null_wins(server: ScriptedAnthropicServer) -> None:
    events = text_message_events("usage")
    events[0] = message_start(
        usage={
            "input_tokens": 0,
            "cache_creation_input_tokens": 5,
            "cache_read_input_tokens": None,
            "output_tokens": 1,
            "service_tier": "standard",
        }
    )
    events[-2] = message_delta(
        "end_turn",
        usage={
            "input_tokens": 40,
            "cache_read_input_tokens": 100,
            "cache_creation_input_tokens": None,
            "output_tokens": 9,
            "server_tool_use": {"web_search_requests": 2},
        },
    )
    message, _ = stream(server, Reply.sse(events))
    usage = message.usage
    assert usage.input_tokens == 40  # overwritten, not 0 + 40 added
    assert usage.output_tokens == 9  # cumulative total, not 1 + 9
    assert usage.cache_creation_input_tokens == 5  # the null did not erase it
    assert usage.cache_read_input_tokens == 100
    assert usage.extra == {
        "service_tier": "standard",
        "server_tool_use": {"web_search_requests": 2},
    }


def test_usage_inside_delta_is_accepted(server: ScriptedAnthropicServer) -> None:
    events = text_message_events("lenient")
    events[-2] = (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "usage": {"output_tokens": 3}},
        },
    )
    message, _ = stream(server, Reply.sse(events))
    assert message.usage.output_tokens == 3
    assert message.usage.input_tokens == 12


def multibyte_split_chunks(body: bytes) -> list[bytes]:
    """Chunks cut in the middle of every multi-byte UTF-8 character of ``body``."""
    cuts = []
    for position, byte in enumerate(body):
        if byte >= 0xC0:  # a lead byte: cut right after it
            cuts.append(position + 1)
    edges = [0, *cuts, len(body)]
    return [body[a:b] for a, b in itertools.pairwise(edges) if b > a]


def test_multibyte_utf8_split_across_tcp_writes(server: ScriptedAnthropicServer) -> None:
    text = "Grüße, 北京! 😀 naïve — ok"
    body = encode_events(text_message_events(text))
    chunks = multibyte_split_chunks(body)
    assert len(chunks) >= 8
    reply = Reply(
        chunks=chunks,
        headers={"content-type": "text/event-stream"},
        delay_between_chunks=0.002,  # separate writes reach the client as separate reads
    )
    message, sink = stream(server, reply)
    assert message.text == text
    assert sink.text == text
    assert "\ufffd" not in sink.text


def test_connection_kept_open_after_message_stop_does_not_hang(
    server: ScriptedAnthropicServer,
) -> None:
    started = time.monotonic()
    message, _ = stream(server, Reply.sse(text_message_events("done"), hold_open_after=5.0))
    assert message.text == "done"
    assert time.monotonic() - started < 3.0


# --- errors and retries ------------------------------------------------------------------


def test_error_event_mid_stream_after_text_is_typed_and_not_retried(
    server: ScriptedAnthropicServer,
) -> None:
    events = [*text_message_events("partial answer")[:3], error_event("overloaded_error")]
    error, sink = stream_fails(server, Reply.sse(events), Reply.sse(text_message_events("no")))
    assert isinstance(error, StreamError)
    assert error.error_type == "overloaded_error"
    assert error.retryable
    assert error.request_id == "req_fake"
    assert error.partial is not None
    assert error.partial.text == "partial "
    assert sink.text == "partial "
    assert len(server.requests) == 1  # text reached the caller: never retried


def test_retryable_error_event_before_content_is_retried(server: ScriptedAnthropicServer) -> None:
    first = [message_start("msg_first"), ping(), error_event("overloaded_error")]
    message, sink = stream(
        server, Reply.sse(first), Reply.sse(text_message_events("second try", message_id="msg_2"))
    )
    assert message.text == "second try"
    assert len(server.requests) == 2
    starts = [u for u in sink.updates if isinstance(u, MessageStarted)]
    assert starts == [MessageStarted(message_id="msg_2", model="claude-sonnet-4-5")]


def test_non_retryable_error_event_is_raised_at_once(server: ScriptedAnthropicServer) -> None:
    first = [message_start(), error_event("invalid_request_error", "prompt is too long")]
    error, _ = stream_fails(server, Reply.sse(first), Reply.sse(text_message_events("no")))
    assert isinstance(error, StreamError)
    assert error.error_type == "invalid_request_error"
    assert "prompt is too long" in str(error)
    assert len(server.requests) == 1


def test_529_then_success(server: ScriptedAnthropicServer) -> None:
    message, _ = stream(
        server,
        Reply.error(529, "overloaded_error", "Overloaded"),
        Reply.sse(text_message_events("recovered")),
    )
    assert message.text == "recovered"
    assert len(server.requests) == 2


def test_retries_stop_after_max_retries_with_a_typed_error(
    server: ScriptedAnthropicServer,
) -> None:
    replies = [Reply.error(503, "api_error", "unavailable", request_id="req_503")] * 4
    error, _ = stream_fails(server, *replies, max_retries=2)
    assert isinstance(error, ApiStatusError)
    assert (error.status, error.error_type, error.error_message) == (
        503,
        "api_error",
        "unavailable",
    )
    assert error.request_id == "req_503"
    assert len(server.requests) == 3


def test_client_errors_are_not_retried(server: ScriptedAnthropicServer) -> None:
    error, _ = stream_fails(
        server,
        Reply.error(400, "invalid_request_error", "max_tokens: too large"),
        Reply.sse(text_message_events("no")),
    )
    assert isinstance(error, ApiStatusError)
    assert error.status == 400
    assert "max_tokens: too large" in str(error)
    assert "req_err" in str(error)
    assert len(server.requests) == 1


def test_429_honours_retry_after_ms(server: ScriptedAnthropicServer) -> None:
    message, _ = stream(
        server,
        Reply.error(429, "rate_limit_error", "slow down", retry_after_ms="400"),
        Reply.sse(text_message_events("after the wait")),
    )
    assert message.text == "after the wait"
    first, second = server.requests
    assert second.received_at - first.received_at >= 0.4


def test_429_honours_retry_after_seconds(server: ScriptedAnthropicServer) -> None:
    message, _ = stream(
        server,
        Reply.error(429, "rate_limit_error", "slow down", retry_after="1"),
        Reply.sse(text_message_events("after a second")),
    )
    assert message.text == "after a second"
    first, second = server.requests
    assert 1.0 <= second.received_at - first.received_at < 3.0


# A fixed clock far from the real one: a wait computed from the real time would show.
_CLOCK = 1_900_000_000.25


@pytest.mark.parametrize(
    ("retry_after", "expected_wait"),
    [
        (email.utils.formatdate(_CLOCK + 7, usegmt=True), 6.75),
        (email.utils.formatdate(_CLOCK + 7), 6.75),  # "-0000" rather than GMT
        (email.utils.formatdate(_CLOCK - 30, usegmt=True), 0.0),  # past: retry at once
        (email.utils.formatdate(_CLOCK + 61, usegmt=True), 0.005),  # beyond the cap: backoff
        ("Wed, 31 Feb 2026 18:50:07 GMT", 0.005),  # not a date: backoff
        ("soon", 0.005),
    ],
    ids=["ahead", "ahead-minus-zero", "past", "beyond-cap", "impossible-date", "garbage"],
)
def test_429_honours_retry_after_as_an_http_date(
    server: ScriptedAnthropicServer, retry_after: str, expected_wait: float
) -> None:
    server.add(
        Reply.error(429, "rate_limit_error", "slow down", retry_after=retry_after),
        Reply.sse(text_message_events("after the date")),
    )
    sleeps: list[float] = []
    # Backoff for the first retry is min(0.05, 0.01) * 0.5 = 0.005 s, unlike every hint above.
    client = make_client(server.url, fraction=0.5, sleep=sleeps.append, now=lambda: _CLOCK)
    try:
        message = client.stream_message(request(), Recorder())
    finally:
        client.close()
    assert message.text == "after the date"
    assert sleeps == [pytest.approx(expected_wait)]
    assert len(server.requests) == 2


def test_non_json_error_body_is_reported_with_its_first_line(
    server: ScriptedAnthropicServer,
) -> None:
    reply = Reply(status=502, chunks=[b"<html>Bad Gateway</html>\n"], headers={})
    error, _ = stream_fails(server, reply, max_retries=0)
    assert isinstance(error, ApiStatusError)
    assert error.status == 502
    assert "<html>Bad Gateway</html>" in str(error)


def test_json_body_with_status_200_is_not_taken_for_a_stream(
    server: ScriptedAnthropicServer,
) -> None:
    body = json.dumps({"type": "error", "error": {"type": "api_error", "message": "upstream"}})
    reply = Reply(chunks=[body.encode()], headers={"content-type": "application/json"})
    error, _ = stream_fails(server, reply, max_retries=0)
    assert isinstance(error, ApiStatusError)
    assert error.error_type == "api_error"
    assert "upstream" in str(error)


def test_connection_dropped_mid_stream_carries_the_partial_text(
    server: ScriptedAnthropicServer,
) -> None:
    body = encode_events(text_message_events("this answer is cut off here"))
    cut = before_delta(body, 2)
    reply = Reply.stream_bytes(body, chunk_size=cut, drop_after_chunks=1)
    error, sink = stream_fails(server, reply, Reply.sse(text_message_events("no")))
    assert isinstance(error, IncompleteStream)
    assert error.partial is not None
    assert error.partial.text == "this answer is c"
    assert sink.text == error.partial.text
    assert len(server.requests) == 1


def test_body_shorter_than_its_content_length_is_incomplete(
    server: ScriptedAnthropicServer,
) -> None:
    body = encode_events(text_message_events("declared but never sent"))
    cut = before_delta(body, 2)
    reply = Reply.stream_bytes(body, chunk_size=cut, drop_after_chunks=1, declare_full_length=True)
    error, sink = stream_fails(server, reply, max_retries=0)
    assert isinstance(error, IncompleteStream)
    assert "dropped" in str(error)
    assert error.partial is not None
    assert error.partial.text == sink.text != ""


def test_stream_cut_before_any_content_is_retried(server: ScriptedAnthropicServer) -> None:
    body = encode_events(text_message_events("x"))
    cut = body.index(b"content_block_start")
    first = Reply.stream_bytes(body, chunk_size=cut, drop_after_chunks=1)
    message, _ = stream(server, first, Reply.sse(text_message_events("whole")))
    assert message.text == "whole"
    assert len(server.requests) == 2


def test_stream_ending_inside_a_block_is_incomplete(server: ScriptedAnthropicServer) -> None:
    events = text_message_events("open block")[:3]
    error, _ = stream_fails(server, Reply.sse(events), max_retries=0)
    assert isinstance(error, IncompleteStream)
    assert "middle of a content block" in str(error)
    assert error.partial is not None
    assert error.partial.text == "open blo"


def test_malformed_json_in_an_anthropic_event_is_a_protocol_error(
    server: ScriptedAnthropicServer,
) -> None:
    body = (
        encode_events(text_message_events("x")[:2]) + b"event: content_block_delta\ndata: {oops\n\n"
    )
    error, _ = stream_fails(server, Reply.stream_bytes(body), max_retries=0)
    assert isinstance(error, StreamProtocolError)


def test_read_timeout_before_the_answer_is_a_typed_error(server: ScriptedAnthropicServer) -> None:
    reply = Reply.sse(text_message_events("late"), stall_before=2.0)
    started = time.monotonic()
    error, _ = stream_fails(server, reply, max_retries=0, read_timeout=0.3)
    assert isinstance(error, ApiTimeoutError)
    assert "HEXCLAW_READ_TIMEOUT" in str(error)
    assert time.monotonic() - started < 1.8


def test_stall_after_text_is_incomplete_not_retried(server: ScriptedAnthropicServer) -> None:
    body = encode_events(text_message_events("stalls here and then more"))
    cut = before_delta(body, 2)
    reply = Reply(
        chunks=[body[:cut], body[cut:]],
        headers={"content-type": "text/event-stream"},
        delay_between_chunks=2.0,
    )
    error, sink = stream_fails(server, reply, read_timeout=0.3)
    assert isinstance(error, IncompleteStream)
    assert "timed out" in str(error)
    assert sink.text == "stalls here and "
    assert len(server.requests) == 1


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_server_is_a_connection_error() -> None:
    sleeps: list[float] = []
    client = make_client(f"http://127.0.0.1:{closed_port()}", max_retries=1, sleep=sleeps.append)
    try:
        with pytest.raises(ApiConnectionError, match="cannot reach"):
            client.stream_message(request(), Recorder())
    finally:
        client.close()
    assert (
        len(sleeps) == 1
    )  # a refused connection may heal: it is retried, unlike a bad certificate


def test_base_url_without_a_scheme_is_named_in_the_error() -> None:
    client = make_client("localhost:9", max_retries=2)
    started = time.monotonic()
    try:
        with pytest.raises(ApiConnectionError, match="ANTHROPIC_BASE_URL"):
            client.stream_message(request(), Recorder())
    finally:
        client.close()
    assert time.monotonic() - started < 1.0  # not retried


def test_responder_sees_every_retry(server: ScriptedAnthropicServer) -> None:
    seen: list[RecordedRequest] = []

    def responder(req: RecordedRequest) -> Reply:
        seen.append(req)
        if len(seen) == 1:
            return Reply.error(500, "api_error", "flaky")
        return Reply.sse(text_message_events("steady"))

    with ScriptedAnthropicServer(responder=responder, idle_timeout=30) as srv:
        client = make_client(srv.url)
        try:
            message = client.stream_message(request(), Recorder())
        finally:
            client.close()
    assert message.text == "steady"
    assert seen[0].body == seen[1].body
