"""Network faults the scripted server cannot make alone, against the real client: an untrusted
TLS certificate, a gzip-compressed event stream, and a captive portal's answer."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.anthropic.client import AnthropicClient, ClientConfig
from adapters.auth.static_headers import StaticAuthHeaders
from domain.messages.api_errors import ApiConnectionError, ApiError, ApiStatusError
from domain.messages.retry_policy import RetryPolicy
from domain.stream.updates import StreamUpdate, TextDelta
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.fault_server import (
    TLSAnthropicServer,
    captive_portal,
    gzip_stream_reply,
    self_signed_certificate,
)
from tests.fakes.sse_script import encode_events, text_message_events
from tests.integration.test_anthropic_client import (
    FixedFraction,
    Recorder,
    make_client,
    request,
    stream_fails,
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    try:
        return self_signed_certificate(tmp_path_factory.mktemp("tls"))
    except RuntimeError as exc:
        pytest.skip(str(exc))


def count_handshakes(tls: TLSAnthropicServer) -> list[int]:
    """A one-item list counting the TLS handshakes (accepted or refused) the server sees."""
    count = [0]
    # socketserver calls get_request once per accept, and the TLS handshake runs inside it.
    accept = tls._server.get_request

    def counted() -> tuple[socket.socket, object]:
        count[0] += 1
        return accept()

    tls._server.get_request = counted  # type: ignore[method-assign]
    return count


@pytest.fixture
def server() -> Iterator[ScriptedAnthropicServer]:
    with ScriptedAnthropicServer(idle_timeout=30) as srv:
        yield srv


def test_an_untrusted_certificate_is_a_connection_error_that_names_it(
    certificate: tuple[Path, Path],
) -> None:
    cert, key = certificate
    answer = Reply.sse(text_message_events("only over trusted TLS"))
    with TLSAnthropicServer(cert, key, [answer] * 4) as tls:
        handshakes = count_handshakes(tls)
        sleeps: list[float] = []
        # Retries are allowed: a certificate failure must not use them.
        client = make_client(tls.url, max_retries=2, sleep=sleeps.append)
        try:
            with pytest.raises(ApiConnectionError) as caught:
                client.stream_message(request(), Recorder())
        finally:
            client.close()
        message = str(caught.value)
        assert message.startswith(f"cannot reach {tls.url}: [SSL: CERTIFICATE_VERIFY_FAILED]")
        assert "self-signed certificate" in message
        assert message.endswith("; check the network and ANTHROPIC_BASE_URL")
        assert tls.requests == []  # nothing was sent over the untrusted connection
        assert sleeps == []  # failed at once, with no backoff
        assert handshakes == [1]
        # The same client, trusting this certificate, gets the answer: only trust was missing.
        config = ClientConfig(base_url=tls.url, retry=RetryPolicy(max_retries=0))
        trusting = httpx.Client(verify=ssl.create_default_context(cafile=str(cert)))
        client = AnthropicClient(
            config, StaticAuthHeaders({"x-api-key": "k"}), FixedFraction(), http=trusting
        )
        try:
            assert client.stream_message(request(), Recorder()).text == "only over trusted TLS"
        finally:
            client.close()


def test_a_gzip_stream_is_decoded_piece_by_piece_as_it_arrives(
    server: ScriptedAnthropicServer,
) -> None:
    text = "compressed by a proxy, and still streamed as it arrives"
    body = encode_events(text_message_events(text))
    reply = gzip_stream_reply(body, pieces=6)
    last = len(reply.chunks) - 1
    reply.gate, reply.gate_before_chunk = threading.Event(), last
    server.add(reply)
    client = make_client(server.url, max_retries=0, read_timeout=5)
    seen_before_the_end: list[str] = []

    def sink(update: StreamUpdate) -> None:
        if isinstance(update, TextDelta) and reply.gate is not None and not reply.gate.is_set():
            seen_before_the_end.append(update.text)
            reply.gate.set()  # the last piece is sent only once text has been shown

    try:
        message = client.stream_message(request(), sink)
    finally:
        client.close()
    assert message.text == text
    assert seen_before_the_end  # not buffered until the end of the body
    assert server.requests[0].headers.get("accept-encoding", "").find("gzip") >= 0


def test_a_captive_portal_page_is_not_taken_for_an_answer(server: ScriptedAnthropicServer) -> None:
    error, sink = stream_fails(server, captive_portal(), max_retries=0)
    assert type(error) is ApiError
    assert str(error) == (
        f"{server.url}/v1/messages answered with text/html, not an event stream "
        "(<!DOCTYPE html>); check ANTHROPIC_BASE_URL"
    )
    assert sink.updates == []


def test_a_captive_portal_redirect_is_not_followed(server: ScriptedAnthropicServer) -> None:
    error, _ = stream_fails(
        server, captive_portal(redirect=True), Reply.sse(text_message_events("x"))
    )
    assert isinstance(error, ApiStatusError)
    assert error.status == 302
    assert "the body is not a JSON error: <!DOCTYPE html>" in str(error)
    assert len(server.requests) == 1  # neither followed nor retried
