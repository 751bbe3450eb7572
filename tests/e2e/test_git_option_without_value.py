"""A Bash call of ``git -C`` (an option missing its value) once made the permission check
raise IndexError, which ended the whole ``hexclaw -p`` run as an internal error. Through the
real CLI: the call is decided like any other and the session goes on."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw


def test_a_git_option_without_its_value_does_not_end_the_session(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_x", "Bash", {"command": "git -C"})])),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Bash(git status)"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr
    assert "done" in done.stdout
    body = anthropic_server.requests[1].body
    (result,) = [b for b in body["messages"][-1]["content"] if b.get("type") == "tool_result"]
    assert result["tool_use_id"] == "toolu_x"
