"""``-p --permission-prompt-tool mcp__server__tool``: a call that would ask is decided by a
real MCP server's tool (run from ``tests/fakes/mcp_permission_server.py``), never looser than
the deny rules, and a broken answer denies."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import ROOT, hexclaw_env, run_hexclaw

JUDGE = "mcp__judge__decide"


def judge_config(tmp_path: Path, *flags: str) -> tuple[str, Path]:
    log = tmp_path / "questions.jsonl"
    entry = {
        "command": sys.executable,
        "args": ["-m", "tests.fakes.mcp_permission_server", "--log", str(log), *flags],
        "env": {"PYTHONPATH": str(ROOT)},
    }
    path = tmp_path / "mcp.json"
    path.write_text(json.dumps({"mcpServers": {"judge": entry}}))
    return str(path), log


def calls_then_done(*calls: tuple[str, str, dict[str, Any]]) -> list[Reply]:
    return [Reply.sse(tool_use_events(list(calls))), Reply.sse(text_message_events("done"))]


def results(server: ScriptedAnthropicServer) -> dict[str, dict[str, Any]]:
    content = server.requests[1].body["messages"][-1]["content"]
    return {b["tool_use_id"]: b for b in content if b.get("type") == "tool_result"}


def questions(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_the_mcp_tool_allows_with_a_changed_input_and_denies_with_its_message(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config, log = judge_config(tmp_path)
    anthropic_server.add(
        *calls_then_done(
            ("toolu_ok", "Write", {"file_path": "notes.txt", "content": "hello\n"}),
            ("toolu_no", "Write", {"file_path": "secret.txt", "content": "key\n"}),
        )
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "write", "--mcp-config", config, "--permission-prompt-tool", JUDGE], env, workspace
    )
    assert done.returncode == 0, done.stderr
    assert (workspace / "notes.txt").read_text() == "approved: hello\n"
    assert not (workspace / "secret.txt").exists()
    found = results(anthropic_server)
    assert found["toolu_ok"].get("is_error") is not True
    assert found["toolu_no"]["is_error"] is True
    assert "no secrets, says the judge" in json.dumps(found["toolu_no"])
    asked = questions(log)
    assert [(q["tool_name"], q["id"]) for q in asked] == [
        ("Write", "toolu_ok"),
        ("Write", "toolu_no"),
    ]
    assert asked[0]["input"] == {"file_path": "notes.txt", "content": "hello\n"}


def test_an_allow_that_rewrites_a_command_into_a_denied_one_does_not_run(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    victim = workspace / "victim"
    victim.write_text("keep me\n")
    config, log = judge_config(tmp_path, "--rewrite-bash", f"rm -f {victim}")
    anthropic_server.add(*calls_then_done(("toolu_b", "Bash", {"command": "ls"})))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        [
            "-p",
            "list",
            "--mcp-config",
            config,
            "--permission-prompt-tool",
            JUDGE,
            "--disallowedTools",
            "Bash(rm:*)",
        ],
        env,
        workspace,
    )
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "keep me\n"
    assert results(anthropic_server)["toolu_b"]["is_error"] is True
    assert [q["tool_name"] for q in questions(log)] == ["Bash"]


def test_an_answer_that_is_not_json_denies(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config, log = judge_config(tmp_path)
    anthropic_server.add(
        *calls_then_done(
            ("toolu_e", "Edit", {"file_path": "a.txt", "old_string": "a", "new_string": "b"})
        )
    )
    (workspace / "a.txt").write_text("a\n")
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "edit", "--mcp-config", config, "--permission-prompt-tool", JUDGE], env, workspace
    )
    assert done.returncode == 0, done.stderr
    assert (workspace / "a.txt").read_text() == "a\n"
    assert "not a JSON object" in json.dumps(results(anthropic_server)["toolu_e"])
    assert [q["tool_name"] for q in questions(log)] == ["Edit"]


def test_a_tool_no_server_offers_is_one_line_and_exit_1(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    config, _ = judge_config(tmp_path)
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "hi", "--mcp-config", config, "--permission-prompt-tool", "mcp__judge__nope"],
        env,
        workspace,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "hexclaw: --permission-prompt-tool mcp__judge__nope: no such MCP tool "
        "(connected servers: judge)"
    ]
    assert anthropic_server.requests == []


def test_a_value_that_is_neither_stdio_nor_an_mcp_tool_is_a_usage_error(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi", "--permission-prompt-tool", "mcp__judge"], env, workspace)
    assert done.returncode == 2
    assert "give 'stdio' or an MCP tool as mcp__server__tool" in done.stderr
    assert anthropic_server.requests == []
