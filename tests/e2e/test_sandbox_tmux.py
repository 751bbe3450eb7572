"""The sandbox in the real REPL (tmux): a host the proxy refused is asked about once, and
the next command reaches it through the proxy."""

from __future__ import annotations

import http.server
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_repl_tmux import ask, start
from tests.e2e.tmux_driver import TmuxDriver
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.integration.sandbox_harness import require_bwrap

pytestmark = [pytest.mark.tmux, pytest.mark.timeout(90)]


@pytest.fixture
def tmux() -> Iterator[TmuxDriver]:
    driver = TmuxDriver(width=140, height=45)
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"listener says hi\n")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, seen
    server.shutdown()
    server.server_close()


def test_a_refused_host_is_asked_about_and_then_reached_through_the_proxy(
    tmux: TmuxDriver,
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    listener: tuple[int, list[str]],
) -> None:
    require_bwrap()
    before = session_folders()
    port, seen = listener
    fetch = f"curl -sS -m 5 http://127.0.0.1:{port}/"
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("toolu_01", "Bash", {"command": fetch + "first", "description": "fetch once"}),
    ]
    again: list[tuple[str, str, dict[str, Any]]] = [
        ("toolu_02", "Bash", {"command": fetch + "again", "description": "fetch again"}),
    ]
    anthropic_server.add(
        Reply.sse(tool_use_events(calls)),
        Reply.sse(tool_use_events(again, message_id="msg_again")),
        Reply.sse(text_message_events("Fetched it.")),
    )
    start(tmux, anthropic_server, config_home, workspace, "--sandbox")
    ask(tmux, "fetch it")
    screen = tmux.wait_for("Allow WebFetch to reach 127.0.0.1?", timeout=20)
    # The Bash call itself was not asked about: the sandbox confined and allowed it.
    assert "Run this command?" not in screen
    tmux.send("y")
    screen = tmux.wait_for("Fetched it.", timeout=20, history=300)
    assert "127.0.0.1 allowed for the session" in screen
    assert seen == ["/again"]
    first = anthropic_server.requests[1].body["messages"][-1]["content"][0]
    assert "the user has now allowed it for this session" in first["content"]
    # Leaving removes the session's /tmp (and with it the proxy's sockets).
    ask(tmux, "/exit")
    deadline = time.monotonic() + 10
    while session_folders() - before:
        assert time.monotonic() < deadline, session_folders() - before
        time.sleep(0.1)


def session_folders() -> set[str]:
    return {
        name for name in os.listdir(tempfile.gettempdir()) if name.startswith("hexclaw-sandbox-")
    }
