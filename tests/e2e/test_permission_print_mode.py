"""Tools and permissions in ``hexclaw -p``, as a subprocess against the scripted server:
no tools unless the user opts in, and anything not allowed is denied with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    last = body["messages"][-1]
    assert last["role"] == "user"
    return [b for b in last["content"] if b.get("type") == "tool_result"]


def offered(body: dict[str, Any]) -> list[str]:
    return [tool["name"] for tool in body.get("tools") or []]


def test_print_mode_offers_no_tools_without_opt_in(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("hello")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert offered(anthropic_server.requests[0].body) == []


def test_an_allowed_command_runs_and_its_output_goes_back(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "echo hi-from-bash"})])),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "run it", "--allowedTools", "Bash(echo:*)"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
    first, second = (r.body for r in anthropic_server.requests)
    assert set(offered(first)) >= {"Bash", "Read", "Write", "Edit", "Glob", "Grep", "WebFetch"}
    (result,) = tool_results(second)
    assert result["tool_use_id"] == "toolu_1"
    assert result["content"] == "hi-from-bash"
    assert result["is_error"] is False


def test_what_is_not_allowed_is_denied_and_the_model_is_told_why(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / "notes.md").write_text("# Notes\n")
    anthropic_server.add(
        Reply.sse(
            tool_use_events(
                [
                    ("toolu_r", "Read", {"file_path": "notes.md"}),
                    ("toolu_b", "Bash", {"command": "touch made-by-bash"}),
                ]
            )
        ),
        Reply.sse(text_message_events("ok")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "go", "--allowedTools", "Grep", "--output-format", "json"]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    read, bash = tool_results(anthropic_server.requests[1].body)
    assert read["is_error"] is False
    assert "# Notes" in read["content"]
    assert bash["is_error"] is True
    assert "Permission denied" in bash["content"]
    assert "touch made-by-bash" in bash["content"]
    assert not (workspace / "made-by-bash").exists()
    result = json.loads(done.stdout)
    assert [d["tool_name"] for d in result["permission_denials"]] == ["Bash"]


def test_accept_edits_writes_in_the_workspace_and_disallowed_tools_are_not_offered(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.sse(
            tool_use_events([("toolu_w", "Write", {"file_path": "out.txt", "content": "x\n"})])
        ),
        Reply.sse(text_message_events("written")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "write", "--permission-mode", "acceptEdits", "--disallowedTools", "Bash,WebFetch"]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    names = offered(anthropic_server.requests[0].body)
    assert "Write" in names
    assert "Bash" not in names
    assert "WebFetch" not in names
    assert (workspace / "out.txt").read_text() == "x\n"
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert result["is_error"] is False


def test_a_settings_rule_opts_in_and_a_deny_rule_wins(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / ".claude").mkdir()
    (workspace / ".claude/settings.json").write_text(
        json.dumps({"permissions": {"allow": ["Bash(echo:*)"], "deny": ["Bash(echo secret:*)"]}})
    )
    anthropic_server.add(
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": "echo secret stuff"})])),
        Reply.sse(text_message_events("fine")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    # The user opts in to tools; the project's rules then decide about each call.
    done = run_hexclaw(["-p", "hi", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert result["is_error"] is True
    assert "Bash(echo secret:*)" in result["content"]
    assert ".claude/settings.json" in result["content"]


def test_a_projects_rules_alone_do_not_switch_tools_on_in_print_mode(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (workspace / ".claude").mkdir()
    (workspace / ".claude/settings.json").write_text(
        json.dumps({"permissions": {"allow": ["Bash(echo:*)"], "defaultMode": "acceptEdits"}})
    )
    anthropic_server.add(Reply.sse(text_message_events("no tools here")))
    done = run_hexclaw(["-p", "hi"], hexclaw_env(anthropic_server.url, config_home), workspace)
    assert done.returncode == 0, done.stderr
    assert "tools" not in anthropic_server.requests[0].body


def test_skipping_permissions_warns_and_a_bad_rule_is_one_line(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("hi")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi", "--dangerously-skip-permissions"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert "bypassPermissions" in done.stderr
    assert "warning" in done.stderr
    bad = run_hexclaw(["-p", "hi", "--allowedTools", "Bash(oops"], env, workspace)
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "Bash(oops" in bad.stderr
    assert "Traceback" not in bad.stderr
