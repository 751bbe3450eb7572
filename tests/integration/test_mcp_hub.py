"""The MCP adapter against real servers: server-everything (npm), mcp-server-time (PyPI), and
the SDK's FastMCP for the faults (a crash mid-call, a hang, a huge result, a changing tool
list, malformed output, Ctrl-C cancelling a call)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from adapters.mcp.hub import CallResult, McpCallError, McpHub
from adapters.mcp.tools import ListMcpResourcesTool, McpTool, ReadMcpResourceTool
from adapters.tools.support.group_liveness import group_alive
from domain.mcp.config import parse_entry
from tests.fakes.cutting_proxy import CuttingProxy
from tests.fakes.mcp_servers import everything_entry, fault_entry, free_port, time_entry


def hub_of(entries: dict[str, dict[str, Any]], cwd: Path, timeout: float = 20) -> McpHub:
    servers = [parse_entry(name, entry, "user", "test") for name, entry in entries.items()]
    return McpHub(servers, str(cwd), dict(os.environ), timeout=timeout)


@pytest.fixture
def hubs() -> Iterator[list[McpHub]]:
    started: list[McpHub] = []
    yield started
    for hub in started:
        hub.close()


def started(hubs: list[McpHub], hub: McpHub) -> McpHub:
    hubs.append(hub)
    hub.start()
    return hub


def tool(hub: McpHub, server: str, name: str) -> McpTool:
    info = next(t for t in hub.tools() if t.server == server and t.name == name)
    return McpTool(hub, info)


def test_everything_tools_resources_and_prompts(hubs: list[McpHub], tmp_path: Path) -> None:
    hub = started(hubs, hub_of({"everything": everything_entry()}, tmp_path))
    state = hub.states["everything"]
    assert state.status == "connected", state.error
    names = {t.name for t in hub.tools()}
    assert {"echo", "get-sum", "get-tiny-image"} <= names
    echo = tool(hub, "everything", "echo")
    assert echo.name == "mcp__everything__echo"
    assert echo.definition()["input_schema"]["properties"]["message"]["type"] == "string"
    outcome = echo.run({"message": "hello there"})
    assert outcome.content == [{"type": "text", "text": "Echo: hello there"}]
    image = tool(hub, "everything", "get-tiny-image").run({})
    kinds = [b["type"] for b in image.content]  # type: ignore[index]
    assert "image" in kinds
    block = next(b for b in image.content if b["type"] == "image")  # type: ignore[index]
    assert block["source"]["media_type"] == "image/png"  # type: ignore[index]
    listed = ListMcpResourcesTool(hub).run({"server": "everything"})
    assert "demo://resource/static/document/architecture.md" in str(listed.content)
    read = ReadMcpResourceTool(hub).run(
        {"server": "everything", "uri": "demo://resource/static/document/architecture.md"}
    )
    assert "[resource demo://resource/static/document/architecture.md]" in str(read.content)
    assert any(p.name == "simple-prompt" for p in hub.prompts())
    messages = hub.get_prompt("everything", "simple-prompt", {})
    assert messages
    assert messages[0]["role"] == "user"


def test_python_server_from_pypi(hubs: list[McpHub], tmp_path: Path) -> None:
    hub = started(hubs, hub_of({"time": time_entry()}, tmp_path))
    assert hub.states["time"].status == "connected", hub.states["time"].error
    outcome = tool(hub, "time", "get_current_time").run({"timezone": "Europe/Paris"})
    assert '"timezone": "Europe/Paris"' in str(outcome.content)
    assert not outcome.is_error


def test_servers_start_in_parallel_and_a_failure_is_one_status(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    hub = hub_of(
        {
            "good": fault_entry(),
            "hangs": fault_entry("--hang-on-start", "--marker", str(markers)),
            "missing": {"command": str(tmp_path / "no-such-server")},
            "exits": {"command": "sh", "args": ["-c", "echo broken config >&2; exit 3"]},
        },
        tmp_path,
        timeout=4,
    )
    begun = time.monotonic()
    started(hubs, hub)
    elapsed = time.monotonic() - begun
    assert elapsed < 8  # one deadline for all, not one each
    states = hub.states
    assert states["good"].status == "connected"
    assert states["hangs"].status == "failed"
    assert "timed out after 4s" in states["hangs"].error
    assert states["missing"].error.startswith("command not found")
    assert "broken config" in states["exits"].error
    # The hanging server's whole group is stopped at the deadline, not left behind.
    pid = int((markers / "started").read_text())
    deadline = time.monotonic() + 5
    while group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not group_alive(pid)
    assert {t.server for t in hub.tools()} == {"good"}


def test_crash_mid_call_is_an_error_result_and_the_server_is_marked(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    hub = started(hubs, hub_of({"f": fault_entry()}, tmp_path))
    crash = tool(hub, "f", "crash")
    from adapters.tools.registry import ToolRegistry
    from domain.tools.calls import ToolCall

    outcome = ToolRegistry([crash]).run(ToolCall("t1", crash.name, {}))
    assert outcome.is_error
    assert "connection closed" in str(outcome.content).lower()
    assert hub.states["f"].status == "failed"
    with pytest.raises(McpCallError, match="not connected"):
        hub.call_tool("f", "echo", {"text": "x"})


def test_malformed_output_is_skipped_and_the_session_goes_on(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    hub = started(hubs, hub_of({"f": fault_entry("--garbage")}, tmp_path))
    assert hub.states["f"].status == "connected"
    assert hub.states["f"].malformed >= 1
    assert tool(hub, "f", "echo").run({"text": "still here"}).content == [
        {"type": "text", "text": "echo: still here"}
    ]


def test_server_requests_ping_answered_the_others_method_not_found(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    hub = started(hubs, hub_of({"f": fault_entry()}, tmp_path))
    outcome = tool(hub, "f", "probe").run({})
    assert outcome.content == [
        {"type": "text", "text": "ping ok, roots -32601, sampling -32601"}
    ], outcome.content


def test_elicitation_is_answered_through_the_callback_or_declined(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    hub = started(hubs, hub_of({"f": fault_entry()}, tmp_path))
    ask = tool(hub, "f", "ask")
    assert ask.run({}).content == [{"type": "text", "text": "decline"}]
    asked: list[tuple[str, str]] = []

    def elicit(server: str, message: str, schema: Any) -> dict[str, Any]:
        asked.append((server, message))
        assert "name" in schema["properties"]
        return {"name": "Ada", "age": 36}

    hub.elicit = elicit
    assert ask.run({}).content == [{"type": "text", "text": "accepted Ada 36"}]
    assert asked == [("f", "Who are you?")]


def test_huge_result_is_capped_with_a_note(hubs: list[McpHub], tmp_path: Path) -> None:
    hub = started(hubs, hub_of({"f": fault_entry()}, tmp_path))
    info = next(t for t in hub.tools() if t.name == "huge")
    outcome = McpTool(hub, info, max_tokens=1000).run({"chars": 200_000})
    texts = [b["text"] for b in outcome.content if b["type"] == "text"]  # type: ignore[index]
    assert len(texts[0]) == 4000
    assert "MAX_MCP_OUTPUT_TOKENS (1,000)" in texts[-1]


def test_error_results_and_read_only_hints(hubs: list[McpHub], tmp_path: Path) -> None:
    hub = started(hubs, hub_of({"f": fault_entry()}, tmp_path))
    failing = tool(hub, "f", "failing").run({})
    assert failing.is_error
    assert "failed on purpose" in str(failing.content)
    assert tool(hub, "f", "echo").access_of({}).read_only
    assert not tool(hub, "f", "crash").access_of({}).read_only
    assert tool(hub, "f", "crash").access_of({}).kind == "mcp"


def test_tool_list_changes_reach_the_tools(hubs: list[McpHub], tmp_path: Path) -> None:
    hub = started(hubs, hub_of({"f": fault_entry()}, tmp_path))
    assert "added" not in {t.name for t in hub.tools()}
    changed = threading.Event()
    hub.on_tools_changed = lambda server: changed.set()
    tool(hub, "f", "grow").run({})
    assert changed.wait(10)
    assert tool(hub, "f", "added").run({}).content == [{"type": "text", "text": "added works"}]


def test_ctrl_c_cancels_the_call_on_the_server(hubs: list[McpHub], tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    hub = started(hubs, hub_of({"f": fault_entry("--marker", str(markers))}, tmp_path))
    progress: list[str] = []
    info = next(t for t in hub.tools() if t.name == "slow")
    slow = McpTool(hub, info, progress=progress.append)
    main = threading.get_ident()

    def interrupt() -> None:
        deadline = time.monotonic() + 10
        while not progress and time.monotonic() < deadline:
            time.sleep(0.05)
        signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        slow.run({})
    assert progress
    assert "warming up" in progress[0]
    assert "1/10" in progress[0]
    deadline = time.monotonic() + 10
    while not (markers / "cancelled").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (markers / "cancelled").exists()
    # The session is still usable after the cancellation.
    assert not tool(hub, "f", "echo").run({"text": "after"}).is_error


def test_a_call_past_mcp_tool_timeout_fails_and_is_cancelled_on_the_server(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    servers = [parse_entry("f", fault_entry("--marker", str(markers)), "user", "test")]
    hub = started(hubs, McpHub(servers, str(tmp_path), dict(os.environ), tool_timeout=1.0))
    begun = time.monotonic()
    with pytest.raises(McpCallError, match="Timed out"):
        hub.call_tool("f", "slow", {})
    assert time.monotonic() - begun < 5
    deadline = time.monotonic() + 10
    while not (markers / "cancelled").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (markers / "cancelled").exists()
    assert hub.call_tool("f", "echo", {"text": "after"}).content == [
        {"type": "text", "text": "echo: after"}
    ]


def test_close_stops_every_process_group(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    hub = hub_of({"f": fault_entry("--marker", str(markers))}, tmp_path)
    hub.start()
    pid = int((markers / "started").read_text())
    assert group_alive(pid)
    hub.close()
    assert not group_alive(pid)


@pytest.mark.parametrize(
    ("flag", "path", "transport"), [("--http", "/mcp", "http"), ("--sse", "/sse", "sse")]
)
def test_remote_transports(
    hubs: list[McpHub], tmp_path: Path, flag: str, path: str, transport: str
) -> None:
    import subprocess
    import sys

    from tests.support import ROOT

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.mcp_fault_server", flag, str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}{path}"
        entry = {"type": transport, "url": url, "headers": {"X-Test": "1"}}
        hub = hub_of({"remote": entry}, tmp_path, timeout=5)
        for _attempt in range(40):  # the server needs a moment to listen
            hub = hub_of({"remote": entry}, tmp_path, timeout=5)
            started(hubs, hub)
            if hub.states["remote"].status == "connected":
                break
            time.sleep(0.25)
        assert hub.states["remote"].status == "connected", hub.states["remote"].error
        assert tool(hub, "remote", "echo").run({"text": "over http"}).content == [
            {"type": "text", "text": "echo: over http"}
        ]
        # The server dies mid-call, long before the tool timeout: over SSE the end of its
        # event stream reaches the call through the relay hexclaw puts before the session;
        # over streamable HTTP the POST's broken answer stream is ended with the call's error
        # (the SDK alone drops that stream and leaves the call waiting for its timeout).
        hub.tool_timeout = 60
        begun = time.monotonic()
        with pytest.raises(McpCallError, match="onnection closed"):
            hub.call_tool("remote", "crash", {})
        assert time.monotonic() - begun < 15
        if transport == "http":
            # One POST's stream broke: that alone does not say the session is gone (see the
            # next test), so the next call is what finds the server unreachable.
            assert hub.states["remote"].status == "connected"
            with pytest.raises(McpCallError, match="onnection closed: the server cannot be"):
                hub.call_tool("remote", "echo", {"text": "anyone?"})
        assert hub.states["remote"].error.startswith("connection closed")
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextlib.contextmanager
def proxied_remote(
    hubs: list[McpHub], tmp_path: Path, *flags: str
) -> Iterator[tuple[McpHub, CuttingProxy]]:
    """The fault server over streamable HTTP (with ``flags``), reached through a
    ``CuttingProxy``: a hub connected to it (tool timeout 60 s) and the proxy."""
    from tests.fakes.mcp_servers import remote_server

    with remote_server("--http", *flags) as port, CuttingProxy(port) as proxy:
        entry = {"type": "http", "url": f"http://127.0.0.1:{proxy.port}/mcp"}
        hub = started(hubs, hub_of({"remote": entry}, tmp_path, timeout=10))
        assert hub.states["remote"].status == "connected", hub.states["remote"].error
        hub.tool_timeout = 60
        yield hub, proxy


@contextlib.contextmanager
def resumable_call(
    hubs: list[McpHub], tmp_path: Path, tool: str, arguments: dict[str, Any]
) -> Iterator[tuple[McpHub, CuttingProxy, Future[CallResult]]]:
    """A call to the fault server that numbers its events (``--resumable``), reached through a
    ``CuttingProxy``, once the call has reported progress (so its stream holds an event id):
    the hub, the proxy and the call under way."""
    with proxied_remote(hubs, tmp_path, "--resumable") as (hub, proxy):
        progressed = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            call = pool.submit(
                hub.call_tool, "remote", tool, arguments, lambda line: progressed.set()
            )
            assert progressed.wait(15), "the call never reported progress"
            yield hub, proxy, call


def test_a_broken_answer_stream_ends_its_call_and_no_other(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    """Over streamable HTTP each call has its own POST: when the network cuts one (the server
    lives on), that call ends at once with "connection closed", a call under way on another
    POST is still answered, and the server stays connected for the calls after."""
    with proxied_remote(hubs, tmp_path) as (hub, proxy):
        warmed = threading.Event()
        with ThreadPoolExecutor(2) as pool:
            napping = pool.submit(hub.call_tool, "remote", "nap", {"seconds": 6})
            hanging = pool.submit(hub.call_tool, "remote", "slow", {}, lambda line: warmed.set())
            assert warmed.wait(15), "the slow call never reported progress"
            assert proxy.cut(b'"name":"slow"') == 1
            begun = time.monotonic()
            with pytest.raises(McpCallError, match="onnection closed: the server's answer"):
                hanging.result(timeout=90)
            assert time.monotonic() - begun < 5
            assert not napping.done()
            assert napping.result(timeout=30).content == [{"type": "text", "text": "napped 6s"}]
        assert hub.states["remote"].status == "connected", hub.states["remote"].error
        echoed = hub.call_tool("remote", "echo", {"text": "still here"})
        assert echoed.content == [{"type": "text", "text": "echo: still here"}]


def test_a_resumable_stream_cut_is_resumed_and_answered(hubs: list[McpHub], tmp_path: Path) -> None:
    """A server that numbers its events: when the network cuts a call's stream after an event,
    the SDK reconnects with ``Last-Event-ID`` and the answer still comes (hexclaw leaves such a
    stream to it)."""
    arguments = {"seconds": 3}
    with resumable_call(hubs, tmp_path, "progress_then_answer", arguments) as (hub, proxy, call):
        assert proxy.cut(b'"name":"progress_then_answer"') == 1
        answer = call.result(timeout=30)
        assert answer.content == [{"type": "text", "text": "answered after 3s"}]
        assert hub.states["remote"].status == "connected"


def test_a_resumed_stream_cut_again_is_resumed_again(hubs: list[McpHub], tmp_path: Path) -> None:
    """The reconnect's own stream is cut too: the SDK reconnects once more, and the answer
    still comes."""
    arguments = {"seconds": 6}
    with resumable_call(hubs, tmp_path, "progress_then_answer", arguments) as (_, proxy, call):
        deadline = time.monotonic() + 10
        # The relay may not have recorded the POST yet when progress arrives (a loaded machine).
        while proxy.cut(b'"name":"progress_then_answer"') == 0:
            assert time.monotonic() < deadline, "the call's stream was never seen"
            time.sleep(0.02)
        deadline = time.monotonic() + 10
        # The reconnect's GET, once its stream has begun: hexclaw is reading it.
        while proxy.cut(b"last-event-id", answered_with=b"text/event-stream") == 0:
            assert time.monotonic() < deadline, "the SDK never reconnected"
            time.sleep(0.02)
        answer = call.result(timeout=30)
        assert answer.content == [{"type": "text", "text": "answered after 6s"}]


def test_a_resumable_stream_whose_reconnects_fail_ends_its_call(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    """The same cut, but nothing can connect any more: the SDK's reconnects fail and it gives
    up without a word, leaving the call waiting (for its timeout; forever without one).
    hexclaw answers the last reconnect with the call's error."""
    with resumable_call(hubs, tmp_path, "slow", {}) as (hub, proxy, call):
        proxy.close()
        assert proxy.cut(b'"name":"slow"') == 1
        begun = time.monotonic()
        with pytest.raises(McpCallError, match=r"onnection closed: .*could not be resumed"):
            call.result(timeout=90)
        assert time.monotonic() - begun < 15
        assert hub.states["remote"].error.startswith("connection closed")


