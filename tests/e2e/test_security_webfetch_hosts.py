"""A WebFetch deny rule holds for every spelling of its host: the check is made on the host
httpx will connect to, so IDNA full stops (``127。0。0。1``), full-width ones and numeric
spellings (``2130706433``, ``0x7f.1``) of a denied address are denied, and nothing connects."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_permission_print_mode import tool_results
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw


class ConnectionCounter:
    """A loopback listener that counts the connections made to it (TLS or plain alike)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def __enter__(self) -> ConnectionCounter:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.listener.close()


@pytest.fixture
def counter() -> Iterator[ConnectionCounter]:
    with ConnectionCounter() as listening:
        yield listening


SPELLINGS = ["127\u30020\u30020\u30021", "127\uff0e0\uff0e0\uff0e1", "2130706433", "0x7f.1"]


def test_a_denied_host_is_denied_in_every_spelling(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    counter: ConnectionCounter,
) -> None:
    calls = [
        (f"t{i}", "WebFetch", {"url": f"http://{host}:{counter.port}/?k=secret", "prompt": "x"})
        for i, host in enumerate(SPELLINGS)
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    args = [
        "-p",
        "go",
        "--allowedTools",
        "WebFetch",
        "--disallowedTools",
        "WebFetch(domain:127.0.0.1)",
    ]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    results = tool_results(anthropic_server.requests[1].body)
    assert len(results) == len(SPELLINGS)
    for result in results:
        assert result["is_error"] is True
        assert "WebFetch(domain:127.0.0.1)" in result["content"], result["content"]
    assert counter.accepted == 0
