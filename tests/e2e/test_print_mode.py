"""``hexclaw -p`` as a subprocess against the scripted server, in each output format."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.live_process import (
    Reader,
    held_after_first_delta,
    one_error_line,
    running_hexclaw,
)
from tests.fakes.anthropic_server import Reply, ScriptedAnthropicServer
from tests.fakes.sse_script import (
    error_event,
    text_message_events,
)
from tests.support import HEXCLAW, hexclaw_env, run_hexclaw


def test_text_streams_the_answer_as_it_arrives(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    reply, gate = held_after_first_delta(
        text_message_events("Hello streaming world, this is the rest")
    )
    anthropic_server.add(reply)
    env = hexclaw_env(anthropic_server.url, config_home)
    with running_hexclaw(["-p", "hi"], env, workspace, gate) as proc:
        early = Reader(proc).until(b"Hello st")
        # The first delta is on screen while the server still holds the rest of the answer.
        assert proc.poll() is None
        assert b"world" not in early
        gate.set()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert (early + out).decode() == "Hello streaming world, this is the rest\n"
    assert err == b""


def test_json_prints_one_result_object(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("The answer is 4.")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "2+2?", "--output-format", "json"], env, workspace)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.count("\n") == 1
    result = json.loads(done.stdout)
    assert result["type"] == "result"
    assert result["subtype"] == "success"
    assert result["is_error"] is False
    assert result["result"] == "The answer is 4."
    assert result["num_turns"] == 1
    assert result["stop_reason"] == "end_turn"
    assert result["permission_denials"] == []
    assert result["usage"]["input_tokens"] == 12
    assert result["usage"]["output_tokens"] == 7
    assert isinstance(result["duration_ms"], int)
    assert isinstance(result["duration_api_ms"], int)
    assert result["total_cost_usd"] > 0
    assert len(result["session_id"]) >= 32


def test_stream_json_lines_are_init_assistant_result(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("Hi ", "there")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["--print", "hello", "--output-format", "stream-json"], env, workspace)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(m["type"], m.get("subtype")) for m in lines] == [
        ("system", "init"),
        ("assistant", None),
        ("result", "success"),
    ]
    init, assistant, result = lines
    assert init["cwd"] == str(workspace.resolve())
    assert init["model"] == "claude-sonnet-4-5"
    assert isinstance(init["tools"], list)
    assert init["permissionMode"] == "default"
    assert assistant["message"] == {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 12,
            "output_tokens": 7,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }
    assert assistant["parent_tool_use_id"] is None
    assert result["result"] == "Hi there"
    assert init["session_id"] == assistant["session_id"] == result["session_id"]


def test_stream_json_init_reports_the_mode_in_force_from_settings(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    (config_home / "settings.json").write_text(json.dumps({"permissions": {"defaultMode": "plan"}}))
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hello", "--output-format", "stream-json"], env, workspace)
    assert done.returncode == 0, done.stderr
    init = json.loads(done.stdout.splitlines()[0])
    assert init["permissionMode"] == "plan"


def test_piped_stdin_is_prepended_to_the_prompt(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("Looks fine.")))
    diff = "diff --git a/x b/x\n+added line\n"
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "review this"], env, workspace, stdin=diff)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Looks fine.\n"
    [sent] = anthropic_server.requests[0].body["messages"]
    assert sent["role"] == "user"
    assert [(b["type"], b["text"]) for b in sent["content"]] == [
        ("text", diff.rstrip() + "\n\nreview this")
    ]


def test_stdin_alone_is_the_prompt_and_bad_utf8_does_not_crash(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    proc = subprocess.run(
        [*HEXCLAW, "-p"],
        env=hexclaw_env(anthropic_server.url, config_home),
        cwd=workspace,
        input=b"caf\xc3\xa9 \xff log",
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    [message] = anthropic_server.requests[0].body["messages"]
    assert message["content"][0]["text"] == "café \ufffd log"


def test_model_flag_env_and_default_choose_model_and_max_tokens(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    for _ in range(4):
        anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(anthropic_server.url, config_home)
    runs: list[tuple[list[str], dict[str, str]]] = [
        (["-p", "x"], env),
        (["-p", "x"], {**env, "ANTHROPIC_MODEL": "claude-3-5-haiku-latest"}),
        (["-p", "x", "--model", "claude-opus-4-1", "--max-turns", "3"], env),
        (["-p", "x", "--model", "my-proxy-model", "--max-tokens", "1000"], env),
    ]
    for args, run_env in runs:
        done = run_hexclaw(args, run_env, workspace)
        assert done.returncode == 0, done.stderr
    sent = [(r.body["model"], r.body["max_tokens"]) for r in anthropic_server.requests]
    assert sent == [
        ("claude-sonnet-4-5", 32_000),
        ("claude-3-5-haiku-latest", 8_192),
        ("claude-opus-4-1", 32_000),
        ("my-proxy-model", 1000),
    ]


def test_bearer_token_when_the_api_key_is_empty_and_base_url_slashes(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.sse(text_message_events("ok")))
    env = hexclaw_env(
        anthropic_server.url + "//",
        config_home,
        ANTHROPIC_API_KEY="",
        ANTHROPIC_AUTH_TOKEN="tok-123",
    )
    done = run_hexclaw(["-p", "x"], env, workspace)
    assert done.returncode == 0, done.stderr
    request = anthropic_server.requests[0]
    assert request.path == "/v1/messages"
    assert request.headers["authorization"] == "Bearer tok-123"
    assert "x-api-key" not in request.headers
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["user-agent"].startswith("hexclaw/")


def test_missing_credentials_is_one_line_naming_the_fix(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    env = hexclaw_env(anthropic_server.url, config_home, ANTHROPIC_API_KEY="")
    done = run_hexclaw(["-p", "hi"], env, workspace)
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert "ANTHROPIC_API_KEY" in line
    assert "hexclaw login" in line
    assert done.stdout == ""
    assert anthropic_server.requests == []


@pytest.mark.parametrize(
    "args",
    [
        ["-p", "hi", "--output-format", "xml"],
        ["-p", "hi", "--max-turns", "0"],
        ["-p", "hi", "--no-such-flag"],
        ["-p"],
        ["-p", "   "],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: list[str], anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    done = run_hexclaw(args, hexclaw_env(anthropic_server.url, config_home), workspace)
    assert done.returncode == 2
    one_error_line(done.stderr)
    assert anthropic_server.requests == []


def test_api_error_exits_1_with_status_type_and_request_id(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.error(400, "invalid_request_error", "max_tokens is too large"))
    done = run_hexclaw(["-p", "hi"], hexclaw_env(anthropic_server.url, config_home), workspace)
    assert done.returncode == 1
    line = one_error_line(done.stderr)
    assert "400 invalid_request_error: max_tokens is too large" in line
    assert "req_err" in line


def test_json_error_still_prints_the_result_object(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(Reply.error(404, "not_found_error", "model: nope"))
    env = hexclaw_env(anthropic_server.url, config_home)
    done = run_hexclaw(["-p", "hi", "--output-format", "json", "--model", "nope"], env, workspace)
    assert done.returncode == 1
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["is_error"] is True
    assert result["subtype"] == "error_during_execution"
    assert "not_found_error" in one_error_line(done.stderr)


def test_error_mid_stream_keeps_the_partial_text_and_exits_1(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    events = [*text_message_events("Partial answer")[:3], error_event("overloaded_error")]
    anthropic_server.add(Reply.sse(events), Reply.sse(text_message_events("never")))
    done = run_hexclaw(["-p", "hi"], hexclaw_env(anthropic_server.url, config_home), workspace)
    assert done.returncode == 1
    assert done.stdout == "Partial \n"
    assert "overloaded_error" in one_error_line(done.stderr)
    assert len(anthropic_server.requests) == 1


def test_overloaded_then_success_is_retried_quietly(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    anthropic_server.add(
        Reply.error(529, "overloaded_error", "Overloaded"),
        Reply.sse(text_message_events("second time lucky")),
    )
    done = run_hexclaw(["-p", "hi"], hexclaw_env(anthropic_server.url, config_home), workspace)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "second time lucky\n"
    assert len(anthropic_server.requests) == 2


def test_ctrl_c_mid_stream_exits_130_with_one_line(
    anthropic_server: ScriptedAnthropicServer, config_home: Path, workspace: Path
) -> None:
    reply, gate = held_after_first_delta(text_message_events("Started answering and then"))
    anthropic_server.add(reply)
    env = hexclaw_env(anthropic_server.url, config_home)
    with running_hexclaw(["-p", "hi"], env, workspace, gate) as proc:
        Reader(proc).until(b"Started ")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert one_error_line(err.decode()) == "hexclaw: interrupted"
