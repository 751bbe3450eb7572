"""The ``mcp`` cassette family: a session with a remote MCP server, recorded through the CLI.

``hexclaw -p ... --record`` while the scripted model calls two tools of the fault server
(FastMCP over streamable HTTP on 127.0.0.1): one answers, one fails. The replay needs the same
MCP configuration (a server named ``remote`` of type ``http`` at path ``/mcp``) and no server:
``mcp_config`` writes it for any port, ``MCP_ARGS`` is the command line of both runs.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.mcp_servers import remote_server
from tests.fakes.sse_script import text_message_events, tool_use_events

NAME = "streamable-http-tool-calls"
PROMPT = "echo a word through the remote server, then try the failing tool"
MCP_ARGS = ["-p", PROMPT, "--output-format", "stream-json", "--verbose"]
ALLOWED = ["--allowedTools", "mcp__remote"]
ANSWER = "The server echoed the word; its failing tool failed, as it always does."
CALLS = [
    ("toolu_1", "mcp__remote__echo", {"text": "cassette"}),
    ("toolu_2", "mcp__remote__failing", {}),
]


def mcp_config(folder: Path, port: int) -> Path:
    path = folder / "mcp.json"
    entry = {"type": "http", "url": f"http://127.0.0.1:{port}/mcp"}
    path.write_text(json.dumps({"mcpServers": {"remote": entry}}))
    return path


def replies() -> list[Reply]:
    return [Reply.sse(tool_use_events(CALLS)), Reply.sse(text_message_events(ANSWER))]


def record_mcp_family(folder: Path) -> list[Path]:
    from tests.fakes.record_cassettes import RecordingFailed, hexclaw_record

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{NAME}.yaml"
    with (
        tempfile.TemporaryDirectory() as scratch,
        remote_server("--http") as port,
        ScriptedAnthropicServer(replies(), idle_timeout=60) as server,
    ):
        workspace = Path(scratch) / "workspace"
        workspace.mkdir()
        config = mcp_config(Path(scratch), port)
        args = [*MCP_ARGS, "--mcp-config", str(config), *ALLOWED]
        done = hexclaw_record(args, target, server.url, workspace)
        if done.returncode != 0 or len(server.requests) != 2:
            raise RecordingFailed(
                f"mcp: exit {done.returncode}, {len(server.requests)} model requests: "
                f"{done.stderr.strip()}"
            )
    return [target]
