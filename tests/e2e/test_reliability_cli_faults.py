"""Network and API faults as the user meets them: ``hexclaw -p`` against a misbehaving server.

Every failure is one line on stderr naming what happened, exit code 1, no traceback, well
within the configured timeouts; what had already streamed stays on stdout and in the session.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_sessions_cli import logged, session_files
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.fault_server import (
    TLSAnthropicServer,
    captive_portal,
    gzip_stream_reply,
)
from tests.fakes.sse_script import encode_events, text_message_events
from tests.integration.test_anthropic_client import before_delta
from tests.support import hexclaw_env, run_hexclaw

ANSWER = "Streamed up to here, then the server went quiet"


def one_failure_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("hexclaw: ")
    return lines[0]


def ask(
    url: str, home: Path, workspace: Path, **env: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = run_hexclaw(["-p", "hi"], hexclaw_env(url, home, **env), workspace)
    return done, time.monotonic() - started


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused(config_home: Path, workspace: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    done, _ = ask(url, config_home, workspace)
    assert one_failure_line(done) == (
        f"hexclaw: cannot reach {url}: [Errno 111] Connection refused; "
        "check the network and ANTHROPIC_BASE_URL"
    )


def test_an_untrusted_tls_certificate(
    tls_server: TLSAnthropicServer, config_home: Path, workspace: Path
) -> None:
    done, _ = ask(tls_server.url, config_home, workspace)
    line = one_failure_line(done)
    assert line.startswith(
        f"hexclaw: cannot reach {tls_server.url}: [SSL: CERTIFICATE_VERIFY_FAILED]"
    )
    assert "self-signed certificate" in line
    assert tls_server.requests == []


@pytest.fixture
def server() -> Iterator[ScriptedAnthropicServer]:
    with ScriptedAnthropicServer(idle_timeout=30) as srv:
        yield srv


def test_a_stall_before_the_first_byte_times_out(
    server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    server.add(*[Reply.sse(text_message_events("too late"), stall_before=10)] * 2)
    done, took = ask(
        server.url, config_home, workspace, HEXCLAW_READ_TIMEOUT="0.5", HEXCLAW_MAX_RETRIES="1"
    )
    assert one_failure_line(done) == (
        f"hexclaw: the API at {server.url} did not answer in time (timed out); "
        "the timeouts are HEXCLAW_CONNECT_TIMEOUT and HEXCLAW_READ_TIMEOUT"
    )
    assert done.stdout == ""
    assert len(server.requests) == 2  # nothing had been shown, so it was retried once
    assert took < 8


def test_a_stall_mid_stream_keeps_what_arrived_and_marks_it_incomplete(
    server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    body = encode_events(text_message_events(ANSWER))
    cut = before_delta(body, 4)  # four deltas arrive, then nothing
    server.add(
        Reply(
            chunks=[body[:cut], body[cut:]],
            headers={"content-type": "text/event-stream"},
            delay_between_chunks=10,
        )
    )
    done, took = ask(server.url, config_home, workspace, HEXCLAW_READ_TIMEOUT="0.5")
    assert one_failure_line(done) == "hexclaw: the stream stalled and timed out (timed out)"
    shown = done.stdout.rstrip("\n")
    assert shown
    assert ANSWER.startswith(shown)
    assert len(server.requests) == 1  # text had been shown: never sent again by itself
    assert took < 8
    [path] = session_files(config_home, workspace)
    last = logged(path)[-1]
    assert last["incomplete"] is True
    assert last["message"]["content"][0]["text"] == shown


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            Reply.error(413, "request_too_large", "Request exceeds the maximum allowed size."),
            "API error 413 request_too_large: Request exceeds the maximum allowed size. "
            "(request-id req_err)",
        ),
        (
            Reply.error(400, "invalid_request_error", "prompt is too long: 250000 tokens"),
            "API error 400 invalid_request_error: prompt is too long: 250000 tokens "
            "(request-id req_err)",
        ),
    ],
)
def test_a_refused_request_shows_the_apis_own_message(
    server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    reply: Reply,
    expected: str,
) -> None:
    server.add(reply, Reply.sse(text_message_events("never")))
    done, _ = ask(server.url, config_home, workspace)
    assert one_failure_line(done) == f"hexclaw: {expected}"
    assert len(server.requests) == 1  # the same request would be refused again


def test_malformed_json_in_a_data_line(
    server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    good = encode_events(text_message_events("fine so far")[:3])
    server.add(Reply.stream_bytes(good + b"event: content_block_delta\ndata: {oops\n\n"))
    done, _ = ask(server.url, config_home, workspace)
    assert one_failure_line(done) == (
        "hexclaw: malformed JSON in a 'content_block_delta' event: '{oops'"
    )
    assert done.stdout == "fine so \n"


@pytest.mark.parametrize("redirect", [False, True])
def test_a_captive_portal(
    server: ScriptedAnthropicServer, config_home: Path, workspace: Path, redirect: bool
) -> None:
    server.add(captive_portal(redirect), Reply.sse(text_message_events("never")))
    done, _ = ask(server.url, config_home, workspace)
    line = one_failure_line(done)
    if redirect:
        assert line == (
            "hexclaw: API error 302 http_error: Found; "
            "the body is not a JSON error: <!DOCTYPE html>"
        )
    else:
        assert line == (
            f"hexclaw: {server.url}/v1/messages answered with text/html, not an event stream "
            "(<!DOCTYPE html>); check ANTHROPIC_BASE_URL"
        )
    assert done.stdout == ""


def test_a_gzip_encoded_stream_is_answered_normally(
    server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    server.add(gzip_stream_reply(encode_events(text_message_events("unzipped on the fly")), 4))
    done, _ = ask(server.url, config_home, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "unzipped on the fly\n"
