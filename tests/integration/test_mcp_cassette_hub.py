"""MCP cassettes under the hub, with the SDK's own clients and a FastMCP server: a replay
whose JSON-RPC ids differ from the recording's (the calls come in another order) still gets
each call its own answer, over streamable HTTP and over the legacy SSE stream; a call the
cassette does not hold is an error naming it, and the session goes on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from adapters.cassettes.file import load_cassette
from adapters.cassettes.mcp_http import McpRecorder, McpReplay
from adapters.cassettes.recorder import RecordingTransport
from adapters.mcp.hub import McpCallError, McpHub
from domain.mcp.config import parse_entry
from tests.fakes.mcp_servers import free_port, remote_server

TRANSPORTS = [("--http", "http", "/mcp"), ("--sse", "sse", "/sse")]


def _hub(transport: str, url: str, cwd: Path) -> McpHub:
    server = parse_entry("remote", {"type": transport, "url": url}, "user", "test")
    return McpHub([server], str(cwd), dict(os.environ), timeout=10)


def _texts(hub: McpHub, *texts: str) -> list[Any]:
    return [hub.call_tool("remote", "echo", {"text": t}).content for t in texts]


@pytest.mark.parametrize(("flag", "transport", "path"), TRANSPORTS)
def test_calls_in_another_order_get_their_own_answers(
    tmp_path: Path, flag: str, transport: str, path: str
) -> None:
    target = tmp_path / "session.yaml"
    with remote_server(flag) as port:
        hub = _hub(transport, f"http://127.0.0.1:{port}{path}", tmp_path)
        hub.http_transport = McpRecorder(RecordingTransport(target))
        try:
            hub.start()
            assert hub.states["remote"].status == "connected", hub.states["remote"].error
            recorded = _texts(hub, "first", "second", "third")
        finally:
            hub.close()
    assert recorded[0] == [{"type": "text", "text": "echo: first"}]

    # Nobody listens on this port: anything but the cassette would fail to connect.
    replay = _hub(transport, f"http://127.0.0.1:{free_port()}{path}", tmp_path)
    book = McpReplay(load_cassette(target))
    replay.http_transport = book
    post = "/mcp" if transport == "http" else "/messages/"
    try:
        replay.start()
        assert replay.states["remote"].status == "connected", replay.states["remote"].error
        assert "echo" in {t.name for t in replay.tools()}
        replayed = _texts(replay, "third", "first", "second")
        with pytest.raises(McpCallError) as missing:
            replay.call_tool("remote", "echo", {"text": "fourth"})
        with pytest.raises(McpCallError) as again:
            replay.call_tool("remote", "echo", {"text": "first"})  # each recording plays once
        assert replay.states["remote"].status == "connected"
    finally:
        replay.close()
    assert book.unplayed("remote") == 0  # the standing stream and the closing DELETE too
    assert replayed == [recorded[2], recorded[0], recorded[1]]
    assert str(missing.value) == (
        f"replay stopped: MCP server 'remote' was sent POST {post} tools/call "
        '{"name": "echo", "arguments": {"text": "fourth"}}, which is not in the cassette'
    )
    assert '"first"}}, which is not in the cassette' in str(again.value)
