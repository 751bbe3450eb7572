"""Hooks through ``hexclaw -p`` against the scripted server, with real hook scripts (Python and
shell): each event's input, each exit-code and JSON-output behaviour, and the order with the
permission rules."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.e2e.hook_scripts import (
    hook,
    python_command,
    read_log,
    responder_command,
    settings_with,
    write_scripts,
)
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import text_message_events, tool_use_events
from tests.support import hexclaw_env, run_hexclaw

COMMON_KEYS = {"session_id", "transcript_path", "cwd", "hook_event_name"}


def user_settings(config_home: Path, text: str) -> None:
    (config_home / "settings.json").write_text(text)


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in body["messages"][-1]["content"] if b.get("type") == "tool_result"]


def texts(message: dict[str, Any]) -> list[str]:
    content = message["content"]
    if isinstance(content, str):
        return [content]
    return [b["text"] for b in content if b.get("type") == "text"]


def bash_then_done(command: str) -> list[Reply]:
    return [
        Reply.sse(tool_use_events([("toolu_1", "Bash", {"command": command})])),
        Reply.sse(text_message_events("done")),
    ]


def test_every_session_event_gets_claude_codes_input_in_order(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    logger, _ = write_scripts(tmp_path / "hooks")
    log = tmp_path / "events.jsonl"
    command = python_command(logger, str(log))
    events = ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd"]
    user_settings(config_home, settings_with(*(hook(e, command) for e in events)))
    anthropic_server.add(*bash_then_done("echo hi"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Bash(echo:*)"], env, workspace)
    assert done.returncode == 0, done.stderr
    entries = read_log(log)
    assert [e["hook_event_name"] for e in entries] == events
    for entry in entries:
        assert set(entry) >= COMMON_KEYS
        assert entry["cwd"] == str(workspace)
        assert entry["_cwd"] == str(workspace)
        assert entry["_env_project_dir"] == str(workspace)
        assert entry["_pgid"] != os.getpgid(0)  # its own process group, not hexclaw's
    start, prompt, pre, post, stop, end = entries
    assert start["source"] == "startup"
    assert prompt["prompt"] == "go"
    assert prompt["permission_mode"] == "default"
    assert pre["tool_name"] == "Bash"
    assert pre["tool_input"] == {"command": "echo hi"}
    assert pre["tool_use_id"] == "toolu_1"
    assert post["tool_response"]["stdout"].strip() == "hi"
    assert stop["stop_hook_active"] is False
    assert stop["last_assistant_message"] == "done"
    assert end["reason"] == "other"
    assert len({e["session_id"] for e in entries}) == 1


def test_pre_tool_use_exit_2_blocks_with_stderr_to_the_model(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    command = "echo 'no rm here' >&2; exit 2"
    user_settings(config_home, settings_with(hook("PreToolUse", command, "Bash")))
    anthropic_server.add(*bash_then_done("touch made"))
    env = hexclaw_env(anthropic_server.url, config_home)
    args = ["-p", "go", "--allowedTools", "Bash", "--output-format", "json"]
    done = run_hexclaw(args, env, workspace)
    assert done.returncode == 0, done.stderr
    assert not (workspace / "made").exists()
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert result["is_error"] is True
    assert result["content"] == f"PreToolUse:Bash hook error: [{command}]: no rm here"
    denials = json.loads(done.stdout)["permission_denials"]
    assert [d["tool_name"] for d in denials] == ["Bash"]


def test_pre_tool_use_json_deny_gives_its_reason(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    _, responder = write_scripts(tmp_path / "hooks")
    output = {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": "use the make target",
        }
    }
    user_settings(
        config_home, settings_with(hook("PreToolUse", responder_command(responder, output, 0)))
    )
    anthropic_server.add(*bash_then_done("touch made"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Bash"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert not (workspace / "made").exists()
    (result,) = tool_results(anthropic_server.requests[1].body)
    result.pop("cache_control", None)
    assert result == {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "content": "PreToolUse:Bash hook error: use the make target",
        "is_error": True,
    }


def allow_output(**extra: Any) -> dict[str, Any]:
    return {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "allow",
            **extra,
        }
    }


def test_pre_tool_use_allow_runs_what_the_mode_would_ask_about(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    _, responder = write_scripts(tmp_path / "hooks")
    command = responder_command(responder, allow_output(), 0)
    user_settings(config_home, settings_with(hook("PreToolUse", command, "Bash")))
    anthropic_server.add(*bash_then_done("touch made"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert (workspace / "made").exists()


def test_a_hooks_allow_never_beats_a_deny_rule_or_a_protected_path(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    logger, responder = write_scripts(tmp_path / "hooks")
    log = tmp_path / "pre.jsonl"
    allow = responder_command(responder, allow_output(), 0)
    (config_home / "settings.json").write_text(
        json.dumps(
            {
                "permissions": {"deny": ["Bash(touch denied:*)"]},
                "hooks": {
                    "PreToolUse": [
                        {"hooks": [{"type": "command", "command": allow}]},
                        {
                            "hooks": [
                                {"type": "command", "command": python_command(logger, str(log))}
                            ]
                        },
                    ]
                },
            }
        )
    )
    (workspace / ".git").mkdir()
    anthropic_server.add(
        Reply.sse(
            tool_use_events(
                [
                    ("toolu_d", "Bash", {"command": "touch denied"}),
                    ("toolu_g", "Write", {"file_path": ".git/config", "content": "x"}),
                ]
            )
        ),
        Reply.sse(text_message_events("done")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    denied, protected = tool_results(anthropic_server.requests[1].body)
    assert denied["is_error"] is True
    assert "touch denied" in denied["content"]
    assert protected["is_error"] is True
    assert ".git" in protected["content"]
    assert not (workspace / "denied").exists()
    assert not (workspace / ".git/config").exists()
    # The deny rule decided before any hook ran; the protected write did reach the hooks.
    assert [e["tool_name"] for e in read_log(log)] == ["Write"]


def test_pre_tool_use_ask_in_print_mode_is_a_denial(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    _, responder = write_scripts(tmp_path / "hooks")
    output = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "ask"}}
    user_settings(
        config_home, settings_with(hook("PreToolUse", responder_command(responder, output, 0)))
    )
    anthropic_server.add(*bash_then_done("touch made"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Bash"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert not (workspace / "made").exists()
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert result["is_error"] is True
    assert "hook asks" in result["content"]


def test_pre_tool_use_updated_input_is_what_runs(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    _, responder = write_scripts(tmp_path / "hooks")
    output = allow_output(updatedInput={"command": "touch rewritten"})
    user_settings(
        config_home, settings_with(hook("PreToolUse", responder_command(responder, output, 0)))
    )
    anthropic_server.add(*bash_then_done("touch original"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Bash(touch:*)"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert (workspace / "rewritten").exists()
    assert not (workspace / "original").exists()


def test_matchers_select_tools(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    logger, _ = write_scripts(tmp_path / "hooks")
    logs = {name: tmp_path / f"{name}.jsonl" for name in ("exact", "alt", "regex", "all", "miss")}
    matchers = {"exact": "Bash", "alt": "Read|Bash", "regex": "Ba.*", "all": "*", "miss": "Edit"}
    user_settings(
        config_home,
        settings_with(
            *(hook("PreToolUse", python_command(logger, str(logs[n])), matchers[n]) for n in logs)
        ),
    )
    anthropic_server.add(*bash_then_done("echo x"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Bash(echo:*)"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert {n: len(read_log(p)) for n, p in logs.items()} == {
        "exact": 1,
        "alt": 1,
        "regex": 1,
        "all": 1,
        "miss": 0,
    }


def test_identical_commands_run_once_and_hooks_run_in_parallel(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    marker, count = tmp_path / "marker", tmp_path / "count"
    # The first hook waits for the second one's marker: run one after the other, it would
    # time out (and block nothing); run together, it sees the marker and blocks the prompt.
    waiter = (
        f"for i in $(seq 1 100); do [ -e '{marker}' ] && "
        "{ echo saw-the-marker >&2; exit 2; }; sleep 0.05; done; exit 0"
    )
    maker = f"touch '{marker}'"
    counter = f"echo x >> '{count}'"
    user_settings(
        config_home,
        settings_with(
            hook("UserPromptSubmit", waiter, timeout=10),
            hook("UserPromptSubmit", maker),
            hook("UserPromptSubmit", counter),
            hook("UserPromptSubmit", counter),
        ),
    )
    anthropic_server.add(Reply.sse(text_message_events("never")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go"], env, workspace)
    assert "saw-the-marker" in done.stderr
    assert anthropic_server.requests == []
    assert count.read_text() == "x\n"


def test_user_prompt_submit_stdout_reaches_the_model_and_exit_2_stops_the_prompt(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    user_settings(config_home, settings_with(hook("UserPromptSubmit", "echo 'branch is main'")))
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go"], env, workspace)
    assert done.returncode == 0, done.stderr
    sent = texts(anthropic_server.requests[0].body["messages"][0])
    assert sent[0] == "go"
    assert any("UserPromptSubmit hook success: branch is main" in t for t in sent)

    user_settings(
        config_home, settings_with(hook("UserPromptSubmit", "echo 'no secrets' >&2; exit 2"))
    )
    done = run_hexclaw(["-p", "my password is hunter2"], env, workspace)
    assert len(anthropic_server.requests) == 1  # nothing more was sent
    assert "no secrets" in done.stderr


def test_session_start_stdout_is_context_for_the_first_prompt(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    _, responder = write_scripts(tmp_path / "hooks")
    output = {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": "T-42"}}
    user_settings(
        config_home,
        settings_with(hook("SessionStart", responder_command(responder, output, 0), "startup")),
    )
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go"], env, workspace)
    assert done.returncode == 0, done.stderr
    sent = texts(anthropic_server.requests[0].body["messages"][0])
    assert any("SessionStart hook additional context: T-42" in t for t in sent)


def test_post_tool_use_exit_2_feeds_stderr_to_the_model(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    command = "echo 'lint: missing semicolon' >&2; exit 2"
    user_settings(config_home, settings_with(hook("PostToolUse", command, "Bash")))
    anthropic_server.add(*bash_then_done("echo built"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Bash(echo:*)"], env, workspace)
    assert done.returncode == 0, done.stderr
    (result,) = tool_results(anthropic_server.requests[1].body)
    assert "built" in result["content"]
    assert "PostToolUse:Bash hook error" in result["content"]
    assert "lint: missing semicolon" in result["content"]


def test_post_tool_use_continue_false_ends_the_turn(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    _, responder = write_scripts(tmp_path / "hooks")
    output = {"continue": False, "stopReason": "build broke; stopping"}
    user_settings(
        config_home, settings_with(hook("PostToolUse", responder_command(responder, output, 0)))
    )
    anthropic_server.add(*bash_then_done("echo x"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Bash(echo:*)"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert len(anthropic_server.requests) == 1
    assert "build broke; stopping" in done.stderr


def test_stop_exit_2_continues_the_turn_a_bounded_number_of_times(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    logger, _ = write_scripts(tmp_path / "hooks")
    log = tmp_path / "stop.jsonl"
    command = f"{python_command(logger, str(log))}; echo 'run the tests first' >&2; exit 2"
    user_settings(config_home, settings_with(hook("Stop", command)))
    anthropic_server.add(*(Reply.sse(text_message_events(f"answer {i}")) for i in range(6)))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert len(anthropic_server.requests) == 4  # the answer, then at most 3 continuations
    second = anthropic_server.requests[1].body["messages"]
    assert texts(second[-1]) == ["Stop hook feedback:\nrun the tests first"]
    assert [e["stop_hook_active"] for e in read_log(log)] == [False, True, True]
    assert done.stdout.strip().endswith("answer 3")


def test_a_slow_hook_times_out_with_its_process_group_and_the_turn_goes_on(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    command = f"sleep 30 & echo $! > '{pid_file}'; wait"
    user_settings(config_home, settings_with(hook("UserPromptSubmit", command, timeout=1)))
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert "timed out after 1 s" in done.stderr
    child = int(pid_file.read_text())
    try:
        os.kill(child, 0)
        alive = Path(f"/proc/{child}/stat").read_text().split()[2] != "Z"
    except ProcessLookupError:
        alive = False
    assert not alive


def test_other_exit_codes_are_a_non_blocking_error_line(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    user_settings(config_home, settings_with(hook("UserPromptSubmit", "echo oops >&2; exit 3")))
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert "failed: oops" in done.stderr


def test_system_message_and_verbose_lines(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    _, responder = write_scripts(tmp_path / "hooks")
    output = {"systemMessage": "formatter ran"}
    command = responder_command(responder, output, 0)
    user_settings(config_home, settings_with(hook("UserPromptSubmit", command)))
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--verbose"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert "formatter ran" in done.stderr
    assert f"hook UserPromptSubmit: {command} · exit 0 ·" in done.stderr


def test_permission_request_hook_answers_in_the_users_place(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    _, responder = write_scripts(tmp_path / "hooks")
    output = {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow"},
        }
    }
    command = responder_command(responder, output, 0)
    user_settings(config_home, settings_with(hook("PermissionRequest", command, "Bash")))
    anthropic_server.add(*bash_then_done("touch made"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert (workspace / "made").exists()


def _permission_request_rewriting_to(command: str) -> dict[str, Any]:
    return {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow", "updatedInput": {"command": command}},
        }
    }


def test_a_permission_request_hooks_updated_input_is_what_runs(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    _, responder = write_scripts(tmp_path / "hooks")
    command = responder_command(responder, _permission_request_rewriting_to("touch rewritten"), 0)
    user_settings(config_home, settings_with(hook("PermissionRequest", command, "Bash")))
    anthropic_server.add(*bash_then_done("touch asked"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert (workspace / "rewritten").exists()
    assert not (workspace / "asked").exists()


def test_a_permission_request_hook_cannot_rewrite_a_call_into_a_denied_one(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    victim = workspace / "victim"
    victim.write_text("keep me")
    _, responder = write_scripts(tmp_path / "hooks")
    command = responder_command(responder, _permission_request_rewriting_to("rm -f victim"), 0)
    settings = json.loads(settings_with(hook("PermissionRequest", command, "Bash")))
    settings["permissions"] = {"deny": ["Bash(rm:*)"]}
    user_settings(config_home, json.dumps(settings))
    anthropic_server.add(*bash_then_done("ls"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go", "--allowedTools", "Read"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "keep me"
    [result] = tool_results(anthropic_server.requests[-1].body)
    assert result["is_error"] is True


def test_disable_all_hooks_runs_none(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    user_settings(
        config_home,
        settings_with(hook("UserPromptSubmit", f"touch '{marker}'"), disableAllHooks=True),
    )
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "go"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


def test_repl_compaction_and_clear_fire_their_session_events(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path, tmp_path: Path
) -> None:
    logger, _ = write_scripts(tmp_path / "hooks")
    log = tmp_path / "events.jsonl"
    command = python_command(logger, str(log))
    events = ["SessionStart", "PreCompact", "SessionEnd"]
    user_settings(config_home, settings_with(*(hook(e, command) for e in events)))
    anthropic_server.add(
        Reply.sse(text_message_events("first answer")),
        Reply.sse(text_message_events("second answer")),
        Reply.sse(text_message_events("Summary: two things.")),
    )
    env = hexclaw_env(anthropic_server.url, config_home)
    lines = "one\ntwo\n/compact keep the names\n/clear\n"
    done = run_hexclaw([], env, workspace, stdin=lines, timeout=30)
    assert done.returncode == 0, done.stderr
    entries = [
        (e["hook_event_name"], e.get("source") or e.get("trigger") or e.get("reason"))
        for e in read_log(log)
    ]
    assert entries == [
        ("SessionStart", "startup"),
        ("PreCompact", "manual"),
        ("SessionStart", "compact"),
        ("SessionEnd", "clear"),
        ("SessionStart", "clear"),
        ("SessionEnd", "prompt_input_exit"),
    ]
    first, *_, cleared, last = read_log(log)
    assert cleared["session_id"] != first["session_id"]  # the new session's id
    assert last["session_id"] == cleared["session_id"]
    assert read_log(log)[1]["custom_instructions"] == "keep the names"