def test_a_remote_server_gone_between_calls_fails_the_next_call_at_once(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    """The POST of a call finds nobody listening any more: the call is answered "connection
    closed" at once (the SDK alone ends its transport and leaves the call waiting)."""
    with proxied_remote(hubs, tmp_path) as (hub, proxy):
        proxy.close()
        begun = time.monotonic()
        with pytest.raises(McpCallError, match="onnection closed: the server cannot be reached"):
            hub.call_tool("remote", "echo", {"text": "anyone?"})
        assert time.monotonic() - begun < 5
        assert hub.states["remote"].error.startswith("connection closed")


def test_an_unreachable_remote_server_is_a_status(hubs: list[McpHub], tmp_path: Path) -> None:
    port = free_port()
    entry = {"type": "http", "url": f"http://127.0.0.1:{port}/mcp"}
    hub = started(hubs, hub_of({"down": entry}, tmp_path, timeout=5))
    assert hub.states["down"].status == "failed"
    assert hub.states["down"].error


def test_tools_list_pages_are_followed(hubs: list[McpHub], tmp_path: Path) -> None:
    import sys

    from tests.support import ROOT

    entry = {
        "command": sys.executable,
        "args": ["-m", "tests.fakes.mcp_paged_server"],
        "env": {"PYTHONPATH": str(ROOT)},
    }
    hub = started(hubs, hub_of({"paged": entry}, tmp_path))
    assert hub.states["paged"].status == "connected", hub.states["paged"].error
    names = [t.name for t in hub.tools()]
    assert names == [f"tool_{n:02d}" for n in range(25)]  # three pages, in order
    assert tool(hub, "paged", "tool_24").run({}).content == [
        {"type": "text", "text": "tool_24 ran"}
    ]


def test_read_only_tools_run_beside_other_reads_and_the_rest_alone(
    hubs: list[McpHub], tmp_path: Path
) -> None:
    from adapters.tools.concurrent_runs import ThreadedScheduler
    from adapters.tools.registry import ToolRegistry
    from domain.tools.calls import ToolCall

    hub = started(hubs, hub_of({"f": fault_entry()}, tmp_path))
    echo, crash = tool(hub, "f", "echo"), tool(hub, "f", "crash")
    scheduler = ThreadedScheduler(ToolRegistry([echo, crash]))
    assert scheduler.concurrency_safe(ToolCall(id="a", name=echo.name, input={"text": "x"}))
    assert not scheduler.concurrency_safe(ToolCall(id="b", name=crash.name, input={}))
    jobs = [lambda n=n: echo.run({"text": str(n)}) for n in range(4)]
    outcomes = scheduler.run_all(jobs)
    assert [o.content for o in outcomes] == [
        [{"type": "text", "text": f"echo: {n}"}] for n in range(4)
    ]
