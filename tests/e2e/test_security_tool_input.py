"""Hostile tool input through ``hexclaw -p``: a NUL byte in a path is a tool error the model
sees (the run goes on), never an internal error, and nothing is touched on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.test_permission_print_mode import tool_results
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw


def test_a_nul_byte_in_a_path_is_an_error_the_model_sees(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / "a.txt").write_text("alpha\n")
    bad = "a.txt\x00/../../etc/passwd"
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("t_read", "Read", {"file_path": bad}),
        ("t_write", "Write", {"file_path": bad, "content": "x"}),
        ("t_edit", "Edit", {"file_path": bad, "old_string": "alpha", "new_string": "beta"}),
        ("t_ls", "LS", {"path": "sub\x00dir"}),
        ("t_glob", "Glob", {"pattern": "*.txt", "path": "sub\x00dir"}),
        ("t_grep", "Grep", {"pattern": "alpha", "path": "a\x00.txt"}),
        ("t_bash", "Bash", {"command": "echo hi\x00there"}),
        ("t_ok", "Read", {"file_path": "a.txt"}),
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(
        ["-p", "go", "--permission-mode", "acceptEdits", "--allowedTools", "Bash(echo:*)"],
        env,
        workspace,
    )
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr
    assert done.stdout.strip() == "ok"
    results = {r["tool_use_id"]: r for r in tool_results(anthropic_server.requests[1].body)}
    for tool_id in ("t_read", "t_write", "t_edit", "t_ls", "t_glob", "t_grep", "t_bash"):
        assert results[tool_id]["is_error"] is True, tool_id
        assert "NUL byte" in json.dumps(results[tool_id]["content"]), tool_id
    assert results["t_ok"]["is_error"] is False
    assert (workspace / "a.txt").read_text() == "alpha\n"
    assert sorted(p.name for p in workspace.iterdir()) == ["a.txt"]
