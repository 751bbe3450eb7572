"""Record real HTTP from the scripted server through the real client, then replay it offline."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import httpx
import pytest

from adapters.anthropic.client import AnthropicClient, ClientConfig, make_http_client
from adapters.auth.static_headers import StaticAuthHeaders
from adapters.cassettes.file import load_cassette
from adapters.cassettes.recorder import RecordingTransport
from adapters.cassettes.replay import ReplayTransport
from domain.cassettes.chunked_body import boundaries_of, fixed_size
from domain.cassettes.errors import ReplayExhausted, ReplayMismatch
from domain.messages.content import ConversationMessage, Message, TextBlock
from domain.messages.request import MessageRequest
from domain.messages.retry_policy import RetryPolicy
from domain.stream.errors import IncompleteStream
from domain.stream.updates import StreamUpdate, TextDelta
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import encode_events, text_message_events

KEY = "sk-ant-api03-" + "k" * 40
NOWHERE = "http://127.0.0.1:9"  # a replay never connects, so any base URL will do


class _Random:
    def token_bytes(self, count: int) -> bytes:
        return b"\0" * count

    def fraction(self) -> float:
        return 0.5


def _client(base_url: str, transport: httpx.BaseTransport, sleeps: list[float]) -> AnthropicClient:
    config = ClientConfig(base_url=base_url, retry=RetryPolicy(max_retries=2))
    return AnthropicClient(
        config,
        StaticAuthHeaders({"x-api-key": KEY}),
        _Random(),
        http=make_http_client(config, transport),
        sleep=sleeps.append,
    )


def _request(prompt: str = "Say hello") -> MessageRequest:
    return MessageRequest(
        model="claude-sonnet-4-5",
        max_tokens=256,
        messages=[ConversationMessage(role="user", content=[TextBlock(text=prompt)])],
    )


def _run(client: AnthropicClient, request: MessageRequest) -> tuple[Message, list[StreamUpdate]]:
    updates: list[StreamUpdate] = []
    message = client.stream_message(request, updates.append)
    return message, updates


def test_recording_streams_live_keeps_the_chunks_and_replays_identically(
    tmp_path: Path,
) -> None:
    body = encode_events(text_message_events("Hello from a stream that arrives in pieces."))
    reply = Reply.stream_bytes(body, chunk_size=64, delay_between_chunks=0.04)
    cassette_path = tmp_path / "session.yaml"
    with ScriptedAnthropicServer([reply], idle_timeout=30) as server:
        client = _client(server.url, RecordingTransport(cassette_path), [])
        started = time.monotonic()
        first_text_at: list[float] = []

        def on_update(update: StreamUpdate) -> None:
            if isinstance(update, TextDelta) and not first_text_at:
                first_text_at.append(time.monotonic() - started)

        live = client.stream_message(_request(), on_update)
        finished_at = time.monotonic() - started
    # The caller saw text long before the stream ended: recording does not buffer it.
    assert first_text_at[0] < finished_at - 0.2

    recorded = load_cassette(cassette_path).interactions[0].response
    assert recorded.body == body
    assert len(recorded.chunks) > 1
    # TCP may merge writes but never split them here, so each cut is one the server made.
    assert set(boundaries_of(recorded.chunks)) <= set(boundaries_of(reply.chunks))

    for chunking in (None, lambda whole: fixed_size(whole, 1), lambda whole: [whole]):
        replayed, updates = _run(
            _client(NOWHERE, ReplayTransport(load_cassette(cassette_path), chunking=chunking), []),
            _request(),
        )
        assert replayed == live
        assert "".join(u.text for u in updates if isinstance(u, TextDelta)) == live.text


def test_the_key_never_reaches_the_file(tmp_path: Path) -> None:
    cassette_path = tmp_path / "c.yaml"
    with ScriptedAnthropicServer([Reply.sse(text_message_events("hi"))]) as server:
        _run(_client(server.url, RecordingTransport(cassette_path), []), _request(f"my key {KEY}"))
    text = cassette_path.read_text()
    assert KEY not in text
    assert KEY[:20] not in text
    request = load_cassette(cassette_path).interactions[0].request
    assert request.headers["x-api-key"] == ["REDACTED"]
    assert json.loads(request.body)["messages"][0]["content"][0]["text"] == "my key REDACTED"


def test_a_replay_that_no_longer_matches_says_which_request_and_how(tmp_path: Path) -> None:
    cassette_path = tmp_path / "c.yaml"
    with ScriptedAnthropicServer([Reply.sse(text_message_events("hi"))]) as server:
        _run(_client(server.url, RecordingTransport(cassette_path), []), _request("first"))
    client = _client(NOWHERE, ReplayTransport.from_file(cassette_path), [])
    with pytest.raises(ReplayMismatch) as caught:
        _run(client, _request("second"))
    assert str(caught.value) == (
        "replay stopped: request 1 of 1 in the cassette (POST /v1/messages) does not match: "
        'body.messages[0].content[0].text: the cassette has "first", this run sent "second"'
    )
    transport = ReplayTransport.from_file(cassette_path)
    client = _client(NOWHERE, transport, [])
    _run(client, _request("first"))
    assert transport.unplayed == 0
    with pytest.raises(ReplayExhausted) as exhausted:
        _run(client, _request("first"))
    assert str(exhausted.value) == (
        "replay stopped: request 2 (POST /v1/messages) is not in the cassette, "
        "which holds 1 request"
    )


def test_an_overloaded_answer_then_success_replays_with_the_same_retry(tmp_path: Path) -> None:
    cassette_path = tmp_path / "c.yaml"
    script = [
        Reply.error(529, "overloaded_error", "Overloaded"),
        Reply.sse(text_message_events("after the retry")),
    ]
    with ScriptedAnthropicServer(script) as server:
        live_sleeps: list[float] = []
        live, _ = _run(
            _client(server.url, RecordingTransport(cassette_path), live_sleeps), _request()
        )
    assert [i.response.status for i in load_cassette(cassette_path).interactions] == [529, 200]
    replay_sleeps: list[float] = []
    replayed, _ = _run(
        _client(NOWHERE, ReplayTransport.from_file(cassette_path), replay_sleeps), _request()
    )
    assert replayed == live
    assert replay_sleeps == live_sleeps
    assert len(replay_sleeps) == 1


def test_a_stream_cut_short_is_recorded_and_replayed_cut_short(tmp_path: Path) -> None:
    cassette_path = tmp_path / "c.yaml"
    body = encode_events(text_message_events("this answer never finishes, the proxy drops it"))
    reply = Reply.stream_bytes(
        body,
        chunk_size=200,
        delay_between_chunks=0.02,
        drop_after_chunks=3,
        declare_full_length=True,
    )
    with ScriptedAnthropicServer([reply]) as server, pytest.raises(IncompleteStream) as live:
        _run(_client(server.url, RecordingTransport(cassette_path), []), _request())
    recorded = load_cassette(cassette_path).interactions[0].response
    assert recorded.ended_by_error is not None
    assert recorded.ended_by_error.startswith("RemoteProtocolError: ")
    assert recorded.body == b"".join(reply.chunks[:3])
    with pytest.raises(IncompleteStream) as replayed:
        _run(_client(NOWHERE, ReplayTransport.from_file(cassette_path), []), _request())
    assert str(replayed.value) == str(live.value)
    assert replayed.value.partial == live.value.partial


def test_a_compressed_body_is_stored_and_passed_on_decoded(tmp_path: Path) -> None:
    payload = json.dumps({"type": "error", "error": {"type": "x", "message": "y" * 300}}).encode()
    reply = Reply(
        status=400,
        chunks=[gzip.compress(payload)],
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    cassette_path = tmp_path / "c.yaml"
    recorder = RecordingTransport(cassette_path)
    with ScriptedAnthropicServer([reply]) as server, httpx.Client(transport=recorder) as http:
        answer = http.post(server.url + "/v1/messages", content=b"{}")
    assert answer.content == payload
    stored = load_cassette(cassette_path).interactions[0].response
    assert stored.body == payload
    assert "content-encoding" not in stored.headers
    with httpx.Client(transport=ReplayTransport.from_file(cassette_path)) as http:
        again = http.post(NOWHERE + "/v1/messages", content=b"{}")
    assert (again.status_code, again.content, again.reason_phrase) == (400, payload, "Bad Request")
