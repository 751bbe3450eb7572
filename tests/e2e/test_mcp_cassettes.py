"""Remote MCP servers in cassettes, through the real CLI: ``hexclaw -p --record`` while the
scripted model calls a tool of a FastMCP server (streamable HTTP, legacy SSE, one behind a
bearer token), then, with both servers stopped and a listener on the MCP server's port that
counts connections, ``hexclaw -p --replay`` gives the same answer, the same tool results and
connects to nothing. The cassette holds no secret; a request the cassette does not hold is
one line naming it."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from adapters.cassettes.file import load_cassette
from domain.cassettes.storage import cassette_leaks
from tests.e2e.test_replay_families import offline_env
from tests.fakes import mcp_cassettes
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.mcp_servers import fault_entry, free_port, remote_server
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import ROOT, hexclaw_env, run_hexclaw

TOKEN = "mcp-live-token-4f9c2a7e1b"


class ConnectionCounter:
    """A TCP listener on the stopped server's port: a replay that tried the server would
    show up here."""

    def __init__(self, port: int) -> None:
        self.accepted = 0
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen()
        self._socket.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


def _config(tmp_path: Path, entries: dict[str, Any]) -> str:
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": entries}))
    return str(path)


def _tool_results(stdout: str) -> list[Any]:
    lines = [json.loads(line) for line in stdout.splitlines()]
    return [
        block["content"]
        for line in lines
        if line["type"] == "user"
        for block in line["message"]["content"]
        if block.get("type") == "tool_result"
    ]


def _final(stdout: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(stdout.splitlines()[-1])
    return result


ARGS = ["--output-format", "stream-json", "--verbose", "--allowedTools", "mcp__remote"]


def record_then_replay(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
    port: int,
    stop_server: Any,
    calls: list[tuple[str, str, dict[str, Any]]],
    extra_env: dict[str, str],
    config: str,
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str], Path]:
    cassette = tmp_path / "session.yaml"
    anthropic_server.add(
        Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("all done"))
    )
    env = hexclaw_env(anthropic_server.url, config_home, **extra_env)
    recorded = run_hexclaw(
        ["-p", "use the server", "--mcp-config", config, *ARGS, "--record", str(cassette)],
        env,
        workspace,
    )
    assert recorded.returncode == 0, recorded.stderr
    stop_server()
    anthropic_server.stop()
    counter = ConnectionCounter(port)
    try:
        home = tmp_path / "replay-home"
        home.mkdir()
        replayed = run_hexclaw(
            ["-p", "use the server", "--mcp-config", config, *ARGS, "--replay", str(cassette)],
            {**offline_env(home), **extra_env},
            workspace,
        )
    finally:
        counter.close()
    assert counter.accepted == 0  # the replay never reached the MCP server's address
    return recorded, replayed, cassette


@pytest.mark.parametrize(
    ("flag", "transport", "path"), [("--http", "http", "/mcp"), ("--sse", "sse", "/sse")]
)
def test_a_remote_session_replays_offline_with_the_same_results(
    anthropic_server: ScriptedAnthropicServer,
    config_home: Path,
    workspace: Path,
    tmp_path: Path,
    flag: str,
    transport: str,
    path: str,
) -> None:
    with contextlib.ExitStack() as stack:
        port = stack.enter_context(remote_server(flag))
        config = _config(
            tmp_path, {"remote": {"type": transport, "url": f"http://127.0.0.1:{port}{path}"}}
        )
        calls = [
            ("toolu_1", "mcp__remote__echo", {"text": "over the wire"}),
            ("toolu_2", "mcp__remote__failing", {}),
        ]
        recorded, replayed, cassette = record_then_replay(
            anthropic_server, config_home, workspace, tmp_path, port, stack.close, calls, {}, config
        )
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stderr == ""
    assert _final(replayed.stdout)["result"] == _final(recorded.stdout)["result"] == "all done"
    results = _tool_results(recorded.stdout)
    assert "echo: over the wire" in json.dumps(results[0])
    assert "failed on purpose" in json.dumps(results[1])
    assert _tool_results(replayed.stdout) == results
    stored = load_cassette(cassette)
    servers = {i.mcp_server for i in stored.interactions}
    assert servers == {None, "remote"}
    methods = " ".join(i.request.body.decode() for i in stored.interactions if i.mcp_server)
    assert '"tools/call"' in methods
    assert '"initialize"' in methods


def test_a_bearer_token_never_reaches_the_cassette(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    with contextlib.ExitStack() as stack:
        port = stack.enter_context(
            remote_server("--http", "--bearer-env", "SERVER_TOKEN", env={"SERVER_TOKEN": TOKEN})
        )
        entry = {
            "type": "http",
            "url": f"http://127.0.0.1:{port}/mcp",
            "headers": {"Authorization": "Bearer ${MCP_PASS}", "X-Trace": "${MCP_PASS}"},
        }
        config = _config(tmp_path, {"remote": entry})
        calls: list[tuple[str, str, dict[str, Any]]] = [("toolu_1", "mcp__remote__echo_token", {})]
        recorded, replayed, cassette = record_then_replay(
            anthropic_server,
            config_home,
            workspace,
            tmp_path,
            port,
            stack.close,
            calls,
            {"MCP_PASS": TOKEN},
            config,
        )
    # The server let the recording in and echoed the token: it was sent.
    assert TOKEN in json.dumps(_tool_results(recorded.stdout))
    text = cassette.read_bytes()
    assert TOKEN.encode() not in text
    assert cassette_leaks(load_cassette(cassette), text, [TOKEN]) == []
    sent = [i.request for i in load_cassette(cassette).interactions if i.mcp_server]
    assert sent
    assert {r.header("authorization") for r in sent} == {"REDACTED"}
    assert {r.header("x-trace") for r in sent} == {"REDACTED"}  # a header of its own naming
    assert replayed.returncode == 0, replayed.stderr
    assert _final(replayed.stdout)["result"] == "all done"
    assert _tool_results(replayed.stdout) == [[{"type": "text", "text": "you sent REDACTED"}]]


def test_a_request_the_cassette_does_not_hold_is_one_line(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    with contextlib.ExitStack() as stack:
        port = stack.enter_context(remote_server("--http"))
        url = f"http://127.0.0.1:{port}/mcp"
        config = _config(tmp_path, {"remote": {"type": "http", "url": url}})
        calls = [("toolu_1", "mcp__remote__echo", {"text": "recorded"})]
        _, _, cassette = record_then_replay(
            anthropic_server, config_home, workspace, tmp_path, port, stack.close, calls, {}, config
        )
    # The same session, but the model now asks for another text: not in the cassette.
    edited = cassette.read_text().replace('"text": "recorded"', '"text": "changed"')
    edited = edited.replace('\\"text\\": \\"recorded\\"', '\\"text\\": \\"changed\\"')
    cassette.write_text(edited.replace('{"text":"recorded"}', '{"text":"changed"}'))
    home = tmp_path / "again"
    home.mkdir()
    replayed = run_hexclaw(
        ["-p", "use the server", "--mcp-config", config, *ARGS, "--replay", str(cassette)],
        offline_env(home),
        workspace,
    )
    line = (
        "replay stopped: MCP server 'remote' was sent POST /mcp tools/call "
        '{"name": "echo", "arguments": {"text": "recorded"}}, which is not in the cassette'
    )
    assert _tool_results(replayed.stdout) == [f"Error: mcp__remote__echo: {line}"]
    assert replayed.stderr.splitlines().count(f"hexclaw: {line}") == 1


def test_the_committed_mcp_cassette_replays_without_a_server(
    workspace: Path, tmp_path: Path
) -> None:
    port = free_port()
    config = mcp_cassettes.mcp_config(tmp_path, port)
    cassette = ROOT / "cassettes" / "mcp" / f"{mcp_cassettes.NAME}.yaml"
    home = tmp_path / "home"
    home.mkdir()
    counter = ConnectionCounter(port)
    try:
        done = run_hexclaw(
            [
                *mcp_cassettes.MCP_ARGS,
                "--mcp-config",
                str(config),
                *mcp_cassettes.ALLOWED,
                "--replay",
                str(cassette),
            ],
            offline_env(home),
            workspace,
        )
    finally:
        counter.close()
    assert counter.accepted == 0
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    init = json.loads(done.stdout.splitlines()[0])
    assert init["mcp_servers"] == [{"name": "remote", "status": "connected"}]
    assert {"mcp__remote__echo", "mcp__remote__failing"} <= set(init["tools"])
    echo, failing = _tool_results(done.stdout)
    assert echo == [{"type": "text", "text": "echo: cassette"}]
    assert "failed on purpose" in json.dumps(failing)
    assert _final(done.stdout)["result"] == mcp_cassettes.ANSWER


def test_stdio_servers_run_for_real_on_replay(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    config = _config(tmp_path, {"remote": fault_entry("--marker", str(markers))})
    calls = [("toolu_1", "mcp__remote__echo", {"text": "local"})]
    cassette = tmp_path / "stdio.yaml"
    anthropic_server.add(
        Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("all done"))
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    recorded = run_hexclaw(
        ["-p", "go", "--mcp-config", config, *ARGS, "--record", str(cassette)], env, workspace
    )
    assert recorded.returncode == 0, recorded.stderr
    assert {i.mcp_server for i in load_cassette(cassette).interactions} == {None}
    (markers / "started").unlink()
    home = tmp_path / "replay-home"
    home.mkdir()
    replayed = run_hexclaw(
        ["-p", "go", "--mcp-config", config, *ARGS, "--replay", str(cassette)],
        offline_env(home),
        workspace,
    )
    assert replayed.returncode == 0, replayed.stderr
    assert (markers / "started").exists()  # started again: it ran for real
    assert _tool_results(replayed.stdout) == _tool_results(recorded.stdout)
    assert "echo: local" in json.dumps(_tool_results(replayed.stdout))


def test_an_oauth_login_and_its_refresh_never_reach_the_cassette(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    """A run whose stored access token has expired refreshes it through the recorded client:
    the token exchange is in the cassette, every token REDACTED; the replay needs no login."""
    from tests.e2e.test_mcp_oauth import _config as oauth_config
    from tests.e2e.test_mcp_oauth import protected_server
    from tests.fakes.oauth.server import BROWSER

    cassette = tmp_path / "oauth.yaml"
    credentials = config_home / "credentials.json"
    tokens: set[str] = set()
    with protected_server("--ttl", "2") as (url, oauth):
        config = oauth_config(tmp_path, url)
        env = hexclaw_env(anthropic_server.url, config_home, BROWSER=str(BROWSER))
        login = run_hexclaw(["mcp", "login", "secure", "--mcp-config", config], env, workspace)
        assert login.returncode == 0, login.stderr
        tokens.update(_stored_tokens(credentials))
        time.sleep(3)  # the access token has expired: the run refreshes it
        anthropic_server.add(
            Reply.sse(tool_use_events([("t1", "mcp__secure__whoami", {})])),
            Reply.sse(text_message_events("all done")),
        )
        args = ["-p", "who?", "--mcp-config", config, "--allowedTools", "mcp__secure"]
        recorded = run_hexclaw(
            [*args, "--output-format", "json", "--record", str(cassette)], env, workspace
        )
        assert recorded.returncode == 0, recorded.stderr
        assert oauth.stats()["refreshes"] == 1
        tokens.update(_stored_tokens(credentials))
        ports = [int(u.rsplit(":", 1)[1].split("/")[0]) for u in (url, oauth.url)]
    anthropic_server.stop()
    assert len(tokens) >= 3  # the first access and refresh tokens, and the refreshed ones
    text = cassette.read_bytes()
    stored = load_cassette(cassette)
    assert any(b"refresh_token" in i.request.body for i in stored.interactions if i.mcp_server)
    assert not [t for t in tokens if t.encode() in text]
    assert cassette_leaks(stored, text, tokens) == []

    home = tmp_path / "fresh-home"  # no credentials.json at all
    home.mkdir()
    counters = [ConnectionCounter(port) for port in ports]  # the MCP and the OAuth server's
    try:
        replayed = run_hexclaw(
            [*args, "--output-format", "stream-json", "--verbose", "--replay", str(cassette)],
            offline_env(home),
            workspace,
        )
    finally:
        for counter in counters:
            counter.close()
    assert [c.accepted for c in counters] == [0, 0]
    assert replayed.returncode == 0, replayed.stderr
    assert "authorized" in json.dumps(_tool_results(replayed.stdout))
    assert _final(replayed.stdout)["result"] == "all done"


def _stored_tokens(credentials: Path) -> list[str]:
    document = json.loads(credentials.read_text())
    return [
        value
        for entry in document["mcpOAuth"].values()
        for key, value in entry["tokens"].items()
        if key in ("access_token", "refresh_token") and isinstance(value, str)
    ]
