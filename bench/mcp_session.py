"""Row: a one-shot ``-p`` answer with one stdio MCP server (``mcp-server-time`` from PyPI)
configured by ``--mcp-config``, wall time and peak memory, against ``claude -p`` with the same
server and flags. The scripted model answers only when the request offers the server's tool,
so a run that did not connect to the server fails its check instead of looking fast (Claude
Code 2.1 defers MCP tools behind ToolSearch: it names them in the request instead)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from bench.compare_runs import Side, wall_and_memory
from bench.context import BenchContext
from bench.environments import claude_env, hexclaw_env
from bench.process_probe import ProcessRun, run_measured
from bench.report import Line
from bench.sampling import interleave
from tests.fakes import sse_script
from tests.fakes.anthropic_server import RecordedRequest, Reply, ScriptedAnthropicServer

NAME = "mcp_session"
PROMPT = "what time is it?"
ANSWER = "It is time, says the MCP server."
MCP_TOOL = "mcp__time__get_current_time"


def _server_command() -> str | None:
    beside = Path(sys.executable).parent / "mcp-server-time"
    return str(beside) if beside.is_file() else shutil.which("mcp-server-time")


def _answer(request: RecordedRequest) -> Reply:
    # The name comes only from the server's tools/list: hexclaw offers it as a tool, Claude Code
    # 2.1 names it in its list of deferred tools (loaded through ToolSearch).
    offered = MCP_TOOL in json.dumps(request.body)
    text = ANSWER if offered else "the MCP tool was not offered"
    return Reply.sse(sse_script.text_message_events(text))


def _answered(run: ProcessRun) -> str | None:
    if ANSWER in run.stdout:
        return None
    return f"printed {run.stdout.strip()[:80]!r} instead of the answer that needs the MCP tool"


def run(ctx: BenchContext) -> list[Line]:
    workspace = ctx.scratch("mcp-session")
    command = _server_command()
    label = "-p with one stdio MCP server"
    if command is None:
        missing = Side(None, "mcp-server-time is not installed (the dev extra)")
        return wall_and_memory(
            row=NAME,
            label=label,
            ours=missing,
            peer="claude -p",
            theirs=missing,
            wall_target=0.5,
            memory_target=0.5,
            command=ctx.command(NAME),
        )
    config = workspace.parent / "mcp-session-config.json"
    server = {"command": command, "args": ["--local-timezone", "UTC"]}
    config.write_text(json.dumps({"mcpServers": {"time": server}}))
    flags = ["-p", PROMPT, "--mcp-config", str(config), "--allowedTools", MCP_TOOL]
    with ScriptedAnthropicServer(responder=_answer, idle_timeout=300) as scripted:
        hex_env = hexclaw_env(scripted.url, ctx.scratch("mcp-session-hexclaw-home"))
        subjects = [lambda: run_measured([*ctx.hexclaw.argv, *flags], hex_env, workspace)]
        if ctx.claude.argv is not None:
            c_env = claude_env(scripted.url, ctx.scratch("mcp-session-claude-home"), [workspace])
            claude = [*ctx.claude.argv, *flags]
            subjects.append(lambda: run_measured(claude, c_env, workspace))
        runs = interleave(ctx.plan, subjects)
    ours = Side(runs[0], check=_answered)
    theirs = Side(runs[1], check=_answered) if len(runs) > 1 else Side(None, ctx.claude.problem)
    return wall_and_memory(
        row=NAME,
        label=label,
        ours=ours,
        peer="claude -p (same server)",
        theirs=theirs,
        wall_target=0.5,
        memory_target=0.5,
        command=ctx.command(NAME),
        note=ctx.hexclaw.note,
    )
