"""MCP in the REPL reading piped lines: a project server is asked about before it starts (and
the answer pinned), /mcp shows the servers, and a server prompt is a slash command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.mcp_servers import everything_entry, fault_entry
from tests.fakes.sse_script import text_message_events
from tests.support import hexclaw_env, run_hexclaw


def test_a_project_server_is_asked_about_and_the_answer_pinned(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    entry = fault_entry("--marker", str(markers))
    (workspace / ".mcp.json").write_text(json.dumps({"mcpServers": {"f": entry}}))
    env = hexclaw_env(anthropic_server.url, config_home)

    done = run_hexclaw([], env, workspace, stdin="n\n/mcp\n", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "project MCP server .mcp.json#f would run" in done.stdout
    assert "No MCP servers in this session" in done.stdout
    assert not (markers / "started").exists()

    done = run_hexclaw([], env, workspace, stdin="y\n/mcp\n", timeout=60)
    assert done.returncode == 0, done.stderr
    assert (markers / "started").exists()
    assert "f (stdio, project) · connected" in done.stdout
    assert "echo (read-only)" in done.stdout

    done = run_hexclaw([], env, workspace, stdin="/mcp\n", timeout=60)
    assert "would run" not in done.stdout  # pinned: not asked again
    assert "· connected" in done.stdout


def test_a_server_prompt_is_a_slash_command(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"everything": everything_entry()}}))
    anthropic_server.add(Reply.sse(text_message_events("sunny")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["--mcp-config", str(config)],
        env,
        workspace,
        stdin="/mcp__everything__args-prompt\n/mcp__everything__args-prompt Paris\n",
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "needs city" in done.stdout + done.stderr
    (request,) = anthropic_server.requests
    last = request.body["messages"][-1]
    assert "What's weather in Paris?" in json.dumps(last)


def test_a_resource_mention_attaches_the_resource(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"everything": everything_entry()}}))
    anthropic_server.add(Reply.sse(text_message_events("read it")))
    env = hexclaw_env(anthropic_server.url, config_home)
    uri = "demo://resource/static/document/architecture.md"
    done = run_hexclaw(
        ["--mcp-config", str(config)],
        env,
        workspace,
        stdin=f"summarize @everything:{uri} and @nothing:x://y\n",
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"attached everything:{uri}" in done.stdout
    content = json.dumps(anthropic_server.requests[0].body["messages"][-1])
    assert f'<file path=\\"everything:{uri}\\">' in content
    assert "nothing:x://y" in content  # not a server: left as typed, nothing attached
    assert content.count("<file path=") == 1


def test_an_elicitation_is_a_form_in_the_repl_and_declined_in_print_mode(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    from tests.fakes.sse_script import tool_use_events

    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"f": fault_entry()}}))
    env = hexclaw_env(anthropic_server.url, config_home)
    flags = ["--mcp-config", str(config), "--allowedTools", "mcp__f__ask"]

    def script() -> None:
        anthropic_server.add(
            Reply.sse(tool_use_events([("toolu_1", "mcp__f__ask", {})])),
            Reply.sse(text_message_events("done")),
        )

    script()
    done = run_hexclaw(flags, env, workspace, stdin="who?\ny\n\nAda\n\n", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "The MCP server f asks: Who are you?" in done.stdout
    assert "name is required" in done.stdout  # the empty answer was asked again
    result = json.dumps(anthropic_server.requests[-1].body["messages"][-1])
    assert "accepted Ada 30" in result

    script()
    done = run_hexclaw(["-p", "who?", *flags], env, workspace, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.dumps(anthropic_server.requests[-1].body["messages"][-1])
    assert "decline" in result
