"""Row: a one-shot ``-p`` answer with one stdio MCP server configured by ``--mcp-config``, wall
time and peak memory, against ``claude -p`` with the same server and flags.

The target lines use ``@modelcontextprotocol/server-everything`` (npm, ``tests/fakes/mcp``):
a server that answers ``initialize`` in about 0.3 s, so the clients' own costs show. The same
comparison with ``mcp-server-time`` (PyPI, a Python server that loads the MCP SDK itself) is
information only: that server needs 0.6-0.8 s before it answers anything, a floor both
clients wait for, so half of Claude Code's time is out of reach whatever the client does. An
info line per server gives that floor: its spawn to its answer to ``initialize``.

The scripted model answers only when the request offers the server's tool, so a run that did
not connect to the server fails its check instead of looking fast (Claude Code 2.1 defers MCP
tools behind ToolSearch: it names them in the request instead)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.compare_runs import (
    PEAK_MEMORY,
    WALL,
    Side,
    compare,
    sides,
    timed_and_sampled,
    wall_and_memory,
)
from bench.context import BenchContext
from bench.environments import claude_env, hexclaw_env
from bench.process_probe import ProcessRun, run_measured
from bench.report import Line
from bench.sampling import interleave, median
from domain.mcp.protocol import encoded, initialize_params, request
from tests.fakes import sse_script
from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer
from tests.support import ROOT

NAME = "mcp_session"
ANSWER = "The MCP server answered."
EVERYTHING = ROOT / "tests/fakes/mcp/node_modules/@modelcontextprotocol/server-everything"
EVERYTHING_JS = EVERYTHING / "dist/index.js"


def _time_server() -> list[str] | None:
    beside = Path(sys.executable).parent / "mcp-server-time"
    found = str(beside) if beside.is_file() else shutil.which("mcp-server-time")
    return [found, "--local-timezone", "UTC"] if found else None


def _everything_server() -> list[str] | None:
    node = shutil.which("node")
    return [node, str(EVERYTHING_JS), "stdio"] if node and EVERYTHING_JS.is_file() else None


def _answers_when_offered(tool: str) -> Callable[[RecordedRequest], Reply]:
    def answer(request: RecordedRequest) -> Reply:
        # The name comes only from the server's tools/list: hexclaw offers it as a tool,
        # Claude Code 2.1 names it in its list of deferred tools (loaded through ToolSearch).
        offered = tool in json.dumps(request.body)
        text = ANSWER if offered else "the MCP tool was not offered"
        return Reply.sse(sse_script.text_message_events(text))

    return answer


def _answered(run: ProcessRun) -> str | None:
    if ANSWER in run.stdout:
        return None
    return f"printed {run.stdout.strip()[:80]!r} instead of the answer that needs the MCP tool"


def _initialize_seconds(argv: list[str], cwd: Path) -> float | None:
    """The server's own start: its spawn to its answer to ``initialize`` (no client around)."""
    begun = time.perf_counter()
    server = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd
    )
    assert server.stdin is not None
    assert server.stdout is not None
    try:
        server.stdin.write(encoded(request(1, "initialize", initialize_params("bench", "0", True))))
        server.stdin.flush()
        line = server.stdout.readline()
        return time.perf_counter() - begun if b'"result"' in line else None
    finally:
        server.kill()
        server.wait()


def _compare(
    ctx: BenchContext,
    name: str,
    argv: list[str] | None,
    tool: str,
    missing: str,
    target: float | None,
) -> list[Line]:
    label = f"-p with one stdio MCP server ({name})"
    if argv is None:
        absent = Side(None, missing)
        if target is None:
            return [_info(ctx, f"{label} wall time", absent, absent)]
        return wall_and_memory(
            row=NAME,
            label=label,
            ours=absent,
            peer="claude -p",
            theirs=absent,
            wall_target=target,
            memory_target=target,
            command=ctx.command(NAME),
        )
    workspace = ctx.scratch(f"mcp-session-{name}")
    config = workspace.parent / f"mcp-session-{name}.json"
    config.write_text(json.dumps({"mcpServers": {name: {"command": argv[0], "args": argv[1:]}}}))
    flags = ["-p", "use the MCP server", "--mcp-config", str(config), "--allowedTools", tool]
    with ScriptedAnthropicServer(responder=_answers_when_offered(tool), idle_timeout=300) as api:
        hex_env = hexclaw_env(api.url, ctx.scratch(f"mcp-session-{name}-hexclaw-home"))
        ours_argv = [*ctx.hexclaw.argv, *flags]
        subjects = timed_and_sampled(
            lambda m: run_measured(ours_argv, hex_env, workspace, memory=m)
        )
        if ctx.claude.argv is not None:
            c_env = claude_env(api.url, ctx.scratch(f"mcp-session-{name}-claude-home"), [workspace])
            claude = [*ctx.claude.argv, *flags]
            subjects += timed_and_sampled(
                lambda m: run_measured(claude, c_env, workspace, memory=m)
            )
        runs = interleave(ctx.plan, subjects)
    ours, theirs = sides(runs, [_answered], ctx.claude.problem)
    if target is None:
        return [
            _info(ctx, f"{label} wall time", ours, theirs),
            _info(ctx, f"{label} peak memory (process tree)", ours, theirs, memory=True),
        ]
    return wall_and_memory(
        row=NAME,
        label=label,
        ours=ours,
        peer="claude -p (same server)",
        theirs=theirs,
        wall_target=target,
        memory_target=target,
        command=ctx.command(NAME),
        note=ctx.hexclaw.note,
    )


def _info(ctx: BenchContext, what: str, ours: Side, theirs: Side, memory: bool = False) -> Line:
    return compare(
        row=NAME,
        what=what,
        quantity=PEAK_MEMORY if memory else WALL,
        ours=ours,
        peer="claude -p (same server)",
        theirs=theirs,
        target=None,
        command=ctx.command(NAME),
        note="information: this server's own start is most of both clients' time",
    )


def _server_starts(ctx: BenchContext, servers: dict[str, list[str] | None]) -> list[Line]:
    present = {name: argv for name, argv in servers.items() if argv is not None}
    cwd = ctx.scratch("mcp-session-starts")
    subjects = [lambda argv=argv: _initialize_seconds(argv, cwd) for argv in present.values()]
    results = interleave(ctx.plan, subjects) if subjects else []
    lines = []
    for name, seconds in zip(present, results, strict=True):
        answered = [s for s in seconds if s is not None]
        lines.append(
            Line(
                row=NAME,
                what=f"{name}'s own start: spawn to its initialize answer (no client)",
                unit="s",
                ours=median(answered) if len(answered) == len(seconds) else None,
                peer="",
                peer_value=None,
                target=None,
                command=ctx.command(NAME),
                note="the floor under both clients' times with this server"
                if len(answered) == len(seconds)
                else "the server did not answer initialize",
                runs=len(seconds),
            )
        )
    return lines


def run(ctx: BenchContext) -> list[Line]:
    everything, time_server = _everything_server(), _time_server()
    lines = _compare(
        ctx,
        "everything",
        everything,
        "mcp__everything__echo",
        "server-everything is not installed: make tests/fakes/mcp/node_modules/.installed",
        target=0.5,
    )
    lines += _compare(
        ctx,
        "time",
        time_server,
        "mcp__time__get_current_time",
        "mcp-server-time is not installed (the dev extra)",
        target=None,
    )
    return lines + _server_starts(ctx, {"everything": everything, "time": time_server})
