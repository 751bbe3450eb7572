"""The workspace boundary through ``hexclaw -p``, with the model asking for what it must not
get: writes that leave the workspace by ``../``, by an absolute path or through a symlink are
denied even where edits are allowed, and a settings file cannot switch permissions off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_permission_print_mode import tool_results
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.txt").write_text("untouched\n")
    return folder


def test_writes_that_leave_the_workspace_are_denied_even_in_accept_edits(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, outside: Path
) -> None:
    (workspace / "escape").symlink_to(outside)
    (workspace / "alias.txt").symlink_to(outside / "victim.txt")
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("t_dots", "Write", {"file_path": "../outside/dots.txt", "content": "x"}),
        ("t_abs", "Write", {"file_path": str(outside / "abs.txt"), "content": "x"}),
        ("t_dir", "Write", {"file_path": "escape/through-link.txt", "content": "x"}),
        ("t_link", "Edit", {"file_path": "alias.txt", "old_string": "un", "new_string": "x"}),
        ("t_read", "Read", {"file_path": str(outside / "victim.txt")}),
        ("t_in", "Write", {"file_path": "inside.txt", "content": "fine\n"}),
    ]
    anthropic_server.add(Reply.sse(tool_use_events(calls)), Reply.sse(text_message_events("done")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--permission-mode", "acceptEdits"], env, workspace)
    assert done.returncode == 0, done.stderr
    results = {r["tool_use_id"]: r for r in tool_results(anthropic_server.requests[1].body)}
    for tool_id in ("t_dots", "t_abs", "t_dir", "t_link", "t_read"):
        assert results[tool_id]["is_error"] is True, tool_id
        assert "Permission denied" in results[tool_id]["content"], tool_id
    assert str(outside) in results["t_abs"]["content"]
    assert results["t_in"]["is_error"] is False
    assert (workspace / "inside.txt").read_text() == "fine\n"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert (outside / "victim.txt").read_text() == "untouched\n"


def test_bypass_permissions_from_a_settings_file_is_ignored_without_the_flag(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, outside: Path
) -> None:
    # The user's own settings: a project's cannot choose this mode at all
    # (tests/e2e/test_hostile_project.py); not even the user's may switch the checks off.
    settings = config_home / "settings.json"
    settings.write_text(json.dumps({"permissions": {"defaultMode": "bypassPermissions"}}))
    command = f"echo pwned > {outside / 'made-by-bash'}"
    for _ in range(2):
        anthropic_server.add(
            Reply.sse(tool_use_events([("t_bash", "Bash", {"command": command})])),
            Reply.sse(text_message_events("done")),
        )
    env = hexclaw_env(anthropic_server.url, config_home)
    # --allowedTools Read has the tools offered, so the Bash call reaches the permission check.
    done = run_hexclaw(["-p", "go", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == (
        f"hexclaw: warning: {settings}: defaultMode bypassPermissions is ignored; it needs "
        "--dangerously-skip-permissions or --permission-mode bypassPermissions (using default)"
    )
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert result["is_error"] is True
    assert "Permission denied" in result["content"]
    assert not (outside / "made-by-bash").exists()
    # The flag on the command line is what switches the checks off.
    flagged = run_hexclaw(["-p", "go", "--dangerously-skip-permissions"], env, workspace)
    assert flagged.returncode == 0, flagged.stderr
    (result,) = tool_results(anthropic_server.requests[3].body)
    assert result["is_error"] is False
    assert (outside / "made-by-bash").read_text() == "pwned\n"
